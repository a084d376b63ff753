#!/usr/bin/python3
"""check.py -- tools/migrate-from-alembic against real Alembic, on one dialect.

usage: check.py sqlite          (MIGRATE_SO, MIGRATE_ROOT; tests/oracle/from_alembic.t)
       check.py postgresql      (PGHOST, PGPORT, PGUSER, MIGRATE_ROOT; tests/pg/from_alembic.t)

Prints TAP.  The Alembic environments under tests/fromalembic/ are
converted, then, for each:

  graph  the converted catalog's history and heads are `alembic history`
         and `alembic heads`, line for line;
  (a)    Alembic's online `upgrade heads` on one fresh database and the
         engine's migrate_upgrade('heads') of the converted scripts on
         another run the same steps (the run logs) and leave the same
         schema (read from the catalogs: sqlite_schema and pragmas, or
         pg_catalog), the same alembic_version and the same rows;
  (b)    the same after `downgrade base` / migrate_downgrade('base');
  (c)    a database Alembic upgraded half-way is finished by the engine
         (the steps Alembic itself would run from there) and taken back to
         base by Alembic.

The datafix environment has revisions that read the database: converting
it reports them and writes nothing for them; with --write-unfinished they
are written and fail loudly, changing nothing, until the test finishes
them by hand; then (a) to (c) hold for it too.

Alembic runs in this process, with the oracle's patches that make its
orders deterministic (tests/oracle/alembic_env.py: files read in sorted
order, as the engine reads them).
"""

import io
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("MIGRATE_ROOT") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))

from taplib import diag, done_testing, is_, ok  # noqa: E402

TOOL = os.path.join(ROOT, "tools", "migrate-from-alembic")
PY = "/usr/bin/python3"
DIALECT = sys.argv[1] if len(sys.argv) > 1 else "sqlite"


# ------------------------------------------------------------ the converter


def convert(src, out, *extra):
    """Run the converter; returns (status, stdout, stderr)."""
    p = subprocess.run(
        [PY, TOOL, src, out, "--dialect", DIALECT] + list(extra),
        capture_output=True,
        text=True,
    )
    return p.returncode, p.stdout, p.stderr


def readable(path):
    """Let the database server's account read a converted tree."""
    for d, dirs, files in os.walk(path):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)


# ------------------------------------------------------------ Alembic


class Alembic:
    """Alembic's command API on one environment and one database URL."""

    def __init__(self, env):
        import alembic_env

        alembic_env.patch_alembic()
        self.ini = os.path.join(HERE, env, "alembic.ini")
        self.log = []
        handler = logging.Handler()
        handler.emit = lambda record: self.log.append(record.getMessage())
        logger = logging.getLogger("alembic.runtime.migration")
        logger.setLevel(logging.INFO)
        logger.handlers[:] = [handler]
        logger.propagate = False

    def run(self, url, command, *args):
        """Run one command; returns (stdout, the run's "Running ..." lines)."""
        from alembic import command as commands
        from alembic.config import Config

        out = io.StringIO()
        cfg = Config(self.ini, stdout=out)
        cfg.attributes["url"] = url
        del self.log[:]
        getattr(commands, command)(cfg, *args)
        steps = [m for m in self.log if m.startswith("Running ")]
        return out.getvalue(), steps


# ------------------------------------------------------------ databases


def norm_sql(sql):
    """A CREATE statement's text, blind to white space layout."""
    if sql is None:
        return None
    s = " ".join(sql.split())
    s = re.sub(r"\(\s+", "(", s)
    s = re.sub(r"\s+\)", ")", s)
    s = re.sub(r"\s+,", ",", s)
    return s


