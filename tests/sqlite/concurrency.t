#!/bin/bash
# concurrency.t -- two processes migrating one database file.
#
# The write lock is taken before the version table is read, so no step
# is ever applied twice: a run that finds the lock taken either waits
# (busy timeout) and then finds the steps done, or fails at once with
# "database is busy" and changes nothing; a retry has nothing to do.
# A third process holding BEGIN IMMEDIATE makes the timing deterministic.
. "$(dirname "$0")/lib.sh"

LOAD="SELECT migrate_load('$ENV_DIR');"

# wait_for FILE: wait up to 10 s for FILE to appear.
wait_for() {
	local _
	for _ in $(seq 1 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# hold_lock DB: a process that holds the write lock on DB until release_lock.
hold_lock() {
	rm -f "$TMP/locked" "$TMP/release"
	(
		echo "BEGIN IMMEDIATE;"
		echo ".system touch '$TMP/locked'"
		while [ ! -e "$TMP/release" ]; do sleep 0.02; done
		echo "COMMIT;"
	) | sqlite3_run "$1" >/dev/null 2>&1 &
	HOLDER=$!
	wait_for "$TMP/locked"
}
release_lock() {
	touch "$TMP/release"
	wait "$HOLDER"
}

# start NAME DB SQL...: run SQL in the background; finish NAME collects it
# into OUT, ERR and RC.
start() {
	local name=$1 db=$2
	shift 2
	printf '%s\n' "$@" |
		sqlite3_run -bail -batch -cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" \
			>"$TMP/$name.out" 2>"$TMP/$name.err" &
	eval "PID_$name=$!"
}
finish() {
	local pid
	eval "pid=\$PID_$1"
	wait "$pid"
	RC=$?
	OUT=$(<"$TMP/$1.out")
	ERR=$(<"$TMP/$1.err")
	sanitizer_check "$ERR"
}

steps() {	# the number of "Running upgrade" lines in TEXT
	printf '%s\n' "$1" | grep -c '^Running upgrade' || true
}

# no_step_twice DB: every revision appears at most once in the log.
no_step_twice() {
	[ -z "$(sqlite3_run "$1" "SELECT revision FROM migrate_log
		WHERE direction = 'upgrade' GROUP BY revision HAVING count(*) > 1")" ]
}

# ------------------------------------------------------------ fail fast
db=$TMP/busy.db
sq_ok "load" "$db" "$LOAD"
before=$(snapshot "$db")
hold_lock "$db"
sq "$db" "SELECT migrate_upgrade('heads');"
busy_err=$ERR
busy_rc=$RC
sq "$db" "BEGIN;" "SELECT migrate_upgrade('heads');"
busy_txn_err=$ERR
sq "$db" "SELECT migrate_config('branches', 'gxy');"
busy_config_err=$ERR
release_lock
ok "without a busy timeout the run fails at once" [ "$busy_rc" -ne 0 ]
is "$(printf '%s\n' "$busy_err" | head -n 1)" "Runtime error near line 1: database is busy" \
	"message: database is busy"
has "$busy_err" "DETAIL:  Another connection holds the write lock on the database" \
	"detail: another connection holds the write lock"
has "$busy_err" "HINT:  Retry, or wait for the other migration: set a busy timeout (.timeout 5000 in the sqlite3 shell, PRAGMA busy_timeout)." \
	"hint: retry or set a busy timeout"
like "$busy_err" "\(5\)$" "the error code is SQLITE_BUSY (5), so programs can retry"
has "$busy_txn_err" "database is busy" "inside the caller's deferred transaction as well"
has "$busy_config_err" "database is busy" "writing a setting as well"
is "$(snapshot "$db")" "$before" "nothing changed"
sq "$db" "SELECT migrate_upgrade('heads');"
is "$(steps "$OUT")" 11 "the retry runs all 11 steps"
sq "$db" "SELECT migrate_upgrade('heads');"
like "$OUT" "^nothing to do" "a second retry has nothing to do"

# ------------------------------------------------------------ a reader blocks the commit
# Rollback-journal mode: a reader's SHARED lock lets the run take the
# write lock and run every step, but not commit; the run is undone.
db=$TMP/reader.db
sq_ok "load" "$db" "$LOAD" "CREATE TABLE app (a);"
before=$(snapshot "$db")
rm -f "$TMP/read" "$TMP/done_reading"
(
	echo "BEGIN;"
	echo "SELECT count(*) FROM app;"
	echo ".system touch '$TMP/read'"
	while [ ! -e "$TMP/done_reading" ]; do sleep 0.02; done
	echo "COMMIT;"
) | sqlite3_run "$db" >/dev/null 2>&1 &
reader=$!
wait_for "$TMP/read"
sq "$db" "SELECT migrate_upgrade('gxy@head');"
touch "$TMP/done_reading"
wait "$reader"
ok "a reader in another connection makes the commit fail" [ "$RC" -ne 0 ]
is "$(errmsg)" "database is busy" "message: database is busy"
has "$ERR" "DETAIL:  Another connection is reading the database, so the run could not be committed" \
	"detail: a reader held the commit off, the run was rolled back"
has "$ERR" "HINT:  Rerun once the other connection's read has ended: with a busy timeout (.timeout 5000 in the sqlite3 shell, PRAGMA busy_timeout) the engine waits for it. Nothing was changed." \
	"hint: wait for the reader, not for another migration"
is "$(snapshot "$db")" "$before" "nothing changed"
sq "$db" ".timeout 5000" "SELECT migrate_upgrade('gxy@head');"
is "$(steps "$OUT")" 7 "once the reader is gone the retry runs"

# ------------------------------------------------------------ wait, then find it done
db=$TMP/race.db
sq_ok "load" "$db" "$LOAD"
hold_lock "$db"
start A "$db" ".timeout 10000" "SELECT migrate_upgrade('heads');"
start B "$db" ".timeout 10000" "SELECT migrate_upgrade('heads');"
sleep 0.3
release_lock
finish A
a_out=$OUT a_rc=$RC a_err=$ERR
finish B
b_out=$OUT b_rc=$RC b_err=$ERR
ok "both waiting runs succeed" [ "$a_rc" -eq 0 -a "$b_rc" -eq 0 -a -z "$a_err$b_err" ]
is "$(($(steps "$a_out") + $(steps "$b_out")))" 11 "the 11 steps ran once in all"
like "$a_out$b_out" "nothing to do: the database is at" "the later run found nothing to do"
ok "no step in the log twice" no_step_twice "$db"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version ORDER BY 1")" \
	"$(printf '5555bbbb0002\na2e418ad6a15')" "the version table holds the two heads"

# ------------------------------------------------------------ a real race
db=$TMP/free.db
sq_ok "load" "$db" "$LOAD"
start C "$db" ".timeout 10000" "SELECT migrate_upgrade('heads');"
start D "$db" ".timeout 10000" "SELECT migrate_upgrade('heads');"
finish C
c_out=$OUT c_rc=$RC
finish D
d_out=$OUT d_rc=$RC
ok "two runs started together both succeed" [ "$c_rc" -eq 0 -a "$d_rc" -eq 0 ]
is "$(($(steps "$c_out") + $(steps "$d_out")))" 11 "together they ran each step once"
ok "no step in the log twice" no_step_twice "$db"

# ------------------------------------------------------------ WAL
db=$TMP/wal.db
sqlite3_run "$db" "PRAGMA journal_mode=WAL;" >/dev/null
sq_ok "load (WAL)" "$db" "$LOAD" "CREATE TABLE app (a);"
hold_lock "$db"
sq "$db" "SELECT migrate_upgrade('heads');"
release_lock
has "$ERR" "database is busy" "WAL: the run fails while another connection writes"
start E "$db" ".timeout 10000" "SELECT migrate_upgrade('gxy@head');"
start F "$db" ".timeout 10000" "SELECT migrate_upgrade('gxy@head');"
finish E
e_out=$OUT e_rc=$RC
finish F
f_out=$OUT f_rc=$RC
ok "WAL: two runs started together both succeed" [ "$e_rc" -eq 0 -a "$f_rc" -eq 0 ]
is "$(($(steps "$e_out") + $(steps "$f_out")))" 7 "WAL: the 7 gxy steps ran once in all"

# The caller read in its transaction, then another connection committed:
# the run cannot take the write lock on a stale snapshot.
rm -f "$TMP/read" "$TMP/committed"
(
	echo "BEGIN;"
	echo "SELECT count(*) FROM app;"
	echo ".system touch '$TMP/read'"
	while [ ! -e "$TMP/committed" ]; do sleep 0.02; done
	echo "SELECT migrate_upgrade('tsi@head');"
	echo "ROLLBACK;"
) | sqlite3_run -batch -cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" \
	>"$TMP/stale.out" 2>"$TMP/stale.err" &
stale=$!
wait_for "$TMP/read"
sqlite3_run "$db" "INSERT INTO app VALUES (1);"
touch "$TMP/committed"
wait "$stale"
has "$(cat "$TMP/stale.err")" "database is busy" "WAL: a stale snapshot in the caller's transaction is busy"
is "$(sqlite3_run "$db" "SELECT count(*) FROM alembic_version WHERE version_num = '5555bbbb0002'")" \
	0 "WAL: and nothing of tsi was applied"

done_testing
