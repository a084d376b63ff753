#!/bin/bash
# demo.sh -- a sqlite3 shell session with the migrate extension.
#
# usage: scripts/demo.sh          (make demo builds the extension first)
#
# Loads sqlite_ext/migrate.so (or $MIGRATE_SO) into the sqlite3 shell on a
# fresh temporary database, reads the sample environment migrations/ into
# the catalog, upgrades the gxy branch to its head, shows the history (one
# line per revision, as `alembic history` prints it), steps gxy back one
# revision and shows the current revision.  The shell echoes each statement
# before its result; the first error stops the session.
set -euo pipefail

root=${MIGRATE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
so=${MIGRATE_SO:-$root/sqlite_ext/migrate.so}
cd "$root"
[ -f "$so" ] || { echo "demo.sh: $so not built (run make)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
db=$tmp/demo.db

echo "-- sqlite3 $db"
sqlite3 -bail "$db" <<SQL
.echo on
.headers on
.mode box --wrap 0
.load ${so%.so}
SELECT migrate_load('migrations');
SELECT migrate_upgrade('gxy@head');
SELECT line FROM migrate_history();
SELECT migrate_downgrade('gxy@-1');
SELECT * FROM migrate_current();
SQL