class SqliteDb:
    """A SQLite database file, with the extension loaded."""

    def __init__(self, tmp, name):
        import sqlite3

        self.path = os.path.join(tmp, name + ".db")
        self.url = "sqlite:///" + self.path
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.enable_load_extension(True)
        self.conn.execute(
            "SELECT load_extension(?, 'sqlite3_migrate_init')", (os.environ["MIGRATE_SO"],)
        )
        self.error_type = sqlite3.Error

    def call(self, sql, *args):
        return [tuple(r) for r in self.conn.execute(sql, args).fetchall()]

    def one(self, sql, *args):
        return self.call(sql, *args)[0][0]

    def load(self, path):
        return self.one("SELECT migrate_load(?)", path)

    def schema(self):
        rows = []
        for typ, name, tbl, sql in self.call(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema "
            "WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'migrate_%' "
            "AND tbl_name NOT LIKE 'migrate_%' AND tbl_name <> 'alembic_version' "
            "ORDER BY type, name"
        ):
            rows.append((typ, name, tbl, norm_sql(sql)))
            if typ != "table":
                continue
            q = '"%s"' % name.replace('"', '""')
            rows += [("column", name) + r for r in self.call("PRAGMA table_xinfo(%s)" % q)]
            rows += [("fk", name) + r for r in self.call("PRAGMA foreign_key_list(%s)" % q)]
            for idx in self.call("PRAGMA index_list(%s)" % q):
                rows.append(("index", name) + idx[1:])
                iq = '"%s"' % idx[1].replace('"', '""')
                rows += [("index column", idx[1]) + r for r in self.call("PRAGMA index_xinfo(%s)" % iq)]
        return rows

    def versions(self):
        if not self.call("SELECT 1 FROM sqlite_schema WHERE name = 'alembic_version'"):
            return None
        return sorted(r[0] for r in self.call("SELECT version_num FROM alembic_version"))

    def rows(self, table):
        return self.call('SELECT * FROM "%s" ORDER BY 1' % table)


class PgDb:
    """A fresh PostgreSQL database on run.sh's cluster; the extension in "migrate"."""

    admin = None

    def __init__(self, tmp, name, extension=True):
        import psycopg2

        self.error_type = psycopg2.Error
        if PgDb.admin is None:
            PgDb.admin = psycopg2.connect(dbname="postgres")
            PgDb.admin.autocommit = True
        self.name = "from_alembic_" + name
        with PgDb.admin.cursor() as c:
            c.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.name)
            c.execute('CREATE DATABASE "%s"' % self.name)
        CREATED.append(self.name)
        host, port, user = os.environ["PGHOST"], os.environ["PGPORT"], os.environ.get("PGUSER", "postgres")
        self.url = "postgresql+psycopg2://%s@/%s?host=%s&port=%s" % (user, self.name, host, port)
        self.conn = psycopg2.connect(dbname=self.name)
        self.conn.autocommit = True
        if extension:
            self.call("CREATE SCHEMA migrate")
            self.call("CREATE EXTENSION migrate WITH SCHEMA migrate")
        self.call("SET search_path = public, migrate")

    def call(self, sql, *args):
        with self.conn.cursor() as c:
            c.execute(sql.replace("?", "%s"), args)
            return [tuple(r) for r in c.fetchall()] if c.description else []

    def one(self, sql, *args):
        return self.call(sql, *args)[0][0]

    def load(self, path):
        return self.one("SELECT migrate_load(?)", path)

    def schema(self):
        ns = "n.nspname OPERATOR(pg_catalog.=) 'public'"
        rows = self.call(
            "SELECT 'rel', c.relname, c.relkind::text FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " + ns +
            " AND c.relname NOT IN ('alembic_version', 'alembic_version_pkc') ORDER BY 2"
        )
        rows += self.call(
            "SELECT 'column', c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
            "a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attribute a "
            "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE " + ns + " AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
            "AND c.relname <> 'alembic_version' ORDER BY 2, a.attnum"
        )
        rows += self.call(
            "SELECT 'constraint', c.relname, k.conname, k.contype::text, "
            "pg_catalog.pg_get_constraintdef(k.oid) FROM pg_catalog.pg_constraint k "
            "JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE " + ns + " AND c.relname <> 'alembic_version' ORDER BY 2, 3"
        )
        rows += self.call(
            "SELECT 'index', i.tablename, i.indexname, i.indexdef FROM pg_catalog.pg_indexes i "
            "WHERE i.schemaname = 'public' AND i.tablename <> 'alembic_version' ORDER BY 2, 3"
        )
        rows += self.call(
            "SELECT 'type', t.typname, pg_catalog.string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) "
            "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
            "JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid WHERE " + ns + " GROUP BY 2 ORDER BY 2"
        )
        return rows

    def versions(self):
        if not self.call("SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename = 'alembic_version'"):
            return None
        return sorted(r[0] for r in self.call("SELECT version_num FROM public.alembic_version"))

    def rows(self, table):
        return self.call('SELECT * FROM public."%s" ORDER BY 1' % table)


