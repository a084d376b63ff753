#!/usr/bin/env python3
"""Helpers for bench/compare.sh: medians, backend memory, the report.

  compare_table.py median FILE.json
        median of a hyperfine export, in ms
  compare_table.py backend-kb DB < server.log
        the largest "kB max resident size" that log_statement_stats wrote for
        a backend of database DB (log_line_prefix '[%p %d] '); nothing when
        there is none
  compare_table.py private-kb FILE
        the backend's private peak memory, VmHWM - RssShmem - RssFile in kB, from its
        /proc/self/status as psql printed it (SELECT pg_read_file(...), any
        output format); nothing when either line is missing
  compare_table.py pairs DIR CMD
        the alternated pairs of DIR (hyperfine exports of one run of two
        commands each, CMD one of them): the median of CMD's time over the
        other's, and the median of their difference in ms, then "ok"
  compare_table.py report RESULTS.tsv META.tsv PAIRS.tsv [CALLGRIND_DIR]
        the Markdown report: machine and versions, the five sections for
        SQLite and PostgreSQL, the issue's targets with a verdict, callgrind
        instruction counts when CALLGRIND_DIR is given, and the command of
        every cell

RESULTS.tsv: id eng sec size row median_ms runs client_kb backend_kb
private_kb status prep cmd; PAIRS.tsv: id floor_id pairs median_ratio
median_diff_ms status (compare.sh writes both).  Only the standard library is used.
"""

import json
import os
import re
import subprocess
import sys

ENG_NAME = {"sqlite": "SQLite", "pg": "PostgreSQL"}

# the targets
APPLY_RATIO = 1.10
PER_REV_MS = {"sqlite": 0.05, "pg": 0.25}
NOOP_MS = 2.0
GRAPH_X = 100.0
LINEAR_SLACK = 1.2   # a net growth within 1.2 x the size ratio counts as linear
FLAT_MS = 1.0        # a paired net below this at the large size: no growth to measure
MEM_X = 3.0


def median_json(path):
    with open(path) as f:
        data = json.load(f)
    return data["results"][0]["median"] * 1000.0


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def pairs_of(d, cmd):
    """(median ratio, median difference in ms) of the pairs in d"""
    ratios, diffs = [], []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(d, name)) as f:
            res = json.load(f)["results"]
        a = [r["times"][0] for r in res if r["command"] == cmd]
        b = [r["times"][0] for r in res if r["command"] != cmd]
        if len(a) != 1 or len(b) != 1:
            raise SystemExit("%s: not one run of each command" % name)
        ratios.append(a[0] / b[0])
        diffs.append((a[0] - b[0]) * 1000.0)
    if not ratios:
        raise SystemExit("%s: no pairs" % d)
    return median(ratios), median(diffs)


def read_pairs(path):
    """id -> (pairs, median ratio, median difference ms); failed pairs left out"""
    out = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) >= 6 and p[5] == "ok":
                    out[p[0]] = (int(p[2]), float(p[3]), float(p[4]))
    return out


def backend_kb(db, lines):
    pre = re.compile(r"^\[(\d+) ([^\]]*)\] ")
    rss = re.compile(r"^\s*!\s*(\d+) kB max resident size")
    cur = None
    best = None
    for line in lines:
        m = pre.match(line)
        if m:
            cur = m.group(2)
            continue
        m = rss.match(line)
        if m and cur == db:
            v = int(m.group(1))
            best = v if best is None else max(best, v)
    return best


def private_kb(text):
    """VmHWM - RssShmem - RssFile (kB) of a /proc/<pid>/status text: the
    peak of the process's resident set less the shared memory (shared
    buffers) and the file pages (the code of postgres, its libraries and
    the extension) it has mapped, i.e. the memory it allocated, at its
    peak.  Both subtrahends are read at the end; the pages they count are
    only added while a backend runs, so the figure is never too small."""
    v = {}
    for key in ("VmHWM", "RssShmem", "RssFile"):
        m = re.findall(r"\b%s:\s*(\d+)\s*kB" % key, text)
        if not m:
            return None
        v[key] = int(m[-1])
    return v["VmHWM"] - v["RssShmem"] - v["RssFile"]


# ---------------------------------------------------------------- formatting

def ms(v):
    if v is None:
        return "-"
    if v >= 1000:
        return "{:,.0f} ms".format(v)
    if v >= 100:
        return "%.0f ms" % v
    if v >= 10:
        return "%.1f ms" % v
    return "%.2f ms" % v


def x(v):
    if v is None:
        return "-"
    if v >= 100:
        return "{:,.0f}x".format(v)
    if v >= 10:
        return "%.1fx" % v
    return "%.2fx" % v


def mb(kb):
    if kb in (None, ""):
        return "-"
    return "%.1f" % (int(kb) / 1024.0)


def num(n):
    return "{:,}".format(int(n))


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


