#!/usr/bin/env python3
"""Helpers for bench/graph.sh: medians, the results table, callgrind comparison.

  graph_table.py median FILE.json           median of a hyperfine export, in ms
  graph_table.py median-ns NS...            median of nanosecond samples, in ms
  graph_table.py table RESULTS.tsv SMALL LARGE
        RESULTS.tsv has lines "shape<TAB>size<TAB>op<TAB>ms"; prints a Markdown
        table of every op per shape at SMALL and LARGE with the ratio
        LARGE/SMALL, then a verdict per op
  graph_table.py callgrind SMALL.out LARGE.out LIB FACTOR [BASE_SMALL.out BASE_LARGE.out]
        total instruction counts of two callgrind profiles of sizes that
        differ FACTOR-fold and their ratio (also net of two baseline
        profiles), then the 15 top functions of LIB
        (a file name such as migrate.so) by their own instructions in LARGE,
        self and inclusive, with the ratio LARGE/SMALL, and the functions
        whose inclusive count grows faster than linearly

Only the standard library is used.
"""

import json
import re
import statistics
import subprocess
import sys

# op name, label, baseline op subtracted for the "net" ratio (None: none)
OPS = [
    ("baseline", "baseline: sqlite3 start, .load, SELECT 1", None),
    ("heads", "heads: count(*) FROM migrate_heads()", "baseline"),
    ("history", "history: count(*) FROM migrate_history()", "baseline"),
    ("plan", "plan base:heads: length(migrate_upgrade_sql(...))", "baseline"),
    ("baseline_schema", "baseline, upgraded db: count(*) FROM sqlite_schema", None),
    ("current", "current, upgraded db: count(*) FROM migrate_current()", "baseline_schema"),
    ("noop", "no-op upgrade, upgraded db: migrate_upgrade('heads')", "baseline_schema"),
    ("load", "load environment: migrate_load(dir), once", None),
    ("upgrade", "upgrade base to heads: migrate_upgrade('heads'), once", None),
    ("floor", "same upgrade SQL run directly by sqlite3, once", None),
]

# super-linear: a net ratio above this many times the size ratio
SUPER = 1.5
# slow: a repeated read operation above this many ms at the large size
SLOW_MS = 100.0
REPEATED = ("heads", "history", "plan", "current", "noop")


def median_json(path):
    with open(path) as f:
        data = json.load(f)
    return data["results"][0]["median"] * 1000.0


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def ratio(a, b):
    if a is None or b is None or a <= 0:
        return None
    return b / a


