#!/bin/bash
# hints.t -- the hints the PostgreSQL host gives itself, and the engine's
# PostgreSQL-only ones, each in the case it fires in, checked word for
# word, with the SQLSTATE and that the failing call changed nothing.
# (The engine's other hints are in tests/core/test_hints.c.)
#
#   where                                     case                              test
#   pg_migrate.c, SPI_ERROR_COPY              COPY ... FROM STDIN in a revision  "COPY"
#   pg_migrate.c, statement_timeout           a step longer than the setting     "statement_timeout"
#   pg_migrate.c, dblink missing              CALL on a Transactional: false step "no dblink"
#   pg_migrate.c, loopback refused            online_conninfo that cannot connect "loopback"
#   pg_migrate.c, online step fails           at statement 1 / at statement 2    "online step"
#   pg_migrate.c, migrate_wait                in a REPEATABLE READ transaction   "migrate_wait"
#   run.c, Transactional: false downgrade     SELECT migrate_downgrade           "downgrade"
#   catalog.c, version table not a table      a view named alembic_version       "view"
#   elsewhere: transaction control, procedures, nested runs (hardening.t);
#   the migration lock (concurrent.t, locks.t); serialization (isolation.t);
#   pg_read_server_files, relative paths (errors.pg, first_hour.t); CALL in
#   a transaction block (steps.t); the untrusted role (trust.t); the
#   version table's owner (search_path.t).  The lock-wait hint without a
#   blocking pid fires only when the blocker ends between the time-out and
#   the report: a race no test can hold open.
. "$(dirname "$0")/lib.sh"

plan 36

snap() {	# snap DB: everything pg_dump sees
	pg_dump -d "$1" --no-owner 2>&1 | grep -v -e '^SELECT pg_catalog.setval' -e '^\\restrict ' -e '^\\unrestrict '
}

# fails DB NAME SQL SQLSTATE HINT: SQL fails with SQLSTATE and exactly
# HINT; nothing changed (three tests).
fails() {
	local db=$1 name=$2 sql=$3 state=$4 hint=$5 before
	before=$(snap "$db")
	pq "$db" "\\set VERBOSITY verbose" "$sql"
	has "$ERR" "ERROR:  $state: " "$name: fails with $state"
	is "$(printf '%s\n' "$ERR" | sed -n 's/^HINT:  //p')" "$hint" "$name: the hint"
	is "$(snap "$db")" "$before" "$name: nothing changed"
}

write_nontx() {	# write_nontx DIR ID REVISES UP DOWN: marked Transactional: false
	write_rev "$@"
	sed -i 's/^-- Revises: \(.*\)$/-- Revises: \1\n-- Transactional: false/' "$1/${2}_rev.sql"
}

# ------------------------------------------------------------ run
envd=$TMP/run
write_rev "$envd" r1 "" "CREATE TABLE t (a int);" "DROP TABLE t;"
write_rev "$envd" r2 r1 "COPY t FROM STDIN;" ""
fresh_db hints_run
pq hints_run "SELECT migrate_load('$envd');" "SELECT migrate_upgrade('r1');"
is "$RC" 0 "setup: r1 applied, r2 copies from the client"
fails hints_run "COPY from the client" "SELECT migrate_upgrade('r2');" 0A000 \
	"Write the rows as INSERT statements, or COPY from a file on the server (which needs pg_read_server_files); nothing was changed."

write_rev "$envd" r2 r1 "SELECT pg_sleep(2);" ""
pq hints_run "SELECT migrate_load('$envd');" "SELECT migrate_config('statement_timeout', '100ms');"
is "$RC" 0 "setup: r2 sleeps 2 s, statement_timeout is 100ms"
fails hints_run "a step longer than statement_timeout" "SELECT migrate_upgrade('r2');" 57014 \
	"Nothing was changed. Make the step shorter (for example CREATE INDEX CONCURRENTLY in a \"Transactional: false\" revision), or raise the limit: SELECT migrate_config('statement_timeout', '10min')."

fresh_db hints_view
pq hints_view "SELECT migrate_load('$envd');" "CREATE VIEW alembic_version AS SELECT 'r1'::varchar(32) AS version_num;"
is "$RC" 0 "setup: a view named alembic_version"
fails hints_view "the version table is a view" "SELECT migrate_upgrade('r1');" 55000 \
	"Drop or rename that relation if it is not yours, or point the setting at the real version table: SELECT migrate_config('version_table', '<name>'); nothing was changed."

