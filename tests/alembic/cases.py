#!/usr/bin/python3
"""cases.py -- hand-made graphs and command sequences, run by Alembic and
by the engine, compared as conform.py compares them.

Each case is a small graph (gen.from_spec) and a script of commands; the
commands before the last set up a database state (both sides must agree
on them), the last is the one the case is about.  CASES holds the minimal
examples of every disagreement the random test has found, plus a few
agreements that guard the documented differences; each asserts Alembic's
answer (or the documented difference).

Usage:
    cases.py [--tap] [-v] [NAME...]               run the listed cases (all)
    cases.py --spec SPEC CMD [CMD...]             one ad-hoc case: prints
                                                  both answers of each command
Commands: "upgrade T", "downgrade T", "stamp [--purge] T", "current",
"heads", "branches", "history [-r R] [--indicate-current]", "show T",
"upgrade --sql R", "downgrade --sql R".
"""

import argparse
import os
import shlex
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import conform  # noqa: E402
import gen  # noqa: E402

# name -> (spec, commands, what Alembic does)
CASES = [
    # ---- disagreements found by conform.py (Alembic's answer asserted)
    ("branches: child lines carry tree markers",
     "aaaa<- bbbb<-aaaa cccc<-aaaa dddd<-bbbb eeee<-bbbb ffff<-cccc,dddd",
     ["branches"],
     "Alembic formats each child with cmd_format(include_branches=True), "
     "which adds (head), (effective head), (branchpoint) and (mergepoint): "
     "'-> bbbb (branchpoint)'"),
    ("history: 'base:current' of an empty database",
     "aaaa<- bbbb<-aaaa",
     ["history -r base:current --indicate-current"],
     "no version rows make 'current' an empty tuple, and walk_revisions(head=() "
     "or 'heads') lists the whole history"),
    ("history: ':current' of an empty database",
     "aaaa<- bbbb<-aaaa",
     ["history -r :current"],
     "as above, without --indicate-current"),
    ("history: several heads, the message names the range end",
     "aaaa<- bbbb<-aaaa cccc<-aaaa",
     ["history -r head:"],
     "walk_revisions passes end=<range end or 'heads'> to _catch_revision_errors, "
     "so MultipleHeads reads \"... for given argument 'heads'; ... '<branchname>@heads' ...\""),
    ("history: several heads, the message names the range end (2)",
     "aaaa<- bbbb<-aaaa cccc<-aaaa",
     ["history -r head:bbbb"],
     "as above: \"... for given argument 'bbbb'; ... '<branchname>@bbbb' ...\""),
    ("history: several heads on a branch, 'gxy@head:'",
     "aaaa<-[gxy] bbbb<-aaaa cccc<-aaaa",
     ["history -r gxy@head:"],
     "as above: the message names 'heads', not 'gxy@head'"),
    ("history: a relative end walks from the range start",
     "aaaa<- bbbb<-aaaa cccc<-bbbb",
     ["history -r bbbb:+1"],
     "the range start is the 'current' revision of _parse_upgrade_target: "
     "+1 from bbbb is cccc, so the range is bbbb..cccc"),
    ("history: a relative branch end walks from the range start",
     "aaaa<-[gxy] bbbb<-aaaa cccc<-bbbb dddd<-[tsi]",
     ["history -r aaaa:gxy@+1"],
     "gxy@+1 from the start aaaa is bbbb: the range is aaaa..bbbb"),
    ("history: a relative end from 'heads'",
     "aaaa<-[tsi] bbbb<-aaaa cccc<-bbbb",
     ["history -r heads:tsi@+1"],
     "tsi@+1 walks up from the start cccc and overwalks; history walks with "
     "assert_relative_length=False, so the walk stays at cccc: one line, cccc"),
    ("history: a 'current' end off the start's lineage: the rows as a tuple",
     "aaaa<- bbbb<-aaaa cccc<-aaaa",
     ["upgrade bbbb", "history -r cccc:current"],
     "the message formats the current heads as a Python tuple: "
     "\"Requested range cccc:('bbbb',) does not refer to ...\""),
    ("history: a 'current' start off the end's lineage, two rows",
     "aaaa<- bbbb<-aaaa cccc<-aaaa dddd<-",
     ["upgrade bbbb", "upgrade dddd", "history -r current:cccc"],
     "\"Requested range ('bbbb', 'dddd'):cccc does not refer to ...\""),
    ("history: '<rev>:current' of an empty database",
     "aaaa<- bbbb<-aaaa cccc<-aaaa",
     ["history -r cccc:current"],
     "no rows: the end is 'heads', and cccc:heads lists cccc"),
    ("history: 'current:heads' with version rows that overlap",
     "aaaa<- bbbb<-aaaa cccc<-[br1](bbbb,aaaa)",
     ["upgrade heads", "downgrade br1@base", "history -r current:heads"],
     "downgrading cccc re-inserts both its dependencies (Alembic's unmerge; "
     "the engine does the same), and _get_ancestor_nodes(check=True) then fails "
     "with 'Requested revision bbbb overlaps with other requested revisions aaaa'"),
    ("history: an end '<branch>@heads' that holds an effective head",
     "aaaa<-[gxy] bbbb<-aaaa cccc<-aaaa dddd<-bbbb(cccc)",
     ["history -r :gxy@heads"],
     "gxy@heads is (dddd, cccc), cccc being dddd's dependency; the walk's "
     "_get_ancestor_nodes(check=True) fails as upgrade does: 'Requested revision "
     "dddd overlaps with other requested revisions cccc'"),
    ("stamp: a relative target walks from the script heads",
     "aaaa<- bbbb<-aaaa",
     ["stamp -1"],
     "stamp resolves its target with get_revisions, where '-1' walks one step "
     "down from every head: stamps aaaa"),
    ("stamp: <branch>@-N",
     "aaaa<-[gxy] bbbb<-aaaa",
     ["stamp gxy@-1"],
     "get_revisions('gxy@-1') walks one step down from the gxy head: stamps aaaa"),
    ("stamp: <rev>@-N",
     "aaaa<- bbbb<-aaaa cccc<-",
     ["stamp bbbb@-1"],
     "get_revisions('bbbb@-1') walks down only from heads that carry a *label* "
     "'bbbb': none, so the target is base and, with no version rows, stamp does nothing"),
    ("stamp: <branch>@<prefix> ambiguous off the branch, empty version table",
     "aaaa<-[gxy] bbbb1<-aaaa bbbb2<-",
     ["stamp gxy@bbbb"],
     "the prefix candidates are filtered by the branch (bbbb1); with no version "
     "rows nothing else resolves 'gxy@bbbb' without the branch: stamps bbbb1"),
    ("stamp --purge: <branch>@<prefix> ambiguous off the branch",
     "aaaa<-[gxy] bbbb1<-aaaa bbbb2<-",
     ["upgrade heads", "stamp --purge gxy@bbbb"],
     "--purge empties the table first, so as above: stamps bbbb1"),
    # ---- agreements that guard documented differences
    ("offline downgrade to base keeps the version table",
     "aaaa<- bbbb<-aaaa",
     ["downgrade --sql bbbb:base"],
     "Alembic 1.8 ends with DROP TABLE alembic_version; the engine does not "
     "(README, Differences from Alembic 2)"),
    ("a relative target past the graph is 'Walked too far'",
     "aaaa<- bbbb<-aaaa",
     ["upgrade aaaa+5"],
     "Alembic fails an assertion (README, Differences from Alembic 4)"),
    ("a merge while other heads exist (set order compared as a set)",
     "aaaa<- bbbb<-aaaa cccc<-aaaa dddd<- eeee<-bbbb,cccc",
     ["upgrade --sql heads", "upgrade heads", "downgrade aaaa", "current"],
     "agree"),
    ("downgrade -1 from several version rows walks from the first row read",
     "bbbb<- aaaa<-",
     ["upgrade aaaa", "upgrade bbbb", "downgrade -1"],
     "Alembic warns and walks from the first row SQLite returns (rowid order): aaaa"),
]


