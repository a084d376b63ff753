#!/bin/bash
# steps.t -- transactions as a session sees them: the caller's ROLLBACK
# and COMMIT, and CALL migrate_upgrade_steps / migrate_downgrade_steps,
# which commit after every step (so a failing step keeps the steps before
# it), against SELECT migrate_upgrade / migrate_downgrade, which keep
# nothing of a failing run.
. "$(dirname "$0")/lib.sh"

plan 49

LOAD="SELECT migrate_load('$MIGRATE_ENV_DIR');"

# ------------------------------------------------------------ the caller's transaction
fresh_db steps_caller
pq steps_caller "$LOAD" "BEGIN;" "SELECT migrate_upgrade('gxy@head');" "ROLLBACK;"
is "$RC" 0 "BEGIN; SELECT migrate_upgrade(...); ROLLBACK; runs"
is "$(val steps_caller "SELECT to_regclass('alembic_version') IS NULL AND to_regclass('history') IS NULL")" "t" \
	"a new session sees no version table and no table of the run"
is "$(val steps_caller "SELECT count(*) FROM migrate.migrate_log")" "0" "and no log row"
pq steps_caller "BEGIN;" "CREATE TABLE app (a text);" "SELECT migrate_upgrade('gxy@head');" "COMMIT;"
is "$RC" 0 "BEGIN; ... SELECT migrate_upgrade(...); COMMIT; runs"
is "$(val steps_caller "SELECT version_num FROM alembic_version")" "a2e418ad6a15" \
	"the run is committed with the caller's own work"

# ------------------------------------------------------------ per-step commits
# r1 .. r4; r3's second statement fails.
envd=$TMP/env
write_rev "$envd" r1 "" "CREATE TABLE t1 (a int);" "DROP TABLE t1;"
write_rev "$envd" r2 r1 "CREATE TABLE t2 (a int);" "DROP TABLE t2;"
write_rev "$envd" r3 r2 "CREATE TABLE t3 (a int);
INSERT INTO missing_table VALUES (1);" "DROP TABLE t3;"
write_rev "$envd" r4 r3 "CREATE TABLE t4 (a int);" "DROP TABLE t4;"

fresh_db steps_one
pq steps_one "SELECT migrate_load('$envd');" "SELECT migrate_upgrade();"
is "$(errmsg)" 'relation "missing_table" does not exist' "SELECT migrate_upgrade() fails in r3"
is "$(val steps_one "SELECT to_regclass('alembic_version') IS NULL AND to_regclass('t1') IS NULL")" "t" \
	"and keeps nothing: one transaction"

fresh_db steps_each
pq steps_each "SELECT migrate_load('$envd');"
pq steps_each "CALL migrate_upgrade_steps();"
ok "CALL migrate_upgrade_steps() fails" [ "$RC" -ne 0 ]
is "$(errmsg)" 'relation "missing_table" does not exist' "in r3, with the database's message"
has "$ERR" 'CONTEXT:  upgrade of revision r3 ("revision r3"), file "r3_rev.sql", statement 2: INSERT INTO missing_table VALUES (1)' \
	"and the engine's context"
has "$ERR" "NOTICE:  Running upgrade  -> r1, revision r1" "the steps are announced as NOTICEs"
is "$(val steps_each "SELECT version_num FROM alembic_version")" "r2" "r1 and r2 stay committed"
is "$(val steps_each "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" "r1,r2" \
	"each logged once"
is "$(val steps_each "SELECT to_regclass('t2') IS NOT NULL AND to_regclass('t3') IS NULL")" "t" \
	"r3 is rolled back, r2's table is there"

write_rev "$envd" r3 r2 "CREATE TABLE t3 (a int);" "DROP TABLE t3;"
pq steps_each "SELECT migrate_load('$envd');"
is "$OUT" "4 revisions: 0 added, 1 replaced, 3 unchanged" "fix r3 (not applied: replaced)"
pq steps_each "CALL migrate_upgrade_steps('heads');"
is "$RC" 0 "CALL migrate_upgrade_steps('heads') continues"
is "$(printf '%s\n' "$ERR" | grep '^NOTICE:')" "NOTICE:  Running upgrade r2 -> r3, revision r3
NOTICE:  Running upgrade r3 -> r4, revision r4" "from r2: one NOTICE per step"
is "$(val steps_each "SELECT version_num FROM alembic_version")" "r4" "at r4"
is "$(val steps_each "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" "r1,r2,r3,r4" \
	"every step logged once"
pq steps_each "CALL migrate_upgrade_steps();"
is "$ERR" "NOTICE:  nothing to do: the database is at r4" "a second CALL has nothing to do"

# ------------------------------------------------------------ per-step commits, downgrading
# r3's downgrade fails: at r4, '-3' plans r4, r3, r2; r4 is undone and stays so.
envdown=$TMP/envdown
write_rev "$envdown" r1 "" "CREATE TABLE t1 (a int);" "DROP TABLE t1;"
write_rev "$envdown" r2 r1 "CREATE TABLE t2 (a int);" "DROP TABLE t2;"
write_rev "$envdown" r3 r2 "CREATE TABLE t3 (a int);" "DROP TABLE t3;
INSERT INTO missing_table VALUES (1);"
write_rev "$envdown" r4 r3 "CREATE TABLE t4 (a int);" "DROP TABLE t4;"
fresh_db steps_down
pq steps_down "SELECT migrate_load('$envdown');" "SELECT migrate_upgrade();"
is "$RC" 0 "r1 .. r4 applied; r3's downgrade fails"
pq steps_down "SELECT migrate_downgrade('-3');"
is "$(errmsg)" 'relation "missing_table" does not exist' "SELECT migrate_downgrade('-3') fails in r3's downgrade"
is "$(val steps_down "SELECT version_num FROM alembic_version")" "r4" "and keeps nothing: one transaction"
pq steps_down "CALL migrate_downgrade_steps('-3');"
ok "CALL migrate_downgrade_steps('-3') fails" [ "$RC" -ne 0 ]
has "$ERR" 'CONTEXT:  downgrade of revision r3 ("revision r3"), file "r3_rev.sql", statement 2: INSERT INTO missing_table VALUES (1)' \
	"in r3's downgrade, with the engine's context"
