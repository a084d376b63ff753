#!/bin/bash
# from_alembic.t -- tools/migrate-from-alembic against real Alembic, on PostgreSQL.
#
# The checks live in tests/fromalembic/check.py (shared with the SQLite
# test tests/oracle/from_alembic.t): converted graphs equal Alembic's, and
# Alembic's online runs (psycopg2) and the engine's runs of the converted
# scripts leave equal schemas (pg_catalog), up, down and half-way.  Each
# database is created on run.sh's cluster and dropped at the end.
if [ -z "${PGHOST:-}" ] || [ -z "${MIGRATE_ROOT:-}" ]; then
	echo "1..0 # SKIP run by tests/pg/run.sh (PGHOST, MIGRATE_ROOT)"
	exit 0
fi
exec /usr/bin/python3 "$MIGRATE_ROOT/tests/fromalembic/check.py" postgresql
