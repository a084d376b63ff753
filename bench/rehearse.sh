#!/usr/bin/env bash
# rehearse.sh -- what the rehearsal costs: migrate_rehearse against the run
# it rehearses, migrate_stairway as the range grows, migrate_schema of a
# large schema.
#
#   bench/rehearse.sh [--ext PATH] [--runs R] [--tables T] [--steps N]
#       (defaults: sqlite_ext/migrate.so, 10 runs, 100 tables, 50 steps)
#
# The environment: a base revision that creates T tables (five columns and
# an index each), then N revisions that each add a column and an index to
# one of them (and drop both on downgrade).  The database starts at the
# base revision.  Rows (hyperfine medians, one sqlite3 process per run, the
# database copied fresh before each run):
#
#   run        SELECT migrate_upgrade()            (the N steps, committed)
#   rehearse   SELECT count(*) FROM migrate_rehearse()   (the same N steps,
#              rolled back), and its ratio to run: the target is 1.3x
#   stairway   SELECT count(*) FROM migrate_stairway() for N/2, N and 2N
#              steps, per step: the target is a flat cost per step
#   schema     SELECT count(*) FROM migrate_schema() of 1,000 tables, less
#              the same process answering SELECT 1: the target is
#              milliseconds
#
# With PostgreSQL (pg_config on PATH and the extension installed, as
# bench/run.sh does), the same rows on a throw-away cluster through psql.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ext=$root/sqlite_ext/migrate.so
runs=10
tables=100
steps=50
while [ $# -gt 0 ]; do
	case $1 in
		--ext) ext=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		--tables) tables=$2; shift 2 ;;
		--steps) steps=$2; shift 2 ;;
		*) echo "usage: $0 [--ext PATH] [--runs R] [--tables T] [--steps N]" >&2; exit 2 ;;
	esac
done
command -v hyperfine >/dev/null || { echo "hyperfine not found (scripts/deps.sh bench)" >&2; exit 1; }
ext=${ext%.so}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench-rehearse.XXXXXX")
chmod 755 "$tmp"
pgdir=""
cleanup() {
	[ -n "$pgdir" ] && "$root/scripts/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# gen DIR T N: the environment
gen() {
	/usr/bin/python3 - "$@" <<'PY'
import os, sys
d, t, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d, exist_ok=True)
def rev(rid, down, up, dn):
    with open(os.path.join(d, rid + ".sql"), "w") as f:
        f.write("-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n\n-- migrate:upgrade\n%s\n\n-- migrate:downgrade\n%s\n"
                % (rid, rid, down, up, dn))
up = "\n".join("CREATE TABLE t%04d (id integer PRIMARY KEY, a integer NOT NULL, b varchar(64), c text DEFAULT 'x', d integer);\n"
               "CREATE INDEX ix_t%04d_a ON t%04d (a);" % (i, i, i) for i in range(t))
dn = "\n".join("DROP TABLE t%04d;" % i for i in range(t))
rev("b0000", "", up, dn)
prev = "b0000"
for k in range(1, n + 1):
    rid = "s%04d" % k
    tb = "t%04d" % (k % t)
    rev(rid, prev, "ALTER TABLE %s ADD COLUMN n%d text;\nCREATE INDEX ix_%s ON %s (n%d);" % (tb, k, rid, tb, k),
        "DROP INDEX ix_%s;\nALTER TABLE %s DROP COLUMN n%d;" % (rid, tb, k))
    prev = rid
PY
}

median() {	# median FILE: hyperfine's median of the first command, in ms
	/usr/bin/python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$1"
}

sq() {	# sq DB SQL: one sqlite3 process with the extension
	sqlite3 -bail -cmd ".load $ext sqlite3_migrate_init" "$1" "$2" >/dev/null
}

# time_sqlite BASE SQL: median ms of SQL on a fresh copy of BASE
time_sqlite() {
	hyperfine -N --style none --runs "$runs" --warmup 1 --export-json "$tmp/h.json" \
		--prepare "cp $1 $tmp/work.db" \
		"sqlite3 -bail -cmd '.load $ext sqlite3_migrate_init' $tmp/work.db '$2'" >/dev/null
	median "$tmp/h.json"
}

