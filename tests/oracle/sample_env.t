#!/usr/bin/python3
"""sample_env.t -- the sample environment migrations/ is the documented graph,
and every revision's SQL really runs, up and down, on SQLite and PostgreSQL.

The graph is pinned here (docs and tests refer to its ids, parents, labels,
tags and messages).  Then a "stairway" on each database: in upgrade order,
each revision is upgraded, downgraded (the schema must be exactly as before)
and upgraded again; at the end everything is downgraded in reverse order and
the schema must be empty.  This runs the SQL straight through the database,
without the engine or Alembic.  PostgreSQL runs in a throw-away cluster
(scripts/pg-cluster.sh); those tests are skipped when PostgreSQL is not
installed.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("MIGRATE_ROOT") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import alembic_env  # noqa: E402
from taplib import diag, done_testing, is_, ok, skip  # noqa: E402

ENV = os.path.join(ROOT, "migrations")

# id: (file, revises, branch labels, depends on, tags, message)
GRAPH = {
    "e7b6dcb09efd": ("versions_gxy/e7b6dcb09efd_create_gxy_base.sql", [], ["gxy"], [], [], "create gxy base"),
    "b182f655505f": ("versions_gxy/b182f655505f_add_user_table.sql", ["e7b6dcb09efd"], [], [], [], "add user table"),
    "186d4835587b": ("versions_gxy/186d4835587b_add_dataset_table.sql", ["b182f655505f"], [], [], [], "add dataset table"),
    "c39f1de47a04": ("versions_gxy/c39f1de47a04_add_job_table.sql", ["b182f655505f"], [], [], [], "add job table"),
    "9540a051226e": ("versions_gxy/9540a051226e_merge_job_and_dataset.sql", ["c39f1de47a04", "186d4835587b"], [], [], ["release_22.05"], "merge job and dataset"),
    "6a67bf27e6a6": ("versions_gxy/6a67bf27e6a6_add_dataset_metadata_column.sql", ["9540a051226e"], [], [], [], "add dataset metadata column"),
    "a2e418ad6a15": ("versions_gxy/a2e418ad6a15_add_job_queue_index.sql", ["6a67bf27e6a6"], [], [], ["release_23.0"], "add job queue index"),
    "d4a650f47a3c": ("versions_tsi/d4a650f47a3c_create_tsi_base.sql", [], ["tsi"], [], [], "create tsi base"),
    "3a2d6b1c9e0f": ("versions_tsi/3a2d6b1c9e0f_add_tool_shed_table.sql", ["d4a650f47a3c"], [], [], [], "add tool shed table"),
    "5555bbbb0001": ("versions_tsi/5555bbbb0001_tsi_needs_gxy_job_table.sql", ["3a2d6b1c9e0f"], [], ["c39f1de47a04"], [], "tsi needs gxy job table"),
    "5555bbbb0002": ("versions_tsi/5555bbbb0002_add_repository_status.sql", ["5555bbbb0001"], [], [], [], "add repository status"),
}
# Revisions with their own sqlite and postgresql upgrade sections.
DIALECT_SPECIFIC = {"6a67bf27e6a6", "a2e418ad6a15"}

revs = alembic_env.load_environment(ENV)
by_id = {r["revision"]: r for r in revs}

# ------------------------------------------------------------ the graph
is_(sorted(by_id), sorted(GRAPH), "the sample has exactly the documented revisions")
is_(len(revs), len(by_id), "no revision id twice")
for rev, (path, revises, labels, deps, tags, message) in sorted(GRAPH.items()):
    r = by_id.get(rev)
    if r is None:
        ok(False, "%s present" % rev)
        continue
    is_(
        (r["filename"], r["revises"], r["branch_labels"], r["depends_on"], r["tags"], r["message"]),
        (path, revises, labels, deps, tags, message),
        "%s: file, revises, labels, depends on, tags, message" % rev,
    )
is_(
    [r["revision"] for r in revs],
    ["186d4835587b", "6a67bf27e6a6", "9540a051226e", "a2e418ad6a15", "b182f655505f",
     "c39f1de47a04", "e7b6dcb09efd", "3a2d6b1c9e0f", "5555bbbb0001", "5555bbbb0002",
     "d4a650f47a3c"],
    "load order: sorted relative path",
)

for name in sorted(os.listdir(os.path.join(ENV))):
    ok(name in ("versions_gxy", "versions_tsi"), "migrations/%s is a versions directory" % name)

for r in revs:
    rev = r["revision"]
    ok(re.fullmatch(r"[0-9a-f]{12}", rev), "%s: 12 lower-case hex digits" % rev)
    ok(os.path.basename(r["filename"]).startswith(rev + "_"), "%s: file name starts with the id" % rev)
    with open(os.path.join(ENV, r["filename"]), encoding="utf-8") as f:
        text = f.read()
    ok(re.search(r"^-- Create Date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$", text, re.M),
       "%s: has a Create Date" % rev)
    ok(":" not in "".join(sum(r["sections"].values(), [])) and "%" not in text,
       "%s: no ':' or '%%' in the SQL (Alembic's text() would read them)" % rev)
    ok("\t" not in text, "%s: no tabs (Alembic's offline output turns them into spaces)" % rev)
    for direction in ("upgrade", "downgrade"):
        for dialect in ("sqlite", "postgresql"):
            ok((direction, dialect) in r["sections"] or (direction, None) in r["sections"],
               "%s: has a %s section for %s" % (rev, direction, dialect))
    specific = {d for (_, d) in r["sections"] if d is not None}
    if rev in DIALECT_SPECIFIC:
        is_(specific, {"sqlite", "postgresql"}, "%s: own sections for both dialects" % rev)
        ok(("upgrade", None) not in r["sections"], "%s: no plain upgrade section" % rev)
    else:
        is_(specific, set(), "%s: plain sections only" % rev)


# ------------------------------------------------------------ stairway
def upgrade_order():
    """Parents and dependencies first; ties broken by load order."""
    done, order = set(), []
    while len(order) < len(revs):
        for r in revs:
            if r["revision"] not in done and all(p in done for p in r["revises"] + r["depends_on"]):
                done.add(r["revision"])
                order.append(r)
                break
        else:
            raise RuntimeError("cycle in the sample")
    return order


def statements(r, direction, dialect):
    s = r["sections"]
    return s.get((direction, dialect), s.get((direction, None)))


def stairway(name, run, snapshot):
    """Upgrade, check, downgrade, compare, re-upgrade each revision."""
    order = upgrade_order()
    empty = snapshot()
    for r in order:
        rev = r["revision"]
        before = snapshot()
        err = run(statements(r, "upgrade", name))
        if not ok(err is None, "%s: %s upgrade runs" % (name, rev)):
            diag(err)
            return
        after = snapshot()
        if r["sections"].get(("upgrade", None)) == [] or statements(r, "upgrade", name) == []:
            is_(after, before, "%s: %s (empty) changes nothing" % (name, rev))
        else:
            ok(after != before, "%s: %s changes the schema" % (name, rev))
        err = run(statements(r, "downgrade", name))
        if not ok(err is None, "%s: %s downgrade runs" % (name, rev)):
            diag(err)
            return
        is_(snapshot(), before, "%s: %s downgrade restores the schema" % (name, rev))
        err = run(statements(r, "upgrade", name))
        if not ok(err is None, "%s: %s upgrade runs again" % (name, rev)):
            diag(err)
            return
        is_(snapshot(), after, "%s: %s upgrade again gives the same schema" % (name, rev))
    for r in reversed(order):
        err = run(statements(r, "downgrade", name))
        if not ok(err is None, "%s: %s final downgrade runs" % (name, r["revision"])):
            diag(err)
            return
    is_(snapshot(), empty, "%s: everything downgraded: the schema is empty again" % name)


# SQLite, through Python's sqlite3 module.
with tempfile.TemporaryDirectory() as tmp:
    con = sqlite3.connect(os.path.join(tmp, "stair.db"), isolation_level=None)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = OFF")
    ok(sqlite3.sqlite_version_info >= (3, 35, 0), "SQLite %s has DROP COLUMN" % sqlite3.sqlite_version)

    def sqlite_run(stmts):
        try:
            for s in stmts:
                con.execute(s)
        except sqlite3.Error as e:
            return "%s: %s" % (s, e)
        return None

    def sqlite_snapshot():
        snap = []
        for kind, name, tbl, sql in con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ):
            if kind == "table":
                cols = con.execute("SELECT * FROM pragma_table_info(?)", (name,)).fetchall()
                fks = con.execute("SELECT * FROM pragma_foreign_key_list(?)", (name,)).fetchall()
                snap.append((kind, name, tuple(cols), tuple(fks)))
            else:
                snap.append((kind, name, tbl, sql))
        return snap

    stairway("sqlite", sqlite_run, sqlite_snapshot)
    con.close()


# PostgreSQL, through psql on a throw-away cluster.
def pg_stairway():
    if not shutil.which("pg_config"):
        skip("postgresql stairway", "PostgreSQL is not installed (scripts/deps.sh test)")
        return
    tmp = tempfile.mkdtemp(prefix="migrate-sample-pg.")
    cluster = os.path.join(tmp, "pg")
    script = os.path.join(ROOT, "scripts", "pg-cluster.sh")
    p = subprocess.run([script, "start", cluster], capture_output=True, text=True)
    if not ok(p.returncode == 0, "postgresql: a throw-away cluster starts"):
        diag(p.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    env = dict(os.environ)
    for key, value in re.findall(r"(PG\w+)='?([^'\s]*)'?", p.stdout):
        env[key] = value
    try:
        def psql(sql):
            return subprocess.run(
                ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"],
                input=sql, env=env, capture_output=True, text=True,
            )

        snap_sql = (
            "SELECT table_name, column_name, data_type, is_nullable, "
            "coalesce(column_default, ''), coalesce(character_maximum_length, 0) "
            "FROM information_schema.columns WHERE table_schema = 'public' "
            "ORDER BY 1, 2;\n"
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = 'public' ORDER BY 1, 2;\n"
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
            "ORDER BY 1, 2;\n"
        )
        # Each run also takes the snapshot after it, in the same psql call
        # (one connection per step keeps the test quick).
        last = []

        def pg_run(stmts):
            p = psql("".join(s + ";\n" for s in stmts) + snap_sql)
            last[:] = [p.stdout.splitlines()] if p.returncode == 0 else []
            return None if p.returncode == 0 else p.stderr

        def pg_snapshot():
            if last:
                return last[0]
            p = psql(snap_sql)
            if p.returncode != 0:
                raise RuntimeError(p.stderr)
            return p.stdout.splitlines()

        stairway("postgresql", pg_run, pg_snapshot)
    finally:
        subprocess.run([script, "stop", cluster], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


pg_stairway()
sys.exit(done_testing())
