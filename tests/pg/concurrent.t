#!/bin/bash
# concurrent.t -- two sessions migrating one database apply every step
# once.  Session A upgrades inside an open transaction (so it holds the
# migration lock); session B's upgrade is seen waiting on the advisory
# lock in pg_locks; when A commits, B plans from A's version table and
# has nothing to do.  Then two CALL migrate_upgrade_steps run side by side,
# and two CALL migrate_downgrade_steps.
. "$(dirname "$0")/lib.sh"

plan 18

LOAD="SELECT migrate_load('$MIGRATE_ENV_DIR');"

# wait_for DB SQL: poll until SQL returns t (at most 30 s)
wait_for() {
	local i
	for i in $(seq 1 300); do
		[ "$(val "$1" "$2")" = "t" ] && return 0
		sleep 0.1
	done
	return 1
}

# one_lock COND: is there exactly one advisory lock (of this database) with COND?
one_lock() {
	echo "SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND $1
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

fresh_db conc
pq conc "$LOAD"
is "$RC" 0 "load the sample environment"

# Session A: a coprocess psql whose transaction stays open until told.
coproc A { psql -X -q -A -t -v ON_ERROR_STOP=1 -d conc >"$TMP/a.out" 2>"$TMP/a.err"; }
a_pid=$A_PID	# bash unsets A_PID once the coprocess has ended
echo "BEGIN; SELECT migrate_upgrade('heads');" >&"${A[1]}"
ok "session A has run its upgrade and holds the lock" wait_for conc "$(one_lock granted)"

psql -X -q -A -t -d conc -c "SELECT migrate_upgrade('heads')" >"$TMP/b.out" 2>"$TMP/b.err" &
b=$!
ok "session B waits for the advisory lock" wait_for conc "$(one_lock "NOT granted")"
is "$(val conc "SELECT to_regclass('alembic_version') IS NULL")" "t" \
	"nothing of A is visible before it commits"

echo "COMMIT;" >&"${A[1]}"
exec {A[1]}>&-
wait "$a_pid"
is "$?" 0 "session A commits"
wait "$b"
is "$?" 0 "session B returns"
is "$(grep -c '^Running upgrade' "$TMP/a.out")" "11" "A ran all eleven steps"
is "$(cat "$TMP/b.out")" "nothing to do: the database is at a2e418ad6a15, 5555bbbb0002" \
	"B read A's version table and had nothing to do"
is "$(val conc "SELECT count(*) || ' ' || count(DISTINCT revision) FROM migrate.migrate_log")" "11 11" \
	"every step was applied once"
is "$(val conc "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")" \
	"5555bbbb0002,a2e418ad6a15" "the version table holds the two heads"

# ------------------------------------------------------------ two step-by-step runs
fresh_db conc_steps
pq conc_steps "$LOAD"
psql -X -q -d conc_steps -c "CALL migrate_upgrade_steps()" >"$TMP/s1.out" 2>"$TMP/s1.err" &
s1=$!
psql -X -q -d conc_steps -c "CALL migrate_upgrade_steps()" >"$TMP/s2.out" 2>"$TMP/s2.err" &
s2=$!
wait "$s1"
r1=$?
wait "$s2"
r2=$?
ok "both CALL migrate_upgrade_steps() succeed" [ "$r1" -eq 0 ] && [ "$r2" -eq 0 ]
is "$(($(grep -c 'NOTICE:  Running upgrade' "$TMP/s1.err") + $(grep -c 'NOTICE:  Running upgrade' "$TMP/s2.err")))" "11" \
	"between them they ran eleven steps"
is "$(val conc_steps "SELECT count(*) || ' ' || count(DISTINCT revision) FROM migrate.migrate_log")" "11 11" \
	"each step once"
is "$(val conc_steps "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")" \
	"5555bbbb0002,a2e418ad6a15" "and the database is at both heads"

# ------------------------------------------------------------ two step-by-step downgrades
# Both plan the same eleven steps; each step is run by one of them and
# skipped by the other ("downgraded already"), never run twice.
psql -X -q -d conc_steps -c "CALL migrate_downgrade_steps('base')" >"$TMP/d1.out" 2>"$TMP/d1.err" &
s1=$!
psql -X -q -d conc_steps -c "CALL migrate_downgrade_steps('base')" >"$TMP/d2.out" 2>"$TMP/d2.err" &
s2=$!
wait "$s1"
r1=$?
wait "$s2"
r2=$?
ok "both CALL migrate_downgrade_steps('base') succeed" [ "$r1" -eq 0 ] && [ "$r2" -eq 0 ]
[ "$r1" -eq 0 ] && [ "$r2" -eq 0 ] || diag "$(cat "$TMP/d1.err" "$TMP/d2.err")"
is "$(($(grep -c 'NOTICE:  Running downgrade' "$TMP/d1.err") + $(grep -c 'NOTICE:  Running downgrade' "$TMP/d2.err")))" "11" \
	"between them they ran eleven steps"
is "$(val conc_steps "SELECT count(*) || ' ' || count(DISTINCT revision) FROM migrate.migrate_log WHERE direction = 'downgrade'")" "11 11" \
	"each step once"
is "$(val conc_steps "SELECT count(*) FROM alembic_version")" "0" "and the database is at base"

done_testing
