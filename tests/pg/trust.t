#!/bin/bash
# trust.t -- anyone who can write the catalog cannot run SQL as the next
# upgrader (issue 18, finding 6).  The catalog records the role that
# added each revision (a trigger writes it, whatever the writer put
# there); a run refuses revisions added by a role the running role does
# not trust (itself, a role it is a member of, a superuser), unless the
# session names it in migrate.trusted_roles; migrate_check() says who
# added what.
. "$(dirname "$0")/lib.sh"

plan 14

fresh_db trust
pq trust "DROP ROLE IF EXISTS eve;" "CREATE ROLE eve LOGIN;" \
	"GRANT USAGE ON SCHEMA migrate TO eve;" \
	"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA migrate TO eve;" \
	"GRANT USAGE ON ALL SEQUENCES IN SCHEMA migrate TO eve;" \
	"SELECT migrate_load('$MIGRATE_ENV_DIR');" "SELECT migrate_upgrade('gxy@head');" \
	"GRANT SELECT ON public.alembic_version TO eve;"
is "$RC" 0 "setup: the sample environment, gxy applied; eve may write the catalog"

evil="-- evil
--
-- Revision ID: eee1
-- Revises: a2e418ad6a15

-- migrate:upgrade
ALTER ROLE eve SUPERUSER;
CREATE TABLE public.eve_was_here (a int);

-- migrate:downgrade
SELECT 1;"
PGUSER=eve pq trust "SELECT migrate_add(\$m\$$evil\$m\$, 'eee1.sql');"
is "$RC" 0 "eve adds a revision"
[ "$RC" = 0 ] || diag "$ERR"
PGUSER=eve pq trust "UPDATE migrate.migrate_catalog SET added_by = 'postgres' WHERE revision = 'eee1';"
is "$(val trust "SELECT added_by FROM migrate.migrate_catalog WHERE revision = 'eee1'")" "eve" \
	"the row records eve, whatever eve writes there"
is "$(val trust "SELECT count(DISTINCT added_by) FROM migrate.migrate_catalog WHERE revision <> 'eee1'")" "1" \
	"the sample's rows record the role that loaded them"

pq trust "\\set VERBOSITY verbose" "SELECT migrate_upgrade('gxy@head');"
ok "the superuser's upgrade fails" [ "$RC" -ne 0 ]
has "$ERR" 'ERROR:  42501: revision eee1 was added by role "eve", which the running role does not trust' \
	"naming the revision and its author"
has "$ERR" "HINT:  Review the revision (SELECT script FROM migrate_catalog WHERE revision = 'eee1'); then trust its author for this session (SET migrate.trusted_roles = 'eve')" \
	"and how to review and trust it"
is "$(val trust "SELECT rolsuper FROM pg_roles WHERE rolname = 'eve'")" "f" "eve is no superuser"
is "$(val trust "SELECT to_regclass('public.eve_was_here') IS NULL")" "t" "nothing of the revision ran"

check=$(val trust "SELECT migrate_check()")
has "$check" "untrusted: revision eee1 was added by role \"eve\", which this role does not trust" \
	"migrate_check() names the untrusted revision"
has "$check" "added by: " "migrate_check() says who added the catalog"
has "$check" ", eve (1)" "eve added one revision"

pq trust "SET migrate.trusted_roles = 'someone, eve';" "SELECT migrate_upgrade('gxy@head');"
is "$RC" 0 "trusted for the session, it runs"
is "$(val trust "SELECT to_regclass('public.eve_was_here') IS NOT NULL")" "t" "the revision ran"
pq trust "ALTER ROLE eve NOSUPERUSER;"
done_testing