# ------------------------------------------------------------ online steps
envd=$TMP/online
write_rev "$envd" r1 "" "CREATE TABLE t (a int);" "DROP TABLE t;"
write_nontx "$envd" r2 r1 "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);" "DROP INDEX CONCURRENTLY t_a_idx;"
fresh_db hints_online
pq hints_online "SELECT migrate_load('$envd');" "SELECT migrate_upgrade('r1');"
is "$RC" 0 "setup: r1 applied, r2 is Transactional: false, no dblink"
fails hints_online "no dblink" "CALL migrate_upgrade_steps();" 55000 \
	"Run CREATE EXTENSION dblink (shipped with PostgreSQL) and CALL again, or write the steps out with migrate_upgrade_sql('<from>:<to>') and run that file with psql; nothing was changed."

pq hints_online "CREATE EXTENSION dblink;" "SELECT migrate_config('online_conninfo', 'host=/nonexistent dbname=nothing');"
is "$RC" 0 "setup: dblink, and an online_conninfo that cannot connect"
before=$(snap hints_online)
pq hints_online "\\set VERBOSITY verbose" "CALL migrate_upgrade_steps();"
has "$ERR" "host=/nonexistent dbname=nothing) must reach this server and be allowed by its pg_hba.conf" \
	"a refused loopback: the hint names the connection and pg_hba.conf"
has "$ERR" "or set another with SELECT migrate_config('online_conninfo', '...'). Nothing was changed." \
	"a refused loopback: and the setting"
is "$(snap hints_online)" "$before" "a refused loopback: nothing changed"

pq hints_online "DELETE FROM migrate.migrate_settings WHERE key = 'online_conninfo';"
write_nontx "$envd" r2 r1 "CREATE INDEX CONCURRENTLY t_a_idx ON no_such_table (a);" ""
pq hints_online "SELECT migrate_load('$envd');"
is "$RC" 0 "setup: r2's one statement fails"
fails hints_online "an online step failing at its first statement" "CALL migrate_upgrade_steps();" 42P01 \
	"The step is not recorded and nothing of it stays; fix the cause (the data or the script) and CALL again."

write_nontx "$envd" r2 r1 "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);
CREATE INDEX CONCURRENTLY t_b_idx ON t (b);" ""
pq hints_online "SELECT migrate_load('$envd');"
is "$RC" 0 "setup: r2's second statement fails"
pq hints_online "\\set VERBOSITY verbose" "CALL migrate_upgrade_steps();"
has "$ERR" "ERROR:  42703: " "an online step failing at its second statement: fails with 42703"
is "$(printf '%s\n' "$ERR" | sed -n 's/^HINT:  //p')" \
	"The step is not recorded. Its statements before statement 2 ran outside a transaction and stay; fix the cause and CALL again, which runs the step from its first statement (write such steps to be run again: IF NOT EXISTS)." \
	"an online step failing at its second statement: the hint says what stays"
is "$(val hints_online "SELECT count(*) FROM pg_indexes WHERE indexname = 't_a_idx'")" "1" \
	"(the first statement's index stays, as the hint says)"
is "$(val hints_online "SELECT version_num FROM alembic_version")" "r1" "(the step is not recorded)"

# ------------------------------------------------------------ a downgrade through a Transactional: false step
pq hints_online "DROP INDEX t_a_idx;"
write_nontx "$envd" r2 r1 "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);" "DROP INDEX CONCURRENTLY t_a_idx;"
pq hints_online "SELECT migrate_load('$envd');" "CALL migrate_upgrade_steps();"
is "$RC" 0 "setup: r2 applied online"
fails hints_online "SELECT migrate_downgrade through a Transactional: false step" "SELECT migrate_downgrade('r1');" 55000 \
	"Run it online with CALL migrate_downgrade_steps(...) (same target), which runs such steps between committed steps through a loopback dblink connection, or write the steps out with migrate_downgrade_sql('<from>:<to>') and run that file with psql; nothing was changed."

# ------------------------------------------------------------ migrate_wait
fails hints_online "migrate_wait in REPEATABLE READ" \
	"BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT migrate_wait();" 25001 \
	"Call it in READ COMMITTED (the default), before starting such a transaction."

done_testing
