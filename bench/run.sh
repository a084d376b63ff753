#!/usr/bin/env bash
# run.sh: build the extensions and run a benchmark (make bench runs it bare).
#
#   bench/run.sh [--results FILE] [compare.sh options]
#       the comparison with the floor and the peers (bench/compare.sh);
#       the report also goes to build/bench/compare.md
#   bench/run.sh graph [--results FILE] [graph.sh options]
#       the graph benchmark of 1,000 and 10,000 revisions (bench/graph.sh,
#       e.g. --callgrind, --sizes 100,1000, --runs 5)
#   bench/run.sh check [--results FILE] [check.sh options]
#       the start-up check at 100,000 revisions and 300,000 log rows
#       (bench/check.sh; the report also goes to build/bench/check.md)
#   bench/run.sh rehearse [--runs R] [--tables T] [--steps N]
#       migrate_rehearse against the run, migrate_stairway as the range
#       grows, migrate_schema of 1,000 tables (bench/rehearse.sh)
#   bench/run.sh convert [--count N] [--runs R]
#       converting an Alembic project of 500 revisions with
#       tools/migrate-from-alembic (bench/convert.sh; needs no build)
#
# Builds sqlite_ext/migrate.so with the top-level Makefile when there is one
# that makes it, else compiles core/*.c and sqlite_ext/migrate.c with gcc
# into a temporary directory.  For the comparison it also builds and
# installs the PostgreSQL extension (make -C pg_ext install, into the server
# pg_config names); when that fails, the PostgreSQL cells are n/a.  With
# --results FILE, the report is also written to FILE.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
what=compare
if [ "${1:-}" = convert ]; then
	shift
	exec "$here/convert.sh" "$@"
fi
if [ "${1:-}" = rehearse ]; then
	shift
	make -C "$root" sqlite_ext/migrate.so >&2
	# the PostgreSQL rows measure the extension as installed: install this tree's
	if command -v pg_config >/dev/null && [ -f "$root/pg_ext/Makefile" ]; then
		make -s -C "$root/pg_ext" >&2 && make -s -C "$root/pg_ext" install >/dev/null ||
			{ echo "make -C pg_ext install failed: the PostgreSQL rows would measure another build" >&2; exit 1; }
	fi
	exec "$here/rehearse.sh" --ext "$root/sqlite_ext/migrate.so" "$@"
fi
if [ "${1:-}" = graph ] || [ "${1:-}" = check ]; then
	what=$1
	shift
fi
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

if [ "$what" = graph ]; then
	cmd=("$here/graph.sh" --ext "$ext" "${args[@]}")
elif [ "$what" = check ]; then
	if command -v pg_config >/dev/null && [ -f "$root/pg_ext/Makefile" ]; then
		make -s -C "$root/pg_ext" >&2 && make -s -C "$root/pg_ext" install >/dev/null || true
	fi
	cmd=("$here/check.sh" --ext "$ext" "${args[@]}")
	mkdir -p "$root/build/bench"
	[ -n "$results" ] || results=$root/build/bench/check.md
else
	if command -v pg_config >/dev/null && [ -f "$root/pg_ext/Makefile" ]; then
		if ! { make -s -C "$root/pg_ext" >&2 && make -s -C "$root/pg_ext" install >/dev/null; }; then
			export MIGRATE_BENCH_PG_NA="make -C pg_ext install failed (run it as a user who can write to $(pg_config --pkglibdir))"
		fi
	fi
	cmd=("$here/compare.sh" --ext "$ext" "${args[@]}")
	mkdir -p "$root/build/bench"
	[ -n "$results" ] || results=$root/build/bench/compare.md
fi

if [ -n "$results" ]; then
	"${cmd[@]}" | tee "$results"
else
	"${cmd[@]}"
fi
