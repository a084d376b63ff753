#!/bin/bash
# oom.t -- out of memory anywhere in a call fails cleanly.
#
# PRAGMA hard_heap_limit makes sqlite3_malloc fail once the connection's
# heap would pass the limit; the engine allocates through the same heap
# (sqlite3_realloc64).  For a sweep of limits just below what a call
# needs, each call must either succeed completely or fail with "out of
# memory" and leave the database exactly as it was: no crash, no
# sanitizer report, no half-applied run.
. "$(dirname "$0")/lib.sh"

base=$TMP/base.db
sq_ok "setup: load the sample environment" "$base" "SELECT migrate_load('$ENV_DIR');"
# An empty catalog; the state tables exist already (on a database that
# has never seen the engine they are created before the run's unit, see
# errors.t).
empty=$TMP/empty.db
sq_ok "setup: an empty catalog" "$empty" "CREATE TABLE app (a);" \
	"SELECT migrate_config('version_table');"

# attempt DB LIMIT SQL: run SQL on a copy of DB under LIMIT; sets RC/OUT/ERR
# and the copy's path in CASE.
attempt() {
	CASE=$TMP/case.db
	cp "$1" "$CASE"
	sq "$CASE" "PRAGMA hard_heap_limit=$2;" "$3"
}

# needs DB SQL: the smallest limit (to 2 KiB) under which SQL succeeds.
needs() {
	local lo=0 hi=2097152 mid
	while [ $((hi - lo)) -gt 2048 ]; do
		mid=$(((lo + hi) / 2))
		attempt "$1" "$mid" "$2"
		if [ "$RC" -eq 0 ]; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}

# sweep NAME DB SQL CHECK: limits from far below to just below what SQL
# needs; each attempt succeeds (and CHECK holds on the copy) or fails
# with "out of memory" and an unchanged snapshot.
sweep() {
	local name=$1 db=$2 sql=$3 check=$4 need limit before bad=0 failed=0 tried=0
	need=$(needs "$db" "$sql")
	before=$(snapshot "$db")
	for limit in $(seq $((need > 81920 ? need - 81920 : 0)) 5120 "$need"); do
		attempt "$db" "$limit" "$sql"
		tried=$((tried + 1))
		if [ "$RC" -ge 128 ]; then
			diag "limit $limit: killed by signal $((RC - 128))"
			bad=$((bad + 1))
		elif [ "$RC" -eq 0 ]; then
			if ! $check "$CASE"; then
				diag "limit $limit: succeeded but the result is wrong"
				bad=$((bad + 1))
			fi
		else
			failed=$((failed + 1))
			if [[ $ERR != *"out of memory"* ]]; then
				diag "limit $limit: failed with: $ERR"
				bad=$((bad + 1))
			elif [ "$(snapshot "$CASE")" != "$before" ]; then
				diag "limit $limit: failed but the database changed"
				bad=$((bad + 1))
			fi
		fi
	done
	ok "$name: $tried limits ($failed out of memory), every call clean" [ "$bad" -eq 0 ]
	ok "$name: the sweep reached out-of-memory failures" [ "$failed" -gt 0 ]
}

upgraded() {
	[ "$(sqlite3_run "$1" "SELECT version_num FROM alembic_version")" = a2e418ad6a15 ] &&
		[ "$(sqlite3_run "$1" "SELECT count(*) FROM migrate_log")" = 7 ]
}
loaded() {
	[ "$(sqlite3_run "$1" "SELECT count(*) FROM migrate_catalog")" = 11 ]
}
true_check() {
	return 0
}

sweep "migrate_upgrade" "$base" "SELECT length(migrate_upgrade('gxy@head')) > 0;" upgraded
sweep "migrate_load" "$empty" "SELECT migrate_load('$ENV_DIR') IS NOT NULL;" loaded
sweep "migrate_history" "$base" "SELECT count(*) FROM migrate_history(NULL, 1);" true_check

done_testing
