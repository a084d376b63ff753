#!/usr/bin/python3
"""regen.py -- write the Alembic golden files (run through regen.sh).

usage: /usr/bin/python3 tests/oracle/regen.py [OUT_DIR]

Converts the sample environment (migrations/, or $MIGRATE_ORACLE_SRC) into
an Alembic environment with alembic_env.py, asks real Alembic (Debian's
python3-alembic) the questions the engine must answer the same way, and
writes the answers into OUT_DIR (default tests/oracle/expected), replacing
what was there.  The engine's tests compare their output with these files;
tests/oracle/goldens.t checks that they are current.

Files (OUT_DIR/README names the command and database state of each):
  *.txt          stdout of a listing command (heads, history, current, ...)
  *.sql          stdout of an offline (--sql) run, for the dialect named
  *.log          the "Running upgrade/downgrade ..." lines of an online run
                 on a SQLite database, in order
  version_table_*.txt   the rows of alembic_version after an online run,
                 sorted; schema_*.txt: the tables and indexes present
  errors/NAME.txt         the CLI's error message (without "FAILED: ")
  errors/NAME.detail.txt  the inner reason Alembic hides behind
                 "Can't locate revision identified by ..." (resolution
                 errors only)
  resolve.tsv    identifier, "ok" or "error", resolved ids or the message

All commands run in this one process (alembic_env.run), which gives the
same output as the alembic command line, many times faster.
"""

import os
import re
import shutil
import sqlite3
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import alembic_env  # noqa: E402

RUNNING = re.compile(r"^INFO  \[alembic\.runtime\.migration\] (Running .*)$", re.M)

IDENTS = [
    "heads", "gxy", "tsi", "gxy@head", "tsi@head", "gxy@heads", "gxy@base",
    "base", "e7b6dcb09efd", "e7b6", "6a", "d4", "9540a051226e",
    "c39f1de47a04@head", "5555bbbb0001@head", "gxy@c39f", "tsi@5555bbbb0001",
    "head", "5555", "tsi@5555", "zz", "ffff", "tsi@c39f1de47a04",
    "nosuch@head",
]


class RegenError(Exception):
    pass


