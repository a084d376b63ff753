#!/bin/bash
# test-summary.sh -- one closing line for the prove logs of `make check`.
#
# usage: scripts/test-summary.sh LOG...
#
# Each LOG is the output of one prove run (build/logs/SUITE.log; empty when
# the suite had no tests).  Prints one line per suite and then
#
#   tests: N passed, N failed
#
# where N counts test points: a run's "Tests=" total, less the "Failed:"
# counts of its summary report; a file that failed without failing test
# points (crash, sanitizer or valgrind exit, bad plan) counts as one failure.
# A missing log (its suite never ran, e.g. the build failed) is one failure.
# Exits 1 when anything failed, or when no test ran at all.
set -euo pipefail

total_pass=0
total_fail=0
for log in "$@"; do
	suite=$(basename "$log" .log)
	if [ ! -f "$log" ]; then
		echo "# $suite: did not run"
		total_fail=$((total_fail + 1))
		continue
	fi
	read -r tests points files < <(awk '
		/^Files=[0-9]+, Tests=[0-9]+,/ {
			s = $0; sub(/^Files=[0-9]+, Tests=/, "", s); sub(/,.*/, "", s)
			tests += s
		}
		/\(Wstat: [0-9]+.*Tests: [0-9]+ Failed: [0-9]+\)/ {
			s = $0; sub(/.*Failed: /, "", s); sub(/\).*/, "", s)
			if (s > 0) points += s; else files++
		}
		END { printf "%d %d %d\n", tests, points, files }
	' "$log")
	failed=$((points + files))
	if [ ! -s "$log" ]; then
		echo "# $suite: no tests"
		continue
	fi
	if ! grep -q '^Result: PASS' "$log" && [ "$failed" -eq 0 ]; then
		failed=1
	fi
	passed=$((tests > points ? tests - points : 0))
	echo "# $suite: $passed passed, $failed failed"
	total_pass=$((total_pass + passed))
	total_fail=$((total_fail + failed))
done
echo "tests: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
