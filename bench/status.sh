#!/usr/bin/env bash
# status.sh: migrate_status() on a 10,000-revision catalog with a
# 100,000-row log, beside migrate_history() on the same catalog (the graph
# alone) and beside the same status without the log's (revision, id)
# index (the log read as a scan).
#
# The database: bench/gen_graph.py's branchy environment of N revisions,
# loaded and upgraded to its heads (N log rows), then LOG - N older log
# rows put before them (upgrades and downgrades of random revisions, with
# lower ids, so each revision's newest row is still its real upgrade).
# Each query runs RUNS times in one sqlite3 process (.timer on): the times
# are the statement's own, without the process start or .load; the table
# shows their median and the first run's.  With PostgreSQL (pg_config and
# an installed extension, as bench/run.sh installs it), the same on a
# throw-away cluster (scripts/pg-cluster.sh), timed by EXPLAIN ANALYZE's
# execution time.
#
# usage: bench/status.sh [--ext PATH/migrate.so] [--revisions N] [--log N]
#        [--runs N] [--no-pg]
# make bench runs it after bench/run.sh; it prints a Markdown table.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ext=$root/sqlite_ext/migrate.so
revs=10000
logn=100000
runs=10
pg=1
while [ $# -gt 0 ]; do
	case $1 in
		--ext) ext=$2; shift 2 ;;
		--revisions) revs=$2; shift 2 ;;
		--log) logn=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		--no-pg) pg=0; shift ;;
		*) echo "status.sh: unknown argument \"$1\"" >&2; exit 2 ;;
	esac
done
[ -f "$ext" ] || { echo "status.sh: extension \"$ext\" not found (make)" >&2; exit 1; }
[ "$logn" -ge "$revs" ] || { echo "status.sh: --log must be at least --revisions" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench-status.XXXXXX")
cleanup() {
	[ -d "$work/pg" ] && "$root/scripts/pg-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "generating $revs revisions..." >&2
python3 "$here/gen_graph.py" --shape branchy --count "$revs" --seed 1 --out "$work/env" >&2
older=$((logn - revs))
# older_rows SUBQUERY: SQL that puts $older log rows (ids from SUBQUERY,
# 1..$older) before the existing ones
older_rows() {
	cat <<EOF
UPDATE migrate_log SET id = id + $older;
INSERT INTO migrate_log (id, revision, direction, from_revisions, to_revisions, run_at, duration_ms, checksum, applied_by)
SELECT g.i, c.revision, CASE WHEN g.i % 2 = 0 THEN 'upgrade' ELSE 'downgrade' END, c.down_revisions, c.revision,
       '2020-01-01 00:00:00.000000', 1.5, c.checksum, NULL
FROM ($1) AS g JOIN migrate_catalog AS c ON c.seq = 1 + (g.i * 7919) % $revs;
EOF
}

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m }'; }

results=()
# row ENGINE QUERY FIRST MEDIAN [CPU]
row() { results+=("| $1 | \`$2\` | $3 | $4 | ${5:-} |"); }

# ------------------------------------------------------------ SQLite
db=$work/status.db
echo "SQLite: loading and upgrading..." >&2
sqlite3 -bail "$db" ".load ${ext%.so}" "SELECT migrate_load('$work/env');" "SELECT migrate_upgrade('heads');" >/dev/null
sqlite3 -bail "$db" "$(older_rows "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $older) SELECT i FROM n")"
[ "$(sqlite3 "$db" "SELECT count(*) FROM migrate_log")" = "$logn" ] || { echo "status.sh: log size" >&2; exit 1; }
check=$(sqlite3 "$db" ".load ${ext%.so}" "SELECT state, count(*) FROM migrate_status() GROUP BY state")
[ "$check" = "applied|$revs" ] || { echo "status.sh: unexpected status: $check" >&2; exit 1; }

