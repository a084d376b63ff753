"""taplib.py -- TAP output for the Python test scripts in tests/oracle/.

    from taplib import ok, is_, diag, skip, done_testing
    is_(got, want, "name")       equality, shows both on failure
    ok(cond, "name")             one test
    done_testing()               prints the plan; returns the exit status

The plan is printed at the end, so a script that dies early is reported by
prove as a bad plan.
"""

import sys

_n = 0
_failed = 0


def ok(cond, name):
    """One test point; returns cond."""
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, name))
    if not cond:
        frame = sys._getframe(1)
        if frame.f_code.co_name == "is_":
            frame = frame.f_back
        print("#   Failed at %s line %d" % (frame.f_code.co_filename, frame.f_lineno))
    sys.stdout.flush()
    return bool(cond)


def is_(got, want, name):
    """got == want; shows both on failure."""
    good = ok(got == want, name)
    if not good:
        diag("     got: %r" % (got,))
        diag("expected: %r" % (want,))
    return good


def skip(name, why):
    global _n
    _n += 1
    print("ok %d - %s # SKIP %s" % (_n, name, why))


def diag(text):
    for line in str(text).splitlines() or [""]:
        print("# " + line)


def done_testing():
    print("1..%d" % _n)
    return 1 if _failed else 0
