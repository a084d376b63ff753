#!/bin/bash
# atomic.t -- a run is all or nothing.
#
# A revision whose second statement fails, in the k-th of N steps, undoes
# the whole run (schema, data, version table, log), and the error names
# the revision, its file and the statement.  Inside the caller's own
# transaction the run is a savepoint: the caller's ROLLBACK undoes it, a
# failing run undoes only itself.  SQLite's own statement-level rollbacks
# (RAISE(ROLLBACK)) and its refusal to DROP a table while the connection
# reads (a FROM clause) end the same way.
. "$(dirname "$0")/lib.sh"

# A linear environment r1 .. r4; r3's upgrade fails at its 2nd statement,
# r2's downgrade fails at its 2nd statement.
envd=$TMP/env
write_rev "$envd" r1 "" "CREATE TABLE t1 (a);
INSERT INTO t1 VALUES (1);" "DROP TABLE t1;"
write_rev "$envd" r2 r1 "CREATE TABLE t2 (a);" "DROP TABLE t2;
INSERT INTO missing_on_the_way_down VALUES (1);"
write_rev "$envd" r3 r2 "-- the first statement works
CREATE TABLE t3 (a);
INSERT INTO missing_table VALUES (1);
CREATE TABLE t3b (a);" "DROP TABLE t3b;
DROP TABLE t3;"
write_rev "$envd" r4 r3 "CREATE TABLE t4 (a);" "DROP TABLE t4;"

# ------------------------------------------------------------ fails in step 3 of 4
db=$TMP/a.db
sq_ok "load" "$db" "SELECT migrate_load('$envd');"
before=$(snapshot "$db")
sq "$db" "SELECT migrate_upgrade('heads');"
ok "upgrade fails" [ "$RC" -ne 0 ]
is "$(errmsg)" "no such table: missing_table" "the database's own message"
has "$ERR" 'upgrade of revision r3 ("revision r3")' "the error names the revision"
has "$ERR" '"r3_rev.sql"' "the error names the file"
has "$ERR" "statement 2: INSERT INTO missing_table VALUES (1)" "the error names the statement and shows it"
has "$ERR" "HINT:  Nothing was changed" "the hint says nothing was changed"
is "$(snapshot "$db")" "$before" "steps 1 and 2 are undone too: nothing changed"
ok "no version table" [ -z "$(sqlite3_run "$db" "SELECT name FROM sqlite_master WHERE name = 'alembic_version'")" ]

# ------------------------------------------------------------ fails in step 2 of 3, from r1
sq_ok "upgrade to r1" "$db" "SELECT migrate_upgrade('r1');"
before=$(snapshot "$db")
sq "$db" "SELECT migrate_upgrade('r4');"
ok "upgrade r1 -> r4 fails" [ "$RC" -ne 0 ]
has "$ERR" "upgrade of revision r3" "names r3 again"
is "$(snapshot "$db")" "$before" "r2 is undone: still at r1, nothing changed"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version")" "r1" "version table still r1"

# ------------------------------------------------------------ a failing downgrade
sq_ok "upgrade to r2" "$db" "SELECT migrate_upgrade('r2');"
before=$(snapshot "$db")
sq "$db" "SELECT migrate_downgrade('base');"
ok "downgrade r2 -> base fails" [ "$RC" -ne 0 ]
has "$ERR" "no such table: missing_on_the_way_down" "the database's message"
has "$ERR" 'downgrade of revision r2' "names the revision and the direction"
has "$ERR" "statement 2: INSERT INTO missing_on_the_way_down VALUES (1)" "names the statement"
is "$(snapshot "$db")" "$before" "the DROP TABLE of statement 1 is undone: nothing changed"

# ------------------------------------------------------------ the caller's transaction
db=$TMP/caller.db
sq_ok "load the sample environment" "$db" "SELECT migrate_load('$ENV_DIR');" \
	"CREATE TABLE app (a);"
before=$(snapshot "$db")
sq "$db" "BEGIN;" "SELECT migrate_upgrade('gxy@head');" "SELECT count(*) FROM alembic_version;" \
	"ROLLBACK;"
ok "upgrade inside BEGIN ... ROLLBACK succeeds" [ "$RC" -eq 0 ]
has "$OUT" "Running upgrade 6a67bf27e6a6 -> a2e418ad6a15" "it ran every step"
is "$(snapshot "$db")" "$before" "the caller's ROLLBACK undoes everything"
sq "$db" "BEGIN;" "INSERT INTO app VALUES ('mine');" "SELECT migrate_upgrade('gxy@head');" \
	"COMMIT;"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version; SELECT a FROM app;")" \
	"$(printf 'a2e418ad6a15\nmine')" "inside BEGIN ... COMMIT it is committed with the caller's work"

# A failing run inside the caller's transaction undoes itself only.
write_rev "$TMP/bad" dddd00000001 a2e418ad6a15 "CREATE TABLE half (a);
INSERT INTO nowhere VALUES (1);" "DROP TABLE half;"
sq_ok "add a failing revision" "$db" "SELECT migrate_load('$TMP/bad');"
before=$(snapshot "$db")
SQ_BAIL=0 sq "$db" "BEGIN;" "INSERT INTO app VALUES ('kept');" "SELECT migrate_upgrade('heads');" \
	"INSERT INTO app VALUES ('after');" "COMMIT;"