CREATED = []


def fresh(tmp, name, extension=True):
    if DIALECT == "sqlite":
        return SqliteDb(tmp, name)
    return PgDb(tmp, name, extension)


def upgrade_log(report):
    """The "Running ..." lines of an engine report."""
    return [line for line in report.splitlines() if line.startswith("Running ")]


# ------------------------------------------------------------ the checks


def graph(env, out, tmp, alembic):
    """The converted catalog's graph is Alembic's."""
    db = fresh(tmp, env + "_graph")
    db.load(out)
    text, _ = alembic.run("sqlite://", "history")
    is_(
        [r[0] for r in db.call("SELECT line FROM migrate_history()")],
        text.splitlines(),
        "%s: migrate_history() is `alembic history`" % env,
    )
    text, _ = alembic.run("sqlite://", "heads")
    is_(
        [r[0] for r in db.call("SELECT line FROM migrate_heads()")],
        text.splitlines(),
        "%s: migrate_heads() is `alembic heads`" % env,
    )


def scenario(env, out, tmp, alembic, mid, tables):
    """(a), (b) and (c) on ENV, converted into OUT."""
    a = fresh(tmp, env + "_alembic", extension=False)
    b = fresh(tmp, env + "_engine")
    _, alembic_steps = alembic.run(a.url, "upgrade", "heads")
    b.load(out)
    engine_steps = upgrade_log(b.one("SELECT migrate_upgrade('heads')"))
    is_(engine_steps, alembic_steps, "%s (a): the engine runs Alembic's upgrade steps" % env)
    ok(len(engine_steps) > 0, "%s (a): %d steps" % (env, len(engine_steps)))
    heads_schema = a.schema()
    is_(b.schema(), heads_schema, "%s (a): at heads, the schemas are equal" % env)
    is_(b.versions(), a.versions(), "%s (a): at heads, alembic_version is equal" % env)
    for t in tables:
        is_(b.rows(t), a.rows(t), "%s (a): the rows of %s are equal" % (env, t))

    _, alembic_steps = alembic.run(a.url, "downgrade", "base")
    engine_steps = upgrade_log(b.one("SELECT migrate_downgrade('base')"))
    is_(engine_steps, alembic_steps, "%s (b): the engine runs Alembic's downgrade steps" % env)
    base_schema = a.schema()
    is_(b.schema(), base_schema, "%s (b): at base, the schemas are equal" % env)
    is_(base_schema, [], "%s (b): at base, no table is left" % env)
    is_(b.versions(), a.versions(), "%s (b): at base, alembic_version is equal (empty)" % env)

    c = fresh(tmp, env + "_half")
    alembic.run(c.url, "upgrade", mid)
    is_(c.versions(), [mid], "%s (c): Alembic upgraded to %s" % (env, mid))
    # What Alembic itself would run from there, on a copy of the same state.
    d = fresh(tmp, env + "_half_alembic", extension=False)
    alembic.run(d.url, "upgrade", mid)
    _, alembic_steps = alembic.run(d.url, "upgrade", "heads")
    c.load(out)
    engine_steps = upgrade_log(c.one("SELECT migrate_upgrade('heads')"))
    is_(engine_steps, alembic_steps, "%s (c): the engine finishes with Alembic's steps" % env)
    is_(c.schema(), heads_schema, "%s (c): finished by the engine, the schema is Alembic's at heads" % env)
    is_(c.versions(), d.versions(), "%s (c): and alembic_version is Alembic's" % env)
    for t in tables:
        is_(c.rows(t), d.rows(t), "%s (c): the rows of %s are Alembic's" % (env, t))
    _, steps = alembic.run(c.url, "downgrade", "base")
    _, want = alembic.run(d.url, "downgrade", "base")
    is_(steps, want, "%s (c): Alembic's downgrade from there runs every step" % env)
    is_(c.schema(), base_schema, "%s (c): Alembic takes the engine's database down to base" % env)
    is_(c.versions(), [], "%s (c): alembic_version is empty again" % env)


