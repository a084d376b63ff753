#!/bin/bash
# unit.t -- a failing run inside the caller's open transaction, as a
# session sees it: the run's error undoes the run (and only the run), and
# the transaction goes on, through psql's ON_ERROR_ROLLBACK or a
# PL/pgSQL exception block, to more statements, more runs and COMMIT; a
# new session then sees exactly the caller's work and the runs that
# succeeded.  And many runs in one session keep working.
. "$(dirname "$0")/lib.sh"

plan 21

# r1 .. r4; r3's second statement fails (a middle step of base -> r4, the
# last step of r2 -> r3).
envd=$TMP/env
write_rev "$envd" r1 "" "CREATE TABLE t1 (a int);" "DROP TABLE t1;"
write_rev "$envd" r2 r1 "CREATE TABLE t2 (a int);
UPDATE mine SET a = a || ' +r2';" "DROP TABLE t2;"
write_rev "$envd" r3 r2 "CREATE TABLE t3 (a int);
INSERT INTO missing_table VALUES (1);" "DROP TABLE t3;"
write_rev "$envd" r4 r3 "CREATE TABLE t4 (a int);" "DROP TABLE t4;"

# psql without ON_ERROR_STOP: a failing statement does not end the script.
pq_on() {	# pq_on DB SQL...: like pq, but errors do not stop the session
	local db=$1
	shift
	printf '%s\n' "$@" |
		psql -X -q -A -t -d "$db" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
}

# ------------------------------------------------------------ ON_ERROR_ROLLBACK
fresh_db unit_rollback
pq unit_rollback "SELECT migrate_load('$envd');"
pq_on unit_rollback '\set ON_ERROR_ROLLBACK on' \
	"BEGIN;" \
	"CREATE TABLE mine (a text);" \
	"INSERT INTO mine VALUES ('before');" \
	"SELECT migrate_upgrade('r4');" \
	"INSERT INTO mine VALUES ('after');" \
	"SELECT migrate_upgrade('r2');" \
	"SELECT migrate_upgrade('r3');" \
	"SELECT count(*) FROM mine;" \
	"COMMIT;"
is "$RC" 0 "the session runs to its end"
is "$(printf '%s\n' "$ERR" | grep -c '^ERROR:  relation "missing_table" does not exist')" "2" \
	"the upgrade to r4 fails in r3 (a middle step), the one to r3 in its last step"
has "$ERR" 'CONTEXT:  upgrade of revision r3 ("revision r3"), file "r3_rev.sql", statement 2: INSERT INTO missing_table VALUES (1)' \
	"with the engine's context"
lacks "$ERR" "current transaction is aborted" "no later statement found the transaction aborted"
has "$OUT" "Running upgrade r1 -> r2, revision r2" "the upgrade to r2 between them succeeded"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "2" "and the transaction still saw the caller's rows"
is "$(val unit_rollback "SELECT string_agg(a, ',' ORDER BY a) FROM mine")" "after +r2,before +r2" \
	"a new session sees the caller's rows, changed once by r2"
is "$(val unit_rollback "SELECT version_num FROM alembic_version")" "r2" "the version table says r2"
is "$(val unit_rollback "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" "r1,r2" \
	"the log holds r1 and r2, once each"
is "$(val unit_rollback "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname ~ '^t[0-9]$'")" "t1,t2" \
	"the tables of r1 and r2, none of r3"

# ------------------------------------------------------------ a PL/pgSQL exception block
fresh_db unit_block
pq unit_block "SELECT migrate_load('$envd');"
pq unit_block "BEGIN;" \
	"CREATE TABLE mine (a text);" \
	"INSERT INTO mine VALUES ('before');" \
	"DO \$\$ BEGIN PERFORM migrate_upgrade('r4'); EXCEPTION WHEN undefined_table THEN RAISE NOTICE 'caught: %', SQLERRM; END \$\$;" \
	"INSERT INTO mine VALUES ('after');" \
	"SELECT migrate_upgrade('r2');" \
	"COMMIT;"
is "$RC" 0 "BEGIN; ... a block catches the failing run; ... COMMIT; runs"
has "$ERR" 'NOTICE:  caught: relation "missing_table" does not exist' "the block caught the run's error"
is "$(val unit_block "SELECT string_agg(a, ',' ORDER BY a) FROM mine")" "after +r2,before +r2" \
	"the caller's rows are committed, changed once by r2"
is "$(val unit_block "SELECT version_num FROM alembic_version")" "r2" "the version table says r2"
is "$(val unit_block "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" "r1,r2" \
	"the log holds r1 and r2, once each"

# ------------------------------------------------------------ the caller's own ROLLBACK after a failed run
fresh_db unit_abort
pq unit_abort "SELECT migrate_load('$envd');"
pq_on unit_abort "BEGIN;" \
	"CREATE TABLE mine (a text);" \
	"SELECT migrate_upgrade('r4');" \
	"SELECT 1;" \
	"ROLLBACK;" \
	"SELECT migrate_upgrade('r1');"
has "$ERR" "current transaction is aborted" "without a savepoint the caller's transaction is aborted, as for any error"
is "$(val unit_abort "SELECT version_num FROM alembic_version")" "r1" "after its ROLLBACK the session runs again"
is "$(val unit_abort "SELECT to_regclass('mine') IS NULL")" "t" "and nothing of the rolled-back transaction is left"

# ------------------------------------------------------------ many runs in one session
fresh_db unit_many
pq unit_many "SELECT migrate_load('$envd');" \
	"CREATE TABLE mine (a text);" \
	"DO \$\$ BEGIN FOR i IN 1 .. 50 LOOP PERFORM migrate_upgrade('r2'); PERFORM migrate_downgrade('base'); END LOOP; END \$\$;" \
	"SELECT migrate_upgrade('r2');" \
	"SELECT count(*) FROM migrate.migrate_log;"
is "$RC" 0 "50 upgrades and downgrades, then one more upgrade, in one session"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "202" "each of them logged its steps"
is "$(val unit_many "SELECT version_num FROM alembic_version")" "r2" "the last one is at r2"

done_testing
