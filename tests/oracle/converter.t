#!/usr/bin/python3
"""converter.t -- the Alembic oracle's converter (alembic_env.py) is faithful.

The golden files are only as good as the conversion of migrate scripts into
Alembic scripts: header keys, messages, merges, dependencies, sections and
dialect choice, load order, and the patches that make Alembic's answers
deterministic.  Each is checked here against real Alembic.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import alembic_env  # noqa: E402
from taplib import done_testing, is_, ok  # noqa: E402

PY = "/usr/bin/python3"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def script(rev, revises="", extra="", body="", message=None):
    """A revision script's text."""
    return (
        "-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n%s\n%s"
        % (message or "rev " + rev, rev, revises, extra, body)
    )


def alembic(env, *args, url="sqlite://", seed=None):
    """Run the alembic CLI on env; returns (status, stdout, stderr)."""
    e = dict(os.environ, MIGRATE_ORACLE_URL=url)
    if seed is not None:
        e["PYTHONHASHSEED"] = str(seed)
    p = subprocess.run(
        [PY, os.path.join(HERE, "alembic_env.py"), "cli", env] + list(args),
        env=e,
        capture_output=True,
        text=True,
    )
    return p.returncode, p.stdout, p.stderr


# ------------------------------------------------------------ small pieces
is_(alembic_env.split_list(" a, b ,,c "), ["a", "b", "c"], "split_list strips and drops empties")
is_(alembic_env.split_list(""), [], "split_list of nothing")
is_(
    alembic_env.split_statements("CREATE TABLE a (x int);\n\n  DROP TABLE b ;;\n"),
    ["CREATE TABLE a (x int)", "DROP TABLE b"],
    "split_statements: split on ';', stripped, empties dropped",
)
is_(
    alembic_env.split_statements("CREATE TABLE a (\n    x int\n)"),
    ["CREATE TABLE a (\n    x int\n)"],
    "split_statements keeps inner new lines and a last statement without ';'",
)

# ------------------------------------------------------------ parse_script
design_example = """-- add column foo to table bar
--
-- Revision ID: a2e418ad6a15
-- Revises: 6a67bf27e6a6
-- Create Date: 2026-11-21 10:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags: release_22.05

-- migrate:upgrade
ALTER TABLE bar ADD COLUMN foo TEXT;

-- migrate:downgrade
ALTER TABLE bar DROP COLUMN foo;
"""
r = alembic_env.parse_script(design_example)
is_(r["revision"], "a2e418ad6a15", "DESIGN.md example: revision")
is_(r["revises"], ["6a67bf27e6a6"], "DESIGN.md example: revises")
is_(r["message"], "add column foo to table bar", "DESIGN.md example: message")
is_(r["tags"], ["release_22.05"], "DESIGN.md example: tags")
is_(r["branch_labels"], [], "DESIGN.md example: no labels")
is_(r["depends_on"], [], "DESIGN.md example: no dependencies")
is_(
    r["sections"],
    {
        ("upgrade", None): ["ALTER TABLE bar ADD COLUMN foo TEXT"],
        ("downgrade", None): ["ALTER TABLE bar DROP COLUMN foo"],
    },
    "DESIGN.md example: plain sections",
)

r = alembic_env.parse_script(
    "-- REVISION ID: abc\n-- revises: <base>\n-- branch labels: x, y\n"
    "-- DEPENDS ON: d1,d2\n-- some free text\n-- merge things\n"
)
is_(r["revision"], "abc", "keys are case-insensitive")
is_(r["revises"], [], "'<base>' means no down revision")
is_(r["branch_labels"], ["x", "y"], "labels are a comma list")
is_(r["depends_on"], ["d1", "d2"], "dependencies are a comma list")
is_(r["message"], "some free text", "the first non-key comment line is the message")
is_(r["sections"], {}, "no sections")

r = alembic_env.parse_script("-- Revision ID: m1\n-- Revises: a, b\n")
is_(r["revises"], ["a", "b"], "a merge point revises two")
is_(r["message"], "", "no message line: empty message")

