#!/bin/bash
# run.sh -- run one libFuzzer target of tests/fuzz/ and print TAP.
#
# usage: tests/fuzz/run.sh [--runs N | --seconds S] BINARY
#
# BINARY is build/fuzz/fuzz_<name>; its committed corpus is
# tests/fuzz/corpus/<name>/.  Two test points:
#   1. every input of the corpus replays cleanly (the regression inputs:
#      each crash ever found is kept there once fixed);
#   2. mutation from the corpus finds nothing: --runs N inputs with a
#      fixed seed (the regression run of `make check`: the same inputs
#      every time), or --seconds S with a random seed (`make fuzz`).
# Every input has FUZZ_TIMEOUT seconds (default 5): a hang is a finding,
# never a stalled run.  New inputs go to build/fuzz/corpus/<name>/ (not
# committed); a finding is written to build/fuzz/artifacts/ and the
# command that replays it is printed.
set -uo pipefail

runs=""
seconds=""
while [ $# -gt 1 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N | --seconds S] BINARY" >&2; exit 2 ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--runs N | --seconds S] BINARY" >&2; exit 2; }
bin=$1
name=$(basename "$bin")
name=${name#fuzz_}
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$root/tests/fuzz/corpus/$name
work=$root/build/fuzz/corpus/$name
art=$root/build/fuzz/artifacts
timeout=${FUZZ_TIMEOUT:-5}
mkdir -p "$work" "$art"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "1..2"
if [ ! -x "$bin" ] || [ ! -d "$corpus" ]; then
	echo "not ok 1 - $name: no target $bin or no corpus $corpus"
	echo "not ok 2 - $name: not run"
	exit 1
fi
common=(-timeout="$timeout" -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=0
	-artifact_prefix="$art/$name-")

# report N NAME STATUS: one test point from libFuzzer's exit status and log
report() {
	local n=$1 what=$2 status=$3
	if [ "$status" -eq 0 ]; then
		echo "ok $n - $name: $what"
		return
	fi
	echo "not ok $n - $name: $what (exit $status)"
	grep -E 'ERROR:|SUMMARY:|invariant failed|runtime error|Test unit written' "$log" | head -n 8 |
		sed 's/^/# /'
	local unit
	unit=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
	[ -n "$unit" ] && echo "# replay: $bin $unit"
}

n=$(find "$corpus" -type f | wc -l)
"$bin" "${common[@]}" -runs=0 "$corpus" >"$log" 2>&1
report 1 "the corpus's $n inputs replay cleanly" $?

if [ -n "$seconds" ]; then
	"$bin" "${common[@]}" -max_total_time="$seconds" "$work" "$corpus" >"$log" 2>&1
	report 2 "$seconds s of mutation from the corpus find nothing" $?
else
	runs=${runs:-2000}
	"$bin" "${common[@]}" -seed=1 -runs="$runs" "$work" "$corpus" >"$log" 2>&1
	report 2 "$runs mutations from the corpus (seed 1) find nothing" $?
fi
