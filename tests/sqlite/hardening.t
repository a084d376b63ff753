#!/bin/bash
# hardening.t -- hostile scripts and database files (issue 18): each
# case feeds the exact repro, checks the message, and that the database
# is exactly as it was.
. "$(dirname "$0")/lib.sh"

# rev DIR ID REVISES DEPENDS [UP]: a revision script with a Depends On line
rev() {
	mkdir -p "$1"
	printf -- '-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n-- Depends On: %s\n\n-- migrate:upgrade\n%s\n\n-- migrate:downgrade\nDROP TABLE t_%s;\n' \
		"$2" "$2" "$3" "$4" "${5:-CREATE TABLE t_$2 (a);}" "$2" >"$1/$2.sql"
}

# fails NAME DB SQL TEXT...: SQL fails within 20 s; its error holds every
# TEXT; DB's snapshot is the same before and after.
fails() {
	local name=$1 db=$2 sql=$3 before after t
	shift 3
	before=$(snapshot "$db")
	SQLITE3=$TMP/sqlite3-20s sq "$db" "$sql"
	ok "$name: fails" [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ]
	for t in "$@"; do
		has "$ERR" "$t" "$name: says $t"
	done
	after=$(snapshot "$db")
	is "$after" "$before" "$name: nothing changed"
}

# the shell, killed after 20 s (a call that hangs fails its test)
printf '#!/bin/sh\nexec timeout 20 %s "$@"\n' "$SQLITE3" >"$TMP/sqlite3-20s"
chmod +x "$TMP/sqlite3-20s"

# ------------------------------------------------------------ finding 1: loops
env=$TMP/loop
rev "$env" t0 "" ""
rev "$env" b0 t0 c0
rev "$env" c0 b0 ""
rev "$env" x0 b0 ""
rev "$env" m0 "c0, x0" ""
db=$TMP/loop.db
sq_ok "setup: an empty database with the state tables" "$db" "SELECT migrate_config('version_table');"
fails "load of a loop through Depends On" "$db" "SELECT migrate_load('$env');" \
	"Dependency cycle is detected in revisions (b0, c0)" \
	"DETAIL:  The revisions form a loop: b0 depends on c0 and c0 revises b0, so each would have to run before itself." \
	"HINT:  Fix the Revises and Depends On lines"

ok_env=$TMP/ok
rev "$ok_env" t0 "" ""
rev "$ok_env" b0 t0 ""
rev "$ok_env" c0 b0 ""
rev "$ok_env" x0 b0 ""
rev "$ok_env" m0 "c0, x0" ""
sq_ok "setup: the same files without the dependency" "$db" "SELECT migrate_load('$ok_env');" \
	"UPDATE migrate_catalog SET depends_on = 'c0' WHERE revision = 'b0';"
for call in "SELECT migrate_upgrade('m0');" "SELECT migrate_upgrade_sql('m0');" \
	"SELECT count(*) FROM migrate_history();" "SELECT migrate_check();"; do
	fails "a catalog given the loop by hand: $call" "$db" "$call" \
		"Dependency cycle is detected in revisions (b0, c0)"
done

# ------------------------------------------------------------ interrupts
# The shell's Ctrl-C (sqlite3_interrupt) stops a long revision statement;
# the run is rolled back.
env=$TMP/long
rev "$env" l0 "" "" "CREATE TABLE t_l0 (a);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) INSERT INTO t_l0 SELECT x FROM c;"
db=$TMP/long.db
sq_ok "setup: a revision that never ends" "$db" "SELECT migrate_load('$env');"
before=$(snapshot "$db")
echo "SELECT migrate_upgrade();" >"$TMP/int.sql"
# env execs the shell, so $! is the shell itself
env ${SANITIZER_PRELOAD:+LD_PRELOAD="$SANITIZER_PRELOAD"} "$SQLITE3" -batch \
	-cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" <"$TMP/int.sql" >"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
