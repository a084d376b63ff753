#!/usr/bin/env bash
# convert.sh -- how long tools/migrate-from-alembic takes on a large project.
#
#   bench/convert.sh [--count N] [--runs R]      (defaults: 500 revisions, 5 runs)
#
# Writes the branchy workload's Alembic environment (bench/gen_workload.py
# --formats alembic: N revision files with branch labels and merges) and
# times converting it with hyperfine, for one dialect and for both, into an
# empty directory each run.  Alembic's script directory is loaded once per
# run, whatever N is.  Prints a Markdown table: wall seconds (median, min,
# max) and the tool's user+system CPU seconds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
count=500
runs=5
while [ $# -gt 0 ]; do
	case $1 in
		--count) count=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		*) echo "usage: $0 [--count N] [--runs R]" >&2; exit 2 ;;
	esac
done
command -v hyperfine >/dev/null || { echo "hyperfine not found (scripts/deps.sh bench)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench-convert.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/gen_workload.py" --shape branchy --count "$count" --formats alembic \
	--out "$tmp/wl" >&2
tool=$root/tools/migrate-from-alembic

echo "| converting $count revisions (branchy) | wall s, median | min | max | CPU s (user+sys), mean |"
echo "|---|---|---|---|---|"
for dialects in "--dialect postgresql" "--dialect postgresql --dialect sqlite"; do
	hyperfine -N --style none --runs "$runs" --export-json "$tmp/h.json" \
		--prepare "rm -rf $tmp/out" \
		"/usr/bin/python3 $tool -q $tmp/wl/alembic $tmp/out $dialects" >/dev/null
	n=$(find "$tmp/out" -name '*.sql' | wc -l)
	[ "$n" -eq "$count" ] || { echo "convert.sh: $n files written, $count expected" >&2; exit 1; }
	/usr/bin/python3 - "$tmp/h.json" "${dialects//--dialect /}" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
t = r["times"]
print("| %s | %.2f | %.2f | %.2f | %.2f |" % (
    sys.argv[2].strip().replace(" ", " + "), statistics.median(t), min(t), max(t),
    r["user"] + r["system"]))
PY
done
