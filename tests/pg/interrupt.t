#!/bin/bash
# interrupt.t -- a loop through Depends On is refused, not run forever
# (issue 18, finding 1), and a long call stops at statement_timeout and
# pg_cancel_backend within a second, with SQLSTATE 57014, the backend
# alive and the server not restarted.
. "$(dirname "$0")/lib.sh"

plan 25

# rev DIR ID REVISES DEPENDS: a revision script with a Depends On line
rev() {
	mkdir -p "$1"
	chmod 755 "$1"
	printf -- '-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n-- Depends On: %s\n\n-- migrate:upgrade\nCREATE TABLE t_%s (a int);\n\n-- migrate:downgrade\nDROP TABLE t_%s;\n' \
		"$2" "$2" "$3" "$4" "$2" "$2" >"$1/$2.sql"
	chmod 644 "$1/$2.sql"
}

# ------------------------------------------------------------ the loop, at load
env=$TMP/loop
rev "$env" t0 "" ""
rev "$env" b0 t0 c0
rev "$env" c0 b0 ""
rev "$env" x0 b0 ""
rev "$env" m0 "c0, x0" ""
fresh_db loop
pq loop "\\set VERBOSITY verbose" "SELECT migrate_load('$env');"
is "$RC" 3 "migrate_load of the issue's files fails"
has "$ERR" "ERROR:  42P17: Dependency cycle is detected in revisions (b0, c0)" "with Alembic's message and SQLSTATE 42P17"
has "$ERR" "DETAIL:  The revisions form a loop: b0 depends on c0 and c0 revises b0" "the detail spells out the loop"
is "$(val loop "SELECT count(*) FROM migrate.migrate_catalog")" "0" "nothing was added"

# ------------------------------------------------------------ the loop, in the catalog
# A catalog written behind the engine's back: loaded without the
# dependency, then given it by hand.
rev "$TMP/ok" t0 "" ""
rev "$TMP/ok" b0 t0 ""
rev "$TMP/ok" c0 b0 ""
rev "$TMP/ok" x0 b0 ""
rev "$TMP/ok" m0 "c0, x0" ""
pq loop "SELECT migrate_load('$TMP/ok');" \
	"UPDATE migrate.migrate_catalog SET depends_on = 'c0' WHERE revision = 'b0';"
is "$RC" 0 "a catalog with the loop written by hand"
for call in "SELECT migrate_upgrade('m0')" "SELECT migrate_upgrade_sql('m0')" \
	"SELECT count(*) FROM migrate_history()"; do
	pq loop "\\set VERBOSITY verbose" "SET statement_timeout = '20s';" "$call;"
	has "$ERR" "ERROR:  42P17: Dependency cycle is detected in revisions (b0, c0)" "$call: refused at once"
done
is "$(val loop "SELECT to_regclass('alembic_version') IS NULL AND to_regclass('t_t0') IS NULL")" "t" \
	"nothing ran"

# ------------------------------------------------------------ a long call stops
# 50,000 revisions written straight into the catalog: a chain, every
# 100th revision a branch merged two later.
fresh_db big
pq big "INSERT INTO migrate.migrate_catalog (revision, down_revisions, message, checksum, script, added_at)
SELECT id, down, 'r ' || i, 'x',
       format(E'-- r %s\n--\n-- Revision ID: %s\n-- Revises: %s\n\n-- migrate:upgrade\nCREATE TABLE t%s (a int);\nINSERT INTO t%s VALUES (1);\n\n-- migrate:downgrade\nDROP TABLE t%s;\n',
              i, id, down, i, i, i),
       '2026-01-01 00:00:00'
FROM (SELECT i, 'r' || lpad(i::text, 6, '0') AS id,
             CASE WHEN i = 1 THEN ''
                  WHEN i % 100 = 2 AND i > 100 THEN 'r' || lpad((i - 2)::text, 6, '0') || ', r' || lpad((i - 1)::text, 6, '0')
                  WHEN i % 100 = 1 AND i > 100 THEN 'r' || lpad((i - 2)::text, 6, '0')
                  ELSE 'r' || lpad((i - 1)::text, 6, '0') END AS down
      FROM generate_series(1, 50000) i) g;"
is "$RC" 0 "a catalog of 50,000 revisions"
start=$(date +%s.%N)
full=$(val big "SELECT length(migrate_upgrade_sql('heads')) > 0")
full_s=$(echo "$(date +%s.%N) - $start" | bc)
is "$full" "t" "the offline SQL of all of it runs to the end"
diag "offline SQL of 50,000 revisions: ${full_s} s"
boot=$(val big "SELECT pg_postmaster_start_time()")
# What starting psql and connecting costs on this machine (the slowest of
# three): the bounds below are a second plus that, so a loaded machine
# measures the cancel, not the client's start.
conn=0
for i in 1 2 3; do
	t0=$(date +%s.%N)
	val big "SELECT 1" >/dev/null
	t=$(echo "$(date +%s.%N) - $t0" | bc)
	[ "$(echo "$t > $conn" | bc)" = 1 ] && conn=$t
done
limit=$(echo "1 + $conn" | bc)
diag "starting psql takes up to $conn s: the bound is $limit s"