sleep 0.5
(sleep 10; kill -9 "$pid" 2>/dev/null) &
watchdog=$!
t0=$(date +%s%N)
kill -INT "$pid"
wait "$pid" 2>/dev/null
took=$((($(date +%s%N) - t0) / 1000000))
kill "$watchdog" 2>/dev/null
wait "$watchdog" 2>/dev/null
ok "Ctrl-C stops the run within a second (${took} ms)" [ "$took" -lt 1000 ]
has "$(cat "$TMP/int.err")" "interrupted" "the error says the run was interrupted"
has "$(cat "$TMP/int.err")" "upgrade of revision l0" "and which revision was running"
is "$(snapshot "$db")" "$before" "the interrupted run changed nothing"

# ------------------------------------------------------------ finding 2: transaction control
# body_case NAME BODY TEXT...: r1 (creates t1), then r2 with BODY, then
# r3 (creates t3); upgrading to the heads fails with every TEXT and
# changes nothing.  Run in autocommit mode and inside the caller's
# transaction.
body_case() {
	local name=$1 body=$2 dir
	shift 2
	dir=$TMP/body_$_tap_n
	rev "$dir" r1 "" ""
	rev "$dir" r2 r1 "" "$body"
	rev "$dir" r3 r2 ""
	db=$dir.db
	first_body_db=${first_body_db:-$db}
	sq_ok "setup: $name" "$db" "SELECT migrate_load('$dir');"
	fails "$name" "$db" "SELECT migrate_upgrade();" "$@" 'CONTEXT:  upgrade of revision r2 ("r2"), file "r2.sql"'
	fails "$name, inside the caller's transaction" "$db" "BEGIN; SELECT migrate_upgrade();" "$@"
}
body_case "COMMIT; BEGIN in a body (the issue's repro)" \
	"CREATE TABLE t2(a); COMMIT; BEGIN; CREATE TABLE t3(a); SELECT * FROM nonexistent;" \
	"transaction control statements are not allowed in a revision script" \
	"statement 2: COMMIT" "HINT:  Remove BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE"
body_case "COMMIT at the end of a body, a revision after it" "CREATE TABLE t2(a); COMMIT;" \
	"transaction control statements are not allowed in a revision script" "statement 2: COMMIT"
body_case "END" "CREATE TABLE t2(a); END TRANSACTION;" "statement 2: END TRANSACTION"
body_case "ROLLBACK" "CREATE TABLE t2(a);
/* undo */ ROLLBACK;" "transaction control statements" "statement 2: ROLLBACK"
body_case "SAVEPOINT and RELEASE" "SAVEPOINT s; CREATE TABLE t2(a); RELEASE s;" \
	"transaction control statements" "statement 1: SAVEPOINT s"
body_case "RELEASE of the run's savepoint" "CREATE TABLE t2(a); RELEASE migrate_run;" \
	"transaction control statements" "statement 2: RELEASE migrate_run"
body_case "ATTACH" "ATTACH '$TMP/other.db' AS other; CREATE TABLE other.t2(a);" \
	"ATTACH and DETACH are not allowed in a revision script" "statement 1: ATTACH"
ok "the attached file was never written" [ ! -s "$TMP/other.db" ]
body_case "DETACH" "CREATE TABLE t2(a); DETACH other;" "ATTACH and DETACH are not allowed"
body_case "PRAGMA journal_mode" "CREATE TABLE t2(a); PRAGMA journal_mode = OFF;" \
	"PRAGMA journal_mode cannot be set in a revision script" "statement 2: PRAGMA journal_mode = OFF"
# (SQLite itself refuses to change synchronous inside a transaction)
body_case "PRAGMA main.synchronous" "PRAGMA main.synchronous(0); CREATE TABLE t2(a);" \
	"statement 1: PRAGMA main.synchronous(0)"
