#!/usr/bin/python3
"""alembic_env.py -- turn a migrate environment into a real Alembic one.

The oracle for the engine's revision semantics is Alembic itself (Debian's
python3-alembic).  This module converts a directory of migrate revision
scripts (SQL files with a `-- Revision ID:` header, see DESIGN.md) into an
Alembic environment in another directory, so the same graph can be asked
the same questions of both.

Usage (always with Debian's interpreter, /usr/bin/python3):

    alembic_env.py build SRC_DIR OUT_DIR    write OUT_DIR/alembic.ini, env/
    alembic_env.py cli OUT_DIR ARGS...      run `alembic -c OUT_DIR/alembic.ini ARGS`

The generated environment:
  - alembic.ini: script_location = env, no URL (env.py reads it from the
    environment variable MIGRATE_ORACLE_URL, default sqlite:///OUT_DIR/oracle.db);
  - env/env.py: online mode (SQLAlchemy engine on the URL) and offline mode
    (`--sql`; the URL only selects the dialect, e.g. `postgresql://`);
  - env/versions/NNNN_<rev>.py: one script per revision, NNNN its position
    in the engine's load order (sorted relative path), so that sorted file
    names give Alembic the engine's order.

Invariants:
  - Alembic lists a version directory with os.listdir (unordered); the
    launcher (`cli`) sorts it, which makes map order, and so history, heads
    and upgrade order among independent branches, deterministic and equal
    to the engine's;
  - each section is split on ';' and every non-empty piece, stripped of the
    surrounding white space, is one op.execute(); the dialect's own section
    wins over the plain one;
  - the docstring of each script is the revision's message, which Alembic
    shows in history and run logs;
  - offline PostgreSQL output uses the plain INSERT (no RETURNING clause that
    SQLAlchemy 1.4 would otherwise add), as Alembic documents it.
"""

import os
import re
import sys

KNOWN_KEYS = {
    "revision id": "revision",
    "revises": "revises",
    "create date": "create_date",
    "branch labels": "branch_labels",
    "depends on": "depends_on",
    "tags": "tags",
    "transactional": "transactional",
}

SECTION_RE = re.compile(r"^--\s*migrate:(upgrade|downgrade)(?:\s+(\w+))?\s*$")
KEY_RE = re.compile(r"^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$")


class ScriptError(Exception):
    """A revision script that cannot be converted."""


def split_list(value):
    """Comma-separated list -> list of stripped, non-empty items."""
    return [item.strip() for item in value.split(",") if item.strip()]


def split_statements(text):
    """Section text -> statements: split on ';', stripped, empties dropped."""
    return [piece.strip() for piece in text.split(";") if piece.strip()]


def parse_script(text, filename="<text>"):
    """Parse one revision script.

    Returns None when the file has no `Revision ID` (not a revision), else a
    dict: revision, revises (list), branch_labels, depends_on, tags (lists),
    message, sections {(direction, dialect or None): [statements]}.
    Raises ScriptError for a revision without a `Revises` line or with a
    section given twice.
    """
    lines = text.splitlines()
    header = {}
    message = None
    i = 0
    # Header: the leading block of `--` comment lines (blank lines before
    # it are skipped).
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and lines[i].lstrip().startswith("--"):
        line = lines[i].strip()
        if SECTION_RE.match(line):
            break
        body = line[2:].strip()
        i += 1
        if not body:
            continue
        m = KEY_RE.match(body)
        if m and m.group(1).strip().lower() in KNOWN_KEYS:
            header[KNOWN_KEYS[m.group(1).strip().lower()]] = m.group(2).strip()
        elif message is None:
            message = body
    if "revision" not in header or not header["revision"]:
        return None
    rev = header["revision"]
    if "revises" not in header:
        raise ScriptError("%s: revision '%s' has no 'Revises' line" % (filename, rev))
    revises = [r for r in split_list(header["revises"]) if r != "<base>"]

    sections = {}
    current = None
    for line in lines[i:]:
        m = SECTION_RE.match(line.strip())
        if m:
            current = (m.group(1), m.group(2).lower() if m.group(2) else None)
            if current in sections:
                raise ScriptError(
                    "%s: section '%s' given twice"
                    % (filename, " ".join(x for x in current if x))
                )
            sections[current] = []
            continue
        if current is not None:
            sections[current].append(line)
    return {
        "revision": rev,
        "revises": revises,
        "branch_labels": split_list(header.get("branch_labels", "")),
        "depends_on": split_list(header.get("depends_on", "")),
        "tags": split_list(header.get("tags", "")),
        "message": message or "",
        "filename": filename,
        "sections": {
            key: split_statements("\n".join(body)) for key, body in sections.items()
        },
    }


def load_environment(src):
    """All revisions under src, in the engine's load order (sorted path)."""
    paths = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in files:
            if name.endswith(".sql"):
                full = os.path.join(root, name)
                paths.append(os.path.relpath(full, src))
    revisions = []
    for rel in sorted(paths):
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            parsed = parse_script(f.read(), rel)
        if parsed is not None:
            revisions.append(parsed)
    return revisions


