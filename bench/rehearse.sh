#!/usr/bin/env bash
# rehearse.sh -- what proving a migration costs: migrate_rehearse against
# the run it rehearses, migrate_stairway as the history grows,
# migrate_schema of a large schema.  Each row states its goal (issue 15).
#
#   bench/rehearse.sh [--ext PATH] [--runs R] [--tables T] [--steps N]
#                     [--stairway N1,N2,N3] [--big B] [--no-pg]
#       (defaults: sqlite_ext/migrate.so, 5 runs, 100 tables, 50 steps,
#        stairway 250,500,1000 revisions, 1,000 tables)
#
# Rows (hyperfine medians, one client process per run; SQLite on a fresh
# copy of the database each run, PostgreSQL in a transaction rolled back
# after the call; the spread is the lowest and highest run):
#
#   rehearse   a base revision makes T tables (five columns and an index
#              each), then N revisions each add a column and an index to
#              one of them; from the base: SELECT migrate_upgrade() (run)
#              against SELECT count(*) FROM migrate_rehearse() (the same
#              steps, every one rolled back, with the schema read after
#              each).  Goal: rehearse / run at most 1.3.
#   stairway   a linear history of N1, N2, N3 revisions, each making a
#              table with an index and a foreign key to the one before
#              (its downgrade drops it): SELECT count(*) FROM
#              migrate_stairway() from base, per revision, beside
#              migrate_upgrade() of the same history per revision.  Goal:
#              the stairway's time per revision flat as the history grows
#              (linear in the number of revisions).
#   schema     B tables (five columns, an index, a foreign key each):
#              SELECT count(*) FROM migrate_schema(), less the same client
#              loading the extension and reading one setting (SELECT
#              migrate_config('version_table')).  Goal: milliseconds.
#
# With PostgreSQL (pg_config on PATH and the extension installed, as
# bench/run.sh does; not with --no-pg), the same rows on a throw-away
# cluster through psql.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ext=$root/sqlite_ext/migrate.so
runs=5
tables=100
steps=50
stair=250,500,1000
big=1000
pg=1
while [ $# -gt 0 ]; do
	case $1 in
		--ext) ext=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		--tables) tables=$2; shift 2 ;;
		--steps) steps=$2; shift 2 ;;
		--stairway) stair=$2; shift 2 ;;
		--big) big=$2; shift 2 ;;
		--no-pg) pg=0; shift ;;
		*) echo "usage: $0 [--ext PATH] [--runs R] [--tables T] [--steps N] [--stairway N1,N2,N3] [--big B] [--no-pg]" >&2; exit 2 ;;
	esac
