#!/bin/bash
# faults.t -- a run stopped from outside in the middle of a step leaves
# the database as it was: pg_cancel_backend and pg_terminate_backend
# (the run stops within a second), and kill -9 of the backend (the
# server restarts, recovers, and the database is at the old revision).
#
# The step in the middle is ffff02, whose body sleeps after creating a
# table; the run is seen waiting there in pg_stat_activity before it is
# stopped.  "As it was": no table of the run, no version table, the
# catalog and the log as before; the next run applies every step.
. "$(dirname "$0")/lib.sh"

plan 17

env=$TMP/env
write_rev "$env" ffff01 "" "CREATE TABLE f1 (a int);" "DROP TABLE f1;"
write_rev "$env" ffff02 ffff01 "CREATE TABLE f2 (a int); SELECT pg_sleep(60);" "DROP TABLE f2;"
write_rev "$env" ffff03 ffff02 "CREATE TABLE f3 (a int);" "DROP TABLE f3;"

# state DB: what a stopped run must not have changed
state() {
	val "$1" "SELECT (SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '-') FROM pg_tables
		WHERE schemaname = 'public') || ' | ' || (to_regclass('public.alembic_version') IS NULL)::text
		|| ' | ' || (SELECT count(*) FROM migrate.migrate_log) || ' | '
		|| (SELECT string_agg(revision || ':' || checksum, ',' ORDER BY seq) FROM migrate.migrate_catalog)"
}

# now_ms: wall clock in milliseconds
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_run DB: migrate_upgrade('heads') in a background psql; returns once
# its backend sleeps in ffff02 (RUN: the psql's pid, BACKEND: the backend's)
start_run() {
	psql -X -q -At -d "$1" -c "SELECT migrate_upgrade('heads')" >"$TMP/run.out" 2>"$TMP/run.err" &
	RUN=$!
	BACKEND=""
	for _ in $(seq 1 300); do
		BACKEND=$(val "$1" "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event = 'PgSleep' AND query LIKE '%migrate_upgrade%'")
		[ -n "$BACKEND" ] && return 0
		sleep 0.1
	done
	return 1
}

# stop_with DB HOW: pg_cancel_backend or pg_terminate_backend on the run;
# sets ELAPSED (ms from the server's clock at the call to the run's end,
# so the start of the psql that calls it is not counted)
stop_with() {
	local t0
	t0=$(val "$1" "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM $2($BACKEND)")
	wait "$RUN"
	RUN_RC=$?
	ELAPSED=$(($(now_ms) - t0))
}

# next_run_applies DB: the sleep taken out of the catalog's copy, every step applies
next_run_applies() {
	val "$1" "UPDATE migrate.migrate_catalog SET script = replace(script, 'SELECT pg_sleep(60);', '')
		WHERE revision = 'ffff02'" >/dev/null
	[ "$(val "$1" "SELECT migrate_upgrade('heads')" | grep -c '^Running upgrade')" = 3 ] &&
		[ "$(val "$1" "SELECT string_agg(version_num, ',') FROM alembic_version")" = ffff03 ]
}

# ------------------------------------------------------------ pg_cancel_backend
fresh_db fault_cancel
pq fault_cancel "SELECT migrate_load('$env');"
before=$(state fault_cancel)
ok "cancel: the run is seen in the middle of ffff02" start_run fault_cancel
stop_with fault_cancel pg_cancel_backend
ok "cancel: the run fails" [ "$RUN_RC" -ne 0 ]
has "$(cat "$TMP/run.err")" "canceling statement due to user request" "cancel: with PostgreSQL's cancel error"
ok "cancel: the run stopped within a second (${ELAPSED} ms)" [ "$ELAPSED" -lt 1000 ]
is "$(state fault_cancel)" "$before" "cancel: the database is as it was"
ok "cancel: the next run applies every step" next_run_applies fault_cancel

# ------------------------------------------------------------ pg_terminate_backend
fresh_db fault_term
pq fault_term "SELECT migrate_load('$env');"
before=$(state fault_term)
ok "terminate: the run is seen in the middle of ffff02" start_run fault_term
stop_with fault_term pg_terminate_backend
ok "terminate: the run fails" [ "$RUN_RC" -ne 0 ]
has "$(cat "$TMP/run.err")" "terminating connection due to administrator command" \
	"terminate: with PostgreSQL's termination error"
ok "terminate: the run stopped within a second (${ELAPSED} ms)" [ "$ELAPSED" -lt 1000 ]
is "$(state fault_term)" "$before" "terminate: the database is as it was"
ok "terminate: the next run applies every step" next_run_applies fault_term

# ------------------------------------------------------------ kill -9 of the backend
# The postmaster sees a backend die and restarts every session, recovering
# from the WAL: the run's transaction never committed.
fresh_db fault_kill
pq fault_kill "SELECT migrate_load('$env');"
before=$(state fault_kill)
ok "kill -9: the run is seen in the middle of ffff02" start_run fault_kill
kill -9 "$BACKEND"
wait "$RUN"
RUN_RC=$?
ok "kill -9: the run fails" [ "$RUN_RC" -ne 0 ]
back=1
for _ in $(seq 1 300); do
	if psql -X -q -At -d postgres -c "SELECT 1" >/dev/null 2>&1; then
		back=0
		break
	fi
	sleep 0.1
done
ok "kill -9: the server recovers and accepts connections again" [ "$back" -eq 0 ]
is "$(state fault_kill)" "$before" "kill -9: the database is at the old revision, as it was"
ok "kill -9: the next run applies every step" next_run_applies fault_kill

done_testing