dir=$TMP/pragma_read
rev "$dir" r1 "" "" "CREATE TABLE t1(a); PRAGMA synchronous; PRAGMA journal_mode;"
sq_ok "a body may read the durability PRAGMAs" "$TMP/pragma_read.db" "SELECT migrate_load('$dir');" \
	"SELECT migrate_upgrade();"

# ------------------------------------------------------------ finding 8: re-entry
body_case "a body that calls migrate_upgrade()" "CREATE TABLE t2(a); SELECT migrate_upgrade();" \
	"cannot change the database from inside a run: a migration is in progress on this connection" \
	"statement 2: SELECT migrate_upgrade()" "HINT:  Remove the call from the revision script."
body_case "a body that calls migrate_stamp()" "SELECT migrate_stamp('r1');" \
	"cannot change the database from inside a run"
body_case "a body that calls migrate_config(key, value)" "SELECT migrate_config('version_table', 'x');" \
	"cannot change the database from inside a run"
dir=$TMP/reads
rev "$dir" r1 "" "" "CREATE TABLE t1(a); CREATE TABLE seen AS SELECT count(*) AS n FROM migrate_history();"
sq_ok "a body may read the engine's reports" "$dir.db" "SELECT migrate_load('$dir');" "SELECT migrate_upgrade();"
sq_ok "after a refused run the revision, fixed, runs" "$first_body_db" \
	"UPDATE migrate_catalog SET script = replace(script, 'COMMIT; BEGIN; CREATE TABLE t3(a); SELECT * FROM nonexistent;', '') WHERE revision = 'r2';" \
	"SELECT migrate_upgrade();"

# ------------------------------------------------------------ finding 3: names in SQL
# A hostile file: a table whose name closes the quotes, named by the
# legacy_table setting; migrate_verify() used to paste it into SQL and
# run the shell's writefile().
db=$TMP/legacy.db
evil="t\" UNION SELECT writefile('$TMP/pwned', 'x') --"
sq_ok "setup: a database with a hostile legacy_table" "$db" "SELECT migrate_load('$ENV_DIR');" \
	"CREATE TABLE t (version TEXT); CREATE TABLE \"${evil//\"/\"\"}\" (version TEXT);" \
	"INSERT INTO migrate_settings VALUES ('legacy_table', '${evil//\'/\'\'}');"
fails "migrate_verify() with a hostile legacy_table" "$db" "SELECT migrate_verify(1);" \
	'invalid value stored for setting "legacy_table"' "The engine never writes such a value" \
	"HINT:  Delete the row (DELETE FROM migrate_settings WHERE key = 'legacy_table')"
ok "no file was written" [ ! -e "$TMP/pwned" ]
fails "migrate_init() with a hostile legacy_table" "$db" "SELECT migrate_init();" \
	'invalid value stored for setting "legacy_table"'
ok "still no file" [ ! -e "$TMP/pwned" ]
db=$TMP/vt_evil.db
sq_ok "setup: a hostile version_table setting" "$db" "SELECT migrate_load('$ENV_DIR');" \
	"INSERT INTO migrate_settings VALUES ('version_table', 'x\"; DROP TABLE migrate_log; --');"
fails "a call with a hostile version_table" "$db" "SELECT migrate_upgrade();" \
	'invalid value stored for setting "version_table"'

# ------------------------------------------------------------ finding 9: what a version table is
db=$TMP/vt.db
sq_ok "setup: the sample environment and a users table" "$db" "SELECT migrate_load('$ENV_DIR');" \
	"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ann'), (2, 'bob');"
for t in migrate_catalog migrate_log MIGRATE_SETTINGS migrate_catalog_heads sqlite_master; do
	fails "version_table set to the engine's table $t" "$db" "SELECT migrate_config('version_table', '$t');" \
		"invalid value \"$t\" for setting \"version_table\"" "It names one of the engine's own tables"
done
fails "legacy_table set to the engine's table" "$db" "SELECT migrate_config('legacy_table', 'migrate_log');" \
	"It names one of the engine's own tables"
