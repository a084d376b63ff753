#!/usr/bin/env bash
# check.sh: the start-up check (migrate_check()) on a large database.
#
#   bench/check.sh --ext PATH [--revisions N] [--log-rows M] [--runs R]
#                  [--engines sqlite,postgresql]
#
# Defaults: 100,000 revisions in a chain and 300,000 log rows (the
# revisions applied, then all downgraded, then all applied again, as a
# long-lived database that was rebuilt once has them), 7 runs.  Each engine
# gets the same catalog: SQLite through migrate_load and migrate_upgrade
# (bodies are one SELECT, so the engine's cost is what is measured), the
# older log rows copied in SQL; PostgreSQL a copy of the SQLite database's
# catalog and log (\copy), on a throw-away cluster (scripts/pg-cluster.sh,
# port 54393), with the extension as installed (make -C pg_ext install).
#
# Measured inside one session (the sqlite3 shell's .timer, psql's \timing),
# after one warm-up call, so process start and library load are not in it:
# the median of R calls of migrate_check(), and the same on a copy whose
# log holds one row, so the log's share is the difference.  Goal:
# milliseconds: the whole check under a second, the log's share under 100
# ms (it was 319 s at 100,000 revisions on SQLite when every applied
# revision read the log with a query of its own).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ext=""
revs=100000
logrows=300000
runs=7
engines=sqlite,postgresql
while [ $# -gt 0 ]; do
	case $1 in
		--ext) ext=$2; shift 2 ;;
		--revisions) revs=$2; shift 2 ;;
		--log-rows) logrows=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		--engines) engines=$2; shift 2 ;;
		*) echo "usage: $0 --ext PATH [--revisions N] [--log-rows M] [--runs R] [--engines LIST]" >&2; exit 2 ;;
	esac
done
[ -n "$ext" ] || { echo "check.sh: --ext PATH (the SQLite extension) is required" >&2; exit 2; }
ext=${ext%.so}

work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-check-bench.XXXXXX")
chmod 755 "$work"
pgdir=$work/pg
cleanup() {
	[ -f "$pgdir/cluster" ] && "$root/scripts/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) printf "%.0f\n", v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "# migrate_check() at $revs revisions and $logrows log rows"
echo
echo "Median of $runs calls after a warm-up, in one session (ms)."
echo

# ---- the environment and the SQLite database
python3 - "$work/env" "$revs" <<'PY'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
prev = ""
for i in range(n):
    rid = "%012x" % (0x100000000000 + i * 7919)
    with open(os.path.join(out, "%s_rev_%d.sql" % (rid, i)), "w") as f:
        f.write("-- revision %d\n--\n-- Revision ID: %s\n-- Revises: %s\n\n"
                "-- migrate:upgrade\nSELECT %d;\n\n-- migrate:downgrade\nSELECT %d;\n" % (i, rid, prev, i, i))
    prev = rid
PY
db=$work/full.db
sqlite3 -bail "$db" ".load $ext" "SELECT migrate_load('$work/env');" "SELECT length(migrate_upgrade('heads'));" >/dev/null
# older rows first: shift the run's rows up, then fill below them with an
# earlier upgrade and downgrade of every revision, oldest first
sqlite3 -bail "$db" "
	UPDATE migrate_log SET id = id + $logrows;
	WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $logrows - (SELECT count(*) FROM migrate_log))
	INSERT INTO migrate_log (id, revision, direction, from_revisions, to_revisions, run_at, duration_ms, checksum, applied_by)
	SELECT k.i, l.revision, CASE WHEN (k.i - 1) / $revs % 2 = 0 THEN 'upgrade' ELSE 'downgrade' END,
	       l.from_revisions, l.to_revisions, '2020-01-01 00:00:00.000000', 1.0, l.checksum, NULL
	FROM k JOIN migrate_log l ON l.id = $logrows + 1 + (k.i - 1) % $revs;"