done
command -v hyperfine >/dev/null || { echo "hyperfine not found (scripts/deps.sh bench)" >&2; exit 1; }
ext=${ext%.so}
IFS=, read -r -a sizes <<<"$stair"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench-rehearse.XXXXXX")
chmod 755 "$tmp"
pgdir=""
cleanup() {
	[ -n "$pgdir" ] && "$root/scripts/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# gen KIND DIR ARGS...: an environment
#   steps DIR T N: a base revision of T tables, then N revisions adding a column and an index
#   chain DIR N:   N revisions, each a table with an index and a foreign key to the one before
#   big DIR B:     one revision of B tables with an index and a foreign key each
gen() {
	/usr/bin/python3 - "$@" <<'PY'
import os, sys
kind, d = sys.argv[1], sys.argv[2]
os.makedirs(d, exist_ok=True)
def rev(rid, down, up, dn):
    with open(os.path.join(d, rid + ".sql"), "w") as f:
        f.write("-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n\n-- migrate:upgrade\n%s\n\n-- migrate:downgrade\n%s\n"
                % (rid, rid, down, up, dn))
def table(i, ref):
    return ("CREATE TABLE t%04d (id integer PRIMARY KEY, a integer NOT NULL, b varchar(64), c text DEFAULT 'x', "
            "d integer%s);\nCREATE INDEX ix_t%04d_a ON t%04d (a);"
            % (i, ", p integer REFERENCES t%04d (id)" % ref if ref is not None else "", i, i))
if kind == "steps":
    t, n = int(sys.argv[3]), int(sys.argv[4])
    rev("b0000", "", "\n".join(table(i, None) for i in range(t)), "\n".join("DROP TABLE t%04d;" % i for i in range(t)))
    prev = "b0000"
    for k in range(1, n + 1):
        rid, tb = "s%04d" % k, "t%04d" % (k % t)
        rev(rid, prev, "ALTER TABLE %s ADD COLUMN n%d text;\nCREATE INDEX ix_%s ON %s (n%d);" % (tb, k, rid, tb, k),
            "DROP INDEX ix_%s;\nALTER TABLE %s DROP COLUMN n%d;" % (rid, tb, k))
        prev = rid
elif kind == "chain":
    n, prev = int(sys.argv[3]), ""
    for k in range(n):
        rid = "c%04d" % k
        rev(rid, prev, table(k, k - 1 if k else None), "DROP TABLE t%04d;" % k)
        prev = rid
else:
    b = int(sys.argv[3])
    rev("g0000", "", "\n".join(table(i, i - 1 if i else None) for i in range(b)),
        "\n".join("DROP TABLE t%04d;" % i for i in reversed(range(b))))
PY
}

# stats FILE: "median min max" of hyperfine's first command, in ms
stats() {
	/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f %.1f %.1f" % (r["median"]*1000, r["min"]*1000, r["max"]*1000))' "$1"
}
calc() { /usr/bin/python3 -c "print('%.${2:-2}f' % ($1))"; }
cell() { set -- $1; echo "$1 ($2-$3)"; }	# "median (min-max)"

sq() {	# sq DB SQL: one sqlite3 process with the extension
	sqlite3 -bail -cmd ".load $ext sqlite3_migrate_init" "$1" "$2" >/dev/null
}

# time_sqlite BASE SQL: stats of SQL on a fresh copy of BASE
time_sqlite() {
	hyperfine -N --style none --runs "$runs" --warmup 1 --export-json "$tmp/h.json" \
		--prepare "cp $1 $tmp/work.db" \
		"sqlite3 -bail -cmd '.load $ext sqlite3_migrate_init' $tmp/work.db '$2'" >/dev/null
	stats "$tmp/h.json"
}

# time_pg DB SQL: stats of SQL in a transaction that is rolled back (the run's changes too)
time_pg() {
	hyperfine -N --style none --runs "$runs" --warmup 1 --export-json "$tmp/h.json" \
		"psql -X -q -d $1 -c 'BEGIN' -c '$2' -c 'ROLLBACK'" >/dev/null
	stats "$tmp/h.json"
}

gen steps "$tmp/steps" "$tables" "$steps"
for n in "${sizes[@]}"; do gen chain "$tmp/chain$n" "$n"; done
gen big "$tmp/big" "$big"
chmod -R a+rX "$tmp"

echo "## Rehearsal, stairway and schema (medians of $runs runs, lowest-highest in parentheses, ms)"
echo
echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo

# the rows of the three tables, engine by engine (measure); the timing function is time_sqlite
# or time_pg, its first argument a database file (SQLite) or name (PostgreSQL)
reh_rows=()
st_rows=()
sc_rows=()
measure() {	# measure ENGINE TIMER STEPS_DB CHAIN_PREFIX CHAIN_SUFFIX BIG_DB
	local engine=$1 timer=$2 sdb=$3 cpre=$4 csuf=$5 bdb=$6 run reh st up n s1 s0
	run=$($timer "$sdb" "SELECT migrate_upgrade();")
	reh=$($timer "$sdb" "SELECT count(*) FROM migrate_rehearse();")
	reh_rows+=("| $engine | $(cell "$run") | $(cell "$reh") | $(calc "${reh%% *} / ${run%% *}") |")
	for n in "${sizes[@]}"; do
		st=$($timer "$cpre$n$csuf" "SELECT count(*) FROM migrate_stairway();")
		up=$($timer "$cpre$n$csuf" "SELECT migrate_upgrade();")
		st_rows+=("| $engine | $n | $(cell "$st") | $(calc "${st%% *} / $n" 3) | $(cell "$up") | $(calc "${up%% *} / $n" 3) |")
	done
	s1=$($timer "$bdb" "SELECT count(*) FROM migrate_schema();")
	s0=$($timer "$bdb" "SELECT migrate_config('\''version_table'\'');")
	sc_rows+=("| $engine | $(cell "$s1") | $(cell "$s0") | $(calc "${s1%% *} - ${s0%% *}" 1) |")
}

# ---------------------------------------------------------------- SQLite
sq "$tmp/steps.db" "SELECT migrate_load('$tmp/steps'); SELECT migrate_upgrade('b0000');"
for n in "${sizes[@]}"; do sq "$tmp/chain$n.db" "SELECT migrate_load('$tmp/chain$n');"; done
sq "$tmp/big.db" "SELECT migrate_load('$tmp/big'); SELECT migrate_upgrade();"
measure SQLite time_sqlite "$tmp/steps.db" "$tmp/chain" .db "$tmp/big.db"

# ---------------------------------------------------------------- PostgreSQL
if [ "$pg" = 1 ] && command -v pg_config >/dev/null && [ -f "$(pg_config --sharedir)/extension/migrate.control" ]; then
	pgdir=$tmp/pg
	eval "$(PGPORT_TEST=${PGPORT_BENCH:-54391} "$root/scripts/pg-cluster.sh" start "$pgdir")"
	chmod -R a+rX "$tmp"
	p() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2" >/dev/null 2>&1; }
	p postgres "CREATE DATABASE steps"
	p steps "CREATE EXTENSION migrate"
	p steps "SELECT migrate_load('$tmp/steps')"
	p steps "SELECT migrate_upgrade('b0000')"
	for n in "${sizes[@]}"; do
		p postgres "CREATE DATABASE chain$n"
		p "chain$n" "CREATE EXTENSION migrate"
		p "chain$n" "SELECT migrate_load('$tmp/chain$n')"
	done
	p postgres "CREATE DATABASE big"
	p big "CREATE EXTENSION migrate"
	p big "SELECT migrate_load('$tmp/big')"
	p big "SELECT migrate_upgrade()"
	measure PostgreSQL time_pg steps chain "" big
else
	reh_rows+=("| PostgreSQL | n/a (the extension is not installed: bench/run.sh installs it) | | |")
fi

echo "### Rehearse: $steps steps on $tables tables (goal: rehearse / run at most 1.3)"
echo
echo "| engine | run: migrate_upgrade() | rehearse: migrate_rehearse() | rehearse / run |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${reh_rows[@]}"
echo
echo "### Stairway: a linear history, each revision a table with an index and a foreign key (goal: flat time per revision)"
echo
echo "| engine | revisions | migrate_stairway() | per revision | migrate_upgrade() | per revision |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${st_rows[@]}"
echo
echo "### migrate_schema() of $big tables, each with five columns, an index and a foreign key (goal: milliseconds)"
echo
echo "| engine | migrate_schema() | floor: SELECT migrate_config('version_table') | net |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${sc_rows[@]}"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
