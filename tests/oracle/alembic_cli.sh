#!/bin/bash
# alembic_cli.sh -- the alembic command line on a migrate environment.
#
# usage: tests/oracle/alembic_cli.sh ALEMBIC_ARGS...
#
#   tests/oracle/alembic_cli.sh history
#   MIGRATE_ORACLE_URL=postgresql:// tests/oracle/alembic_cli.sh upgrade heads --sql
#   MIGRATE_ORACLE_URL=sqlite:////tmp/x.db tests/oracle/alembic_cli.sh upgrade gxy@head
#
# Converts $MIGRATE_ORACLE_SRC (default: the repository's migrations/) into
# an Alembic environment with alembic_env.py and runs `alembic -c
# <env>/alembic.ini ALEMBIC_ARGS...` on it, with the patches that make
# Alembic deterministic.  The environment is built in a temporary directory
# and removed afterwards, unless MIGRATE_ORACLE_ENV names a directory to
# build it in (and keep).  The URL comes from MIGRATE_ORACLE_URL: a SQLite
# URL for online commands, or just `sqlite://` / `postgresql://` to pick the
# dialect of offline (--sql) output; default: a SQLite file oracle.db in
# the environment directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${MIGRATE_ORACLE_SRC:-$(cd "$here/../.." && pwd)/migrations}
env=${MIGRATE_ORACLE_ENV:-}
if [ -z "$env" ]; then
	env=$(mktemp -d "${TMPDIR:-/tmp}/migrate-alembic.XXXXXX")
	trap 'rm -rf "$env"' EXIT
fi
/usr/bin/python3 "$here/alembic_env.py" build "$src" "$env"
/usr/bin/python3 "$here/alembic_env.py" cli "$env" "$@"
