#!/bin/bash
# wait.t -- migrate_wait on SQLite: returns once the database is at the
# target; while another process migrates (holding the write lock) it
# keeps looking, with growing pauses, and returns once that run commits;
# fails after its timeout saying what it waits for; changes nothing; and
# is top-level SQL only (a view cannot make a reader wait).
. "$(dirname "$0")/lib.sh"

plan 16

LOAD="SELECT migrate_load('$ENV_DIR');"
db=$TMP/w.db

sq "$db" "SELECT migrate_wait(NULL, 0.1);"
is "$(errmsg)" "timed out after 0.100 s waiting for the database to reach heads" "an empty database: times out"
has "$ERR" "DETAIL:  The catalog is empty: no revision has been loaded (migrate_load or migrate_add) yet." \
	"saying the catalog is empty"
sq "$db" "$LOAD"
before=$(snapshot "$db")
sq "$db" "SELECT migrate_wait('tsi@head', 0.2);"
is "$(errmsg)" "timed out after 0.200 s waiting for the database to reach tsi@head" "not migrated: times out"
has "$ERR" "DETAIL:  The database is at base; the next step to run is: upgrade  -> e7b6dcb09efd, create gxy base." \
	"naming where the database is and the next step"
has "$ERR" "Nothing was changed." "and that nothing was changed"
is "$(snapshot "$db")" "$before" "nothing was: no version table, no log"
sq "$db" "SELECT migrate_wait(NULL, 'soon');"
is "$(errmsg)" 'migrate_wait: argument "timeout_seconds" must be a number' "the timeout is a number"
sq "$db" "CREATE VIEW v AS SELECT migrate_wait(NULL, 1);" "SELECT * FROM v;"
has "$ERR" "unsafe use of migrate_wait()" "a view cannot call it"

# ------------------------------------------------------------ another process migrates
# It takes the write lock, upgrades, and commits once $TMP/release exists,
# which is made 0.5 s after the wait starts.
rm -f "$TMP/go" "$TMP/release"
(
	echo "BEGIN IMMEDIATE;"
	echo "SELECT migrate_upgrade('heads');"
	echo ".system touch '$TMP/go'"
	echo ".system while [ ! -e '$TMP/release' ]; do sleep 0.02; done"
	echo "COMMIT;"
) | sqlite3_run -batch -cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" >"$TMP/runner.out" 2>&1 &
runner=$!
for _ in $(seq 1 200); do [ -e "$TMP/go" ] && break; sleep 0.05; done
ok "the run holds the write lock" test -e "$TMP/go"
(sleep 0.5; touch "$TMP/release") &
start=$(date +%s%N)
sq "$db" "SELECT migrate_wait(NULL, 30);"
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "$RC" 0 "migrate_wait() returns once the run commits"
is "$OUT" "the database is at a2e418ad6a15, 5555bbbb0002" "and says where the database is"
ok "it waited for the run (took ${took} ms)" test "$took" -ge 450
wait "$runner"
is "$?" 0 "the run committed"
sq "$db" "SELECT migrate_wait('9540', 0);"
is "$OUT" "the database is at a2e418ad6a15, 5555bbbb0002" "a target the database is past: at once"
sq "$db" "SELECT migrate_wait();"
is "$OUT" "the database is at a2e418ad6a15, 5555bbbb0002" "at the heads: at once"
sq "$db" "SELECT count(*) FROM migrate_log;"
is "$OUT" "11" "each step ran once"

done_testing
