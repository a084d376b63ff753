#!/usr/bin/env bash
# graph.sh: benchmark of the engine's graph work (catalog graph, heads,
# history, planning, current, no-op upgrade) at two sizes, to show how it grows.
#
# For each shape (branchy, chain) and size (default 1000 and 10000 revisions):
#   1. bench/gen_graph.py writes the environment;
#   2. migrate_load(dir) reads it into a fresh SQLite database file (timed once);
#   3. each read operation runs as its own sqlite3 process on that file, so
#      every sample includes starting sqlite3, .load, reading the catalog and
#      building the graph; timed by hyperfine, or by a date +%s%N loop;
#   4. a copy of the database is upgraded to heads (timed once), and current
#      and the no-op upgrade are timed on it; the same upgrade SQL, taken from
#      migrate_upgrade_sql and run directly by sqlite3 in one transaction, is
#      the floor (timed once).
# Every operation's answer is checked once before it is timed.
# Prints a Markdown report: machine, medians in ms, ratio large/small.
# With --callgrind, also valgrind callgrind instruction counts (stable, unlike
# wall time) of chosen operations on the branchy shape at both sizes, and the
# extension's functions whose counts grow fastest.
#
# Usage: bench/graph.sh --ext PATH/migrate.so [--sizes 1000,10000]
#        [--shapes branchy,chain] [--runs N] [--warmup N] [--no-floor]
#        [--no-hyperfine]
#        [--callgrind[=history,plan,...]] [--work DIR] [--keep]

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ext=""
sizes="1000,10000"
shapes="branchy,chain"
runs=10
warmup=2
floor=1
use_hf=1
cg_ops=""
work=""
keep=0
seed=1

usage() {
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
	case $1 in
		--ext) ext=$2; shift 2 ;;
		--sizes) sizes=$2; shift 2 ;;
		--shapes) shapes=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		--warmup) warmup=$2; shift 2 ;;
		--no-floor) floor=0; shift ;;
		--no-hyperfine) use_hf=0; shift ;;
		--callgrind) cg_ops=history; shift ;;
		--callgrind=*) cg_ops=${1#*=}; shift ;;
		--work) work=$2; shift 2 ;;
		--keep) keep=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) echo "graph.sh: unknown argument \"$1\"" >&2; usage >&2; exit 2 ;;
	esac
done

die() { echo "graph.sh: $*" >&2; exit 1; }

[ -n "$ext" ] || die "--ext PATH/migrate.so is required (bench/run.sh builds it)"
[ -f "$ext" ] || die "extension \"$ext\" not found"
ext=$(cd "$(dirname "$ext")" && pwd)/$(basename "$ext")
command -v sqlite3 >/dev/null || die "sqlite3 not found (Debian package sqlite3)"
py=$(command -v python3 || true)
[ -n "$py" ] || die "python3 not found"
IFS=, read -r small large <<<"$sizes"
case "${small:-x},${large:-x}" in
	*[!0-9,]*) die "--sizes wants two sizes, e.g. 1000,10000" ;;
esac
if [ "$small" -lt 1 ] || [ "$large" -le "$small" ]; then
	die "--sizes wants a small then a larger size"
fi

if [ "$use_hf" = 1 ] && ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ] &&
	command -v apt-get >/dev/null; then
	echo "installing hyperfine..." >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1; } || true
fi
have_hf=0
[ "$use_hf" = 1 ] && command -v hyperfine >/dev/null && have_hf=1
if [ -n "$cg_ops" ]; then
	if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
		echo "graph.sh: valgrind not found, skipping --callgrind" >&2
		cg_ops=""
	fi
fi

if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench.XXXXXX")
	[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
else
	mkdir -p "$work"
fi
results=$work/results.tsv
: >"$results"

now_ns() { date +%s%N; }
ms_since() { echo "$(( ($(now_ns) - $1) / 1000 ))" | awk '{ printf "%.3f", $1 / 1000 }'; }

# q DB SQL: run SQL in a fresh sqlite3 with the extension loaded
q() { sqlite3 "$1" ".load $ext" "$2"; }

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || die "$1: got \"$2\", expected \"$3\""
}

