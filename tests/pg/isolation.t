#!/bin/bash
# isolation.t -- concurrent upgraders in every isolation level apply every
# step exactly once (issue 18, finding 4).  Per level, 20 trials of 8
# sessions that each run BEGIN ISOLATION LEVEL ...; SELECT
# migrate_upgrade(); COMMIT at once on a database at base.  Each body
# records its run in a table and advances a sequence (which no rollback
# undoes): after every trial each of the three revisions ran once, and
# the only error any session saw is the engine's refusal of a stale
# snapshot (SQLSTATE 40001).
. "$(dirname "$0")/lib.sh"

TRIALS=20
SESSIONS=8
plan 13

fresh_db iso
env=$TMP/env
for r in 1 2 3; do
	down=""
	[ "$r" -gt 1 ] && down=r$((r - 1))
	write_rev "$env" "r$r" "$down" \
		"INSERT INTO public.hits SELECT n, 'r$r', pg_catalog.nextval('public.s') FROM public.trial; SELECT pg_catalog.pg_sleep(0.005);" \
		"SELECT 1;"
done
pq iso "CREATE TABLE public.hits (trial int, rev text, seq bigint);" \
	"CREATE TABLE public.trial (n int); INSERT INTO public.trial VALUES (0);" \
	"CREATE SEQUENCE public.s;" \
	"SELECT migrate_load('$env');"
is "$RC" 0 "setup: three revisions that count their runs"

refusal="ERROR:  40001: could not serialize access: another migration committed after this transaction's snapshot was taken"
t=0
for level in "READ COMMITTED" "REPEATABLE READ" "SERIALIZABLE"; do
	bad_runs=""
	other_errors=""
	refused=0
	for i in $(seq 1 $TRIALS); do
		t=$((t + 1))
		val iso "UPDATE public.trial SET n = $t; DROP TABLE IF EXISTS public.alembic_version;" >/dev/null
		pids=()
		for k in $(seq 1 $SESSIONS); do
			printf '%s\n' "\\set VERBOSITY verbose" "BEGIN ISOLATION LEVEL $level;" \
				"SELECT pg_catalog.length(migrate_upgrade());" "COMMIT;" |
				PGOPTIONS="-c client_min_messages=warning" psql -X -q -A -t -d iso \
					>"$TMP/s$k.out" 2>"$TMP/s$k.err" &
			pids+=($!)
		done
		wait "${pids[@]}"
		got=$(val iso "SELECT count(*) || ' ' || count(DISTINCT rev) FROM public.hits WHERE trial = $t")
		[ "$got" = "3 3" ] || bad_runs="$bad_runs trial $t: $got;"
		for k in $(seq 1 $SESSIONS); do
			if grep -q "ERROR:" "$TMP/s$k.err"; then
				if grep -qF "$refusal" "$TMP/s$k.err" && [ "$(grep -c "ERROR:" "$TMP/s$k.err")" = 1 ]; then
					refused=$((refused + 1))
				else
					other_errors="$other_errors$(cat "$TMP/s$k.err")"$'\n'
				fi
			fi
		done
	done
	is "$bad_runs" "" "$level: in each of $TRIALS trials of $SESSIONS sessions every body ran exactly once"
	is "$other_errors" "" "$level: no session failed except with the refusal of a stale snapshot"
	if [ "$level" = "READ COMMITTED" ]; then
		is "$refused" 0 "$level: nothing was refused (later sessions wait and find nothing to do)"
	else
		ok "$level: sessions whose snapshot predates the other run's commit were refused ($refused)" [ "$refused" -gt 0 ]
	fi
done
is "$(val iso "SELECT last_value FROM public.s")" "$((t * 3))" \
	"the sequence advanced once per body run: no body ran in a session that then failed"
is "$(val iso "SELECT count(*) FROM public.hits")" "$((t * 3))" "every trial's rows are there"

# the refusal says what to do
pq iso "DROP TABLE IF EXISTS public.alembic_version;"
coproc A { psql -X -q -A -t -d iso >"$TMP/a.out" 2>"$TMP/a.err"; }
echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1;" >&"${A[1]}"
sleep 0.3
val iso "SELECT pg_catalog.length(migrate_upgrade())" >/dev/null
printf '%s\n' "\\set VERBOSITY verbose" "SELECT migrate_upgrade();" "ROLLBACK;" >&"${A[1]}"
exec {A[1]}>&-
wait "$A_PID"
has "$(cat "$TMP/a.err")" "HINT:  Retry the transaction: it will see the other run's work." \
	"a transaction whose snapshot predates another run is told to retry"
done_testing