class Results:
    def __init__(self, path):
        self.rows = []
        self.by = {}
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) < 13:
                    continue
                r = {
                    "id": p[0], "eng": p[1], "sec": p[2], "size": int(p[3]),
                    "row": p[4],
                    "ms": float(p[5]) if p[5] else None,
                    "runs": p[6], "ckb": p[7] or None, "bkb": p[8] or None,
                    "pkb": p[9] or None,
                    "status": p[10], "prep": p[11], "cmd": p[12],
                }
                if r["status"] != "ok":
                    r["ms"] = None
                self.rows.append(r)
                self.by[(r["eng"], r["sec"], r["size"], r["row"])] = r

    def get(self, eng, sec, size, row):
        r = self.by.get((eng, sec, size, row))
        if r is None and sec == "graph" and row in ("alembic_heads", "alembic_history"):
            r = self.by.get(("any", sec, size, row))
        return r

    def t(self, eng, sec, size, row):
        r = self.get(eng, sec, size, row)
        return r["ms"] if r else None

    def cellnote(self, r):
        """text for a cell that has no time"""
        if r is None:
            return "-"
        if r["status"].startswith("n/a"):
            return "n/a"
        if r["status"] != "ok":
            return "failed"
        return None


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            meta[k] = v
    return meta


# ---------------------------------------------------------------- report

def graph_growth(res, pairs, e, op, gsmall, glarge):
    """The growth of a graph cell's net from gsmall to glarge revisions: the
    net over the client's start (for current, the no-op floor), from the
    alternated pairs when both sizes have them, else from the separate
    medians.  Returns (growth or None, paired nets text or None); growth
    is the string "flat" when the paired net at glarge is under FLAT_MS,
    too small for the clock to show any growth."""
    pa = pairs.get("%s.graph.%d.%s" % (e, gsmall, op))
    pb = pairs.get("%s.graph.%d.%s" % (e, glarge, op))
    if pa and pb:
        nets = "%+.1f -> %+.1f ms" % (pa[2], pb[2])
        if pb[2] <= FLAT_MS:
            return "flat", nets
        if pa[2] > 0.05:
            return pb[2] / pa[2], nets
    else:
        nets = None
    a, b = res.t(e, "graph", gsmall, op), res.t(e, "graph", glarge, op)
    if op == "current":
        ba, bb = res.t(e, "noop", gsmall, "floor"), res.t(e, "noop", glarge, "floor")
    else:
        ba, bb = res.t(e, "graph", gsmall, "base"), res.t(e, "graph", glarge, "base")
    if None not in (a, b, ba, bb) and a - ba > 0.05:
        return (b - bb) / (a - ba), nets
    return None, nets