has "$ERR" "no such table: nowhere" "the run fails inside the caller's transaction"
is "$(sqlite3_run "$db" "SELECT a FROM app ORDER BY rowid")" "$(printf 'mine\nkept\nafter')" \
	"the caller's work before and after the failed run is committed"
is "$(sqlite3_run "$db" "SELECT count(*) FROM sqlite_master WHERE name IN ('half', 't_d4a650f47a3c', 'tool_version')")" \
	"0" "nothing of the failed run remains"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version")" "a2e418ad6a15" \
	"the version table is as before the run"

# ------------------------------------------------------------ SQLite's own rollbacks
envr=$TMP/raise
write_rev "$envr" eeee00000001 "" "CREATE TABLE guarded (a);
CREATE TRIGGER guard BEFORE INSERT ON guarded BEGIN SELECT RAISE(ROLLBACK, 'guarded by trigger'); END;
INSERT INTO guarded VALUES (1);" "DROP TABLE guarded;"
db=$TMP/raise.db
sq_ok "load a revision whose trigger raises ROLLBACK" "$db" "SELECT migrate_load('$envr');"
before=$(snapshot "$db")
sq "$db" "SELECT migrate_upgrade('heads');"
has "$ERR" "guarded by trigger" "RAISE(ROLLBACK) fails the run with its message"
is "$(snapshot "$db")" "$before" "nothing changed (autocommit)"
SQ_BAIL=0 sq "$db" "BEGIN;" "CREATE TABLE caller_work (a);" \
	"SELECT migrate_upgrade('heads');" "SELECT 'still usable';" "ROLLBACK;"
has "$ERR" "guarded by trigger" "inside the caller's transaction too"
has "$ERR" "DETAIL:  SQLite rolled back the whole transaction, including the caller's work" \
	"the error says the caller's transaction is gone as well"
has "$OUT" "still usable" "the connection is still usable"
is "$(snapshot "$db")" "$before" "nothing changed (caller's transaction)"
sq "$db" "SELECT migrate_upgrade_sql('heads');"
has "$OUT" "RAISE(ROLLBACK, 'guarded by trigger')" "the trigger body is one statement in offline SQL"

# ------------------------------------------------------------ DROP TABLE while reading
db=$TMP/drop.db
sq_ok "setup: gxy at its head" "$db" "SELECT migrate_load('$ENV_DIR');" \
	"SELECT migrate_upgrade('gxy@head');" "CREATE TABLE app (a); INSERT INTO app VALUES (1);"
before=$(snapshot "$db")
sq "$db" "SELECT migrate_downgrade('gxy@-1') FROM app;"
ok "a downgrade that drops, called with a FROM clause, fails" [ "$RC" -ne 0 ]
has "$ERR" "database table is locked" "with SQLite's message"
has "$ERR" "with no FROM clause" "and a hint that says how to call it"
is "$(snapshot "$db")" "$before" "nothing changed"
sq "$db" "SELECT migrate_downgrade('gxy@-1');"
has "$OUT" "Running downgrade a2e418ad6a15 -> 6a67bf27e6a6" "called alone, the same downgrade works"

# ------------------------------------------------------------ inside a statement that writes
db=$TMP/nested.db
sq_ok "setup" "$db" "SELECT migrate_load('$ENV_DIR');" "CREATE TABLE runs (report);"
before=$(snapshot "$db")
sq "$db" "INSERT INTO runs SELECT migrate_upgrade('gxy@head');"
is "$(errmsg)" "cannot migrate from inside a statement that writes" \
	"nested in an INSERT, the run is refused at once"
has "$ERR" "HINT:  Call the function alone" "with a hint"
is "$(snapshot "$db")" "$before" "nothing changed"
sq "$db" "SELECT count(*) FROM (SELECT migrate_upgrade('gxy@b182f655505f') FROM runs);" \
	"INSERT INTO runs VALUES ('x');" "SELECT migrate_upgrade('gxy@b182f655505f') FROM runs;"
is "$OUT" "$(printf '0\nRunning upgrade  -> e7b6dcb09efd, create gxy base\nRunning upgrade e7b6dcb09efd -> b182f655505f, add user table')" \
	"a reading statement around the call is fine (no DROP in these steps)"

# ------------------------------------------------------------ long statements in the context
long=$(printf 'x%.0s' $(seq 1 300))
write_rev "$TMP/long" ffff00000001 "" "CREATE TABLE fine (a);
INSERT INTO absent_table VALUES ('$long', 'é');" "DROP TABLE fine;"
db=$TMP/long.db
sq_ok "load a revision with a long failing statement" "$db" "SELECT migrate_load('$TMP/long');"
sq "$db" "SELECT migrate_upgrade('heads');"
like "$ERR" "statement 2: INSERT INTO absent_table VALUES \('x+\.\.\." \
	"the statement is cut in the error context"
lacks "$ERR" "$long" "not the whole 300 characters"

done_testing