has "$ERR" "NOTICE:  Running downgrade r4 -> r3, revision r4" "r4's step was announced"
is "$(val steps_down "SELECT version_num FROM alembic_version")" "r3" "r4's downgrade stays committed"
is "$(val steps_down "SELECT to_regclass('t4') IS NULL AND to_regclass('t3') IS NOT NULL")" "t" \
	"r3's failing step is rolled back: its table is there"
write_rev "$envdown" r3 r2 "CREATE TABLE t3 (a int);" "DROP TABLE t3;"
psql -X -q -d steps_down -c "UPDATE migrate.migrate_catalog SET script = replace(script, 'INSERT INTO missing_table VALUES (1);', '') WHERE revision = 'r3'" >/dev/null
pq steps_down "CALL migrate_downgrade_steps('-2');"
is "$RC" 0 "r3's downgrade fixed in the catalog, CALL migrate_downgrade_steps('-2') from r3"
is "$(printf '%s\n' "$ERR" | grep '^NOTICE:')" "NOTICE:  Running downgrade r3 -> r2, revision r3
NOTICE:  Running downgrade r2 -> r1, revision r2" "'-2' is resolved once: exactly two steps, one NOTICE each"
is "$(val steps_down "SELECT version_num FROM alembic_version")" "r1" "at r1"
is "$(val steps_down "SELECT string_agg(revision || ':' || direction, ',' ORDER BY id) FROM migrate.migrate_log WHERE direction = 'downgrade'")" \
	"r4:downgrade,r3:downgrade,r2:downgrade" "each downgrade logged once"
pq steps_down "CALL migrate_downgrade_steps('r1');"
is "$ERR" "NOTICE:  nothing to do: the database is at r1" "a CALL with nothing to do says where the database is"
pq steps_down "CALL migrate_downgrade_steps();"
has "$(errmsg)" "migrate_downgrade_steps" "the target is required"
pq steps_down "CALL migrate_downgrade_steps(NULL);"
is "$(errmsg)" 'migrate_downgrade_steps: argument "target" must not be NULL' "a NULL target is an error naming the argument"
pq steps_down "CALL migrate_downgrade_steps('');"
is "$(errmsg)" 'migrate_downgrade_steps: argument "target" is empty' "an empty one too"
pq steps_down "CALL migrate_downgrade_steps('base');"
is "$(val steps_down "SELECT count(*) FROM alembic_version")" "0" "CALL migrate_downgrade_steps('base') reaches base"

# ------------------------------------------------------------ the sample environment, step by step
fresh_db steps_sample
pq steps_sample "$LOAD" "CALL migrate_upgrade_steps('gxy@head');"
is "$RC" 0 "CALL migrate_upgrade_steps('gxy@head')"
is "$(printf '%s\n' "$ERR" | grep -c '^NOTICE:  Running upgrade')" "7" "seven steps"
is "$(val steps_sample "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" \
	"e7b6dcb09efd,b182f655505f,186d4835587b,c39f1de47a04,9540a051226e,6a67bf27e6a6,a2e418ad6a15" \
	"in Alembic's order, each once"
is "$(val steps_sample "SELECT version_num FROM alembic_version")" "a2e418ad6a15" "at the gxy head"
pq steps_sample "CALL migrate_downgrade_steps('gxy@base');"
is "$RC" 0 "CALL migrate_downgrade_steps('gxy@base')"
is "$(val steps_sample "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log WHERE direction = 'downgrade'")" \
	"a2e418ad6a15,6a67bf27e6a6,9540a051226e,c39f1de47a04,186d4835587b,b182f655505f,e7b6dcb09efd" \
	"seven steps, the upgrade's order reversed, each once"
is "$(val steps_sample "SELECT count(*) FROM alembic_version")" "0" "at base"

# ------------------------------------------------------------ not inside a transaction block
pq steps_sample "BEGIN;" "CALL migrate_upgrade_steps();"
is "$(errmsg)" "migrate_upgrade_steps cannot commit inside a transaction block" \
	"CALL inside BEGIN is refused"
has "$ERR" "HINT:  Run CALL migrate_upgrade_steps(...) in autocommit mode, or use SELECT migrate_upgrade(...) to run all steps in one transaction." \
	"with what to do instead"
pq steps_sample "BEGIN;" "CALL migrate_downgrade_steps('base');"
is "$(errmsg)" "migrate_downgrade_steps cannot commit inside a transaction block" \
	"so is CALL migrate_downgrade_steps"
has "$ERR" "SELECT migrate_downgrade(...) to run all steps in one transaction." "naming migrate_downgrade"
pq steps_sample "BEGIN;" "DO \$\$ BEGIN CALL migrate_upgrade_steps(); END \$\$;"
is "$(errmsg)" "migrate_upgrade_steps cannot commit inside a transaction block" \
	"so is a CALL from a DO block inside a transaction (atomic)"

done_testing