is_(alembic_env.parse_script("-- just a comment\nSELECT 1;\n"), None, "no Revision ID: not a revision")
is_(alembic_env.parse_script(""), None, "empty file: not a revision")

try:
    alembic_env.parse_script("-- Revision ID: x1\n-- Create Date: now\n", "f.sql")
    ok(False, "a missing Revises line is an error")
except alembic_env.ScriptError as e:
    is_(str(e), "f.sql: revision 'x1' has no 'Revises' line", "a missing Revises line is an error")

try:
    alembic_env.parse_script(
        "-- Revision ID: x1\n-- Revises:\n\n-- migrate:upgrade sqlite\nA;\n-- migrate:upgrade sqlite\nB;\n",
        "g.sql",
    )
    ok(False, "a section given twice is an error")
except alembic_env.ScriptError as e:
    is_(str(e), "g.sql: section 'upgrade sqlite' given twice", "a section given twice is an error")

r = alembic_env.parse_script(
    "-- Revision ID: x2\n-- Revises:\n\n-- migrate:upgrade\nA1;\n"
    "-- migrate:upgrade PostgreSQL\nP1; P2;\n-- migrate:downgrade\n\n"
)
is_(
    r["sections"],
    {("upgrade", None): ["A1"], ("upgrade", "postgresql"): ["P1", "P2"], ("downgrade", None): []},
    "dialect sections are keyed by lower-case dialect; an empty section is kept",
)

# ------------------------------------------------------------ load order
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "src")
    write(os.path.join(src, "b_dir", "0001_z.sql"), script("bbbb00000001"))
    write(os.path.join(src, "a_dir", "0009_y.sql"), script("aaaa00000009"))
    write(os.path.join(src, "a_dir", "0002_x.sql"), script("aaaa00000002"))
    write(os.path.join(src, "a_dir", "notes.sql"), "-- not a revision\nSELECT 1;\n")
    write(os.path.join(src, "a_dir", "README"), "-- Revision ID: nope\n-- Revises:\n")
    revs = alembic_env.load_environment(src)
    is_(
        [x["revision"] for x in revs],
        ["aaaa00000002", "aaaa00000009", "bbbb00000001"],
        "revisions in sorted relative-path order; non-revisions and non-.sql skipped",
    )
    is_(
        [x["filename"] for x in revs],
        ["a_dir/0002_x.sql", "a_dir/0009_y.sql", "b_dir/0001_z.sql"],
        "file names relative to the environment root",
    )
    out = os.path.join(tmp, "env")
    alembic_env.build(src, out)
    is_(
        sorted(os.listdir(os.path.join(out, "env", "versions"))),
        ["0000_aaaa00000002.py", "0001_aaaa00000009.py", "0002_bbbb00000001.py"],
        "Alembic file names carry the load-order index",
    )
    status, stdout, stderr = alembic(out, "heads")
    is_(
        (status, stdout),
        (0, "aaaa00000002 (head)\naaaa00000009 (head)\nbbbb00000001 (head)\n"),
        "three independent bases: Alembic lists heads in load order",
    )