# timeit SHAPE SIZE OP DB SQL [RUNS]: median of repeated runs, appended to results
timeit() {
	local shape=$1 size=$2 op=$3 db=$4 sql=$5 runs=${6:-$runs} ms
	if [ "$have_hf" = 1 ]; then
		local json=$work/hf_${shape}_${size}_${op}.json
		hyperfine -N --style none --warmup "$warmup" --runs "$runs" \
			--export-json "$json" \
			"sqlite3 '$db' '.load $ext' \"$sql\"" >/dev/null
		ms=$("$py" "$here/graph_table.py" median "$json")
	else
		local i t0 samples=()
		for ((i = 0; i < warmup; i++)); do q "$db" "$sql" >/dev/null; done
		for ((i = 0; i < runs; i++)); do
			t0=$(now_ns)
			q "$db" "$sql" >/dev/null
			samples+=($(( $(now_ns) - t0 )))
		done
		ms=$("$py" "$here/graph_table.py" median-ns "${samples[@]}")
	fi
	printf '%s\t%s\t%s\t%s\n' "$shape" "$size" "$op" "$ms" >>"$results"
	printf '  %-16s %10s ms\n' "$op" "$ms" >&2
}

# record SHAPE SIZE OP MS
record() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"
	printf '  %-16s %10s ms (once)\n' "$3" "$4" >&2
}

bench_case() {
	local shape=$1 n=$2 nheads t0 ms out
	local env=$work/env_${shape}_$n db=$work/${shape}_$n.db up=$work/${shape}_${n}_up.db
	case $shape in
		branchy) nheads=4 ;;
		chain) nheads=1 ;;
		*) die "unknown shape \"$shape\"" ;;
	esac
	echo "== $shape $n" >&2
	"$py" "$here/gen_graph.py" --shape "$shape" --count "$n" --seed "$seed" --out "$env" >&2
	rm -f "$db" "$up"

	t0=$(now_ns)
	out=$(q "$db" "SELECT migrate_load('$env')")
	ms=$(ms_since "$t0")
	case $out in
		"$n revisions"*) ;;
		*) die "$shape $n load: got \"$out\"" ;;
	esac
	record "$shape" "$n" load "$ms"

	expect "$shape $n baseline" "$(q "$db" "SELECT 1")" 1
	expect "$shape $n heads" "$(q "$db" "SELECT count(*) FROM migrate_heads()")" "$nheads"
	expect "$shape $n history" "$(q "$db" "SELECT count(*) FROM migrate_history()")" "$n"
	out=$(q "$db" "SELECT length(migrate_upgrade_sql('base:heads'))")
	[ "$out" -gt 0 ] 2>/dev/null || die "$shape $n plan: got \"$out\""
	# the baselines are subtracted from every other median: sample them more
	timeit "$shape" "$n" baseline "$db" "SELECT 1" $((runs * 3))
	timeit "$shape" "$n" heads "$db" "SELECT count(*) FROM migrate_heads()"
	timeit "$shape" "$n" history "$db" "SELECT count(*) FROM migrate_history()"
	timeit "$shape" "$n" plan "$db" "SELECT length(migrate_upgrade_sql('base:heads'))"

	cp "$db" "$up"
	t0=$(now_ns)
	q "$up" "SELECT migrate_upgrade('heads')" >/dev/null
	ms=$(ms_since "$t0")
	record "$shape" "$n" upgrade "$ms"
	expect "$shape $n tables after upgrade" \
		"$(sqlite3 "$up" "SELECT count(*) FROM sqlite_schema WHERE name GLOB 't_*'")" "$n"
	expect "$shape $n current" "$(q "$up" "SELECT count(*) FROM migrate_current()")" "$nheads"
	out=$(q "$up" "SELECT migrate_upgrade('heads')")
	case $out in
		"nothing to do"*) ;;
		*) die "$shape $n no-op upgrade: got \"${out:0:200}\"" ;;
	esac
	timeit "$shape" "$n" baseline_schema "$up" "SELECT count(*) FROM sqlite_schema" $((runs * 2))
	timeit "$shape" "$n" current "$up" "SELECT count(*) FROM migrate_current()"
	timeit "$shape" "$n" noop "$up" "SELECT migrate_upgrade('heads')"

	if [ "$floor" = 1 ]; then
		local sqlf=$work/${shape}_$n.sql raw=$work/${shape}_${n}_raw.db
		{
			echo "BEGIN;"
			q "$db" "SELECT migrate_upgrade_sql('base:heads')"
			echo "COMMIT;"
		} >"$sqlf"
		rm -f "$raw"
		t0=$(now_ns)
		sqlite3 "$raw" <"$sqlf" >/dev/null
		ms=$(ms_since "$t0")
		record "$shape" "$n" floor "$ms"
		expect "$shape $n tables after floor" \
			"$(sqlite3 "$raw" "SELECT count(*) FROM sqlite_schema WHERE name GLOB 't_*'")" "$n"
		rm -f "$raw"
	fi
	rm -rf "$env"
}

