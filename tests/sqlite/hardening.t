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

done_testing