def report(res, meta, pairs, cgdir):
    small, large, gsmall, glarge = (int(v) for v in meta["sizes"].split())
    engs = [e for e in ("sqlite", "pg") if any(r["eng"] == e for r in res.rows)]
    out = []
    p = out.append

    p("# migrate against the floor and the peers")
    p("")
    args = meta.get("args", "")
    if meta.get("root"):
        args = args.replace(meta["root"] + "/", "")
    p("Command: `bench/compare.sh %s`. (`make bench` runs `scripts/deps.sh bench`, "
      "then `bench/run.sh`, which builds and installs both extensions and runs "
      "`bench/compare.sh --ext sqlite_ext/migrate.so`.)" % args)
    p("")
    for k in ("date", "machine", "fs", "migrate", "sqlite3", "PostgreSQL", "Alembic",
              "sqitch", "dbmate", "hyperfine"):
        if k in meta:
            p("- %s: %s" % (k, meta[k]))
    p("- timing: whole commands, each its own process, by `hyperfine -N` "
      "(a fresh database made by `--prepare` before every run of a command "
      "that changes it); medians; runs: %s. The runs of every cell are in "
      "the command list at the end." % meta.get("runs", "?"))
    if "pairs" in meta:
        p("- pairs: %s." % meta["pairs"])
    p("- PostgreSQL: a throw-away cluster (`scripts/pg-cluster.sh`, Unix "
      "socket, fsync off, max_locks_per_transaction = 1024), the superuser "
      "postgres, the real psql first on PATH for every tool.")
    p("- catalog text (the environment's scripts): "
      + ", ".join("%s %s: %s bytes" % (k.split()[1].split("_")[0], num(k.split("_")[-1]),
                                         num(v))
                  for k, v in meta.items() if k.startswith("catalog ")))
    p("")

    def cols(sizes):
        head, keys = [], []
        for e in engs:
            for n in sizes:
                head.append("%s %s" % (ENG_NAME[e], num(n)))
                keys.append((e, n))
        return head, keys

    # ---- 1. apply
    p("## 1. Apply: the chain of N revisions to an empty database")
    p("")
    p("Each cell: the median, and its ratio to the floor of the same column. "
      "The floor is every upgrade body in one plain SQL file, run in one "
      "transaction by `sqlite3` (`BEGIN`, `.read`, `COMMIT`) or `psql -1 -f`.")
    p("")
    head, keys = cols((small, large))
    p("| | " + " | ".join(head) + " |")
    p("|---|" + "---:|" * len(head))
    rows = [
        ("floor", "floor: the bodies, one transaction"),
        ("engine", "engine: `migrate_load` + `migrate_upgrade('heads')`"),
        ("engine_loaded", "engine, catalog already loaded: `migrate_upgrade('heads')`"),
        ("offline", "the engine's offline SQL (`migrate_upgrade_sql`: bodies + version table) run by the client"),
        ("alembic", "Alembic: `upgrade heads`"),
        ("sqitch", "sqitch: `deploy`"),
        ("dbmate", "dbmate: `migrate`"),
    ]
    for row, label in rows:
        cells = []
        for e, n in keys:
            r = res.get(e, "apply", n, row)
            note = res.cellnote(r)
            if note:
                cells.append(note)
                continue
            f = res.t(e, "apply", n, "floor")
            if row == "floor":
                cells.append(ms(r["ms"]))
            else:
                cells.append("%s, %s" % (ms(r["ms"]), x(ratio(r["ms"], f))))
        p("| %s | %s |" % (label, " | ".join(cells)))
    for row, label in (("engine", "engine's own cost per revision (engine - floor) / N"),
                       ("engine_loaded", "the same, catalog already loaded")):
        cells = []
        for e, n in keys:
            a, f = res.t(e, "apply", n, row), res.t(e, "apply", n, "floor")
            cells.append("-" if a is None or f is None else "%.3f ms" % ((a - f) / n))
        p("| %s | %s |" % (label, " | ".join(cells)))
    p("")

    # ---- 2. no-op
    p("## 2. No-op upgrade on an up-to-date database (branchy graph)")
    p("")
    p("The start-up check every application pays. Floor: the client starts and "
      "reads the version table once (`SELECT version_num FROM alembic_version`). "
      "Engine cells give the difference to the floor; peer cells their ratio to "
      "the engine. Every tool runs on the same database, upgraded by the "
      "engine: Alembic reads the same `alembic_version` rows, sqitch's "
      "registry was written by `sqitch deploy --log-only`, dbmate's "
      "`schema_migrations` (created by dbmate) holds every version.")
    p("")
    head, keys = cols((gsmall, glarge))
    p("| | " + " | ".join(head) + " |")
    p("|---|" + "---:|" * len(head))
    for row, label in (("floor", "floor: client start + one catalog query"),
                       ("engine", "engine: `migrate_upgrade('heads')`"),
                       ("alembic", "Alembic: `upgrade heads`"),
                       ("sqitch", "sqitch: `deploy`"),
                       ("dbmate", "dbmate: `migrate`")):
        cells = []
        for e, n in keys:
            r = res.get(e, "noop", n, row)
            note = res.cellnote(r)
            if note:
                cells.append(note)
                continue
            f = res.t(e, "noop", n, "floor")
            g = res.t(e, "noop", n, "engine")
            if row == "floor":
                cells.append(ms(r["ms"]))
            elif row == "engine":
                cells.append("%s, %+.1f ms" % (ms(r["ms"]), r["ms"] - f) if f is not None else ms(r["ms"]))
            else:
                cells.append("%s, %s engine" % (ms(r["ms"]), x(ratio(r["ms"], g))))
        p("| %s | %s |" % (label, " | ".join(cells)))
    p("")

    # ---- 3. graph
    p("## 3. Graph work on the branchy catalog")
    p("")
    p("Engine: `SELECT line FROM migrate_heads()`, `migrate_history()`, "
      "`migrate_current()` (on the upgraded database), "
      "`SELECT migrate_upgrade_sql('base:heads')`; Alembic: `heads`, "
      "`history`, `current`, `upgrade --sql base:heads`. Alembic's heads and "
      "history read no database: measured once, shown under both engines. "
      "Growth: median at %s / median at %s (linear: %g); net: the same after "
      "subtracting the client's start (`SELECT 1` on the catalog; for current, "
      "the no-op floor on the upgraded database), from the medians of "
      "alternated pairs of the cell and its start where they were taken "
      "(paired nets), \"flat\" when the paired net at %s is under %g ms."
      % (num(glarge), num(gsmall), glarge / gsmall, num(glarge), FLAT_MS))
    p("")
    factor = glarge / gsmall
    for e in engs:
        p("%s:" % ENG_NAME[e])
        p("")
        p("| operation | engine %s | engine %s | growth | paired nets | net growth | Alembic %s | Alembic %s | Alembic / engine at %s |"
          % (num(gsmall), num(glarge), num(gsmall), num(glarge), num(glarge)))
        p("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for op, label in (("heads", "heads"), ("history", "history"),
                          ("current", "current"), ("sql", "offline SQL base:heads")):
            a = res.t(e, "graph", gsmall, op)
            b = res.t(e, "graph", glarge, op)
            net, nets = graph_growth(res, pairs, e, op, gsmall, glarge)
            aa = res.t(e, "graph", gsmall, "alembic_" + op)
            ab = res.t(e, "graph", glarge, "alembic_" + op)
            ra = res.get(e, "graph", glarge, "alembic_" + op)
            an = res.cellnote(ra)
            p("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, ms(a), ms(b), "%.1f" % (b / a) if a and b else "-",
                nets or "-",
                net if isinstance(net, str) else "%.1f" % net if net else "-",
                an or ms(aa), an or ms(ab), an or x(ratio(ab, b))))
        p("| client start: `SELECT 1` on the catalog | %s | %s | | | | | | |"
          % (ms(res.t(e, "graph", gsmall, "base")), ms(res.t(e, "graph", glarge, "base"))))
        p("")

    # ---- 4. round trip
    p("## 4. Round trip: upgrade all, then downgrade to base (chain)")
    p("")
    p("Floor: the upgrade bodies in one transaction, then the downgrade bodies "
      "in reverse order in another, one client process. Engine: "
      "`migrate_upgrade('heads')` then `migrate_downgrade('base')`, catalog "
      "already loaded, one client process.")
    p("")
    head, keys = cols((small, large))
    p("| | " + " | ".join(head) + " |")
    p("|---|" + "---:|" * len(head))
    for row, label in (("floor", "floor"), ("engine", "engine")):
        cells = []
        for e, n in keys:
            r = res.get(e, "trip", n, row)
            note = res.cellnote(r)
            if note:
                cells.append(note)
            elif row == "floor":
                cells.append(ms(r["ms"]))
            else:
                cells.append("%s, %s" % (ms(r["ms"]), x(ratio(r["ms"], res.t(e, "trip", n, "floor")))))
        p("| %s | %s |" % (label, " | ".join(cells)))
    p("")

    # ---- 5. memory
    p("## 5. Peak memory (MB)")
    p("")
    p("Client: the process's maximum resident set size (GNU time `%M`; for "
      "sqitch, which runs `sqlite3` or `psql` per change, the largest process). "
      "PostgreSQL cells read `client / backend private / backend getrusage`. "
      "Backend private: the memory the backend allocated, at its peak: "
      "`VmHWM - RssShmem - RssFile` of its `/proc/self/status`, which the "
      "same psql session reads with `SELECT pg_read_file('/proc/self/status')` "
      "right after the cell's statements (in the untimed run that checks the "
      "cell): its heap and stack, without the shared buffers it touched and "
      "without the mapped code of postgres, its libraries and the extension "
      "(loading the extension maps about 3 MB of those). It is measured "
      "for every cell that psql runs: the floor, the engine, the offline SQL "
      "and the baselines (`SELECT 1` on the catalog, the `base` row of graph; "
      "the no-op floor); Alembic, sqitch and dbmate open their own "
      "connections, so theirs reads `-` and only their getrusage figure is "
      "given. Backend getrusage: the backend's maximum resident set size as "
      "getrusage reports it to `log_statement_stats`, the largest seen for "
      "the run's database; it counts every shared buffer page the backend "
      "touched, so it mostly measures the catalog's pages. The memory target "
      "uses the private figure. `-`: not measured (slow cells on PostgreSQL "
      "that read no database, or the cell did not run).")
    p("")
    for sec, sizes, rows in (
            ("apply", (small, large), ("floor", "engine", "engine_loaded", "offline", "alembic", "sqitch", "dbmate")),
            ("noop", (gsmall, glarge), ("floor", "engine", "alembic", "sqitch", "dbmate")),
            ("graph", (gsmall, glarge), ("base", "heads", "history", "current", "sql", "text",
                                         "alembic_heads", "alembic_history", "alembic_current", "alembic_sql")),
            ("trip", (small, large), ("floor", "engine"))):
        head, keys = cols(sizes)
        p("| %s | %s |" % (sec, " | ".join(head)))
        p("|---|" + "---:|" * len(head))
        for row in rows:
            cells = []
            for e, n in keys:
                r = res.get(e, sec, n, row)
                note = res.cellnote(r)
                if note and note != "failed":
                    cells.append(note)
                elif e == "pg" and r is not None and r["eng"] == "pg":
                    cells.append("%s / %s / %s" % (mb(r["ckb"]), mb(r["pkb"]), mb(r["bkb"])))
                else:
                    cells.append(mb(r["ckb"]) if r else "-")
            p("| %s | %s |" % (row, " | ".join(cells)))
        p("")

    # ---- targets
    p("## Targets")
    p("")
    p("| target | measured | verdict |")
    p("|---|---|---|")

    def verdict(ok):
        return "-" if ok is None else ("met" if ok else "**missed**")

    def paired(cid):
        """(ratio, difference, text) of the alternated pairs of a cell, or None"""
        pr = pairs.get(cid)
        return None if pr is None else (pr[1], pr[2], "%d alternated pairs" % pr[0])

    for e in engs:
        for row, what in (("engine", "load + upgrade"), ("engine_loaded", "upgrade")):
            a, f = res.t(e, "apply", large, row), res.t(e, "apply", large, "floor")
            rr = ratio(a, f)
            pr = paired("%s.apply.%d.%s" % (e, large, row))
            if pr:
                shown, judged = "%s (median of %s); separate medians: %s" % (x(pr[0]), pr[2], x(rr)), pr[0]
            else:
                shown, judged = x(rr), rr
            p("| apply %s, %s %s: within %.2fx of the floor | %s | %s |" % (
                num(large), ENG_NAME[e], what, APPLY_RATIO, shown,
                verdict(None if judged is None else judged <= APPLY_RATIO)))
        cg = (lambda name: cg_total(cgdir, name)) if cgdir and e == "sqlite" else (lambda name: None)
        fl = cg("apply_floor")
        got = [(what, cg(name)) for name, what in (("apply_engine_load", "load + upgrade"),
                                                   ("apply_engine", "upgrade"))]
        if fl and all(v for _, v in got):
            worst = max(v / fl for _, v in got)
            p("| apply %s, SQLite, in instructions (callgrind: stable where wall time is not): "
              "within %.2fx of the floor's %s | %s | %s |" % (
                  num(large), APPLY_RATIO, num(fl),
                  ", ".join("%s %.3fx" % (w, v / fl) for w, v in got),
                  verdict(worst <= APPLY_RATIO)))
        for row, what in (("engine", "load + upgrade"), ("engine_loaded", "upgrade")):
            a, f = res.t(e, "apply", large, row), res.t(e, "apply", large, "floor")
            per = None if a is None or f is None else (a - f) / large
            pr = paired("%s.apply.%d.%s" % (e, large, row))
            if pr:
                shown = "%.3f ms (median difference of %s); separate medians: %s" % (
                    pr[1] / large, pr[2], "-" if per is None else "%.3f ms" % per)
                judged = pr[1] / large
            else:
                shown, judged = "-" if per is None else "%.3f ms" % per, per
            p("| engine's own cost per revision, %s %s: under %g ms | %s | %s |" % (
                ENG_NAME[e], what, PER_REV_MS[e], shown,
                verdict(None if judged is None else judged < PER_REV_MS[e])))
        a, f = res.t(e, "noop", glarge, "engine"), res.t(e, "noop", glarge, "floor")
        d = None if a is None or f is None else a - f
        pr = paired("%s.noop.%d.engine" % (e, glarge))
        if pr:
            shown, judged = "%+.1f ms (median difference of %s); separate medians: %s" % (
                pr[1], pr[2], "-" if d is None else "%+.1f ms" % d), pr[1]
        else:
            shown, judged = "-" if d is None else "%+.1f ms" % d, d
        p("| no-op upgrade, %s revisions, %s: within %g ms of the floor | %s | %s |" % (
            num(glarge), ENG_NAME[e], NOOP_MS, shown,
            verdict(None if judged is None else judged <= NOOP_MS)))
        nf, ne = cg("noop_floor_%d" % glarge), cg("noop_engine_%d" % glarge)
        if nf and ne and f:
            # the floor's own rate turns the difference into time
            dms = (ne - nf) * f / nf
            p("| no-op upgrade, %s revisions, SQLite, in instructions: within %g ms of the floor | "
              "%s%s instructions on the floor's %s, about %+.2f ms at the floor's rate | %s |" % (
                  num(glarge), NOOP_MS, "+" if ne >= nf else "-", num(abs(ne - nf)), num(nf), dms,
                  verdict(dms <= NOOP_MS)))
        worst = None
        for op in ("heads", "history", "current", "sql"):
            rr = ratio(res.t(e, "graph", glarge, "alembic_" + op), res.t(e, "graph", glarge, op))
            if rr is not None and (worst is None or rr < worst[1]):
                worst = (op, rr)
        p("| graph work, %s revisions, %s: every cell at least %gx faster than Alembic | %s | %s |" % (
            num(glarge), ENG_NAME[e], GRAPH_X,
            "-" if worst is None else "slowest ratio %s (%s)" % (x(worst[1]), worst[0]),
            verdict(None if worst is None else worst[1] >= GRAPH_X)))
        grow = []
        for op in ("heads", "history", "current", "sql"):
            g, nets = graph_growth(res, pairs, e, op, gsmall, glarge)
            if g == "flat":
                grow.append((op, "flat (paired net %s)" % nets))
            elif g is not None:
                grow.append((op, g))
        bad = [g for g in grow if not isinstance(g[1], str) and g[1] > factor * LINEAR_SLACK]
        p("| graph work growth %s -> %s, %s: no worse than linear (net growth <= %.0f) | %s | %s |" % (
            num(gsmall), num(glarge), ENG_NAME[e], factor * LINEAR_SLACK,
            ", ".join(("%s %s" if isinstance(g[1], str) else "%s %.1f") % g for g in grow) or "-",
            verdict(None if not grow else not bad)))
        cat = None
        for k, v in meta.items():
            if k == "catalog branchy_%d" % glarge:
                cat = int(v)
        worst = None
        for sec, row, base in (("noop", "engine", ("noop", "floor")),
                               ("graph", "heads", ("graph", "base")),
                               ("graph", "history", ("graph", "base")),
                               ("graph", "current", ("noop", "floor")),
                               ("graph", "sql", ("graph", "base"))):
            r = res.get(e, sec, glarge, row)
            b = res.get(e, base[0], glarge, base[1])
            key = "pkb" if e == "pg" else "ckb"
            if r and b and r[key] and b[key]:
                net = (int(r[key]) - int(b[key])) * 1024
                if worst is None or net > worst[1]:
                    worst = ("%s %s" % (sec, row), net, int(r[key]) * 1024)
        if cat and e == "pg":
            what = ("peak memory with a %s-revision catalog under %gx the catalog's text size, "
                    "PostgreSQL backend, private (`VmHWM - RssShmem - RssFile`; text %s bytes, %gx: %s MB)"
                    % (num(glarge), MEM_X, num(cat), MEM_X, "%.1f" % (MEM_X * cat / 1048576.0)))
        elif cat:
            what = ("peak memory, %s-revision catalog (%s bytes of text), %s sqlite3 process: "
                    "under %gx the text (%s MB)"
                    % (num(glarge), num(cat), ENG_NAME[e], MEM_X, "%.1f" % (MEM_X * cat / 1048576.0)))
        if cat:
            p("| %s | %s | %s |" % (
                what,
                "-" if worst is None else "largest: %s, %.1f MB above its baseline (%.1f MB in all), %.1fx the text"
                % (worst[0], worst[1] / 1048576.0, worst[2] / 1048576.0, worst[1] / cat),
                verdict(None if worst is None else worst[1] < MEM_X * cat)))
        # PostgreSQL copies any long text on its way to the client: what a
        # built-in function's text of the offline SQL's length costs beyond
        # the text itself (the engine's share keeps its own copy of it), and
        # the offline SQL without those copies
        r, t, b = (res.get(e, "graph", glarge, k) for k in ("sql", "text", "base"))
        m = re.search(r"repeat\('x', (\d+)\)", t["cmd"]) if t else None
        if cat and e == "pg" and m and r and b and r["pkb"] and t["pkb"] and b["pkb"]:
            n = int(m.group(1))
            own = (int(t["pkb"]) - int(b["pkb"])) * 1024 - n
            net = (int(r["pkb"]) - int(b["pkb"])) * 1024 - own
            p("| the same, the offline SQL less what PostgreSQL spends sending any text that long to the "
              "client (`SELECT repeat('x', N)`, N = %s, its length: %.1f MB above `SELECT 1`, %.1f MB "
              "beyond the text itself) | %.1f MB, %.1fx the text | %s |"
              % (num(n), (own + n) / 1048576.0, own / 1048576.0, net / 1048576.0, net / cat,
                 verdict(net < MEM_X * cat)))
    p("")

    # ---- once
    once = [r for r in res.rows if r["sec"] == "info"]
    if once:
        p("## Setup steps (timed once)")
        p("")
        p("| step | %s |" % " | ".join("%s %s" % (ENG_NAME[e], num(n)) for e in engs for n in (gsmall, glarge)))
        p("|---|" + "---:|" * (len(engs) * 2))
        for row, label in (("load", "engine: `migrate_load` of the branchy environment"),
                           ("upgrade", "engine: `migrate_upgrade('heads')` of the branchy catalog (one transaction)"),
                           ("floor", "floor: the same bodies by the client, one transaction"),
                           ("sqitch_log_only", "sqitch: `deploy --log-only` (registry for the no-op cells)")):
            p("| %s | %s |" % (label, " | ".join(ms(res.t(e, "info", n, row)) for e in engs for n in (gsmall, glarge))))
        p("| engine upgrade / floor | %s |" % " | ".join(
            x(ratio(res.t(e, "info", n, "upgrade"), res.t(e, "info", n, "floor"))) for e in engs for n in (gsmall, glarge)))
        p("")

    # ---- failures
    bad = [r for r in res.rows if r["status"] != "ok"]
    if bad:
        p("## Cells without a time")
        p("")
        for r in bad:
            p("- `%s`: %s" % (r["id"], r["status"]))
        p("")

    if cgdir:
        callgrind_section(p, cgdir, meta)

    # ---- commands
    work = meta.get("work", "")
    disk = meta.get("disk", "")
    ext = meta.get("ext", "")

    root = meta.get("root", "")

    def sub(s):
        s = s.replace(ext, "$EXT")
        if root:
            s = s.replace(root + "/", "")
        if disk:
            s = s.replace(disk, "$D")
        if work:
            s = s.replace(work, "$W")
        s = re.sub(r"socket=[^&\s\"]*", "socket=$PGHOST", s)
        s = re.sub(r"port=\d+", "port=$PGPORT", s)
        return s

    p("## Commands")
    p("")
    p("`$W` is the work directory (workloads, results), `$D` the "
      "directory of the SQLite databases (`bench/run.sh --keep` keeps both), `$EXT` the "
      "extension (`sqlite_ext/migrate.so`); `$PGHOST`/`$PGPORT` the cluster's "
      "socket directory and port. `psql` is `pg_config --bindir`/psql. "
      "Prepare commands run before every run and are not timed; "
      "`pgfresh.sh DB [TEMPLATE|-] [ext]` drops DB, creates it (from "
      "TEMPLATE) and with `ext` runs `CREATE EXTENSION migrate` in it.")
    p("")
    for r in res.rows:
        if r["sec"] == "info":
            p("- `%s` (once): `%s`" % (r["id"], sub(r["cmd"])))
            continue
        prep = r["prep"]
        p("- `%s`, %s runs%s: `%s`" % (
            r["id"], r["runs"], (", prepare `%s`" % sub(prep)) if prep else "", sub(r["cmd"])))
    p("")
    p("Total run time of the benchmark: %s s." % meta.get("total", "?"))
    print("\n".join(out))