start=$(now_ns)
IFS=, read -r -a shape_list <<<"$shapes"
for shape in "${shape_list[@]}"; do
	for n in "$small" "$large"; do
		bench_case "$shape" "$n"
	done
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "## Graph benchmark"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr)"
echo "- sqlite3: $(sqlite3 --version | cut -d' ' -f1-2)"
if [ "$have_hf" = 1 ]; then
	timer=$(hyperfine --version)
else
	timer="date +%s%N loop"
fi
echo "- timer: $timer; per operation $warmup warm-up runs, then the median of $runs runs ($((runs * 3)) for the baseline, $((runs * 2)) for the upgraded baseline)"
echo "- shapes: branchy = 4 labelled branches, each forking into two arms of 4 and merging every 10 revisions; chain = one straight line"
echo
"$py" "$here/graph_table.py" table "$results" "$small" "$large"

if [ -n "$cg_ops" ]; then
	# callgrind splits a function built with -g into one entry per source
	# file of inlined code; without debug information each function is one
	# entry, which is what the comparison wants
	mkdir -p "$work/cg"
	cgext=$work/cg/$(basename "$ext")
	cp "$ext" "$cgext"
	strip --strip-debug "$cgext" 2>/dev/null || cp "$ext" "$cgext"
	[ -f "$work/branchy_$small.db" ] || die "--callgrind needs the branchy shape"

	# cg_run OP N: profile OP on the branchy database of size N, once
	cg_run() {
		local op=$1 n=$2 sql db=$work/branchy_$2.db
		local out=$work/cg_$1_$2.out
		[ -f "$out" ] && return 0
		case $op in
			baseline) sql="SELECT 1" ;;
			baseline_schema) sql="SELECT count(*) FROM sqlite_schema"; db=$work/branchy_${n}_up.db ;;
			heads) sql="SELECT count(*) FROM migrate_heads()" ;;
			history) sql="SELECT count(*) FROM migrate_history()" ;;
			plan) sql="SELECT length(migrate_upgrade_sql('base:heads'))" ;;
			current) sql="SELECT count(*) FROM migrate_current()"; db=$work/branchy_${n}_up.db ;;
			noop) sql="SELECT migrate_upgrade('heads')"; db=$work/branchy_${n}_up.db ;;
			*) die "--callgrind: unknown operation \"$op\" (heads, history, plan, current, noop)" ;;
		esac
		echo "== callgrind $op branchy $n" >&2
		valgrind --tool=callgrind --callgrind-out-file="$out" \
			sqlite3 "$db" ".load $cgext" "$sql" >/dev/null 2>"$work/cg_$1_$2.log" ||
			die "valgrind failed, see $work/cg_$1_$2.log"
	}

	IFS=, read -r -a cg_list <<<"$cg_ops"
	for op in "${cg_list[@]}"; do
		case $op in
			current|noop) base=baseline_schema ;;
			*) base=baseline ;;
		esac
		for n in "$small" "$large"; do
			cg_run "$op" "$n"
			cg_run "$base" "$n"
		done
		echo
		echo "### callgrind: $op, branchy, $small vs $large revisions"
		echo
		echo "Instruction counts of one sqlite3 process (valgrind --tool=callgrind); linear growth gives a ratio of about $((large / small)). Net: minus the same count for the baseline \`$base\`."
		echo
		"$py" "$here/graph_table.py" callgrind "$work/cg_${op}_$small.out" \
			"$work/cg_${op}_$large.out" "$(basename "$ext")" "$((large / small))" \
			"$work/cg_${base}_$small.out" "$work/cg_${base}_$large.out"
	done
fi

echo
echo "total run time: $(( ($(now_ns) - start) / 1000000000 )) s"
[ "$keep" = 1 ] && echo "work files kept in $work" >&2
exit 0
