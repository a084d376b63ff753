#!/usr/bin/python3
"""conform.py -- differential test of the engine against real Alembic.

For random revision graphs (gen.py), asks Debian's Alembic 1.8.1 and the
SQLite extension the same questions and compares the answers:

  listings   heads, history (whole, ranges), branches, show <identifier>
             (identifier resolution and its errors);
  offline    upgrade --sql / downgrade --sql for many ranges: full ids,
             prefixes, heads, base, <label>@head, <label>@base, +N, -N with a
             start, <rev>+N, <label>@+N, merge points, one branch of many;
  online     random walks of upgrade, downgrade and stamp [--purge] on two
             SQLite databases from the same state (one run by Alembic, one
             by the engine): the run log ("Running ..." lines, in order),
             the multiple-heads warning, the outcome or error message, the
             alembic_version rows (as a set) and the t_* tables after every
             command, and at some states `current` and `history [-r ...
             current ...] [--indicate-current]`.  After a stamp both
             databases get the tables of the stamped revisions.

Alembic runs in this process (the speed this needs): its command functions
(alembic.command.*) with a Config whose ScriptDirectory holds the graph's
revisions as in-memory modules in load order (the order tests/oracle/
alembic_env.py's launcher gives by sorting file names), and an env function
equivalent to alembic_env.py's env.py.  --files runs the same checks on the
environment written to disk instead (alembic_env.run, the CLI code path).
tests/oracle/alembic_env.patch_alembic fixes the orders Alembic takes from
Python sets to the load order.

Compared as sets, as documented in README "Differences from Alembic": the
branch labels of one revision, a branch point's children (branches, show),
`current` lines, and which merge parent gets the UPDATE (offline SQL of a
merge or unmerge step), and the revisions of Alembic's "overlaps with other
requested revisions" message.  Also documented: errors carry DETAIL/HINT
lines (only the first line is compared), offline SQL ending at base keeps
the version table (Alembic 1.8 drops it), a relative target that walks off
the graph is the engine's error "Walked too far" where Alembic fails an
assertion, and a failed run leaves the database unchanged (Alembic keeps
the version table it created or the rows --purge deleted).  Other Alembic
crashes (an exception that is not a CommandError) have no oracle answer:
they are counted as "unjudged", not compared; a walk goes on from the
engine's state.

Usage (Debian's interpreter, /usr/bin/python3):
    conform.py --seed S --graphs N [--start I] [--max-size M] [--jobs J]
               [--scale X] [--tap] [--files] [-q] [--summary-every N]
               [--so PATH]
    conform.py --seed S --only I [--max-size M] [-v] [--keep DIR]
                                                       replay one graph

MIGRATE_SO (default sqlite_ext/migrate.so) names the extension.  Exit
status 0 when every answer agrees, 1 otherwise.  A mismatch prints the
seed, the graph index, the command, both answers and a replay command.
"""

import argparse
import io
import logging
import multiprocessing
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
import types
import warnings

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))

import gen  # noqa: E402
import alembic_env  # noqa: E402

alembic_env.patch_alembic()

from alembic import command as al_command  # noqa: E402
from alembic import util as al_util  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from alembic.script.base import Script  # noqa: E402
from alembic.script.revision import RevisionMap  # noqa: E402
from sqlalchemy import create_engine, pool  # noqa: E402

MARKERS = {"head", "effective head", "current", "branchpoint", "mergepoint"}
DROP_VERSION = "DROP TABLE alembic_version;\n\n"
WARN_MULTI = ("downgrade -1 from multiple heads is ambiguous; this usage "
              "will be disallowed in a future release.")


# ---------------------------------------------------------------- Alembic

class _Capture(logging.Handler):
    """Collects the "Running ..." lines that Alembic logs."""

    def __init__(self):
        logging.Handler.__init__(self, logging.INFO)
        self.lines = []

    def emit(self, record):
        msg = record.getMessage()
        if msg.startswith("Running "):
            self.lines.append(msg)


_CAPTURE = _Capture()


def _install_capture():
    """(Re)attach the capture: an env.py's logging.config.fileConfig (the
    files mode) reconfigures Alembic's loggers."""
    mlog = logging.getLogger("alembic.runtime.migration")
    mlog.disabled = False
    mlog.setLevel(logging.INFO)
    if _CAPTURE not in mlog.handlers:
        mlog.addHandler(_CAPTURE)
    mlog.propagate = False


_install_capture()


def _run_env_fast():
    """env.py of tests/oracle/alembic_env.py, for the in-memory directory:
    offline on the sqlite dialect, online on config.attributes['connection']."""
    from alembic import context
    cfg = context.config
    if context.is_offline_mode():
        context.configure(
            url="sqlite://",
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
        )
        with context.begin_transaction():
            context.run_migrations()
    else:
        context.configure(connection=cfg.attributes["connection"])
        with context.begin_transaction():
            context.run_migrations()


class FastScriptDirectory(ScriptDirectory):
    """A ScriptDirectory whose revisions are in-memory modules, in the
    graph's load order."""

    def __init__(self, graph):  # pylint: disable=super-init-not-called
        self.dir = "/nonexistent-in-memory"
        self.file_template = "%(rev)s_%(slug)s"
        self.version_locations = None
        self.truncate_slug_length = 40
        self.sourceless = False
        self.output_encoding = "utf-8"
        self.timezone = None
        self.hook_config = None
        self.graph = graph
        self.revision_map = RevisionMap(self._load_revisions)

    def _load_revisions(self):
        for rev in self.graph.load_order:
            yield Script(_module(rev), rev.id, "/env/versions/" + rev.filename)

    def run_env(self):
        _run_env_fast()


def _tuple_or_none(items):
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    return tuple(items)