def parse(cmd):
    words = shlex.split(cmd)
    return words[0], words[1:]


class Runner(object):
    def __init__(self, so, verbose=False):
        self.so = so
        self.verbose = verbose

    def run_case(self, spec, commands):
        """Run commands on both sides; returns (ok, lines describing it)."""
        import tempfile
        import shutil
        graph = gen.from_spec(spec)
        work = tempfile.mkdtemp(prefix="cases-")
        lines = []
        try:
            sql_dir = gen.write_sql_env(graph, os.path.join(work, "sql"))
            al = conform.FastAlembic(graph)
            en = conform.Engine(self.so, sql_dir)
            gc = conform.GraphCheck("case", 0, graph, al, en)
            adb, edb = al.new_db(), en.new_db()
            good = True
            try:
                for cmd in commands:
                    a, e, same = self.one(gc, cmd, adb, edb)
                    lines.append("%s %s" % ("   " if same else "!! ", cmd))
                    lines.append("    alembic: %r" % (a,))
                    lines.append("    engine:  %r" % (e,))
                    if not same:
                        good = False
                        break
            finally:
                al.close_db(adb)
                en.close_db(edb)
                en.close()
            return good, lines
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @staticmethod
    def one(gc, cmd, adb, edb):
        """Run one command on both sides; (alembic, engine, agree)."""
        name, args = parse(cmd)
        al, en = gc.al, gc.en
        ac, ec = al.db_conn(adb), en.db_conn(edb)
        before = len(gc.res.mismatches)
        if name in ("upgrade", "downgrade") and args and args[0] == "--sql":
            fn = name + "_sql"
            a, e = getattr(al, fn)(args[1]), getattr(en, fn)(args[1])
            gc.compare(cmd, a, e, offline=True)
        elif name in ("upgrade", "downgrade", "stamp"):
            kw = {}
            if args and args[0] == "--purge":
                kw["purge"] = True
                args = args[1:]
            a = getattr(al, name)(args[0], ac, **kw)
            e = getattr(en, name)(args[0], ec, **kw)
            same = (a.kind == e.kind and (a.kind != "error" or conform.same_error(a.text, e.text))
                    and a.log == e.log and a.warned == e.warned
                    and al.state(adb) == en.state(edb))
            if a.kind == "crash":
                same = e.kind == "error"
            return a, e, bool(same)
        elif name == "history":
            rng = None
            ind = "--indicate-current" in args
            if "-r" in args:
                rng = args[args.index("-r") + 1]
            a, e = al.history(rng, ind, conn=ac), en.history(rng, ind, conn=ec)
            gc.compare(cmd, a, e, norm=conform.norm_listing)
        elif name == "current":
            a, e = al.current(ac), en.current(ec)
            gc.compare(cmd, a, e, norm=conform.norm_current)
        elif name == "heads":
            a, e = al.heads(), en.heads()
            gc.compare(cmd, a, e, norm=conform.norm_listing)
        elif name == "branches":
            a, e = al.branches(), en.branches()
            gc.compare(cmd, a, e, norm=conform.norm_branches)
        elif name == "show":
            a, e = al.show(args[0]), en.show(args[0])
            gc.compare(cmd, a, e, norm=conform.norm_show)
        else:
            raise ValueError("unknown command %r" % cmd)
        return a, e, len(gc.res.mismatches) == before