# ------------------------------------------------------------ generated scripts
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "src")
    write(
        os.path.join(src, "v", "1_base.sql"),
        script(
            "aaaa00000001",
            extra="-- Branch Labels: lab",
            message="make base",
            body="-- migrate:upgrade\nCREATE TABLE t (x int);\n"
            "-- migrate:upgrade postgresql\nCREATE TABLE t (x bigint);\n"
            "-- migrate:downgrade\nDROP TABLE t;\n",
        ),
    )
    write(
        os.path.join(src, "v", "2_other.sql"),
        script("aaaa00000002", "aaaa00000001", body="-- migrate:upgrade sqlite\nSELECT 2;\n"),
    )
    write(os.path.join(src, "v", "3_side.sql"), script("cccc00000001", body="-- migrate:upgrade\n"))
    write(
        os.path.join(src, "v", "4_merge.sql"),
        script(
            "dddd00000001",
            "aaaa00000002, cccc00000001",
            "-- Depends On: aaaa00000001",
            message="join them",
            body="-- migrate:upgrade\n-- migrate:downgrade\n",
        ),
    )
    out = os.path.join(tmp, "env")
    alembic_env.build(src, out)

    status, stdout, _ = alembic(out, "history")
    is_(
        (status, stdout),
        (
            0,
            "aaaa00000002, cccc00000001 (aaaa00000001) -> dddd00000001 (lab) (head) (mergepoint), join them\n"
            "aaaa00000001 -> aaaa00000002 (lab), rev aaaa00000002\n"
            "<base> -> cccc00000001, rev cccc00000001\n"
            "<base> -> aaaa00000001 (lab), make base\n",
        ),
        "history: message as docstring, labels, merge down revisions in declared order, dependency",
    )

    status, stdout, _ = alembic(out, "upgrade", "aaaa00000001", "--sql", url="sqlite://")
    ok(status == 0 and "CREATE TABLE t (x int);" in stdout, "sqlite takes the plain section")
    ok("bigint" not in stdout, "sqlite does not take the postgresql section")
    status, stdout, _ = alembic(out, "upgrade", "aaaa00000001", "--sql", url="postgresql://")
    ok(status == 0 and "CREATE TABLE t (x bigint);" in stdout, "postgresql takes its own section over the plain one")
    ok("(x int)" not in stdout, "postgresql does not take the plain section")
    ok(
        "INSERT INTO alembic_version (version_num) VALUES ('aaaa00000001');\n" in stdout,
        "postgresql offline INSERT has no RETURNING clause",
    )
    ok(stdout.startswith("BEGIN;\n\n") and stdout.endswith("COMMIT;\n\n"), "postgresql offline SQL is one transaction")

    status, stdout, stderr = alembic(out, "upgrade", "aaaa00000002", "--sql", url="postgresql://")
    ok(status != 0, "a revision without a section for the dialect fails")
    ok(
        "revision aaaa00000002 has no upgrade section for dialect postgresql" in stderr,
        "... naming revision, direction and dialect",
    )
    status, stdout, _ = alembic(out, "upgrade", "aaaa00000002", "--sql", url="sqlite://")
    ok(status == 0 and "SELECT 2;" in stdout, "the same revision runs on the dialect it has")

    status, stdout, _ = alembic(out, "downgrade", "aaaa00000002:aaaa00000001", "--sql", url="sqlite://")
    ok(status != 0, "no downgrade section: the downgrade fails")

    # Online, on a SQLite file: the table is really created.
    db = os.path.join(tmp, "x.db")
    status, _, stderr = alembic(out, "upgrade", "aaaa00000001", url="sqlite:///" + db)
    ok(status == 0 and "Running upgrade  -> aaaa00000001, make base" in stderr, "online upgrade logs the message")
    import sqlite3

    con = sqlite3.connect(db)
    is_(
        [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")],
        ["alembic_version", "t"],
        "online upgrade ran the statement and created the version table",
    )
    is_([r[0] for r in con.execute("SELECT version_num FROM alembic_version")], ["aaaa00000001"], "version row written")
    con.close()

    good, text = alembic_env.resolve(out, "lab@head")
    is_((good, text), (True, "dddd00000001"), "resolve: label@head (the merge is in the label's lineage)")
    good, text = alembic_env.resolve(out, "aaaa")
    is_(
        (good, text),
        (False, "Multiple revisions start with 'aaaa': 'aaaa00000001', 'aaaa00000002'..."),
        "resolve: an ambiguous prefix gives Alembic's inner message",
    )

# ------------------------------------------------------------ determinism
# Alembic 1.8.1 picks some orders from Python sets: which row a merge-like
# step updates (when another head is present), which parents an unmerge
# re-inserts first, the children of a branch point.  The patches make each
# the declared (or load) order, the same for every hash seed.
PROBE = """
import sys
sys.path.insert(0, %r)
import alembic_env
alembic_env.patch_alembic()
from alembic.config import Config
from alembic.runtime.migration import RevisionStep
from alembic.script import ScriptDirectory
rm = ScriptDirectory.from_config(Config(sys.argv[1])).revision_map
merge = RevisionStep(rm, rm.get_revision("bbbb00000002"), True)
print(merge.merge_branch_idents({"aaaa00000001", "bbbb00000001", "cccc00000001"}))
unmerge = RevisionStep(rm, rm.get_revision("dddd00000001"), False)
print(unmerge.unmerge_branch_idents({"dddd00000001", "cccc00000001"}))
""" % HERE

with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "src")
    up = "-- migrate:upgrade\n-- migrate:downgrade\n"
    write(os.path.join(src, "1.sql"), script("aaaa00000001", body=up))
    write(os.path.join(src, "2.sql"), script("bbbb00000001", body=up))
    write(
        os.path.join(src, "3.sql"),
        script("bbbb00000002", "bbbb00000001", "-- Depends On: aaaa00000001", body=up),
    )
    write(os.path.join(src, "4.sql"), script("aaaa00000002", "aaaa00000001", body=up))
    write(os.path.join(src, "5.sql"), script("aaaa00000003", "aaaa00000001", body=up))
    write(os.path.join(src, "6.sql"), script("cccc00000001", body=up))
    write(os.path.join(src, "7.sql"), script("dddd00000001", "aaaa00000002, aaaa00000003", body=up))
    out = os.path.join(tmp, "env")
    alembic_env.build(src, out)
    probe = os.path.join(tmp, "probe.py")
    write(probe, PROBE)
    answers = set()
    for seed in range(8):
        p = subprocess.run(
            [PY, probe, os.path.join(out, "alembic.ini")],
            env=dict(os.environ, PYTHONHASHSEED=str(seed)),
            capture_output=True,
            text=True,
        )
        answers.add((p.returncode, p.stdout, p.stderr))
    is_(len(answers), 1, "merge and unmerge steps: the same answer for eight hash seeds")
    status, stdout, stderr = answers.pop()
    is_(
        stdout,
        "(['bbbb00000001'], 'aaaa00000001', 'bbbb00000002')\n"
        "('dddd00000001', 'aaaa00000003', ('aaaa00000002',))\n",
        "merge-like step deletes the down revision's row and updates the dependency's; "
        "unmerge inserts the first parent and updates to the last (declared order)",
    )

    outputs = set()
    for seed in range(4):
        outputs.add(alembic(out, "branches", seed=seed))
    is_(len(outputs), 1, "branches: the same for four hash seeds")
    is_(
        outputs.pop()[1],
        "aaaa00000001 (branchpoint)\n"
        "             -> aaaa00000002\n"
        "             -> aaaa00000003\n\n",
        "branch point children listed in load order",
    )

    db = os.path.join(tmp, "cur.db")
    for target in ("cccc00000001", "bbbb00000002"):
        alembic(out, "upgrade", target, url="sqlite:///" + db)
    outputs = set()
    for seed in range(4):
        outputs.add(alembic(out, "current", url="sqlite:///" + db, seed=seed))
    is_(len(outputs), 1, "current: the same for four hash seeds")
    is_(
        outputs.pop()[1],
        "aaaa00000001 (branchpoint)\nbbbb00000002 (head)\ncccc00000001 (head)\n",
        "current lists the database's revisions (dependencies expanded) in load order",
    )

s = alembic_env._OrderedFrozenSet(["b", "a"]).union(["c", "a"])
is_(list(s), ["b", "a", "c"], "_OrderedFrozenSet iterates in insertion order")
ok(isinstance(s, frozenset) and s == frozenset("abc"), "_OrderedFrozenSet is still a frozenset")

sys.exit(done_testing())
