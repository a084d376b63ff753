#!/bin/bash
# wait.t -- migrate_wait, the start-up barrier: it returns once the
# database is at the target, waits on the migration lock while a run
# holds it (and otherwise sleeps, never spins), fails after its timeout
# saying what it waits for, and changes nothing.  8 workers that each run
# migrate_upgrade() then migrate_wait() at once: one applies, all see the
# heads, none errs.
. "$(dirname "$0")/lib.sh"

plan 24

LOAD="SELECT migrate_load('$MIGRATE_ENV_DIR');"
HEADS="the database is at a2e418ad6a15, 5555bbbb0002"

# activity APP: "wait_event_type|wait_event" of the session named APP
activity() {
	val wait_db "SELECT coalesce(wait_event_type, '') || '|' || coalesce(wait_event, '')
		FROM pg_stat_activity WHERE application_name = '$1'"
}

# until_activity APP TEXT: wait (5 s at most) until APP's wait event is TEXT
until_activity() {
	for _ in $(seq 1 100); do
		[ "$(activity "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	diag "$1 shows \"$(activity "$1")\", not \"$2\""
	return 1
}

# ------------------------------------------------------------ times out, says why, changes nothing
fresh_db wait_db
pq wait_db "SELECT migrate_wait(NULL, 0.2);"
is "$(errmsg)" "timed out after 0.200 s waiting for the database to reach heads" "an empty catalog: times out"
has "$ERR" "DETAIL:  The catalog is empty: no revision has been loaded (migrate_load or migrate_add) yet. No migration is running." \
	"saying the catalog is empty"
pq wait_db "$LOAD"
pq wait_db "SELECT migrate_wait('gxy@head', 0.2);"
is "$(errmsg)" "timed out after 0.200 s waiting for the database to reach gxy@head" "not migrated: times out"
has "$ERR" "DETAIL:  The database is at base; the next step to run is: upgrade  -> e7b6dcb09efd, create gxy base. No migration is running." \
	"naming where the database is and what is missing"
has "$ERR" "HINT:  One worker runs SELECT migrate_upgrade(), the others wait with SELECT migrate_wait()" "and the start-up pattern"
is "$(val wait_db "SELECT to_regclass('alembic_version') IS NULL")" "t" "no version table was created"
pq wait_db "SELECT migrate_wait(NULL, -1);"
is "$(errmsg)" "timeout must not be negative" "a negative timeout is refused"
pq wait_db "BEGIN ISOLATION LEVEL REPEATABLE READ;" "SELECT migrate_wait(NULL, 1);"
is "$(errmsg)" "migrate_wait cannot run in a REPEATABLE READ transaction" \
	"REPEATABLE READ is refused (its snapshot would never show the migration)"

# ------------------------------------------------------------ no run: it sleeps between looks
PGAPPNAME=sleeper psql -X -q -A -t -d wait_db -c "SELECT migrate_wait('tsi@head', 30)" >"$TMP/sleeper.out" 2>&1 &
sleeper=$!
ok "with no run, the waiter sleeps (wait event Extension), it does not spin" until_activity sleeper "Extension|Extension"

# ------------------------------------------------------------ a run holds the lock: it waits on it
# it holds the lock until $TMP/release exists
PGAPPNAME=runner psql -X -q -A -t -d wait_db >"$TMP/runner.out" 2>&1 <<EOF &
BEGIN;
SELECT migrate_upgrade('heads');
\! while [ ! -e '$TMP/release' ]; do sleep 0.05; done
COMMIT;
EOF
runner=$!
for _ in $(seq 1 100); do
	[ "$(val wait_db "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ExclusiveLock'")" = "1" ] && break
	sleep 0.05
done
PGAPPNAME=waiter psql -X -q -A -t -d wait_db -c "SELECT migrate_wait()" >"$TMP/waiter.out" 2>&1 &
waiter=$!
ok "while the run holds the migration lock, the waiter waits on that lock" until_activity waiter "Lock|advisory"
ok "so does the one that slept" until_activity sleeper "Lock|advisory"
is "$(val wait_db "SELECT to_regclass('alembic_version') IS NULL")" "t" "(the run has not committed yet)"
touch "$TMP/release"
wait "$waiter"
is "$?" 0 "migrate_wait() returns once the run commits"
is "$(cat "$TMP/waiter.out")" "$HEADS" "and says where the database is"
wait "$runner"
is "$?" 0 "the run committed"
wait "$sleeper"
is "$(cat "$TMP/sleeper.out")" "the database is at a2e418ad6a15, 5555bbbb0002" "migrate_wait('tsi@head') returns too"
is "$(val wait_db "SELECT migrate_wait('9540', 0)")" "$HEADS" "a target the database is past: at once"
is "$(val wait_db "SELECT migrate_wait()")" "$HEADS" "at the heads: at once"

# ------------------------------------------------------------ 8 workers at once
fresh_db wait_workers
pq wait_workers "$LOAD"
pids=()
for i in 1 2 3 4 5 6 7 8; do
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d wait_workers \
		-c "SELECT migrate_upgrade()" -c "SELECT migrate_wait(NULL, 60)" >"$TMP/worker$i.out" 2>"$TMP/worker$i.err" &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do
	wait "$p" || failed=$((failed + 1))
done
is "$failed" 0 "8 workers call migrate_upgrade() then migrate_wait() at once: none errs"
is "$(cat "$TMP"/worker*.err | grep -v '^NOTICE:  ')" "" "and none reports an error or a warning"
is "$(cat "$TMP"/worker*.out | grep -c '^Running upgrade  -> e7b6dcb09efd')" "1" "one of them applies the revisions"
is "$(cat "$TMP"/worker*.out | grep -c '^nothing to do: the database is at a2e418ad6a15, 5555bbbb0002$')" "7" \
	"the seven others find nothing to do"
is "$(cat "$TMP"/worker*.out | grep -c "^$HEADS\$")" "8" "all eight see the heads"
is "$(val wait_workers "SELECT count(*) FROM migrate.migrate_log")" "11" "each step ran once"

done_testing