def _tuple_or_none(items):
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    return tuple(items)


SCRIPT_TEMPLATE = '''\
{doc}

# Generated from {filename} by tests/oracle/alembic_env.py.
from alembic import op

revision = {revision!r}
down_revision = {down_revision!r}
branch_labels = {branch_labels!r}
depends_on = {depends_on!r}
tags = {tags!r}

# (direction, dialect or None) -> statements
SECTIONS = {sections!r}


def _run(direction):
    dialect = op.get_context().dialect.name
    statements = SECTIONS.get((direction, dialect))
    if statements is None:
        statements = SECTIONS.get((direction, None))
    if statements is None:
        raise RuntimeError(
            "revision %s has no %s section for dialect %s"
            % (revision, direction, dialect)
        )
    for statement in statements:
        op.execute(statement)


def upgrade():
    _run("upgrade")


def downgrade():
    _run("downgrade")
'''

ENV_PY = '''\
# env.py for the migrate oracle environment (generated).
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URL = os.environ.get("MIGRATE_ORACLE_URL") or "sqlite:///" + os.path.join(
    HERE, "oracle.db"
)


def run_migrations_offline():
    context.configure(
        url=URL,
        literal_binds=True,
        dialect_opts={"paramstyle": "named", "implicit_returning": False},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = create_engine(URL, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

ALEMBIC_INI = '''\
# alembic.ini for the migrate oracle environment (generated).
[alembic]
script_location = %(here)s/env

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
'''

SCRIPT_MAKO = '''\
"""${message}"""
from alembic import op

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    pass


def downgrade():
    pass