# ---------------------------------------------------------------- callgrind

def total_ir(path):
    """total instructions of a callgrind profile, or None"""
    return cg_events(path).get("Ir")


def where(fn, root):
    """the core/ or sqlite_ext/ file that defines fn"""
    pat = re.compile(r"^%s\(" % re.escape(fn.split(".")[0]), re.M)
    for d in ("core", "sqlite_ext"):
        dd = os.path.join(root, d)
        if not os.path.isdir(dd):
            continue
        for name in sorted(os.listdir(dd)):
            if name.endswith(".c"):
                with open(os.path.join(dd, name)) as f:
                    if pat.search(f.read()):
                        return "%s/%s" % (d, name)
    return "?"


def cg_events(path):
    """{event: count} of a callgrind profile's totals (Ir; with
    --cache-sim=yes also Dr, Dw, I1mr, D1mr, D1mw, ILmr, DLmr, DLmw)"""
    names, counts = None, None
    with open(path) as f:
        for line in f:
            if line.startswith("events:"):
                names = line.split()[1:]
            elif line.startswith("summary:") or line.startswith("totals:"):
                counts = [int(v) for v in line.split()[1:]]
    if not names or not counts:
        return {}
    return dict(zip(names, counts))


def cg_total(cgdir, name):
    """total instructions of the callgrind profile NAME in cgdir, or None"""
    f = os.path.join(cgdir, name + ".out")
    return total_ir(f) if os.path.exists(f) else None