def main(argv):
    ap = argparse.ArgumentParser(description="hand-made conformance cases")
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--spec")
    ap.add_argument("--so", default=os.environ.get("MIGRATE_SO") or os.path.join(
        conform.ROOT, "sqlite_ext", "migrate.so"))
    ap.add_argument("names", nargs="*")
    args = ap.parse_args(argv)
    so = os.path.abspath(args.so)
    if so.endswith(".so"):
        so = so[:-3]
    runner = Runner(so, args.verbose)
    if args.spec:
        good, lines = runner.run_case(args.spec, args.names)
        print("\n".join(lines))
        return 0 if good else 1
    cases = [c for c in CASES if not args.names or c[0] in args.names]
    failed = 0
    if args.tap:
        print("1..%d" % len(cases))
    for i, (name, spec, commands, why) in enumerate(cases, 1):
        good, lines = runner.run_case(spec, commands)
        if not good:
            failed += 1
        if args.tap:
            print("%s %d - case: %s" % ("ok" if good else "not ok", i, name))
            if not good or args.verbose:
                print("# graph: %s" % spec)
                print("# Alembic: %s" % why)
                for l in lines:
                    print("# " + l)
        else:
            print("%s  %s" % ("agree   " if good else "DISAGREE", name))
            if not good or args.verbose:
                print("    graph: %s\n    Alembic: %s" % (spec, why))
                for l in lines:
                    print("    " + l)
    return 1 if failed else 0


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") is None:
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)
    sys.exit(main(sys.argv[1:]))