'''


def build(src, out):
    """Write the Alembic environment for src into out; returns the revisions."""
    revisions = load_environment(src)
    versions = os.path.join(out, "env", "versions")
    os.makedirs(versions, exist_ok=True)
    for name in os.listdir(versions):
        if name.endswith(".py"):
            os.remove(os.path.join(versions, name))
    with open(os.path.join(out, "alembic.ini"), "w", encoding="utf-8") as f:
        f.write(ALEMBIC_INI)
    with open(os.path.join(out, "env", "env.py"), "w", encoding="utf-8") as f:
        f.write(ENV_PY)
    with open(os.path.join(out, "env", "script.py.mako"), "w", encoding="utf-8") as f:
        f.write(SCRIPT_MAKO)
    for index, rev in enumerate(revisions):
        text = SCRIPT_TEMPLATE.format(
            doc=repr(rev["message"]),
            filename=rev["filename"],
            revision=rev["revision"],
            down_revision=_tuple_or_none(rev["revises"]),
            branch_labels=tuple(rev["branch_labels"]) or None,
            depends_on=_tuple_or_none(rev["depends_on"]),
            tags=tuple(rev["tags"]),
            sections=rev["sections"],
        )
        name = "%04d_%s.py" % (index, rev["revision"])
        with open(os.path.join(versions, name), "w", encoding="utf-8") as f:
            f.write(text)
    return revisions


class _OrderedFrozenSet(frozenset):
    """A frozenset that iterates in insertion order."""

    def __new__(cls, *iterables):
        order = []
        for items in iterables:
            for item in items:
                if item not in order:
                    order.append(item)
        self = super().__new__(cls, order)
        self._order = tuple(order)
        return self

    def __iter__(self):
        return iter(self._order)

    def union(self, *others):
        return _OrderedFrozenSet(self, *others)


def patch_alembic():
    """Make Alembic's answers deterministic, in declaration order.

    Alembic 1.8.1 takes a few orders from Python sets, which vary with the
    hash seed from one run to the next.  Each patch keeps Alembic's choice
    of *what* to do and fixes only the order, the way the engine does it:

      - version directories are listed sorted by file name (load order);
      - a revision's children (nextrev) iterate in the order they were
        added, i.e. load order (branches, descendant walks, downgrades);
      - a revision's normalized dependencies keep their `depends_on` order;
      - a merge step (a merge point, or a revision whose dependency is also
        a current head) deletes the rows of all its down revisions but the
        last and updates the last one, in `down revisions, then
        dependencies` order (the rule of RevisionStep.merge_branch_idents);
      - an unmerge step re-inserts parents in that same order;
      - `current` lists revisions in load order;
      - messages are never wrapped to the terminal's width (Alembic wraps
        them when standard input is a terminal).
    """
    from alembic.runtime import migration
    from alembic.script import base, revision
    from alembic.util import messaging

    messaging.TERMWIDTH = None

    Script = base.Script
    if getattr(Script, "_migrate_patched", False):
        return
    Script._migrate_patched = True

    list_py_dir = Script._list_py_dir.__func__

    def _list_py_dir(cls, scriptdir, path):
        return sorted(list_py_dir(cls, scriptdir, path))

    Script._list_py_dir = classmethod(_list_py_dir)

    def add_nextrev(self, rev):
        self._all_nextrev = _OrderedFrozenSet(self._all_nextrev, [rev.revision])
        if self.revision in rev._versioned_down_revisions:
            self.nextrev = _OrderedFrozenSet(self.nextrev, [rev.revision])

    revision.Revision.add_nextrev = add_nextrev

    normalize = revision.RevisionMap._normalize_depends_on

    def _normalize_depends_on(self, revisions, map_):
        normalize(self, revisions, map_)
        for rev in revisions:
            keep = set(rev._normalized_resolved_dependencies)
            rev._normalized_resolved_dependencies = tuple(
                d for d in rev._resolved_dependencies if d in keep
            )

    revision.RevisionMap._normalize_depends_on = _normalize_depends_on

    Step = migration.RevisionStep

    def _ancestors_of_other_heads(self, heads, exclude):
        other_heads = set(heads).difference(exclude)
        if not other_heads:
            return set()
        return set(
            r.revision
            for r in self.revision_map._get_ancestor_nodes(
                self.revision_map.get_revisions(other_heads), check=False
            )
        )

    def merge_branch_idents(self, heads):
        ancestors = _ancestors_of_other_heads(self, heads, self.from_revisions)
        from_revisions = [r for r in self.from_revisions if r not in ancestors]
        return (list(from_revisions[0:-1]), from_revisions[-1], self.to_revisions[0])

    def _unmerge_to_revisions(self, heads):
        ancestors = _ancestors_of_other_heads(self, heads, [self.revision.revision])
        return tuple(r for r in self.to_revisions if r not in ancestors)

    Step.merge_branch_idents = merge_branch_idents
    Step._unmerge_to_revisions = _unmerge_to_revisions

    get_all_current = base.ScriptDirectory.get_all_current

    def _get_all_current(self, id_):
        found = get_all_current(self, id_)
        order = {rev: i for i, rev in enumerate(self.revision_map._revision_map)}
        return sorted(found, key=lambda s: order.get(s.revision if s else None, -1))

    base.ScriptDirectory.get_all_current = _get_all_current


def cli(out, args):
    """Run the alembic command line on the environment in out."""
    patch_alembic()
    from alembic.config import main

    main(argv=["-c", os.path.join(out, "alembic.ini")] + list(args), prog="alembic")


def run(out, args, url=None):
    """Run one alembic command in this process; returns (status, stdout, stderr).

    Same output as the command line (`cli`), without a new interpreter per
    command: stdout holds what the command prints (listings, offline SQL,
    "FAILED: ..." lines), stderr its log ("INFO  [alembic...] Running ...")
    and warnings.  status is 0, 255 for Alembic's error exit, or 1 when an
    exception escaped (its traceback is in stderr).  url, when given,
    becomes MIGRATE_ORACLE_URL for this command.
    """
    import contextlib
    import io
    import traceback

    patch_alembic()
    from alembic.config import CommandLine, Config

    stdout, stderr = io.StringIO(), io.StringIO()
    saved = os.environ.get("MIGRATE_ORACLE_URL")
    if url is not None:
        os.environ["MIGRATE_ORACLE_URL"] = url
    status = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            cl = CommandLine(prog="alembic")
            options = cl.parser.parse_args(
                ["-c", os.path.join(out, "alembic.ini")] + list(args)
            )
            cfg = Config(
                file_=options.config,
                ini_section=options.name,
                cmd_opts=options,
                stdout=stdout,
            )
            try:
                cl.run_cmd(cfg, options)
            except SystemExit as e:
                status = e.code % 256 if isinstance(e.code, int) else 1
            except Exception:
                traceback.print_exc(file=stderr)
                status = 1
    finally:
        if saved is None:
            os.environ.pop("MIGRATE_ORACLE_URL", None)
        else:
            os.environ["MIGRATE_ORACLE_URL"] = saved
    return status, stdout.getvalue(), stderr.getvalue()


def script_directory(out):
    """The (sorted) Alembic ScriptDirectory of the environment in out."""
    patch_alembic()
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(Config(os.path.join(out, "alembic.ini")))


def resolve(out, ident):
    """Resolve ident like Alembic's revision map; returns (ok, text).

    On success text is the resolved revisions, space-separated; on failure
    it is the inner message that the CLI hides behind
    "Can't locate revision identified by ...".
    """
    from alembic.script.revision import RevisionError

    rmap = script_directory(out).revision_map
    try:
        revs = rmap.get_revisions(ident)
    except RevisionError as e:
        return False, str(e.args[0]) if e.args else str(e)
    return True, " ".join(r.revision for r in revs if r is not None)


def main(argv):
    if len(argv) >= 3 and argv[0] == "build":
        build(argv[1], argv[2])
        return 0
    if len(argv) >= 2 and argv[0] == "cli":
        cli(argv[1], argv[2:])
        return 0
    if len(argv) == 3 and argv[0] == "resolve":
        good, text = resolve(argv[1], argv[2])
        print(text)
        return 0 if good else 1
    sys.stderr.write(
        "usage: alembic_env.py build SRC_DIR OUT_DIR\n"
        "       alembic_env.py cli OUT_DIR ALEMBIC_ARGS...\n"
        "       alembic_env.py resolve OUT_DIR IDENT\n"
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