HAND = {
    # (revision, direction, dialect or None for both): the SQL a person writes
    ("c3f1a0000002", "upgrade", None): "UPDATE item SET price_cents = price * 100;",
    ("c3f1a0000003", "upgrade", "postgresql"):
        "CREATE TABLE tag (id SERIAL NOT NULL, name VARCHAR(50), PRIMARY KEY (id));",
    ("c3f1a0000003", "upgrade", "sqlite"):
        "CREATE TABLE tag (id INTEGER NOT NULL, name VARCHAR(50), PRIMARY KEY (id));",
    ("c3f1a0000004", "upgrade", "sqlite"):
        "CREATE TABLE _alembic_tmp_item (id INTEGER NOT NULL, price BIGINT NOT NULL, "
        "price_cents INTEGER, label VARCHAR(20), PRIMARY KEY (id));\n"
        "INSERT INTO _alembic_tmp_item (id, price, price_cents, label) "
        "SELECT id, price, price_cents, label FROM item;\n"
        "DROP TABLE item;\nALTER TABLE _alembic_tmp_item RENAME TO item;",
    ("c3f1a0000004", "downgrade", "sqlite"):
        "CREATE TABLE _alembic_tmp_item (id INTEGER NOT NULL, price INTEGER NOT NULL, "
        "price_cents INTEGER, label VARCHAR(20), PRIMARY KEY (id));\n"
        "INSERT INTO _alembic_tmp_item (id, price, price_cents, label) "
        "SELECT id, price, price_cents, label FROM item;\n"
        "DROP TABLE item;\nALTER TABLE _alembic_tmp_item RENAME TO item;",
}


def finish_by_hand(out):
    """Replace each unfinished statement with the SQL of HAND; returns how many."""
    n = 0
    for d, _, files in os.walk(out):
        for f in files:
            path = os.path.join(d, f)
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            lines = text.split("\n")
            rev = re.search(r"^-- Revision ID: (\w+)$", text, re.M).group(1)
            for i, line in enumerate(lines):
                m = re.search(r"revision (\w+) is unfinished: its (upgrade|downgrade)", line)
                if not m or line.startswith("--"):
                    continue
                sql = HAND.get((rev, m.group(2), DIALECT)) or HAND.get((rev, m.group(2), None))
                if sql is None:
                    continue
                lines[i] = sql
                n += 1
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("\n".join(lines))
    return n


def script_dir(tmp, name, revisions):
    """A bare Alembic script directory (no env.py) holding REVISIONS {file: text}."""
    d = os.path.join(tmp, name)
    os.makedirs(os.path.join(d, "versions"))
    for f, text in revisions.items():
        with open(os.path.join(d, "versions", f), "w", encoding="utf-8") as fh:
            fh.write(text)
    return d


REV = """\"\"\"%(doc)s

Revision ID: %(rev)s
Revises:
Create Date: 2024-06-01 09:00:00.000000

\"\"\"
from alembic import op
import sqlalchemy as sa
%(imports)s
revision = %(rev)r
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
%(up)s


def downgrade():
    op.execute("DROP TABLE t")
"""


