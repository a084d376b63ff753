#!/bin/bash
# search_path.t -- a lower-privileged role cannot take over a superuser's
# run through search_path (issue 18, finding 5), and a revision that
# changes search_path cannot move the run's version writes (finding 9).
#
#   (a) mallory owns schema app, early in the superuser's search_path, and
#       made app.alembic_version with a trigger: the run refuses the table,
#       naming its owner, and the trigger never fires;
#   (b) mallory's operator app.=(text, text), first in search_path: the
#       engine's internal comparisons never call it;
#   (c) a view named alembic_version is refused for reading too.
. "$(dirname "$0")/lib.sh"

plan 17

fresh_db sp
# revisions whose own SQL compares nothing (a body is the user's code: it
# would call mallory's operator as any SQL of the user would)
for i in 1 2 3; do
	write_rev "$TMP/env" "s$i" "$([ "$i" -gt 1 ] && echo "s$((i - 1))")" "CREATE TABLE public.t$i (a int);" "DROP TABLE public.t$i;"
done
pq sp "DROP ROLE IF EXISTS mallory;" "CREATE ROLE mallory LOGIN;" \
	"CREATE SCHEMA app AUTHORIZATION mallory;" \
	"CREATE TABLE public.calls (who text, what text);" "GRANT INSERT ON public.calls TO PUBLIC;" \
	"SELECT migrate_load('$TMP/env');"
is "$RC" 0 "setup: a role mallory with schema app, the sample environment loaded"

# (a) mallory's version table with a trigger that tries to escalate
pq sp "SET ROLE mallory;" \
	"CREATE TABLE app.alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);" \
	"CREATE FUNCTION app.grab() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	INSERT INTO public.calls VALUES (current_user, 'trigger');
	EXECUTE 'ALTER ROLE mallory SUPERUSER';
	RETURN NULL;
END \$\$;" \
	"CREATE TRIGGER grab AFTER INSERT OR UPDATE OR DELETE ON app.alembic_version FOR EACH STATEMENT EXECUTE FUNCTION app.grab();" \
	"RESET ROLE;"
is "$RC" 0 "setup: mallory's app.alembic_version with a trigger"

pq sp "\\set VERBOSITY verbose" "SET search_path = app, public, migrate;" "SELECT migrate_upgrade();"
ok "the superuser's upgrade fails" [ "$RC" -ne 0 ]
has "$ERR" 'ERROR:  42501: the version table "app"."alembic_version" is owned by role "mallory"' \
	"it names the table and its owner"
has "$ERR" "HINT:  If that role is trusted, give the table to the running role" "and says what to do"
is "$(val sp "SELECT count(*) FROM public.calls")" "0" "the trigger never fired"
is "$(val sp "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'")" "f" "mallory is no superuser"
is "$(val sp "SELECT to_regclass('public.t1') IS NULL AND to_regclass('app.t1') IS NULL")" "t" \
	"no revision ran"
pq sp "SET search_path = app, public, migrate;" "SELECT count(*) FROM migrate_current();"
is "$RC" 0 "reading mallory's plain table is allowed (SELECT runs no trigger)"

# (b) mallory's "=" first in search_path
pq sp "SET ROLE mallory;" "DROP TABLE app.alembic_version;" \
	"CREATE FUNCTION app.eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
	INSERT INTO public.calls VALUES (current_user, 'operator');
	RETURN a OPERATOR(pg_catalog.=) b;
END \$\$;" \
	"CREATE OPERATOR app.= (LEFTARG = text, RIGHTARG = text, FUNCTION = app.eq);" \
	"RESET ROLE;"
is "$RC" 0 "setup: mallory's operator app.=(text, text)"
pq sp "CREATE TABLE public.alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));" \
	"SET search_path = app, pg_catalog, public, migrate;" "SELECT 'probe' = 'probe'::text;"
is "$(val sp "SELECT count(*) FROM public.calls")" "1" "an unqualified = in that search_path calls mallory's operator"
pq sp "DELETE FROM public.calls;" "SET search_path = app, pg_catalog, public, migrate;" \
	"SELECT migrate_config('version_table');" \
	"SELECT migrate_upgrade();" \
	"SELECT count(*) FROM migrate_history(NULL, true);" \
	"SELECT migrate_check();" \
	"SELECT migrate_downgrade('-1');" \
	"SELECT migrate_stamp('heads');"
is "$RC" 0 "config, upgrade, history, check, downgrade and stamp run with mallory's operator first"
[ "$RC" = 0 ] || diag "$ERR"
is "$(val sp "SELECT count(*) FROM public.calls")" "0" "the engine never called mallory's operator"
is "$(val sp "SELECT string_agg(version_num, ',') FROM public.alembic_version")" "s3" \
	"the run wrote public.alembic_version"

# (c) a view in the version table's place
fresh_db sp2
pq sp2 "CREATE SCHEMA v;" "CREATE VIEW v.alembic_version AS SELECT 'x'::varchar(32) AS version_num;" \
	"\\set VERBOSITY verbose" "SET search_path = v, public, migrate;" "SELECT count(*) FROM migrate_current();"
has "$ERR" 'ERROR:  55000: "alembic_version" in schema "v" is not a table' "a view is not read as the version table"

# finding 9: a revision that changes search_path
fresh_db sp3
write_rev "$TMP/env3" r1 "" "CREATE SCHEMA other; SET search_path = other, public, migrate;" "SELECT 1;"
write_rev "$TMP/env3" r2 r1 "CREATE TABLE t2 (a int);" "DROP TABLE t2;"
pq sp3 "SELECT migrate_load('$TMP/env3');" "SELECT migrate_upgrade();"
is "$RC" 0 "a revision that changes search_path runs"
is "$(val sp3 "SELECT string_agg(version_num, ',') FROM public.alembic_version") $(val sp3 "SELECT to_regclass('other.alembic_version') IS NULL")" \
	"r2 t" "the version table stayed where the run started (public), none was made in the new path"
done_testing