def table(path, small, large):
    res = {}
    shapes = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            shape, size, op, ms = parts
            if shape not in shapes:
                shapes.append(shape)
            res[(shape, int(size), op)] = float(ms)
    ks, kl = label(small), label(large)
    factor = large / small
    limit = SUPER * factor
    head = ["operation"]
    for s in shapes:
        head += ["%s %s ms" % (s, ks), "%s %s ms" % (s, kl),
                 "ratio", "net ratio"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    verdicts = []
    for op, text, base in OPS:
        if not any((s, small, op) in res for s in shapes):
            continue
        row = [text]
        for s in shapes:
            a = res.get((s, small, op))
            b = res.get((s, large, op))
            net = None
            if base is not None:
                ba = res.get((s, small, base))
                bb = res.get((s, large, base))
                # a share within timer noise has no meaningful ratio
                if None not in (a, b, ba, bb) and a - ba > 0.2 and b - bb > 0:
                    net = ratio(a - ba, b - bb)
            row += [fmt(a), fmt(b), fmt(ratio(a, b)), fmt(net)]
            if op in REPEATED:
                why = []
                if net is not None and net > limit:
                    why.append("super-linear (net ratio %.1f)" % net)
                if b is not None and b > SLOW_MS:
                    bb = res.get((s, large, base)) if base else None
                    if bb is not None:
                        why.append("slow (%.0f ms at %s, of which %.0f ms is "
                                   "the baseline, %s)" % (b, kl, bb, base))
                    else:
                        why.append("slow (%.0f ms at %s)" % (b, kl))
                if why:
                    verdicts.append("%s/%s: %s" % (s, op, ", ".join(why)))
        print("| " + " | ".join(row) + " |")
    print()
    print("ratio = median at %s / median at %s; the sizes differ %g-fold, so "
          "linear growth gives a ratio of about %g." % (kl, ks, factor, factor))
    print("net ratio = the same after subtracting the baseline of the "
          "group (the sqlite3 start and .load; for the upgraded database, "
          "also SQLite reading its schema), i.e. the engine's own share.")
    print("An operation is flagged super-linear above a net ratio of %g "
          "and slow above %.0f ms at %s." % (limit, SLOW_MS, kl))
    print()
    if verdicts:
        for v in verdicts:
            print("FLAG " + v)
    else:
        print("no operation flagged: all near-linear and under %.0f ms"
              % SLOW_MS)


def label(n):
    if n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def callgrind_funcs(path, lib):
    """{function: [self, inclusive]} for functions of lib in a profile of a
    library without debug information (one entry per function); recursion
    levels (name'2) are folded: self counts added, the largest inclusive
    count kept."""
    out = {}
    pat = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+(\S+)\s+\[(.*)\]\s*$")
    for inclusive in (False, True):
        text = subprocess.run(
            ["callgrind_annotate", "--auto=no", "--show=Ir",
             "--inclusive=%s" % ("yes" if inclusive else "no"),
             "--threshold=100", path],
            check=True, capture_output=True, text=True).stdout
        for line in text.splitlines():
            m = pat.match(line)
            if not m or not m.group(3).endswith(lib):
                continue
            name = m.group(2).rsplit(":", 1)[-1].split("'")[0]
            ir = int(m.group(1).replace(",", ""))
            slot = out.setdefault(name, [0, 0])
            if inclusive:
                slot[1] = max(slot[1], ir)
            else:
                slot[0] += ir
    return out


def total_ir(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return 0


def callgrind(small, large, lib, top, factor, base_small=None, base_large=None):
    a = callgrind_funcs(small, lib)
    b = callgrind_funcs(large, lib)
    ta, tb = total_ir(small), total_ir(large)
    limit = SUPER * factor
    print("- total instructions: %s -> %s, ratio %.1f"
          % (f"{ta:,}", f"{tb:,}", tb / ta if ta else 0))
    if base_small and base_large:
        ba, bb = total_ir(base_small), total_ir(base_large)
        print("- baseline: %s -> %s" % (f"{ba:,}", f"{bb:,}"))
        print("- net of the baseline: %s -> %s, ratio %.1f"
              % (f"{ta - ba:,}", f"{tb - bb:,}",
                 ratio(ta - ba, tb - bb) or 0))
    print()
    print("Functions of %s by their own (self) instructions at the large "
          "size; inclusive counts add their callees." % lib)
    print()
    print("| function | self small | self large | self ratio "
          "| inclusive small | inclusive large | inclusive ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in sorted(b, key=lambda k: -b[k][0])[:top]:
        sa, ia = a.get(n, [0, 0])
        sb, ib = b[n]
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            n, f"{sa:,}", f"{sb:,}", fmt(ratio(sa, sb)),
            f"{ia:,}", f"{ib:,}", fmt(ratio(ia, ib))))
    print()
    hot = [n for n in b
           if b[n][1] > tb * 0.01 and (ratio(a.get(n, [0, 0])[1], b[n][1]) or 0) > limit]
    hot.sort(key=lambda k: -b[k][1])
    if hot:
        print("Super-linear (inclusive ratio above %.0f, over 1%% of the "
              "large total):" % limit)
        print()
        for n in hot:
            print("- %s: %s -> %s instructions (ratio %.1f), %.0f%% of the total"
                  % (n, f"{a[n][1]:,}" if n in a else "0", f"{b[n][1]:,}",
                     ratio(a.get(n, [0, 0])[1], b[n][1]) or 0,
                     100.0 * b[n][1] / tb))
    else:
        print("No function of %s grows super-linearly (inclusive ratio above "
              "%.0f, over 1%% of the total)." % (lib, limit))


def main(argv):
    if len(argv) >= 2 and argv[0] == "median":
        print("%.3f" % median_json(argv[1]))
    elif len(argv) >= 2 and argv[0] == "median-ns":
        print("%.3f" % (statistics.median(int(x) for x in argv[1:]) / 1e6))
    elif len(argv) == 4 and argv[0] == "table":
        table(argv[1], int(argv[2]), int(argv[3]))
    elif len(argv) in (5, 7) and argv[0] == "callgrind":
        callgrind(argv[1], argv[2], argv[3], 15, float(argv[4]),
                  *(argv[5:7] if len(argv) == 7 else ()))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
