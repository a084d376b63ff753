#!/bin/bash
# locks.t -- lock safety: a run's statements wait for a lock at most
# lock_timeout; a run whose wait timed out is rolled back and tried again
# (lock_retries, with growing pauses); after the last try it fails, having
# changed nothing, with an error that names the relation, the lock mode
# and the blocking backend.  statement_timeout bounds a step.  The
# caller's own lock_timeout comes back after the run.
. "$(dirname "$0")/lib.sh"

plan 36

envd=$TMP/env
write_rev "$envd" r1 "" "CREATE TABLE t (a int);
INSERT INTO t SELECT generate_series(1, 100);" "DROP TABLE t;"
write_rev "$envd" r2 r1 "ALTER TABLE t ADD COLUMN b int;" "ALTER TABLE t DROP COLUMN b;"

fresh_db locks
pq locks "SELECT migrate_load('$envd');" "SELECT migrate_upgrade('r1');"
is "$RC" 0 "setup: r1 creates table t"

# ------------------------------------------------------------ settings
is "$(val locks "SELECT migrate_config('lock_timeout')")" "2s" "lock_timeout defaults to 2s"
is "$(val locks "SELECT migrate_config('lock_retries')")" "3" "lock_retries defaults to 3"
is "$(val locks "SELECT migrate_config('statement_timeout')")" "0" "statement_timeout is off by default"
is "$(val locks "SELECT migrate_config('lock_timeout', ' 1500 ')")" "1500ms" "a bare number is milliseconds"
is "$(val locks "SELECT migrate_config('lock_timeout', '5 S')")" "5s" "units as PostgreSQL writes them"
pq locks "SELECT migrate_config('lock_timeout', 'soon');"
is "$(errmsg)" 'invalid value "soon" for setting "lock_timeout"' "a malformed duration is refused"
pq locks "SELECT migrate_config('lock_retries', '101');"
is "$(errmsg)" 'invalid value "101" for setting "lock_retries"' "lock_retries is 0 to 100"
is "$(val locks "SELECT migrate_config('lock_timeout')")" "5s" "and the refused values changed nothing"

# blocker NAME SECONDS [released]: a second session that reads t in a
# transaction (ACCESS SHARE, as any long reader holds) for SECONDS, then
# commits; with "released", it first waits until a session named
# "migrator" waits for a lock on t, so that the run surely times out once
# before the blocker goes.  Its pid in $TMP/NAME.pid.  Returns once the
# lock is held.
blocker() {
	local name=$1 secs=$2 until_waited=
	[ "${3:-}" = released ] && until_waited="DO \$\$ BEGIN
	WHILE NOT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'migrator'
			AND wait_event_type = 'Lock' AND wait_event = 'relation') LOOP
		PERFORM pg_stat_clear_snapshot();
		PERFORM pg_sleep(0.01);
	END LOOP;
END \$\$;"
	PGAPPNAME=$name psql -X -q -A -t -d locks >"$TMP/$name.out" 2>&1 <<EOF &
BEGIN;
SELECT count(*) FROM t;
\o $TMP/$name.pid
SELECT pg_backend_pid();
\o
$until_waited
SELECT pg_sleep($secs);
COMMIT;
EOF
	for _ in $(seq 1 100); do
		[ "$(val locks "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
			WHERE a.application_name = '$name' AND l.relation = 't'::regclass AND l.granted")" = "1" ] &&
			[ -s "$TMP/$name.pid" ] && return 0
		sleep 0.05
	done
	return 1
}

# ------------------------------------------------------------ a blocker that stays: the run fails
pq locks "SELECT migrate_config('lock_timeout', '100ms');" "SELECT migrate_config('lock_retries', '2');"
ok "a second session holds a lock on t" blocker stay 30
pid=$(tr -d '[:space:]' <"$TMP/stay.pid")
start=$(date +%s%N)
pq locks "SET lock_timeout = '7s';" "SELECT migrate_upgrade();"
took=$(( ($(date +%s%N) - start) / 1000000 ))
ok "migrate_upgrade() fails" [ "$RC" -ne 0 ]
is "$(errmsg)" 'could not obtain AccessExclusiveLock on relation "public.t" within lock_timeout (100ms)' \
	"naming the lock mode, the relation and the lock_timeout"