n=$(sqlite3 "$db" "SELECT count(*) FROM migrate_log")
[ "$n" -eq "$logrows" ] || { echo "check.sh: the log has $n rows, not $logrows" >&2; exit 1; }
cp "$db" "$work/short.db"
sqlite3 "$work/short.db" "DELETE FROM migrate_log WHERE id <> (SELECT max(id) FROM migrate_log)"

# sqlite_ms DB: the median of the runs
sqlite_ms() {
	{
		echo ".load $ext"
		echo "SELECT migrate_check();"
		echo ".timer on"
		for _ in $(seq "$runs"); do echo "SELECT migrate_check();"; done
	} | sqlite3 -bail "$1" | awk '/^Run Time: real/ { print $4 * 1000 }' | median
}

# pg_ms DB: the median of the runs
pg_ms() {
	{
		echo "SELECT migrate_check();"
		echo "\\timing on"
		for _ in $(seq "$runs"); do echo "SELECT migrate_check();"; done
	} | psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" | awk '/^Time: / { print $2 }' | median
}

row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }
echo "| engine | migrate_check() | with a one-row log | the log's share |"
echo "|---|---:|---:|---:|"
check_line=$(sqlite3 "$db" ".load $ext" "SELECT migrate_check();")
case $check_line in ok:*) ;; *) echo "check.sh: unexpected answer: $check_line" >&2; exit 1 ;; esac

if [[ ,$engines, == *,sqlite,* ]]; then
	full=$(sqlite_ms "$db")
	short=$(sqlite_ms "$work/short.db")
	row SQLite "$full" "$short" "$(awk -v a="$full" -v b="$short" 'BEGIN { printf "%.0f", a - b }')"
fi

if [[ ,$engines, == *,postgresql,* ]]; then
	reason=""
	if ! command -v pg_config >/dev/null || [ ! -f "$(pg_config --sharedir)/extension/migrate.control" ]; then
		reason="the extension is not installed (make -C pg_ext install)"
	elif ! env=$(PGPORT_TEST=54393 "$root/scripts/pg-cluster.sh" start "$pgdir" 2>"$work/pg.log"); then
		reason="the cluster did not start: $(tail -n 1 "$work/pg.log")"
	fi
	if [ -n "$reason" ]; then
		row PostgreSQL "n/a: $reason" "" ""
	else
		eval "$env"
		export PATH="$(pg_config --bindir):$PATH"
		for d in full short; do
			psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE bench_$d" >/dev/null
			psql -X -q -v ON_ERROR_STOP=1 -d "bench_$d" -c "CREATE EXTENSION migrate" >/dev/null
			for t in migrate_catalog migrate_log; do
				cols=$(sqlite3 "$db" "SELECT group_concat(name, ', ') FROM pragma_table_info('$t')")
				sqlite3 -csv "$work/$d.db" "SELECT $cols FROM $t ORDER BY rowid" >"$work/$t.csv"
				psql -X -q -v ON_ERROR_STOP=1 -d "bench_$d" -c "\\copy $t ($cols) FROM '$work/$t.csv' WITH (FORMAT csv)"
			done
			psql -X -q -v ON_ERROR_STOP=1 -d "bench_$d" -c "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
				INSERT INTO alembic_version SELECT version_num FROM (VALUES ('$(sqlite3 "$db" "SELECT version_num FROM alembic_version")')) v(version_num);
				ANALYZE" >/dev/null
		done
		case $(psql -X -At -d bench_full -c "SELECT migrate_check()") in
			ok:*) ;;
			*) echo "check.sh: PostgreSQL: unexpected answer" >&2; exit 1 ;;
		esac
		full=$(pg_ms bench_full)
		short=$(pg_ms bench_short)
		row PostgreSQL "$full" "$short" "$(awk -v a="$full" -v b="$short" 'BEGIN { printf "%.0f", a - b }')"
	fi
fi
echo
echo "Goal: the whole check under 1,000 ms and the log's share under 100 ms at 100,000 revisions and 300,000 log rows."
