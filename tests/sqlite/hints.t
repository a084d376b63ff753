#!/bin/bash
# hints.t -- the hints the SQLite host gives itself, each in the case it
# fires in, checked word for word, and that the failing call changed
# nothing.  (The engine's own hints are in tests/core/test_hints.c.)
#
#   sqlite_ext/migrate.c      case                                 test
#   host_fail, SQLITE_FULL    a revision fills max_page_count      "disk is full"
#   host_fail, READONLY       sqlite3 -readonly                    "read-only database"
#   host_fail, IOERR/CANTOPEN  not reproducible without a failing disk (faults.t injects I/O errors)
#   host_fail, SQLITE_BUSY    concurrency.t, hardening.t
#   host_fail_busy (begin)    concurrency.t
#   commit busy               concurrency.t (a reader holds the commit off)
#   body_refuses, BEGIN...    hardening.t
#   body_refuses, ATTACH      ATTACH in a revision                 "ATTACH"
#   body_refuses, PRAGMA      PRAGMA journal_mode = OFF            "PRAGMA"
#   run_script, LOCKED        DROP TABLE while the call reads it   "table is locked"
#   nested_run_error          hardening.t
#   begin_unit, writer        atomic.t
# and the engine's hint for a relative migrate_load path, which names the
# process's current directory (here the sqlite3 shell's).
. "$(dirname "$0")/lib.sh"

env=$TMP/env
write_rev "$env" r1 "" "CREATE TABLE t1 (a INTEGER);" "DROP TABLE t1;"
db=$TMP/hints.db
sq_ok "setup: r1 applied" "$db" "SELECT migrate_load('$env');" "SELECT migrate_upgrade('r1');"

# ------------------------------------------------------------ a relative path
mkdir -p "$TMP/elsewhere"
before=$(snapshot "$db")
(cd "$TMP/elsewhere" && sq "$db" "SELECT migrate_load('env');" && printf '%s\n' "$RC" >"$TMP/rc" && printf '%s\n' "$ERR" >"$TMP/err")
ERR=$(<"$TMP/err")
ok "migrate_load('env') from another directory fails" [ "$(<"$TMP/rc")" -ne 0 ]
has "$ERR" 'could not open environment directory "env": No such file or directory' "it names the path as given"
has "$ERR" "DETAIL:  A relative path is resolved against the current directory of the process that runs the SQL, which is \"$TMP/elsewhere\"." \
	"it names the directory the sqlite3 shell runs in"
has "$ERR" "HINT:  Give the absolute path of the directory that holds the revision scripts, or add the scripts from their text with migrate_add(script, filename)." \
	"it suggests an absolute path or migrate_add"
lacks "$ERR" '"env")' "the hint does not offer the path that failed"
is "$(snapshot "$db")" "$before" "migrate_load('env'): nothing changed"
sq_ok "the absolute path works" "$db" "SELECT migrate_load('$env');"

# ------------------------------------------------------------ the machine's errors
write_rev "$env" r2 r1 \
	"CREATE TABLE big (x BLOB); INSERT INTO big SELECT zeroblob(100000) FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50) SELECT i FROM c);" \
	"DROP TABLE big;"
sq_ok "setup: r2 fills the database" "$db" "SELECT migrate_load('$env');"
fails "a full database" "PRAGMA max_page_count = 30; SELECT migrate_upgrade('r2');" \
	"database or disk is full" \
	"HINT:  The disk holding the database, its journal or SQLite's temporary files is full, or the database reached PRAGMA max_page_count: free space (or raise the limit) and rerun. Nothing was changed."

before=$(snapshot "$db")
printf '%s\n' "SELECT migrate_upgrade('r2');" |
	sqlite3_run -batch -readonly -cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" >"$TMP/.out" 2>"$TMP/.err"
RC=$?
ERR=$(<"$TMP/.err")
ok "a read-only connection: fails" [ "$RC" -ne 0 ]
has "$ERR" "attempt to write a readonly database" "a read-only connection: SQLite's words"
has "$ERR" "HINT:  Open the database read-write (not with sqlite3 -readonly or mode=ro), and check that the database file, its directory and its journal can be written; then rerun. Nothing was changed." \
	"a read-only connection: the hint says how to open it"
is "$(snapshot "$db")" "$before" "a read-only connection: nothing changed"

# ------------------------------------------------------------ statements a revision may not run
write_rev "$env" r2 r1 "ATTACH DATABASE ':memory:' AS aux;" ""
sq_ok "setup: r2 attaches" "$db" "SELECT migrate_load('$env');"
fails "ATTACH in a revision" "SELECT migrate_upgrade('r2');" \
	"ATTACH and DETACH are not allowed in a revision script" \
	"HINT:  Attach the database on the connection before calling the engine, or run these statements outside a revision; nothing was changed."

write_rev "$env" r2 r1 "PRAGMA journal_mode = OFF;" ""
sq_ok "setup: r2 sets journal_mode" "$db" "SELECT migrate_load('$env');"
fails "PRAGMA journal_mode in a revision" "SELECT migrate_upgrade('r2');" \
	"PRAGMA journal_mode cannot be set in a revision script" \
	"HINT:  Set them on the connection before calling the engine; nothing was changed."

write_rev "$env" r2 r1 "DROP TABLE t1;" "CREATE TABLE t1 (a INTEGER);"
sq_ok "setup: r2 drops t1, which holds a row" "$db" "SELECT migrate_load('$env');" "INSERT INTO t1 VALUES (1);"
fails "DROP TABLE while the call reads the table" "SELECT migrate_upgrade('r2') FROM t1;" \
	"database table is locked" \
	"HINT:  SQLite cannot drop a table while another statement of this connection is reading: call the function alone, as SELECT migrate_upgrade(...) with no FROM clause, and finish or reset other statements first."
sq_ok "called alone, it runs" "$db" "SELECT migrate_upgrade('r2');"

done_testing