ratio() { /usr/bin/python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
per() { /usr/bin/python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

echo "## Rehearsal ($tables tables, $steps steps; medians of $runs runs, ms)"
echo
echo "| engine | run | rehearse | rehearse / run | stairway per step, $((steps / 2)) / $steps / $((steps * 2)) steps | migrate_schema, 1,000 tables |"
echo "|---|---|---|---|---|---|"

# ---------------------------------------------------------------- SQLite
for n in $((steps / 2)) "$steps" $((steps * 2)); do
	gen "$tmp/env$n" "$tables" "$n"
	rm -f "$tmp/base$n.db"
	sq "$tmp/base$n.db" "SELECT migrate_load('$tmp/env$n'); SELECT migrate_upgrade('b0000');"
done
gen "$tmp/big" 1000 0
rm -f "$tmp/big.db"
sq "$tmp/big.db" "SELECT migrate_load('$tmp/big'); SELECT migrate_upgrade();"

run=$(time_sqlite "$tmp/base$steps.db" "SELECT migrate_upgrade();")
reh=$(time_sqlite "$tmp/base$steps.db" "SELECT count(*) FROM migrate_rehearse();")
st=""
for n in $((steps / 2)) "$steps" $((steps * 2)); do
	t=$(time_sqlite "$tmp/base$n.db" "SELECT count(*) FROM migrate_stairway();")
	st+="${st:+ / }$(per "$t" "$n")"
done
schema=$(time_sqlite "$tmp/big.db" "SELECT count(*) FROM migrate_schema();")
floor=$(time_sqlite "$tmp/big.db" "SELECT 1;")
echo "| SQLite | $run | $reh | $(ratio "$reh" "$run") | $st | $(/usr/bin/python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$schema" "$floor") |"

# ---------------------------------------------------------------- PostgreSQL
if ! command -v pg_config >/dev/null || ! [ -f "$(pg_config --sharedir)/extension/migrate.control" ]; then
	echo "| PostgreSQL | n/a (the extension is not installed: bench/run.sh installs it) | | | | |"
	exit 0
fi
pgdir=$tmp/pg
eval "$(PGPORT_TEST=${PGPORT_BENCH:-54391} "$root/scripts/pg-cluster.sh" start "$pgdir")"
chmod -R a+rX "$tmp"
pg() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2" >/dev/null; }
for n in $((steps / 2)) "$steps" $((steps * 2)); do
	pg postgres "CREATE DATABASE base$n"
	pg "base$n" "CREATE EXTENSION migrate"
	pg "base$n" "SELECT migrate_load('$tmp/env$n')"
	pg "base$n" "SELECT migrate_upgrade('b0000')"
done
pg postgres "CREATE DATABASE big"
pg big "CREATE EXTENSION migrate"
pg big "SELECT migrate_load('$tmp/big')"
pg big "SELECT migrate_upgrade()"

# time_pg DB SQL: median ms of SQL in a transaction that is rolled back (the run's changes too)
time_pg() {
	hyperfine -N --style none --runs "$runs" --warmup 1 --export-json "$tmp/h.json" \
		"psql -X -q -d $1 -c 'BEGIN' -c '$2' -c 'ROLLBACK'" >/dev/null
	median "$tmp/h.json"
}
run=$(time_pg "base$steps" "SELECT migrate_upgrade();")
reh=$(time_pg "base$steps" "SELECT count(*) FROM migrate_rehearse();")
st=""
for n in $((steps / 2)) "$steps" $((steps * 2)); do
	t=$(time_pg "base$n" "SELECT count(*) FROM migrate_stairway();")
	st+="${st:+ / }$(per "$t" "$n")"
done
schema=$(time_pg big "SELECT count(*) FROM migrate_schema();")
floor=$(time_pg big "SELECT 1;")
echo "| PostgreSQL | $run | $reh | $(ratio "$reh" "$run") | $st | $(/usr/bin/python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$schema" "$floor") |"