has "$ERR" "DETAIL:  Blocked by pid $pid (user \"postgres\", application \"stay\", state \"active\", transaction open for" \
	"and the blocking backend: pid, user, application, state, transaction age"
has "$ERR" "query started at" "and its query's start"
has "$ERR" "SELECT pg_terminate_backend(pid) for pid $pid" "the hint names the way out"
has "$ERR" "The run was tried 3 times (lock_retries is 2) and rolled back each time: nothing was changed." \
	"the hint says how often it was tried"
has "$ERR" 'CONTEXT:  upgrade of revision r2 ("revision r2"), file "r2_rev.sql", statement 1: ALTER TABLE t ADD COLUMN b int' \
	"the context names the revision and statement"
is "$(printf '%s\n' "$ERR" | grep -c '^NOTICE:  could not obtain AccessExclusiveLock on relation "public.t".*retrying in')" "2" \
	"two NOTICEs say the run waited and is retried"
has "$ERR" "retrying in 100 ms (attempt 2 of 3)" "after 100 ms"
has "$ERR" "retrying in 200 ms (attempt 3 of 3)" "then after 200 ms"
ok "it waited 3 x 100 ms and paused 100 + 200 ms before it gave up" test "$took" -ge 600
is "$(val locks "SELECT string_agg(version_num, ',') FROM alembic_version")" "r1" "nothing was changed: still at r1"
is "$(val locks "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'b'")" "0" \
	"and t has no column b"
is "$(printf '%s\n' "SET lock_timeout = '7s';" "SELECT migrate_upgrade();" "SHOW lock_timeout;" |
	psql -X -q -A -t -d locks 2>/dev/null)" "7s" "the session's lock_timeout is its own again after a failed run"
psql -X -q -d locks -c "SELECT pg_cancel_backend($pid)" >/dev/null
wait

# ------------------------------------------------------------ released in time: the run succeeds
pq locks "SELECT migrate_config('lock_retries', '5');"
ok "a second session holds a lock on t until the run has waited, and 0.3 s more" blocker brief 0.3 released
PGAPPNAME=migrator pq locks "SET lock_timeout = '7s';" "BEGIN;" "SELECT migrate_upgrade();" "SHOW lock_timeout;" "COMMIT;"
is "$RC" 0 "migrate_upgrade() succeeds once the blocker commits"
has "$ERR" "retrying in 100 ms (attempt 2 of 6)" "after waiting and retrying"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "7s" "the session's lock_timeout is its own again after the run"
is "$(val locks "SELECT version_num FROM alembic_version")" "r2" "at r2"
wait

# ------------------------------------------------------------ lock_retries 0: one try
pq locks "SELECT migrate_config('lock_retries', '0');"
ok "a blocker again" blocker again 30
pid=$(tr -d '[:space:]' <"$TMP/again.pid")
pq locks "SELECT migrate_downgrade('r1');"
lacks "$ERR" "retrying" "lock_retries 0: no retry"
has "$ERR" "The run was tried 1 time (lock_retries is 0)" "one try, and the error says so"
psql -X -q -d locks -c "SELECT pg_cancel_backend($pid)" >/dev/null
wait

# ------------------------------------------------------------ statement_timeout per step
write_rev "$envd" r3 r2 "SELECT pg_sleep(2);" "SELECT 1;"
pq locks "SELECT migrate_load('$envd');" "SELECT migrate_config('statement_timeout', '100ms');" \
	"SELECT migrate_config('lock_retries', '3');" "SELECT migrate_upgrade();"
is "$(errmsg)" "canceling statement due to statement timeout" "statement_timeout stops a long step"
has "$ERR" "DETAIL:  The step ran longer than migrate's statement_timeout setting (100ms)." "and the error says which limit"
lacks "$ERR" "retrying" "a step that ran too long is not retried"
is "$(val locks "SELECT string_agg(version_num, ',') FROM alembic_version")" "r2" "nothing was changed: still at r2"

done_testing
