#!/usr/bin/python3
"""conformance.t -- the engine answers as real Alembic does, on random graphs.

Three parts, TAP on stdout (plan at the end):

  1. cases: the hand-made minimal examples of tests/alembic/cases.py, one
     test each (Alembic's answer, or a documented difference);
  2. harness: for a few graphs, the in-memory Alembic environment that
     conform.py uses for speed gives exactly the answers of the environment
     written to disk and run through the CLI's code path (alembic_env.run);
  3. random graphs: a fixed sample (seed CONFORMANCE_SEED, default
     "make-test", CONFORMANCE_GRAPHS graphs, default 250) of conform.py's
     graphs, one test per graph: every listing, offline range, identifier
     and online walk of the graph agrees with Alembic.  A failing graph is
     described (command, both answers, replay command) in diagnostics, and
     a summary of the whole sample ends the output.

Environment (set by the Makefile): MIGRATE_SO, the extension to load;
MIGRATE_ROOT, the repository.  MIGRATE_SANITIZE=1 (an instrumented
extension) runs a smaller sample.  Runs in about a minute on two cores.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

_n = 0
_failed = 0


def ok(cond, name, diag=()):
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, name))
    if not cond:
        for line in diag:
            print("# " + line)
    sys.stdout.flush()
    return cond


def note(text):
    for line in str(text).split("\n"):
        print("# " + line)


def main():
    try:
        import alembic  # noqa: F401
    except ImportError:
        print("1..0 # SKIP python3-alembic is not installed (scripts/deps.sh test)")
        return 0
    import conform
    import cases

    so = conform.find_so()
    if so is None:
        print("1..0 # SKIP no extension: set MIGRATE_SO or build sqlite_ext/migrate.so")
        return 0
    sanitize = os.environ.get("MIGRATE_SANITIZE") == "1"
    seed = os.environ.get("CONFORMANCE_SEED", "make-test")
    graphs = int(os.environ.get("CONFORMANCE_GRAPHS", "40" if sanitize else "250"))
    jobs = int(os.environ.get("CONFORMANCE_JOBS", str(os.cpu_count() or 2)))
    t0 = time.time()

    # 1. cases
    runner = cases.Runner(so)
    for name, spec, commands, why in cases.CASES:
        good, lines = runner.run_case(spec, commands)
        ok(good, "case: %s" % name,
           ["graph: %s" % spec, "Alembic: %s" % why] + lines)

    # 2. harness: in-memory environment == files and the CLI's code path
    for index in range(3):
        fast = conform.run_graphs(so, conform.make_opts(seed), [index], 1)
        files = conform.run_graphs(so, conform.make_opts(seed, files=True), [index], 1)
        a, b = next(fast), next(files)

        def sig(res):
            # Label sets print in either order: compare commands and kinds.
            return (res.checks, res.error,
                    [(m["command"], m["alembic"].kind, m["engine"].kind) for m in res.mismatches],
                    sorted(res.notes.items()), [u[0] for u in res.unjudged])
        ok(sig(a) == sig(b), "harness: graph %d, in-memory Alembic == Alembic on files" % index,
           ["in memory: %r" % (sig(a),), "on files:  %r" % (sig(b),)])

    # 3. random graphs
    opts = conform.make_opts(seed, scale=1.5)
    summ = conform.Summary()
    for res in conform.run_graphs(so, opts, list(range(graphs)), jobs):
        bad = summ.add(res)
        ok(not bad, "seed %s graph %d: %d revisions, %d checks agree with Alembic" % (
            seed, res.index, res.size, res.checks),
           conform.describe_result(res, opts) if bad else ())
    note("\n".join(summ.lines(seed, 0, graphs - 1, time.time() - t0)))
    print("1..%d" % _n)
    return 1 if _failed else 0


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") is None:
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)
    sys.exit(main())