fails "version_table set to a user table: refused when written" "$db" \
	"SELECT migrate_config('version_table', 'users');" 'table "users" is not a version table'
# a hostile file: the setting written behind the engine's back
sq_ok "a settings row naming the user table (as a hostile file has it)" "$db" \
	"INSERT OR REPLACE INTO migrate_settings (key, value) VALUES ('version_table', 'users');"
fails "migrate_stamp('base', 1) on a users table (the issue's repro)" "$db" "SELECT migrate_stamp('base', 1);" \
	'table "users" is not a version table' "this one has: id, name."
fails "migrate_upgrade() on a users table" "$db" "SELECT migrate_upgrade('gxy@head');" \
	'table "users" is not a version table'
is "$(sqlite3_run "$db" "SELECT count(*) FROM users")" "2" "the users table still has its rows"

db=$TMP/vrows.db
sq_ok "setup: a version table without NOT NULL" "$db" "SELECT migrate_load('$ENV_DIR');" \
	"CREATE TABLE alembic_version (version_num VARCHAR(32));"
sq_ok "setup: a NULL version row" "$db" "INSERT INTO alembic_version VALUES (NULL);"
fails "a NULL version row" "$db" "SELECT migrate_upgrade();" \
	'the version table "alembic_version" is corrupt' "whose version_num is NULL"
fails "a NULL version row, read by migrate_current" "$db" "SELECT count(*) FROM migrate_current();" \
	'the version table "alembic_version" is corrupt'
sq_ok "setup: a version row with an embedded NUL" "$db" "DELETE FROM alembic_version;" \
	"INSERT INTO alembic_version VALUES (CAST(X'6537623664636230396566640078' AS TEXT));"
fails "a version row with an embedded NUL" "$db" "SELECT migrate_upgrade();" \
	'the version table "alembic_version" is corrupt' "cut short by a NUL byte"

# ------------------------------------------------------------ finding 9: a row whose script names another revision
db=$TMP/otherid.db
env=$TMP/otherid
for i in $(seq 1 20); do
	rev "$env" "c$i" "$([ "$i" -gt 1 ] && echo "c$((i - 1))")" ""
done
sq_ok "setup: twenty revisions, the first one's text naming another revision" "$db" "SELECT migrate_load('$env');" \
	"UPDATE migrate_catalog SET script = replace(script, 'Revision ID: c1', 'Revision ID: zz') WHERE revision = 'c1';"
fails "online, a short plan" "$db" "SELECT migrate_upgrade('c1');" \
	'script of revision "c1" declares revision "zz"' 'Its "Revision ID" line (file "c1.sql") names another revision.'
fails "online, a long plan" "$db" "SELECT migrate_upgrade('c20');" 'script of revision "c1" declares revision "zz"'
fails "offline" "$db" "SELECT migrate_upgrade_sql('c1');" 'script of revision "c1" declares revision "zz"'

# ------------------------------------------------------------ finding 9: a bare "database is locked"
db=$TMP/locked.db
sq_ok "setup: the sample environment" "$db" "SELECT migrate_load('$ENV_DIR');"
# the reader has the schema before the other connection takes the lock,
# so the error is the engine's (SQLite fails to even prepare otherwise)
(sleep 1; echo "BEGIN EXCLUSIVE;"; sleep 4; echo "COMMIT;") | sqlite3_run "$db" &
holder=$!
(echo "SELECT count(*) FROM sqlite_master;"; sleep 2; echo "SELECT migrate_check();") |
	sqlite3_run -cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" >"$TMP/.out" 2>"$TMP/.err"
ERR=$(<"$TMP/.err")
has "$ERR" "database is locked" "a read while another connection holds the lock: SQLite's words"
has "$ERR" "DETAIL:  Another connection holds a lock on the database." "the cause"
has "$ERR" "HINT:  Retry, or wait for the other migration: set a busy timeout" "what to do"
wait "$holder"

done_testing