# sq_time DB SQL: the statement's own times (ms), one line per run: real, then user + sys
sq_time() {
	local i script=".load ${ext%.so}"$'\n'".timer on"
	for ((i = 0; i < runs; i++)); do script+=$'\n'"$2;"; done
	sqlite3 "$1" <<<"$script" |
		sed -n 's/^Run Time: real \([0-9.]*\) user \([0-9.]*\) sys \([0-9.]*\).*/\1 \2 \3/p' |
		awk '{ printf "%.3f %.3f\n", $1 * 1000, ($2 + $3) * 1000 }'
}
sqlite_case() {
	local label=$1 sql=$2 t
	echo "SQLite: $label" >&2
	t=$(sq_time "$db" "$sql")
	row SQLite "$label" "$(head -n 1 <<<"$t" | awk '{ printf "%.1f", $1 }')" "$(cut -d' ' -f1 <<<"$t" | median)" \
		"$(cut -d' ' -f2 <<<"$t" | median)"
}
sqlite_case "SELECT count(*) FROM migrate_status()" "SELECT count(*) FROM migrate_status()"
sqlite_case "SELECT count(*) FROM migrate_history()" "SELECT count(*) FROM migrate_history()"
cp "$db" "$work/noindex.db"
sqlite3 "$work/noindex.db" "DROP INDEX migrate_log_revision"
db=$work/noindex.db sqlite_case "migrate_status(), log without its index" "SELECT count(*) FROM migrate_status()"

# ------------------------------------------------------------ PostgreSQL
if [ "$pg" = 1 ] && command -v pg_config >/dev/null &&
	[ -f "$(pg_config --sharedir)/extension/migrate.control" ]; then
	echo "PostgreSQL: starting a cluster..." >&2
	env_vars=$("$root/scripts/pg-cluster.sh" start "$work/pg")
	eval "$env_vars"
	chmod -R a+rX "$work/env" "$work"
	psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION migrate" \
		-c "SELECT migrate_load('$work/env')" -c "SELECT migrate_upgrade('heads')" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -c "SET search_path = public;" \
		-c "$(older_rows "SELECT i FROM generate_series(1, $older) AS i")" >/dev/null
	psql -X -q -c "VACUUM ANALYZE migrate_log; VACUUM ANALYZE migrate_catalog" >/dev/null
	[ "$(psql -X -At -c "SELECT count(*) FROM migrate_log")" = "$logn" ] || { echo "status.sh: pg log size" >&2; exit 1; }
	check=$(psql -X -At -c "SELECT state, count(*) FROM migrate_status() GROUP BY state")
	[ "$check" = "applied|$revs" ] || { echo "status.sh: unexpected pg status: $check" >&2; exit 1; }
	pg_case() {
		local label=$1 sql=$2 i t=""
		echo "PostgreSQL: $label" >&2
		for ((i = 0; i < runs; i++)); do
			t+=$(psql -X -At -c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $sql" |
				python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')$'\n'
		done
		row PostgreSQL "$label" "$(head -n 1 <<<"$t" | awk '{ printf "%.1f", $1 }')" "$(median <<<"$t")"
	}
	pg_case "SELECT count(*) FROM migrate_status()" "SELECT count(*) FROM migrate_status()"
	pg_case "SELECT count(*) FROM migrate_history()" "SELECT count(*) FROM migrate_history()"
	psql -X -q -c "DROP INDEX migrate_log_revision" >/dev/null
	pg_case "migrate_status(), log without its index" "SELECT count(*) FROM migrate_status()"
else
	results+=("| PostgreSQL | n/a: the extension is not installed (bench/run.sh installs it) | | | |")
fi

echo "## migrate_status: $revs revisions, $logn log rows"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs, $(uname -sr); sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
echo "- the statement's own time in ms (SQLite: .timer; PostgreSQL: EXPLAIN ANALYZE), the first of $runs runs in one session and the median of all; SQLite also the median of the CPU time (user + sys), which other load on the machine does not inflate"
echo
echo "| engine | query | first ms | median ms | median CPU ms |"
echo "|---|---|---:|---:|---:|"
printf '%s\n' "${results[@]}"