def cache_rows(p, cgdir, large):
    """The apply's simulated cache misses (valgrind's model of this
    machine's caches), engine beside floor: extra time that is not extra
    instructions would show here as misses the floor does not have."""
    ev = {}
    for name in ("apply_floor", "apply_engine", "apply_engine_load"):
        f = os.path.join(cgdir, name + ".out")
        ev[name] = cg_events(f) if os.path.exists(f) else {}
    fl = ev["apply_floor"]
    if "D1mr" not in fl:
        return
    p("")
    p("Simulated caches (`--cache-sim=yes`) for the apply of %s: misses, and the engine's "
      "against the floor's." % num(large))
    p("")
    p("| misses | floor | engine, catalog loaded | engine, with `migrate_load` |")
    p("|---|---:|---:|---:|")
    for label, keys in (("first-level data (reads + writes)", ("D1mr", "D1mw")),
                        ("first-level instructions", ("I1mr",)),
                        ("last-level data (reads + writes)", ("DLmr", "DLmw")),
                        ("last-level instructions", ("ILmr",))):
        cells = []
        base = sum(fl.get(k, 0) for k in keys)
        for name in ("apply_floor", "apply_engine", "apply_engine_load"):
            e = ev[name]
            if not all(k in e for k in keys):
                cells.append("-")
                continue
            v = sum(e[k] for k in keys)
            cells.append(num(v) if name == "apply_floor" or not base
                         else "%s (%.3fx)" % (num(v), v / base))
        p("| %s | %s |" % (label, " | ".join(cells)))


