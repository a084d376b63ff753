#!/bin/bash
# docs-graph.sh -- the README's picture: docs/graph.dot and docs/graph.svg,
# the sample environment's revision graph as the README's quick start
# leaves the database (gxy upgraded to its head, then one step down),
# drawn by migrate_graph() and Graphviz's dot.
#
# usage: scripts/docs-graph.sh           write docs/graph.dot and docs/graph.svg
#        scripts/docs-graph.sh --dot     print the DOT text only (the test
#                                        compares it with docs/graph.dot)
#
# MIGRATE_SO names the extension (default sqlite_ext/migrate.so); run from
# anywhere.  `make docs-graph` runs it after building.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
so=${MIGRATE_SO:-$root/sqlite_ext/migrate.so}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-docs-graph.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# the README's quick start, from the repository root (migrate_load reads
# the relative path 'migrations', as the README does)
q() {
	(cd "$root" && sqlite3 -bail -batch -cmd ".load '${so%.so}' sqlite3_migrate_init" "$tmp/app.db" "$@")
}
q "SELECT migrate_load('migrations');" "SELECT migrate_upgrade('gxy@head');" \
	"SELECT migrate_downgrade('gxy@-1');" >/dev/null
dot_text=$(q "SELECT migrate_graph();")

if [ "${1:-}" = --dot ]; then
	printf '%s\n' "$dot_text"
	exit 0
fi
command -v dot >/dev/null || { echo "docs-graph.sh: dot not found (Debian package graphviz)" >&2; exit 1; }
printf '%s\n' "$dot_text" >"$root/docs/graph.dot"
dot -Tsvg "$root/docs/graph.dot" >"$root/docs/graph.svg"
echo "wrote docs/graph.dot and docs/graph.svg"