def _module(rev):
    from alembic import op
    m = types.ModuleType("rev_" + rev.id, rev.message)
    m.revision = rev.id
    m.down_revision = _tuple_or_none(rev.down)
    m.branch_labels = tuple(rev.labels) or None
    m.depends_on = _tuple_or_none(rev.deps)
    up = "CREATE TABLE t_%s (id integer primary key)" % rev.id
    down = "DROP TABLE t_%s" % rev.id

    def upgrade():
        op.execute(up)

    def downgrade():
        op.execute(down)

    m.upgrade = upgrade
    m.downgrade = downgrade
    return m


class _ScriptDirectoryShim(object):
    """alembic.command's ScriptDirectory: the prebuilt in-memory directory
    when the Config carries one, the real class otherwise."""

    @staticmethod
    def from_config(config):
        sd = config.attributes.get("migrate_script")
        if sd is not None:
            return sd
        return ScriptDirectory.from_config(config)


al_command.ScriptDirectory = _ScriptDirectoryShim


class Answer(object):
    """One answer: kind is "ok", "error" or "crash"; text is the output
    (ok), the first line of the message (error) or the exception (crash).
    log: "Running" lines of an online run; warned: Alembic's multiple-heads
    warning was given."""

    __slots__ = ("kind", "text", "log", "warned", "full")

    def __init__(self, kind, text, log="", warned=False, full=None):
        self.kind = kind
        self.text = text
        self.log = log
        self.warned = warned
        self.full = full if full is not None else text

    def __repr__(self):
        parts = ["%s: %r" % (self.kind, self.text)]
        if self.log:
            parts.append("log=%r" % self.log)
        if self.warned:
            parts.append("warned")
        return " ".join(parts)


class FastAlembic(object):
    """Alembic's commands on the in-memory environment of one graph."""

    def __init__(self, graph):
        self.graph = graph
        self.script = FastScriptDirectory(graph)
        self.script.revision_map._revision_map  # build it now

    def _reset(self):
        for rev in self.script.revision_map._revision_map.values():
            if rev is not None:
                rev._db_current_indicator = None

    def run(self, fn, *args, conn=None, **kw):
        self._reset()
        out = io.StringIO()
        cfg = Config(output_buffer=out, stdout=out)
        cfg.attributes["migrate_script"] = self.script
        if conn is not None:
            cfg.attributes["connection"] = conn
        _install_capture()
        del _CAPTURE.lines[:]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fn(cfg, *args, **kw)
                kind, text = "ok", out.getvalue()
            except al_util.CommandError as e:
                kind, text = "error", str(e)
            except Exception as e:  # noqa: BLE001 -- an Alembic crash
                kind, text = "crash", "%s: %s" % (type(e).__name__, e)
        warned = any(str(w.message) == WARN_MULTI for w in caught)
        return Answer(kind, text, "\n".join(_CAPTURE.lines), warned)

    # The questions.
    def heads(self):
        return self.run(al_command.heads)

    def history(self, rng=None, indicate_current=False, conn=None):
        return self.run(al_command.history, rng, indicate_current=indicate_current, conn=conn)

    def branches(self):
        return self.run(al_command.branches)

    def show(self, ident):
        return self.run(al_command.show, ident)

    def current(self, conn):
        return self.run(al_command.current, conn=conn)

    def upgrade_sql(self, rng):
        return self.run(al_command.upgrade, rng, sql=True)

    def downgrade_sql(self, rng):
        return self.run(al_command.downgrade, rng, sql=True)

    def upgrade(self, target, conn):
        return self.run(al_command.upgrade, target, conn=conn)

    def downgrade(self, target, conn):
        return self.run(al_command.downgrade, target, conn=conn)

    def stamp(self, target, conn, purge=False):
        return self.run(al_command.stamp, target, conn=conn, purge=purge)

    # Databases.
    def new_db(self):
        eng = create_engine("sqlite://", poolclass=pool.StaticPool)
        conn = eng.connect()
        return (eng, conn)

    @staticmethod
    def db_conn(db):
        return db[1]

    @staticmethod
    def close_db(db):
        db[1].close()
        db[0].dispose()

    @staticmethod
    def state(db):
        return _state(db[1].connection)

    @staticmethod
    def raw(db):
        return db[1].connection

    @staticmethod
    def set_state(db, st, order=None):
        _set_state(db[1].connection, st, order)

    @staticmethod
    def row_order(db):
        return _row_order(db[1].connection)


class FileAlembic(FastAlembic):
    """The same questions through alembic_env.run on the environment written
    to disk (the CLI's code path: env.py, scripts imported from files)."""

    def __init__(self, graph, out):
        FastAlembic.__init__(self, graph)
        self.out = out
        self.dbn = 0

    def cli(self, args, url=None):
        del _CAPTURE.lines[:]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            status, out, err = alembic_env.run(self.out, args, url=url)
        running = "\n".join(re.findall(r"^INFO  \[alembic\.runtime\.migration\] (Running .*)$", err, re.M))
        warned = WARN_MULTI in err or any(str(w.message) == WARN_MULTI for w in caught)
        if status == 0:
            return Answer("ok", out, running, warned)
        if status == 255 and out.startswith("FAILED: "):
            return Answer("error", out[len("FAILED: "):].rstrip("\n"), running, warned)
        return Answer("crash", (err.strip().splitlines() or ["?"])[-1], running, warned)

    def heads(self):
        return self.cli(["heads"])

    def history(self, rng=None, indicate_current=False, conn=None):
        args = ["history"]
        if rng is not None:
            args += ["-r", rng]
        if indicate_current:
            args.append("--indicate-current")
        return self.cli(args, url=conn)

    def branches(self):
        return self.cli(["branches"])

    def show(self, ident):
        return self.cli(["show", ident])

    def current(self, conn):
        return self.cli(["current"], url=conn)

    def upgrade_sql(self, rng):
        return self.cli(["upgrade", "--sql", rng], url="sqlite://")

    def downgrade_sql(self, rng):
        return self.cli(["downgrade", "--sql", rng], url="sqlite://")

    def upgrade(self, target, conn):
        return self.cli(["upgrade", target], url=conn)

    def downgrade(self, target, conn):
        return self.cli(["downgrade", target], url=conn)

    def stamp(self, target, conn, purge=False):
        return self.cli(["stamp"] + (["--purge"] if purge else []) + [target], url=conn)

    def new_db(self):
        self.dbn += 1
        path = os.path.join(self.out, "oracle%d.db" % self.dbn)
        if os.path.exists(path):
            os.remove(path)
        return path

    @staticmethod
    def db_conn(db):
        return "sqlite:///" + db

    @staticmethod
    def close_db(db):
        if os.path.exists(db):
            os.remove(db)

    @staticmethod
    def state(db):
        c = sqlite3.connect(db)
        try:
            return _state(c)
        finally:
            c.close()

    @staticmethod
    def set_state(db, st, order=None):
        c = sqlite3.connect(db)
        try:
            _set_state(c, st, order)
        finally:
            c.close()

    @staticmethod
    def row_order(db):
        c = sqlite3.connect(db)
        try:
            return _row_order(c)
        finally:
            c.close()