def rev(rev, up, doc="a revision", imports=""):
    return REV % {"rev": rev, "up": up, "doc": doc, "imports": imports}


def cli(tmp):
    """The command line: help, errors that write nothing, reruns, headers."""
    shop = os.path.join(HERE, "shop")
    p = subprocess.run([PY, TOOL, "--help"], capture_output=True, text=True)
    ok(p.returncode == 0 and p.stdout.startswith("usage: migrate-from-alembic ") and
       "--write-unfinished" in p.stdout and "Exit status:" in p.stdout, "--help")
    out = os.path.join(tmp, "cli")
    p = subprocess.run([PY, TOOL, shop, out], capture_output=True, text=True)
    is_((p.returncode, p.stderr.splitlines()[0], os.path.exists(out)),
        (2, "migrate-from-alembic: no dialect given", False), "no --dialect: exit 2, nothing written")
    ok(p.stderr.splitlines()[1].startswith("HINT: Name the databases"), "no --dialect: the hint says what to do")
    rc, _, err = convert(os.path.join(tmp, "nowhere"), out)
    is_((rc, err.splitlines()[0], os.path.exists(out)),
        (2, 'migrate-from-alembic: could not open "%s": No such file or directory' % os.path.join(tmp, "nowhere"), False),
        "a missing source: exit 2, nothing written")

    rc, _, _ = convert(shop, out)
    merge = os.path.join(out, "versions_gxy/a1c0ffee0005_merge_priority_and_dataset.sql")
    with open(merge) as f:
        text = f.read()
    ok("-- migrate:upgrade %s\n" % DIALECT in text and "-- migrate:upgrade\n" not in text,
       "one --dialect: the sections name it")
    with open(merge, "a") as f:
        f.write("-- reviewed\n")
    before = {}
    for d, _, files in os.walk(out):
        for f in files:
            before[f] = open(os.path.join(d, f)).read()
    rc, stdout, err = convert(shop, out, "--dialect", "postgresql" if DIALECT == "sqlite" else "sqlite")
    is_((rc, err.splitlines()[0].split(":")[1]), (2, " 8 output files exist with other content"),
        "files that exist with other content: exit 2")
    after = {}
    for d, _, files in os.walk(out):
        for f in files:
            after[f] = open(os.path.join(d, f)).read()
    ok(before == after, "and nothing is written")
    rc, stdout, err = convert(shop, out)
    ok(rc == 2 and "1 output file exists with other content: %s" % merge in err, "an edited file is never replaced silently")
    rc, stdout, err = convert(shop, out, "--overwrite")
    is_((rc, stdout.strip()), (0, "8 revisions converted into %s: 1 written, 7 unchanged" % out),
        "--overwrite replaces it")

    d = script_dir(tmp, "autocommit", {
        "d4e5f6a7b8c9_concurrently.py": rev(
            "d4e5f6a7b8c9",
            "    op.execute(\"CREATE TABLE t (x int)\")\n"
            "    with op.get_context().autocommit_block():\n"
            "        op.execute(\"CREATE INDEX CONCURRENTLY ix ON t (x)\")\n"
            "    op.get_bind().execute(sa.text(\"UPDATE t SET x = :x\"), {\"x\": 7})",
            doc="concurrent index\n\nRuns outside a transaction.\nTags: not a tag\n"),
    })
    o = os.path.join(tmp, "autocommit-out")
    subprocess.run([PY, TOOL, d, o, "--dialect", "postgresql"], capture_output=True, text=True)
    with open(os.path.join(o, "versions/d4e5f6a7b8c9_concurrently.sql")) as f:
        text = f.read()
    is_(text.split("\n-- migrate:downgrade")[0],
        "-- concurrent index\n--\n-- Runs outside a transaction.\n--\n-- Revision ID: d4e5f6a7b8c9\n"
        "-- Revises:\n-- Create Date: 2024-06-01 09:00:00.000000\n-- Branch Labels:\n-- Depends On:\n"
        "-- Transactional: false\n\n-- migrate:upgrade postgresql\nCREATE TABLE t (x int);\n\n"
        "CREATE INDEX CONCURRENTLY ix ON t (x);\n\nUPDATE t SET x = 7;\n",
        "autocommit_block() makes the step Transactional: false (no COMMIT/BEGIN in the body); "
        "op.get_bind().execute() of a write is rendered with its parameters; a docstring line that "
        "reads as a header key is dropped")

    d = script_dir(tmp, "badid", {"v1_2.py": rev("v1.2", "    pass")})
    rc, _, err = convert(d, os.path.join(tmp, "badid-out"))
    is_((rc, err.splitlines()[0]), (2, 'migrate-from-alembic: revision id "v1.2" is not valid in migrate'),
        "a revision id migrate cannot take: exit 2")
    ok(not os.path.exists(os.path.join(tmp, "badid-out")), "and nothing is written")
    d = script_dir(tmp, "noimport", {"a1_x.py": rev("a1", "    pass", imports="import nosuchmodule_xyz")})
    rc, _, err = convert(d, os.path.join(tmp, "noimport-out"))
    is_((rc, err.splitlines()[0]),
        (2, "migrate-from-alembic: Alembic could not load the revision files: "
            "ModuleNotFoundError: No module named 'nosuchmodule_xyz'"),
        "a revision file that does not import: exit 2, with the module")
    ok(err.splitlines()[1].startswith("HINT: Make what the revision files import importable"), "and what to do")