class Regen:
    def __init__(self, env, gen, work):
        self.env = env
        self.gen = gen
        self.work = work
        self.readme = [
            "Golden files written by tests/oracle/regen.sh from Alembic's answers on the",
            "sample environment migrations/.  Do not edit: change the environment or the",
            "script and run tests/oracle/regen.sh.  One line per file: the file, the",
            "database state it was run on, and the alembic command.",
            "",
        ]

    def note(self, name, what):
        self.readme.append("%-52s %s" % (name, what))

    def write(self, name, text):
        path = os.path.join(self.gen, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def alembic(self, url, *args, must_fail=False):
        status, out, err = alembic_env.run(self.env, list(args), url=url)
        if must_fail and status == 0:
            raise RegenError("alembic %s succeeded, an error was expected" % " ".join(args))
        if not must_fail and status != 0:
            raise RegenError("alembic %s failed:\n%s%s" % (" ".join(args), out, err))
        return out, err

    def db(self, name):
        return os.path.join(self.work, name)

    # ------------------------------------------------------------ kinds
    def text(self, name, state, url, *args):
        out, _ = self.alembic(url, *args)
        self.write(name, out)
        self.note(name, "[%s] alembic %s" % (state, " ".join(args)))

    def offline(self, name, dialect, *args):
        out, _ = self.alembic(dialect + "://", *(args + ("--sql",)))
        self.write(name, out)
        self.note(name, "[%s, offline] alembic %s --sql" % (dialect, " ".join(args)))

    def online(self, name, state, db, *args):
        _, err = self.alembic("sqlite:///" + db, *args)
        self.write(name, "".join(m + "\n" for m in RUNNING.findall(err)))
        self.note(name, "[%s] alembic %s" % (state, " ".join(args)))

    def version_table(self, name, state, db):
        con = sqlite3.connect(db)
        rows = con.execute("SELECT version_num FROM alembic_version ORDER BY 1").fetchall()
        con.close()
        self.write(name, "".join(r[0] + "\n" for r in rows))
        self.note(name, "[%s] SELECT version_num FROM alembic_version ORDER BY 1" % state)

    def schema(self, name, state, db):
        con = sqlite3.connect(db)
        rows = con.execute(
            "SELECT type, name FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        con.close()
        self.write(name, "".join("%s %s\n" % r for r in rows))
        self.note(name, "[%s] SELECT type, name FROM sqlite_master ORDER BY name" % state)

    def error(self, name, state, url, *args):
        out, _ = self.alembic(url, *args, must_fail=True)
        lines = [l[len("FAILED: "):] for l in out.splitlines() if l.startswith("FAILED: ")]
        if not lines:
            raise RegenError("alembic %s printed no FAILED line:\n%s" % (" ".join(args), out))
        self.write("errors/%s.txt" % name, "".join(l + "\n" for l in lines))
        self.note("errors/%s.txt" % name, "[%s] alembic %s" % (state, " ".join(args)))

    def detail(self, name, ident):
        good, text = alembic_env.resolve(self.env, ident)
        if good:
            raise RegenError("identifier '%s' resolved, an error was expected" % ident)
        self.write("errors/%s.detail.txt" % name, text + "\n")
        self.note("errors/%s.detail.txt" % name, "[no database] RevisionMap.get_revisions('%s')" % ident)

    def resolve_table(self, name):
        lines = []
        for ident in IDENTS:
            good, text = alembic_env.resolve(self.env, ident)
            lines.append("%s\t%s\t%s\n" % (ident, "ok" if good else "error", text))
        self.write(name, "".join(lines))
        self.note(name, "[no database] RevisionMap.get_revisions(ident) for each ident")

    # ------------------------------------------------------------ the set
    def all(self):
        nodb = "no database"
        # The graph.
        self.text("heads.txt", nodb, "sqlite://", "heads")
        self.text("branches.txt", nodb, "sqlite://", "branches")
        self.text("history.txt", nodb, "sqlite://", "history")
        self.text("history_range_b182f655505f_9540a051226e.txt", nodb, "sqlite://",
                  "history", "-r", "b182f655505f:9540a051226e")
        self.text("history_range_9540a051226e_end.txt", nodb, "sqlite://",
                  "history", "-r", "9540a051226e:")
        self.resolve_table("resolve.tsv")

        # Offline SQL.
        for d in ("sqlite", "postgresql"):
            self.offline("upgrade_heads_%s.sql" % d, d, "upgrade", "heads")
            self.offline("upgrade_gxy_head_%s.sql" % d, d, "upgrade", "gxy@head")
            self.offline("upgrade_tsi_head_%s.sql" % d, d, "upgrade", "tsi@head")
            self.offline("upgrade_9540a051226e_a2e418ad6a15_%s.sql" % d, d,
                         "upgrade", "9540a051226e:a2e418ad6a15")
            self.offline("downgrade_unmerge_%s.sql" % d, d,
                         "downgrade", "9540a051226e:b182f655505f")
            self.offline("downgrade_a2e418ad6a15_9540a051226e_%s.sql" % d, d,
                         "downgrade", "a2e418ad6a15:9540a051226e")
        self.offline("upgrade_d4_sqlite.sql", "sqlite", "upgrade", "d4")

        # Online on SQLite: the demo's session (upgrade gxy@head, history,
        # downgrade gxy@-1, current), then tsi on top.
        db = self.db("gxy.db")
        url = "sqlite:///" + db
        self.online("upgrade_gxy_head.log", "empty", db, "upgrade", "gxy@head")
        s = "after upgrade gxy@head"
        self.version_table("version_table_after_gxy_head.txt", s, db)
        self.schema("schema_after_gxy_head.txt", s, db)
        self.text("current_after_gxy_head.txt", s, url, "current")
        self.text("history_indicate_current_after_gxy_head.txt", s, url,
                  "history", "--indicate-current")
        self.online("downgrade_gxy_minus_1.log", s, db, "downgrade", "gxy@-1")
        s = "after downgrade gxy@-1"
        self.text("current_after_gxy_minus_1.txt", s, url, "current")
        self.version_table("version_table_after_gxy_minus_1.txt", s, db)
        self.error("downgrade_3a2d6b1c9e0f", s, url, "downgrade", "3a2d6b1c9e0f")
        self.online("upgrade_tsi_head_after_gxy.log", s, db, "upgrade", "tsi@head")
        s = "after upgrade tsi@head"
        self.version_table("version_table_after_gxy_then_tsi.txt", s, db)
        self.error("upgrade_plus_1_two_heads", s, url, "upgrade", "+1")

        # Everything, then back to base.
        db = self.db("heads.db")
        url = "sqlite:///" + db
        self.online("upgrade_heads.log", "empty", db, "upgrade", "heads")
        s = "after upgrade heads"
        self.version_table("version_table_after_heads.txt", s, db)
        self.schema("schema_after_heads.txt", s, db)
        self.text("current_after_heads.txt", s, url, "current")
        self.text("history_indicate_current_after_heads.txt", s, url,
                  "history", "--indicate-current")
        self.online("downgrade_base_from_heads.log", s, db, "downgrade", "base")
        s = "after downgrade base"
        self.version_table("version_table_after_downgrade_base.txt", s, db)
        self.schema("schema_after_downgrade_base.txt", s, db)

        # tsi alone: pulls in its gxy dependency; stores only the tsi head.
        db = self.db("tsi.db")
        url = "sqlite:///" + db
        self.online("upgrade_tsi_head.log", "empty", db, "upgrade", "tsi@head")
        s = "after upgrade tsi@head"
        self.version_table("version_table_after_tsi_head.txt", s, db)
        self.text("current_after_tsi_head.txt", s, url, "current")
        self.online("downgrade_tsi_base.log", s, db, "downgrade", "tsi@base")
        self.version_table("version_table_after_tsi_base.txt", "after downgrade tsi@base", db)

        # Merge and unmerge online.
        db = self.db("merge.db")
        self.online("upgrade_9540a051226e.log", "empty", db, "upgrade", "9540a051226e")
        s = "after upgrade 9540a051226e"
        self.version_table("version_table_after_9540a051226e.txt", s, db)
        self.online("downgrade_b182f655505f.log", s, db, "downgrade", "b182f655505f")
        self.version_table("version_table_after_unmerge.txt", "after downgrade b182f655505f", db)

        # Errors.
        url = "sqlite:///" + self.db("empty.db")
        for name, args, ident in (
            ("upgrade_head", ("upgrade", "head"), "head"),
            ("upgrade_zz", ("upgrade", "zz"), "zz"),
            ("upgrade_ffff", ("upgrade", "ffff"), "ffff"),
            ("upgrade_5555", ("upgrade", "5555"), "5555"),
            ("upgrade_tsi_at_c39f1de47a04", ("upgrade", "tsi@c39f1de47a04"), "tsi@c39f1de47a04"),
            ("upgrade_nosuch_at_head", ("upgrade", "nosuch@head"), "nosuch@head"),
            ("upgrade_heads_minus_1", ("upgrade", "heads-1"), None),
            ("upgrade_gxy_minus_1", ("upgrade", "gxy@-1"), None),
            ("upgrade_e7b6dcb09efd_plus_3", ("upgrade", "e7b6dcb09efd+3"), None),
            ("upgrade_range_online", ("upgrade", "e7b6dcb09efd:b182f655505f"), None),
        ):
            self.error(name, "empty", url, *args)
            if ident is not None:
                self.detail(name, ident)
        self.error("downgrade_sql_without_range", nodb, "sqlite://",
                   "downgrade", "b182f655505f", "--sql")
        self.error("history_range_not_lineage", nodb, "sqlite://",
                   "history", "-r", "9540a051226e:c39f1de47a04")
        self.error("history_range_without_colon", nodb, "sqlite://",
                   "history", "-r", "9540a051226e")

        self.write("README", "\n".join(self.readme) + "\n")


def main(argv):
    out = argv[0] if argv else os.path.join(HERE, "expected")
    src = os.environ.get("MIGRATE_ORACLE_SRC") or os.path.join(ROOT, "migrations")
    with tempfile.TemporaryDirectory(prefix="migrate-oracle.") as work:
        env = os.path.join(work, "env")
        gen = os.path.join(work, "expected")
        os.makedirs(gen)
        alembic_env.build(src, env)
        try:
            Regen(env, gen, work).all()
        except RegenError as e:
            sys.stderr.write("regen: %s\n" % e)
            return 1
        if os.path.isdir(out):
            shutil.rmtree(out)
        shutil.copytree(gen, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