def callgrind_section(p, cgdir, meta):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import graph_table
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    small, large, gsmall, glarge = (int(v) for v in meta["sizes"].split())

    def tot(name):
        f = os.path.join(cgdir, name + ".out")
        return total_ir(f) if os.path.exists(f) else None

    p("## callgrind: instruction counts (SQLite)")
    p("")
    p("One `sqlite3` process each under `valgrind --tool=callgrind`, the "
      "extension without debug information (one entry per function).")
    p("")
    p("| process | instructions | per revision |")
    p("|---|---:|---:|")
    fl, of, en = tot("apply_floor"), tot("apply_offline"), tot("apply_engine")
    el = tot("apply_engine_load")
    for name, v in (("apply %s: floor" % num(large), fl),
                    ("apply %s: offline SQL (bodies + version table)" % num(large), of),
                    ("apply %s: engine, catalog loaded" % num(large), en),
                    ("apply %s: engine, `migrate_load` + `migrate_upgrade`" % num(large), el)):
        p("| %s | %s | %s |" % (name, num(v) if v else "-", num(v / large) if v else "-"))
    if fl and en:
        p("| engine - floor (catalog loaded) | %s | %s |" % (num(en - fl), num((en - fl) / large)))
    if fl and el:
        p("| engine - floor (with the load) | %s | %s |" % (num(el - fl), num((el - fl) / large)))
    if fl and of:
        p("| offline SQL - floor (the version table's share) | %s | %s |" % (num(of - fl), num((of - fl) / large)))
    for n in (gsmall, glarge):
        a, b = tot("noop_floor_%d" % n), tot("noop_engine_%d" % n)
        if a and b:
            p("| no-op %s: floor / engine / engine - floor | %s / %s / %s | |" % (num(n), num(a), num(b), num(b - a)))
    nets = []
    for n in (gsmall, glarge):
        a, b = tot("base_%d" % n), tot("sql_%d" % n)
        if a and b:
            nets.append(b - a)
            p("| offline SQL base:heads %s: `SELECT 1` / engine / engine - `SELECT 1` | %s / %s / %s | %s |"
              % (num(n), num(a), num(b), num(b - a), num((b - a) / n)))
    if len(nets) == 2 and nets[0] > 0:
        p("| offline SQL: growth of the engine's share %s -> %s | %.1f | |" % (num(gsmall), num(glarge), nets[1] / nets[0]))
    cache_rows(p, cgdir, large)
    p("")
    for prof, label in (("apply_engine", "apply %s, engine" % num(large)),
                        ("noop_engine_%d" % glarge, "no-op upgrade, %s" % num(glarge)),
                        ("sql_%d" % glarge, "offline SQL base:heads, %s" % num(glarge))):
        f = os.path.join(cgdir, prof + ".out")
        if not os.path.exists(f):
            continue
        funcs = graph_table.callgrind_funcs(f, "migrate.so")
        t = total_ir(f)
        p("%s: the extension's functions by inclusive instructions (%% of the process's %s)" % (label, num(t)))
        p("")
        p("| function | file | inclusive | % | self |")
        p("|---|---|---:|---:|---:|")
        for fn in sorted(funcs, key=lambda k: -funcs[k][1])[:15]:
            s, i = funcs[fn]
            p("| %s | %s | %s | %.1f | %s |" % (fn, where(fn, root), num(i), 100.0 * i / t, num(s)))
        p("")
        # the largest self costs of the whole process, any library
        text = subprocess.run(["callgrind_annotate", "--auto=no", "--show=Ir", "--inclusive=no",
                               "--threshold=95", f], capture_output=True, text=True).stdout
        top = []
        for line in text.splitlines():
            m = re.match(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S+)\s+\[(.*)\]\s*$", line)
            if m:
                top.append((m.group(3).rsplit(":", 1)[-1], m.group(2), os.path.basename(m.group(4))))
        if top:
            p("Largest self costs in the whole process: " + "; ".join(
                "%s (%s%%, %s)" % t3 for t3 in top[:8]))
            p("")


def main(argv):
    if len(argv) == 2 and argv[0] == "median":
        print("%.3f" % median_json(argv[1]))
    elif len(argv) == 2 and argv[0] == "backend-kb":
        v = backend_kb(argv[1], sys.stdin)
        if v is not None:
            print(v)
    elif len(argv) == 2 and argv[0] == "private-kb":
        with open(argv[1]) as f:
            v = private_kb(f.read())
        if v is not None:
            print(v)
    elif len(argv) == 3 and argv[0] == "pairs":
        print("%.4f\t%.3f\tok" % pairs_of(argv[1], argv[2]))
    elif len(argv) in (4, 5) and argv[0] == "report":
        report(Results(argv[1]), read_meta(argv[2]), read_pairs(argv[3]),
               argv[4] if len(argv) == 5 else None)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