def main():
    if DIALECT == "sqlite" and not os.environ.get("MIGRATE_SO"):
        print("1..0 # SKIP MIGRATE_SO is not set (make check-oracle sets it)")
        return 0
    if DIALECT == "postgresql" and not os.environ.get("PGHOST"):
        print("1..0 # SKIP run by tests/pg/run.sh (PGHOST)")
        return 0
    # Memory-backed when the machine has it: SQLite's syncs cost seconds on disk.
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    tmp = tempfile.mkdtemp(prefix="migrate-from-alembic-", dir=shm)
    os.chmod(tmp, 0o755)
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if PgDb.admin is not None:
            with PgDb.admin.cursor() as c:
                for name in CREATED:
                    c.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    return done_testing()


def run(tmp):
    if DIALECT == "sqlite":
        cli(tmp)
    # ------------------------------------------------ shop: every kind of change
    out = os.path.join(tmp, "shop")
    rc, stdout, stderr = convert(os.path.join(HERE, "shop"), out)
    is_(rc, 0, "shop: converted (exit status 0)")
    if stderr:
        diag(stderr)
    is_(stdout.strip(), "8 revisions converted into %s: 8 written, 0 unchanged" % out, "shop: the summary")
    is_(
        sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs),
        [
            "versions_gxy/a1c0ffee0001_create_account_and_job.sql",
            "versions_gxy/a1c0ffee0002_account_email_and_job_state_index.sql",
            "versions_gxy/a1c0ffee0003_job_priority.sql",
            "versions_gxy/a1c0ffee0004_dataset.sql",
            "versions_gxy/a1c0ffee0005_merge_priority_and_dataset.sql",
            "versions_gxy/a1c0ffee0006_widen_account_name.sql",
            "versions_tsi/b2d0cafe0001_create_repository.sql",
            "versions_tsi/b2d0cafe0002_repository_dataset.sql",
        ],
        "shop: one file per revision, in the version directories' layout",
    )
    with open(os.path.join(out, "versions_gxy/a1c0ffee0005_merge_priority_and_dataset.sql")) as f:
        merge = f.read()
    ok("-- Revises: a1c0ffee0003, a1c0ffee0004\n" in merge, "shop: a merge keeps both parents in Alembic's order")
    with open(os.path.join(out, "versions_tsi/b2d0cafe0002_repository_dataset.sql")) as f:
        dep = f.read()
    ok("-- Depends On: a1c0ffee0004\n" in dep, "shop: depends_on is kept")
    ok("alembic_version" not in merge + dep, "shop: no version-table statement is copied")
    rc, stdout, _ = convert(os.path.join(HERE, "shop"), out)
    is_((rc, stdout.strip()), (0, "8 revisions converted into %s: 0 written, 8 unchanged" % out),
        "shop: converting again leaves identical files alone")
    readable(out)
    alembic = Alembic("shop")
    graph("shop", out, tmp, alembic)
    scenario("shop", out, tmp, alembic, "a1c0ffee0003", [])

    # ------------------------------------------------ datafix: revisions that read the database
    out = os.path.join(tmp, "datafix")
    src = os.path.join(HERE, "datafix")
    rc, stdout, stderr = convert(src, out)
    is_(rc, 1, "datafix: revisions that read the database fail the conversion (exit status 1)")
    n = 3 if DIALECT == "sqlite" else 2
    ok("%d revisions cannot be rendered offline" % n in stderr, "datafix: the report counts them (%d)" % n)
    ok(re.search(r"c3f1a0000002 \(\S+c3f1a0000002_price_in_cents\.py\) upgrade, line 21: it reads the "
                 r"database: op.get_bind\(\)\.execute\(SELECT id, price FROM item\)", stderr),
       "datafix: a query through op.get_bind() is named, with its line")
    ok(re.search(r"c3f1a0000003 \S+ upgrade, line 18: it inspects the live database", stderr),
       "datafix: an inspection of the database is named")
    if DIALECT == "sqlite":
        ok(re.search(r'c3f1a0000004 \S+ upgrade, line 19: op\.batch_alter_table\("item"\) must reflect', stderr),
           "datafix: a batch without copy_from is named (SQLite)")
    else:
        ok("c3f1a0000004" not in stderr, "datafix: a batch renders without reflection (PostgreSQL)")
    ok("--write-unfinished" in stderr, "datafix: the report says what to do")
    written = sorted(os.listdir(os.path.join(out, "versions")))
    want = ["c3f1a0000001_create_item.sql"] + (
        [] if DIALECT == "sqlite" else ["c3f1a0000004_wider_price.sql"])
    is_(written, want, "datafix: nothing is written for them")

    shutil.rmtree(out)
    rc, stdout, stderr = convert(src, out, "--write-unfinished")
    is_(rc, 1, "datafix --write-unfinished: still exit status 1")
    is_(len(os.listdir(os.path.join(out, "versions"))), 4, "datafix --write-unfinished: every revision written")
    with open(os.path.join(out, "versions/c3f1a0000002_price_in_cents.sql")) as f:
        text = f.read()
    ok(text.index("UPDATE item SET price_cents = 0;") < text.index("-- TODO c3f1a0000002"),
       "datafix --write-unfinished: the part Alembic rendered comes first")
    readable(out)
    db = fresh(tmp, "datafix_unfinished")
    db.load(out)
    try:
        db.one("SELECT migrate_upgrade('heads')")
        ok(False, "datafix --write-unfinished: an unfinished revision fails loudly")
        err = ""
    except db.error_type as e:
        err = str(e)
        ok("revision c3f1a0000002 is unfinished" in err, "datafix --write-unfinished: an unfinished revision fails loudly")
    if "unfinished" not in err:
        diag(err)
    is_((db.schema(), db.versions()), ([], None),
        "datafix --write-unfinished: and changes nothing")
    n = finish_by_hand(out)
    is_(n, 4 if DIALECT == "sqlite" else 2, "datafix: the unfinished statements replaced by hand")
    alembic = Alembic("datafix")
    graph("datafix", out, tmp, alembic)
    scenario("datafix", out, tmp, alembic, "c3f1a0000002", ["item"])


if __name__ == "__main__":
    sys.exit(main())
