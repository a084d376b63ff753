#!/usr/bin/env bash
# run.sh: build the SQLite extension and run the graph benchmark.
#
# Builds sqlite_ext/migrate.so with the top-level Makefile when there is one
# that makes it, else compiles core/*.c and sqlite_ext/migrate.c with gcc
# into a temporary directory; then runs bench/graph.sh with it. Arguments are
# passed on to graph.sh (e.g. --callgrind, --sizes 100,1000, --runs 5).
# With --results FILE, the report is also written to FILE.
#
# Usage: bench/run.sh [--results FILE] [graph.sh options]

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
results=""
args=()
while [ $# -gt 0 ]; do
	case $1 in
		--results) results=$2; shift 2 ;;
		*) args+=("$1"); shift ;;
	esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

ext=""
if [ -f "$root/Makefile" ] && make -C "$root" sqlite_ext/migrate.so >&2 &&
	[ -f "$root/sqlite_ext/migrate.so" ]; then
	ext=$root/sqlite_ext/migrate.so
else
	# the file must be called migrate.so: sqlite3 derives the entry point
	# sqlite3_migrate_init from the file name
	ext=$tmp/migrate.so
	echo "building $ext" >&2
	gcc -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -I"$root/core" \
		"$root/sqlite_ext/migrate.c" "$root"/core/*.c -o "$ext"
fi

if [ -n "$results" ]; then
	"$here/graph.sh" --ext "$ext" "${args[@]}" | tee "$results"
else
	"$here/graph.sh" --ext "$ext" "${args[@]}"
fi
