#!/usr/bin/python3
"""from_alembic.t -- tools/migrate-from-alembic against real Alembic, on SQLite.

The checks live in tests/fromalembic/check.py (shared with the PostgreSQL
test tests/pg/from_alembic.t): converted graphs equal Alembic's, and
Alembic's online runs and the engine's runs of the converted scripts leave
equal schemas, up, down and half-way.
"""
import os
import sys

root = os.environ.get("MIGRATE_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.argv = [sys.argv[0], "sqlite"]
sys.path.insert(0, os.path.join(root, "tests", "fromalembic"))
import check  # noqa: E402

sys.exit(check.main())