def _state(raw):
    """(alembic_version rows, t_* tables) of a DB-API connection, as sets."""
    cur = raw.cursor()
    names = {r[0] for r in cur.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    rows = set()
    if "alembic_version" in names:
        rows = {r[0] for r in cur.execute("SELECT version_num FROM alembic_version")}
    cur.close()
    return (frozenset(rows), frozenset(n for n in names if n.startswith("t_")))


def _row_order(raw):
    """The version rows in the order SQLite returns them (rowid order):
    Alembic's "first row" of a bare -N downgrade."""
    cur = raw.cursor()
    try:
        return [r[0] for r in cur.execute("SELECT version_num FROM alembic_version ORDER BY rowid")]
    except Exception:  # noqa: BLE001 -- no version table
        return []
    finally:
        cur.close()


def _set_state(raw, st, order=None):
    """Make a database hold exactly the version rows (in order, when given)
    and the t_* tables of st."""
    rows, tables = st
    have_rows, have_tables = _state(raw)
    want_order = list(order) if order is not None else sorted(rows)
    cur = raw.cursor()
    for t in sorted(have_tables - tables):
        cur.execute("DROP TABLE %s" % t)
    for t in sorted(tables - have_tables):
        cur.execute("CREATE TABLE %s (id integer primary key)" % t)
    if rows != have_rows or (order is not None and _row_order(raw) != want_order):
        cur.execute("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
                    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
        cur.execute("DELETE FROM alembic_version")
        for r in want_order:
            cur.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (r,))
    cur.close()
    raw.commit()


# ---------------------------------------------------------------- engine

class Engine(object):
    """The SQLite extension with the graph's environment loaded."""

    def __init__(self, so, env_dir):
        self.so = so
        self.template = self._connect()
        self.template.execute("SELECT migrate_load(?)", (env_dir,)).fetchall()

    def _connect(self):
        c = sqlite3.connect(":memory:", isolation_level=None)
        c.enable_load_extension(True)
        c.load_extension(self.so)
        return c

    def close(self):
        self.template.close()

    def _call(self, sql, args, conn=None, table=False):
        c = conn or self.template
        try:
            rows = c.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            msg = str(e)
            return Answer("error", msg.split("\n", 1)[0], full=msg)
        if table:
            return Answer("ok", "".join(r[0] + "\n" for r in rows))
        return Answer("ok", rows[0][0] if rows and rows[0][0] is not None else "")

    def heads(self):
        return self._call("SELECT line FROM migrate_heads()", (), table=True)

    def history(self, rng=None, indicate_current=False, conn=None):
        return self._call("SELECT line FROM migrate_history(?, ?)",
                          (rng, 1 if indicate_current else 0), conn=conn, table=True)

    def branches(self):
        return self._call("SELECT migrate_branches()", ())

    def show(self, ident):
        return self._call("SELECT migrate_show(?)", (ident,))

    def current(self, conn):
        return self._call("SELECT line FROM migrate_current()", (), conn=conn, table=True)

    def upgrade_sql(self, rng):
        return self._call("SELECT migrate_upgrade_sql(?)", (rng,))

    def downgrade_sql(self, rng):
        return self._call("SELECT migrate_downgrade_sql(?)", (rng,))

    def _run(self, fn, target, conn, *more):
        a = self._call("SELECT %s(?%s)" % (fn, ", ?" * len(more)), (target,) + more, conn=conn)
        if a.kind != "ok":
            return a
        lines = a.text.split("\n") if a.text else []
        warned = False
        keep = []
        for line in lines:
            if line.startswith("nothing to do:"):
                continue
            if line == "WARNING: " + WARN_MULTI:
                warned = True
                continue
            keep.append(line)
        return Answer("ok", "", "\n".join(keep), warned, full=a.text)

    def upgrade(self, target, conn):
        return self._run("migrate_upgrade", target, conn)

    def downgrade(self, target, conn):
        return self._run("migrate_downgrade", target, conn)

    def stamp(self, target, conn, purge=False):
        return self._run("migrate_stamp", target, conn, 1 if purge else 0)

    def new_db(self):
        c = self._connect()
        self.template.backup(c)
        return c

    @staticmethod
    def db_conn(db):
        return db

    @staticmethod
    def close_db(db):
        db.close()

    @staticmethod
    def state(db):
        return _state(db)

    @staticmethod
    def set_state(db, st, order=None):
        _set_state(db, st, order)

    @staticmethod
    def row_order(db):
        return _row_order(db)


# ---------------------------------------------------------------- normalizing

_LINE = re.compile(r"^(.*?) -> (\w+)((?: \([^()]*\))*)(, .*)?$")
_GROUP = re.compile(r" \(([^()]*)\)")


def _sort_groups(groups):
    out = []
    for g in _GROUP.findall(groups):
        if g in MARKERS:
            out.append(" (%s)" % g)
        else:
            out.append(" (%s)" % ", ".join(sorted(g.split(", "))))
    return "".join(out)


def norm_listing_line(line):
    """A history/heads/current/branches line with the items of its label
    group sorted (Alembic formats a set there)."""
    m = _LINE.match(line)
    if m:
        return "%s -> %s%s%s" % (m.group(1), m.group(2), _sort_groups(m.group(3)), m.group(4) or "")
    m = re.match(r"^(\s*)(\w+)((?: \([^()]*\))*)(, .*)?$", line)
    if m:
        return "%s%s%s%s" % (m.group(1), m.group(2), _sort_groups(m.group(3)), m.group(4) or "")
    return line


def norm_listing(text):
    return "\n".join(norm_listing_line(l) for l in text.split("\n"))


def norm_branches(text):
    """branches: each block's first line, and its children as a sorted set."""
    blocks = []
    cur = None
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line.lstrip().startswith("-> "):
            cur[1].append("-> " + norm_listing_line(line.strip()[3:]))
        else:
            cur = (norm_listing_line(line), [])
            blocks.append(cur)
    return [(head, sorted(kids)) for head, kids in blocks]


def norm_show(text):
    """show: per revision, the lines before "Path:", with Branches into and
    Branch names as sorted sets (the path and long doc differ by design:
    the engine's path is the .sql file, its doc the whole header)."""
    out = []
    block = None
    skipping = False
    for line in text.split("\n"):
        if line.startswith("Rev: "):
            block = []
            out.append(block)
            skipping = False
        if block is None or skipping:
            continue
        if line.startswith("Path: "):
            skipping = True
            continue
        m = re.match(r"^(Branches into|Branch names): (.*)$", line)
        if m:
            line = "%s: %s" % (m.group(1), ", ".join(sorted(m.group(2).split(", "))))
        block.append(line)
    return out


_OVERLAP = re.compile(r"^(Requested revision \w+ overlaps with other requested revisions )(.*)$")


def same_error(want, got):
    """Two first lines of error messages agree.  Alembic formats a set in
    "... overlaps with other requested revisions a, b": compared as a set.
    Returns True, False, or "set order" when they agree only as sets."""
    if want == got:
        return True
    mw, mg = _OVERLAP.match(want), _OVERLAP.match(got)
    if mw and mg and mw.group(1) == mg.group(1) and \
            sorted(mw.group(2).split(", ")) == sorted(mg.group(2).split(", ")):
        return "set order"
    return False


def norm_current(text):
    return sorted(l for l in text.split("\n") if l)


_VSTMT = re.compile(
    r"^(?:DELETE FROM alembic_version WHERE alembic_version\.version_num = '(\w+)'"
    r"|UPDATE alembic_version SET version_num='(\w+)' WHERE alembic_version\.version_num = '(\w+)'"
    r"|INSERT INTO alembic_version \(version_num\) VALUES \('(\w+)'\));$")


def version_effects(sql):
    """Offline SQL -> statements with each run of version-table statements
    replaced by its effect: (rows removed, rows added, statement kinds)."""
    out = []
    group = None
    for stmt in sql.split("\n\n"):
        m = _VSTMT.match(stmt)
        if not m:
            group = None
            out.append(stmt)
            continue
        if group is None:
            group = [set(), set(), []]
            out.append(group)
        if m.group(1):
            group[0].add(m.group(1))
            group[2].append("D")
        elif m.group(2):
            group[0].add(m.group(3))
            group[1].add(m.group(2))
            group[2].append("U")
        else:
            group[1].add(m.group(4))
            group[2].append("I")
    return [(frozenset(g[0]), frozenset(g[1]), tuple(sorted(g[2])))
            if isinstance(g, list) else g for g in out]


# ---------------------------------------------------------------- checks

class Result(object):
    """Per graph: counters and the mismatches."""

    def __init__(self, seed, index, graph):
        self.seed = seed
        self.index = index
        self.size = len(graph.revs)
        self.checks = 0
        self.mismatches = []
        self.notes = {}      # documented differences seen: kind -> count
        self.unjudged = []   # Alembic crashed: (command, crash, engine, shape)
        self.stats = {}      # (command kind, Alembic's answer kind) -> count
        self.seconds = 0.0
        self.error = None

    def note(self, kind):
        self.notes[kind] = self.notes.get(kind, 0) + 1


class GraphCheck(object):
    """All checks of one graph."""

    def __init__(self, seed, index, graph, alembic, engine, verbose=False):
        self.seed = seed
        self.index = index
        self.g = graph
        self.al = alembic
        self.en = engine
        self.res = Result(seed, index, graph)
        self.verbose = verbose
        self.rng = random.Random("checks:%s:%d" % (seed, index))
        self._pools()

    # ---- recording
    def shape(self, command):
        """The command with revisions, prefixes, labels and numbers
        abstracted: mismatches of one kind share a shape."""
        def word(m):
            w = m.group(0)
            if w in self.g.by_id:
                return "<rev>"
            if w in self.g.labels:
                return "<label>"
            if w in ("head", "heads", "base", "current", "upgrade", "downgrade",
                     "history", "show", "heads", "branches", "sql", "r", "stamp", "purge",
                     "indicate", "after", "database", "state"):
                return w
            if re.match(r"^\d+$", w):
                return "N"
            if any(i.startswith(w) for i in self.g.by_id):
                return "<prefix>"
            return "<unknown>"
        cmd = command.split(" after: ")[0]
        return re.sub(r"\w+", word, cmd)

    def mismatch(self, command, want, got, extra=None):
        rec = {"command": command, "alembic": want, "engine": got,
               "shape": self.shape(command)}
        if extra:
            rec.update(extra)
        self.res.mismatches.append(rec)
        if self.verbose:
            print("MISMATCH %s\n  alembic: %r\n  engine:  %r" % (command, want, got))

    def same_error(self, want, got):
        same = same_error(want, got)
        if same == "set order":
            self.res.note("error message: set of overlapping revisions")
        return bool(same)

    def count(self, command, a):
        kind = command.split(" after: ")[0]
        words = kind.split()
        kind = words[0]
        if len(words) > 1 and words[1] in ("--sql", "--purge"):
            kind += " " + words[1]
        if kind == "history" and "--indicate-current" in words:
            kind += " --indicate-current"
        key = (kind, a.kind)
        self.res.stats[key] = self.res.stats.get(key, 0) + 1

    def compare(self, command, a, e, norm=None, offline=False):
        """Compare two answers of a non-run command; True if they agree."""
        self.res.checks += 1
        self.count(command, a)
        if self.verbose:
            print("check %s -> %s" % (command, a.kind))
        if a.kind == "crash":
            if (e.kind == "error" and e.text == "Walked too far"
                    and a.text.startswith("AssertionError")):
                self.res.note("walked too far (Alembic asserts)")
                return True
            self.res.unjudged.append((command, a.text, repr(e), self.shape(command)))
            return True
        if a.kind != e.kind or (a.kind == "error" and not self.same_error(a.text, e.text)):
            self.mismatch(command, a, e)
            return False
        if a.kind == "error":
            return True
        want, got = a.text, e.text
        if offline:
            if want.endswith(DROP_VERSION):
                want = want[: -len(DROP_VERSION)]
                self.res.note("offline: no DROP TABLE alembic_version at base")
            if want == got:
                return True
            if version_effects(want) == version_effects(got):
                self.res.note("offline: merge parent order")
                return True
            self.mismatch(command, Answer("ok", want), e)
            return False
        if norm is not None:
            if norm(want) == norm(got):
                return True
        elif want == got:
            return True
        self.mismatch(command, a, e)
        return False

    # ---- identifiers
    def _pools(self):
        g, rng = self.g, self.rng
        self.ids = [r.id for r in g.revs]
        self.labels = sorted(g.labels)
        amb = []
        ids = sorted(self.ids)
        for a, b in zip(ids, ids[1:]):
            k = 0
            while k < min(len(a), len(b)) and a[k] == b[k]:
                k += 1
            if k >= 4:
                amb.append(a[: rng.randint(4, k)])
        self.ambiguous = amb

    def rid(self):
        return self.rng.choice(self.ids)

    def prefix(self, x=None):
        x = x or self.rid()
        if len(x) <= 4:
            return x
        return x[: self.rng.randint(4, len(x) - 1)]

    def label(self):
        return self.rng.choice(self.labels) if self.labels else self.rid()

    def ident(self, purpose="any"):
        """A random identifier of any form Alembic accepts (or rejects)."""
        rng = self.rng
        n = rng.choice([1, 1, 1, 2, 3])
        forms = [
            (8, lambda: self.rid()),
            (4, lambda: self.prefix()),
            (1, lambda: self.rid()[: rng.randint(1, 3)]),
            (2, lambda: rng.choice(self.ambiguous) if self.ambiguous else self.prefix()),
            (1, lambda: rng.choice(["zzzz", "nosuch", "0000000000ff", "ffff"])),
            (3, lambda: "heads"),
            (2, lambda: "head"),
            (2, lambda: "base"),
            (2, lambda: self.label()),
            (4, lambda: self.label() + "@head"),
            (1, lambda: self.label() + "@heads"),
            (3, lambda: self.label() + "@base"),
            (2, lambda: self.label() + "@" + rng.choice([self.rid(), self.prefix()])),
            (1, lambda: self.rid() + "@head"),
            (1, lambda: "nolabel@head"),
            (2, lambda: "+%d" % n),
            (2, lambda: "-%d" % n),
            (3, lambda: self.label() + "@+%d" % n),
            (3, lambda: self.label() + "@-%d" % n),
            (3, lambda: self.rid() + "+%d" % n),
            (3, lambda: self.rid() + "-%d" % n),
            (1, lambda: self.prefix() + "+%d" % n),
            (2, lambda: self.label() + "@head-%d" % n),
            (1, lambda: self.label() + "@base+%d" % n),
            (1, lambda: "base+%d" % n),
            (1, lambda: "heads-1"),
            (1, lambda: "head-%d" % n),
        ]
        if purpose == "start":
            forms = [
                (8, lambda: self.rid()),
                (3, lambda: self.prefix()),
                (2, lambda: "base"),
                (2, lambda: "head"),
                (1, lambda: "heads"),
                (2, lambda: self.label()),
                (3, lambda: self.label() + "@head"),
                (1, lambda: rng.choice(self.ambiguous) if self.ambiguous else "zzzz"),
                (1, lambda: self.rid() + "-1"),
            ]
        total = sum(w for w, _ in forms)
        x = rng.uniform(0, total)
        for w, f in forms:
            x -= w
            if x <= 0:
                return f()
        return forms[0][1]()

    def descendant_or_head(self, rid):
        """A random revision at or above rid (walking children), or a head."""
        cur = rid
        for _ in range(self.rng.randint(0, 8)):
            kids = self.g.children(cur)
            if not kids:
                break
            cur = self.rng.choice(kids)
        return cur

    def ancestor_of(self, rid):
        anc = sorted(self.g.ancestors(rid))
        if not anc or self.rng.random() < 0.15:
            return "base"
        return self.rng.choice(anc)

    # ---- check groups
    def listings(self):
        self.compare("heads", self.al.heads(), self.en.heads(), norm=norm_listing)
        self.compare("history", self.al.history(), self.en.history(), norm=norm_listing)
        self.compare("branches", self.al.branches(), self.en.branches(), norm=norm_branches)
        for _ in range(6):
            rng = self.history_range()
            self.compare("history -r %s" % rng, self.al.history(rng), self.en.history(rng),
                         norm=norm_listing)

    def history_range(self):
        rng = self.rng
        x = rng.random()
        if x < 0.3:
            a = self.rid()
            b = self.descendant_or_head(a)
            return "%s:%s" % (rng.choice([a, self.prefix(a)]), rng.choice([b, self.prefix(b)]))
        if x < 0.45:
            return "%s:" % self.ident("start")
        if x < 0.6:
            return ":%s" % self.ident()
        if x < 0.7:
            l = self.label()
            return rng.choice(["%s@base:%s@head" % (l, l), "%s:" % l, ":%s@head" % l, "%s@base:" % l])
        if x < 0.8:
            return rng.choice([":", "base:", ":heads", "base:heads", "heads:", ":base"])
        return "%s:%s" % (self.ident("start"), self.ident())

    def resolution(self, count):
        for _ in range(count):
            ident = self.ident()
            self.compare("show %s" % ident, self.al.show(ident), self.en.show(ident), norm=norm_show)

    def offline(self, nup, ndown):
        rng = self.rng
        for _ in range(nup):
            x = rng.random()
            if x < 0.3:
                rngs = self.ident()
            elif x < 0.6:
                a = self.rid()
                b = self.descendant_or_head(a)
                rngs = "%s:%s" % (rng.choice([a, self.prefix(a)]), rng.choice([b, self.prefix(b), "heads"]))
            elif x < 0.75:
                a = self.rid()
                rngs = "%s:%s" % (a, rng.choice(["+1", "+2", self.label() + "@+1", a + "+1", "heads", self.label() + "@head"]))
            else:
                rngs = "%s:%s" % (self.ident("start"), self.ident())
            self.compare("upgrade --sql %s" % rngs, self.al.upgrade_sql(rngs),
                         self.en.upgrade_sql(rngs), offline=True)
        for _ in range(ndown):
            x = rng.random()
            if x < 0.45:
                a = self.rng.choice(self.g.heads()) if rng.random() < 0.5 else self.rid()
                b = self.ancestor_of(a)
                rngs = "%s:%s" % (rng.choice([a, self.prefix(a)]), rng.choice([b, b, self.prefix(b) if b != "base" else b]))
            elif x < 0.65:
                a = self.rid()
                rngs = "%s:%s" % (a, rng.choice(["-1", "-2", "base", self.label() + "@-1",
                                                  self.label() + "@base", a + "-1"]))
            elif x < 0.75:
                rngs = self.ident()
            else:
                rngs = "%s:%s" % (self.ident("start"), self.ident())
            self.compare("downgrade --sql %s" % rngs, self.al.downgrade_sql(rngs),
                         self.en.downgrade_sql(rngs), offline=True)

    def online(self, walks, steps):
        for w in range(walks):
            self.walk(w, steps)

    def walk(self, w, steps):
        """One random walk of commands from an empty database, run by
        Alembic and by the engine; compares after every command."""
        rng = self.rng
        adb = self.al.new_db()
        edb = self.en.new_db()
        done = []
        prev = (frozenset(), frozenset())
        try:
            for _ in range(steps):
                x = rng.random()
                kw = {}
                if not done or x < 0.5:
                    op, target = "upgrade", self.upgrade_target()
                elif x < 0.9:
                    op, target = "downgrade", self.downgrade_target()
                else:
                    op, target = "stamp", rng.choice([self.upgrade_target(), self.downgrade_target()])
                    if rng.random() < 0.25:
                        kw["purge"] = True
                done.append("%s%s %s" % (op, " --purge" if kw else "", target))
                a = getattr(self.al, op)(target, self.al.db_conn(adb), **kw)
                e = getattr(self.en, op)(target, self.en.db_conn(edb), **kw)
                if a.warned:
                    self.res.note("online: multiple-heads warning given")
                self.res.checks += 1
                self.count(done[-1], a)
                if self.verbose:
                    print("walk %d: %s -> %s %r" % (w, done[-1], a.kind, a.log))
                sa = self.al.state(adb)
                se = self.en.state(edb)
                ctx = {"walk": list(done)}
                if a.kind == "crash":
                    if (e.kind == "error" and e.text == "Walked too far"
                            and a.text.startswith("AssertionError")):
                        self.res.note("walked too far (Alembic asserts)")
                    else:
                        self.res.unjudged.append((" ; ".join(done), a.text, repr(e),
                                                  self.shape(done[-1])))
                    if sa != se:
                        # No oracle for this state: go on from the engine's.
                        self.al.set_state(adb, se, self.en.row_order(edb))
                        sa = se
                    prev = se
                    continue
                if a.kind != e.kind or (a.kind == "error" and not self.same_error(a.text, e.text)):
                    self.mismatch(done[-1], a, e, ctx)
                    return
                if a.kind == "ok" and (a.log != e.log or a.warned != e.warned):
                    self.mismatch(done[-1], a, e, ctx)
                    return
                if sa != se and a.kind == "error" and se == prev:
                    # Alembic failed after a change it does not undo (the
                    # version table created, or emptied by --purge); the
                    # engine's failed run changes nothing.
                    self.res.note("online: failed command leaves the database unchanged")
                    self.al.set_state(adb, se, self.en.row_order(edb))
                    sa = se
                if sa != se:
                    self.mismatch(done[-1] + " (database state)",
                                  Answer("ok", _fmt_state(sa)), Answer("ok", _fmt_state(se)), ctx)
                    return
                if op == "stamp" and a.kind == "ok":
                    # The schema of the stamped state, for the next commands.
                    st = (se[0], frozenset("t_" + r for r in self.applied(se[0])))
                    self.al.set_state(adb, st)
                    self.en.set_state(edb, st)
                    se = st
                order = self.en.row_order(edb)
                if self.al.row_order(adb) != order:
                    # Same rows, another order (the merge parent updated
                    # may differ): go on with the engine's order, which
                    # decides the "first row" of a later bare -N.
                    self.res.note("online: version rows in another order")
                    self.al.set_state(adb, se, order)
                prev = se
                if rng.random() < 0.3:
                    if not self.compare("current after: " + " ; ".join(done),
                                        self.al.current(self.al.db_conn(adb)),
                                        self.en.current(self.en.db_conn(edb)), norm=norm_current):
                        return
                if rng.random() < 0.2:
                    hr = rng.choice([None, None, "current:", ":current", "base:current",
                                     "current:heads", "%s:current" % self.rid()])
                    ind = hr is None or rng.random() < 0.7
                    name = "history%s%s after: %s" % (" -r %s" % hr if hr else "",
                                                      " --indicate-current" if ind else "",
                                                      " ; ".join(done))
                    if not self.compare(name,
                                        self.al.history(hr, ind, conn=self.al.db_conn(adb)),
                                        self.en.history(hr, ind, conn=self.en.db_conn(edb)),
                                        norm=norm_listing):
                        return
        finally:
            self.al.close_db(adb)
            self.en.close_db(edb)

    def applied(self, rows):
        """The revisions applied when the version table holds rows."""
        out = set()
        for r in rows:
            if r in self.g.by_id:
                out.add(r)
                out |= self.g.ancestors(r)
        return out

    def upgrade_target(self):
        rng = self.rng
        x = rng.random()
        if x < 0.12:
            return "heads"
        if x < 0.45:
            return rng.choice([self.rid(), self.prefix()])
        if x < 0.6:
            return self.label() + rng.choice(["@head", "@+1", "@+2"])
        if x < 0.7:
            return rng.choice(["+1", "+2", self.rid() + "+1"])
        return self.ident()

    def downgrade_target(self):
        rng = self.rng
        x = rng.random()
        if x < 0.1:
            return "base"
        if x < 0.4:
            return rng.choice([self.rid(), self.prefix()])
        if x < 0.6:
            return self.label() + rng.choice(["@-1", "@-2", "@base"])
        if x < 0.7:
            return rng.choice(["-1", "-2", self.rid() + "-1"])
        return self.ident()

    def run_all(self, scale=1.0):
        n = len(self.g.revs)
        k = max(1, int(round(scale * (1 if n > 150 else 2))))
        self.listings()
        self.resolution(5 * k)
        self.offline(6 * k, 5 * k)
        self.online(2 * k, 6)
        return self.res


def _fmt_state(st):
    rows, tables = st
    return "alembic_version=%s tables=%s" % (sorted(rows), sorted(tables))


# ---------------------------------------------------------------- driver

_SO = None
_OPTS = None


def _init_worker(so, opts):
    global _SO, _OPTS
    _SO = so
    _OPTS = opts


def check_graph(index):
    """Worker: generate graph index, write its environment, run every check."""
    opts = _OPTS
    t0 = time.time()
    graph = gen.generate(opts["seed"], index, opts["max_size"])
    res = Result(opts["seed"], index, graph)
    work = tempfile.mkdtemp(prefix="conform-", dir=opts.get("tmp"))
    try:
        sql_dir = gen.write_sql_env(graph, os.path.join(work, "sql"))
        if opts.get("files"):
            out = gen.write_alembic_env(graph, sql_dir, os.path.join(work, "alembic"))
            al = FileAlembic(graph, out)
        else:
            al = FastAlembic(graph)
        en = Engine(_SO, sql_dir)
        try:
            gc = GraphCheck(opts["seed"], index, graph, al, en, verbose=opts.get("verbose"))
            res = gc.run_all(opts.get("scale", 1.0))
        finally:
            en.close()
    except Exception:  # noqa: BLE001 -- reported as a failure of this graph
        res.error = traceback.format_exc()
    finally:
        if opts.get("keep"):
            dest = opts["keep"]
            if os.path.exists(dest):
                shutil.rmtree(dest)
            shutil.copytree(work, dest)
        shutil.rmtree(work, ignore_errors=True)
    res.seconds = time.time() - t0
    return res


def replay_command(seed, index, max_size):
    return ("/usr/bin/python3 tests/alembic/conform.py --seed %s --only %d --max-size %d -v"
            % (seed, index, max_size))


def describe_result(res, opts):
    """Lines describing a failing graph."""
    lines = ["seed %s graph %d (%d revisions): %d mismatch(es)%s" % (
        res.seed, res.index, res.size, len(res.mismatches),
        ", error" if res.error else "")]
    if res.error:
        lines += ["  " + l for l in res.error.rstrip().split("\n")]
    for m in res.mismatches[:5]:
        lines.append("  command: %s" % m["command"])
        if "walk" in m:
            lines.append("  walk from an empty database: %s" % " ; ".join(m["walk"]))
        for who in ("alembic", "engine"):
            a = m[who]
            lines.append("  %-8s %s" % (who + ":", a.kind))
            body = a.text if a.kind != "ok" or a.text else ""
            for l in (body.rstrip("\n").split("\n") if body else []):
                lines.append("      | " + l)
            if a.log:
                for l in a.log.split("\n"):
                    lines.append("      log| " + l)
            if a.warned:
                lines.append("      (multiple-heads warning)")
    lines.append("  replay: " + replay_command(res.seed, res.index, opts["max_size"]))
    return lines


class Summary(object):
    """Totals over many graphs, and the kinds of mismatch and crash."""

    def __init__(self):
        self.graphs = self.failed = self.checks = self.mismatches = self.unjudged_n = 0
        self.notes = {}
        self.unjudged = {}
        self.kinds = {}
        self.stats = {}
        self.slowest = (0.0, None)

    def add(self, res):
        """Adds one graph's result; returns True when it failed."""
        self.graphs += 1
        self.checks += res.checks
        self.mismatches += len(res.mismatches)
        self.unjudged_n += len(res.unjudged)
        self.slowest = max(self.slowest, (res.seconds, res.index))
        for k, v in res.notes.items():
            self.notes[k] = self.notes.get(k, 0) + v
        for k, v in res.stats.items():
            self.stats[k] = self.stats.get(k, 0) + v
        for m in res.mismatches:
            key = "%s  [alembic %s, engine %s]" % (m["shape"], m["alembic"].kind, m["engine"].kind)
            self.kinds.setdefault(key, []).append((res.size, res.index, m["command"]))
        for cmd, crash, eng, shape in res.unjudged:
            key = "%s: %s" % (shape, re.sub(r"'[^']*'", "'…'", crash)[:100])
            self.unjudged.setdefault(key, []).append((res.index, cmd, eng))
        bad = bool(res.mismatches or res.error)
        if bad:
            self.failed += 1
        return bad

    def lines(self, seed, first, last, secs):
        out = ["conformance: seed %s graphs %d..%d: %d graphs, %d checks, %d failed graphs, "
               "%d mismatches, %d unjudged (Alembic crashed), %.1fs (slowest graph %s: %.1fs)" % (
                   seed, first, last, self.graphs, self.checks, self.failed,
                   self.mismatches, self.unjudged_n, secs, self.slowest[1], self.slowest[0])]
        cmds = sorted({k[0] for k in self.stats})
        out.append("  compared (Alembic's answer ok/error/crash): " + "; ".join(
            "%s %d/%d/%d" % (c, self.stats.get((c, "ok"), 0), self.stats.get((c, "error"), 0),
                             self.stats.get((c, "crash"), 0)) for c in cmds))
        for k in sorted(self.kinds, key=lambda k: (-len(self.kinds[k]), k)):
            size, idx, cmd = min(self.kinds[k])
            out.append("  mismatch %6d x  %s  (smallest: graph %d, %d revisions: %s)" % (
                len(self.kinds[k]), k, idx, size, cmd))
        for k in sorted(self.notes):
            out.append("  documented difference seen %6d x  %s" % (self.notes[k], k))
        for k in sorted(self.unjudged, key=lambda k: (-len(self.unjudged[k]), k)):
            idx, cmd, eng = self.unjudged[k][0]
            out.append("  unjudged %6d x  %s  (e.g. graph %d: %s -> engine %s)" % (
                len(self.unjudged[k]), k, idx, cmd, eng[:150]))
        return out


def find_so(path=None):
    """The extension's path without ".so" (as load_extension wants it), or
    None when it is missing."""
    so = os.path.abspath(path or os.environ.get("MIGRATE_SO")
                         or os.path.join(ROOT, "sqlite_ext", "migrate.so"))
    if so.endswith(".so"):
        so = so[:-3]
    return so if os.path.exists(so + ".so") else None


def make_opts(seed, max_size=300, files=False, verbose=False, scale=1.0, keep=None):
    tmp = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return {"seed": seed, "max_size": max_size, "files": files, "verbose": verbose,
            "scale": scale, "tmp": tmp, "keep": keep}


def run_graphs(so, opts, indices, jobs):
    """Yields the Result of every graph index, in order (jobs processes)."""
    _init_worker(so, opts)
    if len(indices) <= 1 or jobs <= 1:
        for i in indices:
            yield check_graph(i)
        return
    pool_ = multiprocessing.get_context("fork").Pool(jobs, _init_worker, (so, opts))
    try:
        for res in pool_.imap(check_graph, indices, chunksize=1):
            yield res
    finally:
        pool_.close()
        pool_.join()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", default="1")
    ap.add_argument("--graphs", type=int, default=100)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--only", type=int)
    ap.add_argument("--max-size", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--files", action="store_true")
    ap.add_argument("--so")
    ap.add_argument("--keep")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--summary-every", type=int, default=0)
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="one line per failing graph instead of its description")
    args = ap.parse_args(argv)

    so = find_so(args.so)
    if so is None:
        sys.stderr.write("conform.py: no extension (give --so or MIGRATE_SO; make sqlite_ext/migrate.so)\n")
        return 2
    opts = make_opts(args.seed, args.max_size, args.files, args.verbose, args.scale, args.keep)
    if args.only is not None:
        indices = [args.only]
    else:
        indices = list(range(args.start, args.start + args.graphs))

    t0 = time.time()
    summ = Summary()
    if args.tap:
        print("1..%d" % len(indices))
        sys.stdout.flush()
    for n, res in enumerate(run_graphs(so, opts, indices, args.jobs), 1):
        bad = summ.add(res)
        if args.tap:
            print("%s %d - seed %s graph %d: %d revisions, %d checks (%.2fs)" % (
                "not ok" if bad else "ok", n, res.seed, res.index, res.size, res.checks, res.seconds))
            if bad:
                for l in describe_result(res, opts):
                    print("# " + l)
        elif bad and args.quiet:
            print("seed %s graph %d (%d revisions): %d mismatch(es)%s; first: %s" % (
                res.seed, res.index, res.size, len(res.mismatches),
                ", error" if res.error else "",
                res.mismatches[0]["command"] if res.mismatches else res.error.strip().split("\n")[-1]))
        elif bad:
            print("\n".join(describe_result(res, opts)))
        sys.stdout.flush()
        if args.summary_every and n % args.summary_every == 0:
            sys.stderr.write("%d graphs, %d failed, %.0fs\n" % (n, summ.failed, time.time() - t0))
    prefix = "# " if args.tap else ""
    for l in summ.lines(args.seed, indices[0], indices[-1], time.time() - t0):
        print(prefix + l)
    return 1 if summ.failed else 0


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") is None:
        # Alembic's set orders (labels, children) then repeat from run to run.
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)
    sys.exit(main(sys.argv[1:]))