# statement_timeout: far shorter than the call
start=$(date +%s.%N)
pq big "\\set VERBOSITY verbose" "SET statement_timeout = '100ms';" \
	"SELECT length(migrate_upgrade_sql('heads'));"
took=$(echo "$(date +%s.%N) - $start" | bc)
has "$ERR" "ERROR:  57014: canceling statement due to statement timeout" \
	"statement_timeout stops the offline SQL with SQLSTATE 57014"
ok "it stops within a second of the timeout (${took} s)" [ "$(echo "$took < $limit + 0.1" | bc)" = 1 ]
start=$(date +%s.%N)
pq big "\\set VERBOSITY verbose" "SET statement_timeout = '20ms';" \
	"SELECT count(*) FROM migrate_history();"
took=$(echo "$(date +%s.%N) - $start" | bc)
has "$ERR" "ERROR:  57014: canceling statement due to statement timeout" \
	"statement_timeout stops history with SQLSTATE 57014"
ok "it stops within a second of the timeout (${took} s)" [ "$(echo "$took < $limit + 0.1" | bc)" = 1 ]

# pg_cancel_backend from another session, then the same session goes on
cancel_test() {	# cancel_test NAME SQL
	local name=$1 sql=$2 pid t0 took i
	printf '%s\n' "\\set VERBOSITY verbose" "SET application_name = 'victim';" "$sql;" \
		"SELECT 'alive ' || count(*) FROM migrate.migrate_catalog;" |
		psql -X -q -A -t -d big >"$TMP/v.out" 2>"$TMP/v.err" &
	pid=$!
	for i in $(seq 1 200); do
		[ "$(val big "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'victim' AND state = 'active' AND query LIKE '%migrate_%'")" = 1 ] && break
		sleep 0.02
	done
	sleep 0.1
	t0=$(date +%s.%N)
	val big "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'victim'" >/dev/null
	# the cancelled statement ends: the next query answers
	for i in $(seq 1 300); do
		grep -q alive "$TMP/v.out" 2>/dev/null && break
		sleep 0.01
	done
	took=$(echo "$(date +%s.%N) - $t0" | bc)
	wait "$pid"
	has "$(cat "$TMP/v.err")" "ERROR:  57014: canceling statement due to user request" \
		"$name: pg_cancel_backend stops it with SQLSTATE 57014"
	ok "$name: within a second (${took} s)" [ "$(echo "$took < $limit" | bc)" = 1 ]
	is "$(cat "$TMP/v.out")" "alive 50000" "$name: the same backend answers the next query"
}
cancel_test "offline SQL" "SELECT length(migrate_upgrade_sql('heads'))"
cancel_test "upgrade" "SELECT length(migrate_upgrade('heads'))"

# statement_timeout landing anywhere in a run's unit, a rehearsal's and a stairway's
# (catalog reads whose rows the engine takes as the executor gives them, steps,
# snapshots): each call ends with 57014 and nothing else; a rehearsal or stairway
# whose step is cancelled fails with it (it is not a step that failed)
fresh_db sweep
pq sweep "INSERT INTO migrate.migrate_catalog (revision, down_revisions, message, checksum, script, added_at)
SELECT id, down, 'r ' || i, 'x',
       format(E'-- r %s\n--\n-- Revision ID: %s\n-- Revises: %s\n\n-- migrate:upgrade\nCREATE TABLE t%s (a int PRIMARY KEY);\n\n-- migrate:downgrade\nDROP TABLE t%s;\n',
              i, id, down, i, i),
       '2026-01-01 00:00:00'
FROM (SELECT i, 'r' || lpad(i::text, 6, '0') AS id,
             CASE WHEN i = 1 THEN '' ELSE 'r' || lpad((i - 1)::text, 6, '0') END AS down
      FROM generate_series(1, 2000) i) g;"
sweep_boot=$(val sweep "SELECT pg_postmaster_start_time()")
other=""
stopped=0
for ms in $(seq 2 6 92); do
	for call in "SELECT length(migrate_upgrade('heads'))" "SELECT count(*) FROM migrate_rehearse('r000200')" \
		"SELECT count(*) FROM migrate_stairway('base:r000200')"; do
		pq sweep "\\set VERBOSITY verbose" "SET statement_timeout = '${ms}ms';" "$call;"
		printf '%s\n' "$ERR" | grep -q '^ERROR:  57014: canceling statement due to statement timeout' && stopped=$((stopped + 1))
		e=$(printf '%s\n' "$ERR" | grep '^ERROR' | grep -v '^ERROR:  57014: canceling statement due to statement timeout')
		[ -n "$e" ] && other="$other
$ms ms, $call: $e"
	done
done
is "$stopped$other" "48" "statement_timeout at 16 points each of a run, a rehearsal and a stairway: 57014 each time (never a step's failed row), no other error"
is "$(val sweep "SELECT pg_postmaster_start_time() = '$sweep_boot' AND to_regclass('alembic_version') IS NULL AND to_regclass('t1') IS NULL")" "t" \
	"the server was not restarted, and the cancelled calls left nothing behind"

is "$(val big "SELECT pg_postmaster_start_time()")" "$boot" "the server was never restarted"
is "$(val big "SELECT to_regclass('alembic_version') IS NULL AND to_regclass('t1') IS NULL")" "t" \
	"the cancelled upgrade left nothing behind"

done_testing
