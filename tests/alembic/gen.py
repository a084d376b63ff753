#!/usr/bin/python3
"""gen.py -- random revision graphs for the Alembic conformance test.

A graph is a pure function of (seed, index): the same pair gives the same
revisions, file names and identifiers on every machine and Python run
(random.Random seeded with a string is deterministic).

Shapes drawn at random, in any mix:
  - chains; several bases, most with branch labels (gxy/tsi-like, sometimes
    two labels on one base, sometimes labels longer than three characters
    that take part in prefix matching);
  - branch points (a new child of a revision that already has one), labels
    on some branch starts;
  - merge points of two and three parents, merges of merges, merges across
    bases;
  - depends_on on revisions of other lineages, by id or by branch label,
    sometimes redundant (on an ancestor);
  - ids: Alembic's 12 hex digits, short ids of 4 to 6 characters, ids that
    share long prefixes (ambiguous prefixes), ids that are prefixes of other
    ids, long ids with underscores, upper case;
  - sizes from 1 to a few hundred revisions.

Never generated (the engine's deliberate differences): duplicate ids,
unknown down revisions or dependencies, cycles, ids of three characters or
fewer, tags.

Revisions are created in a topological order; the load order (the sorted
relative path of the files) is drawn independently: creation order, by id
in per-lineage directories, or random.

Usage:
    gen.py --seed S --index I [--max-size M] OUT_DIR
    gen.py --seed 'spec:a<-[gxy] b<-a c<-a' OUT_DIR      (see from_spec)
        writes OUT_DIR/sql (the engine's environment) and OUT_DIR/alembic
        (an Alembic environment: alembic.ini, env/env.py, env/versions/)
        and prints a summary of the graph.
"""

import argparse
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

RESERVED = {"head", "heads", "base", "current"}
HEX = "0123456789abcdef"
ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
LABEL_POOL = [
    "gxy", "tsi", "br1", "br2", "abc", "xyz", "lib", "app", "core",
    "feature", "plugin_a", "tools", "shed", "model", "geo", "auth",
]
WORDS = [
    "add", "drop", "user", "job", "dataset", "index", "column", "table",
    "history", "queue", "tool", "shed", "status", "metadata", "fix", "merge",
    "rename", "widen", "default", "key",
]


class Rev(object):
    """One revision: id, down revisions, dependencies (as declared: ids or
    labels), labels, message, file name (relative), creation index."""

    def __init__(self, rid, down, deps, labels, message, created):
        self.id = rid
        self.down = down
        self.deps = deps
        self.labels = labels
        self.message = message
        self.created = created
        self.filename = None

    def __repr__(self):
        return "Rev(%r, down=%r, deps=%r, labels=%r)" % (
            self.id, self.down, self.deps, self.labels)


class Graph(object):
    """A generated graph: revs in creation order, load_order by file name."""

    def __init__(self, seed, index, revs, order_mode, id_style):
        self.seed = seed
        self.index = index
        self.revs = revs
        self.order_mode = order_mode
        self.id_style = id_style
        self.by_id = {r.id: r for r in revs}
        self.load_order = sorted(revs, key=lambda r: r.filename)
        self.labels = {}
        for r in revs:
            for label in r.labels:
                self.labels[label] = r.id
        self._anc = {}

    def ancestors(self, rid, deps=True):
        """Ids of the ancestors of rid (excluding rid), with or without
        dependencies (dependencies on labels resolve to the labelled rev)."""
        key = (rid, deps)
        if key in self._anc:
            return self._anc[key]
        seen = set()
        todo = [rid]
        while todo:
            cur = self.by_id[todo.pop()]
            nxt = list(cur.down)
            if deps:
                nxt += [self.labels.get(d, d) for d in cur.deps]
            for p in nxt:
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        self._anc[key] = seen
        return seen

    def children(self, rid):
        return [r.id for r in self.load_order if rid in r.down]

    def heads(self):
        have_child = set()
        for r in self.revs:
            have_child.update(r.down)
        return [r.id for r in self.load_order if r.id not in have_child]

    def bases(self):
        return [r.id for r in self.load_order if not r.down]

    def describe(self):
        lines = ["graph seed=%s index=%d: %d revisions, ids %s, load order %s" % (
            self.seed, self.index, len(self.revs), self.id_style, self.order_mode)]
        for r in self.load_order:
            extra = []
            if r.deps:
                extra.append("depends_on=" + ",".join(r.deps))
            if r.labels:
                extra.append("labels=" + ",".join(r.labels))
            lines.append("  %s <- %s %s" % (
                r.id, ",".join(r.down) or "<base>", " ".join(extra)))
        return "\n".join(lines)


def graph_rng(seed, index):
    return random.Random("migrate-conformance:%s:%d" % (seed, index))


class IdMaker(object):
    """Unique revision ids in one of several styles."""

    STYLES = ["hex12", "hex12", "short", "prefixed", "nested", "words",
              "upper", "mixed", "mixed"]

    def __init__(self, rng, style, taken):
        self.rng = rng
        self.style = style
        self.taken = taken
        self.prefixes = ["".join(rng.choice(HEX) for _ in range(rng.randint(4, 8)))
                         for _ in range(rng.randint(1, 3))]
        self.counter = rng.randint(0, 50)
        self.made = []

    def _one(self, style):
        rng = self.rng
        if style == "hex12":
            return "".join(rng.choice(HEX) for _ in range(12))
        if style == "short":
            alphabet = HEX if rng.random() < 0.7 else ALNUM
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 6)))
        if style == "prefixed":
            self.counter += 1
            return "%s%04d" % (rng.choice(self.prefixes), self.counter)
        if style == "nested":
            if self.made and rng.random() < 0.4:
                base = rng.choice(self.made)
                if len(base) < 28:
                    return base + "".join(rng.choice(HEX) for _ in range(rng.randint(1, 4)))
            return "".join(rng.choice(HEX) for _ in range(rng.randint(4, 8)))
        if style == "words":
            self.counter += 1
            return "%s_%s_%03d" % (rng.choice(WORDS), rng.choice(WORDS), self.counter)
        if style == "upper":
            return "".join(rng.choice("0123456789ABCDEFabcdef") for _ in range(rng.randint(5, 12)))
        return self._one(rng.choice(["hex12", "short", "prefixed", "nested", "words"]))

    def make(self):
        while True:
            rid = self._one(self.style)
            if (len(rid) > 3 and len(rid) <= 32 and rid not in self.taken
                    and rid.lower() not in RESERVED):
                self.taken.add(rid)
                self.made.append(rid)
                return rid


def size_for(rng, max_size):
    r = rng.random()
    if r < 0.06:
        n = rng.randint(1, 3)
    elif r < 0.55:
        n = rng.randint(4, 16)
    elif r < 0.85:
        n = rng.randint(17, 45)
    elif r < 0.96:
        n = rng.randint(46, 120)
    else:
        n = rng.randint(121, 300)
    return max(1, min(n, max_size))


def generate(seed, index, max_size=300):
    """The graph (seed, index); at most max_size revisions."""
    rng = graph_rng(seed, index)
    n = size_for(rng, max_size)
    style = rng.choice(IdMaker.STYLES)
    labels_pool = list(LABEL_POOL)
    rng.shuffle(labels_pool)
    if rng.random() < 0.4:
        # Galaxy's two branches.
        labels_pool = ["gxy", "tsi"] + [l for l in labels_pool if l not in ("gxy", "tsi")]
    taken = set(labels_pool) | RESERVED
    ids = IdMaker(rng, style, taken)

    nbases = 1
    if n > 1 and rng.random() < 0.6:
        nbases = rng.randint(2, min(4, n))
    p_branch = rng.choice([0.0, 0.05, 0.12, 0.25])
    p_merge = rng.choice([0.0, 0.08, 0.15, 0.3])
    p_dep = rng.choice([0.0, 0.0, 0.05, 0.12, 0.25])
    p_label_base = rng.choice([0.5, 0.8, 1.0])
    p_label_branch = rng.choice([0.0, 0.1, 0.3])

    revs = []
    by_id = {}
    children = {}
    label_owner = {}
    base_slots = sorted(rng.sample(range(n), nbases)) if nbases > 1 else [0]
    if base_slots[0] != 0:
        base_slots[0] = 0

    def anc(rid):
        seen = set()
        todo = [rid]
        while todo:
            r = by_id[todo.pop()]
            for p in list(r.down) + [label_owner.get(d, d) for d in r.deps]:
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def vanc(rid):
        seen = set()
        todo = [rid]
        while todo:
            for p in by_id[todo.pop()].down:
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def take_label():
        if labels_pool:
            return labels_pool.pop(0)
        return None

    def message(kind, rid):
        w = rng.sample(WORDS, 2)
        if kind == "merge":
            text = "merge %s" % " and ".join(w)
        elif kind == "base":
            text = "create %s base" % w[0]
        else:
            text = "%s %s" % (w[0], w[1])
        r = rng.random()
        if r < 0.05:
            text += ", then %s" % rng.choice(WORDS)
        elif r < 0.08:
            text += " (%s)" % rng.choice(WORDS)
        elif r < 0.10:
            text = "%s %s" % (text, rid[:4])
        return text

    for i in range(n):
        heads = [r.id for r in revs if not children.get(r.id)]
        kind = "extend"
        down = []
        if i in base_slots or not revs:
            kind = "base"
        else:
            x = rng.random()
            if x < p_merge and len(heads) >= 2:
                kind = "merge"
            elif x < p_merge + p_branch and len(revs) > len(heads):
                kind = "branch"
        if kind == "extend":
            down = [rng.choice(heads[-3:] if rng.random() < 0.6 else heads)]
        elif kind == "branch":
            candidates = [r.id for r in revs if children.get(r.id)]
            down = [rng.choice(candidates)]
        elif kind == "merge":
            k = 3 if len(heads) >= 3 and rng.random() < 0.3 else 2
            # Parents must be unrelated (no one the ancestor of another).
            pool = list(heads)
            rng.shuffle(pool)
            down = []
            for h in pool:
                if all(h not in vanc(d) and d not in vanc(h) for d in down):
                    down.append(h)
                if len(down) == k:
                    break
            if len(down) < 2:
                kind = "extend"
                down = [rng.choice(heads)]
            # Sometimes a merge takes a non-head parent (which then becomes
            # a branch point too).
            elif rng.random() < 0.1:
                extra = [r.id for r in revs if r.id not in down
                         and all(r.id not in vanc(d) and d not in vanc(r.id) for d in down)]
                if extra:
                    down.append(rng.choice(extra))
        rid = ids.make()
        labels = []
        if kind == "base" and rng.random() < p_label_base:
            label = take_label()
            if label:
                labels.append(label)
            if rng.random() < 0.12:
                label = take_label()
                if label:
                    labels.append(label)
        elif kind == "branch" and rng.random() < p_label_branch:
            label = take_label()
            if label:
                labels.append(label)
        deps = []
        if revs and rng.random() < p_dep:
            mine = set()
            for d in down:
                mine |= anc(d) | {d}
            others = [r.id for r in revs if r.id not in mine]
            if rng.random() < 0.1:
                others = [r.id for r in revs]  # redundant ones too
            for _ in range(1 if rng.random() < 0.75 else 2):
                if not others:
                    break
                target = rng.choice(others)
                others.remove(target)
                owner_labels = by_id[target].labels
                if owner_labels and rng.random() < 0.5:
                    ref = rng.choice(owner_labels)
                else:
                    ref = target
                if ref not in deps and target not in down:
                    deps.append(ref)
        rev = Rev(rid, down, deps, labels, message(kind, rid), i)
        revs.append(rev)
        by_id[rid] = rev
        for d in down:
            children.setdefault(d, []).append(rid)
        for label in labels:
            label_owner[label] = rid

    # File names: the load order.
    order_mode = rng.choice(["created", "byid", "dirs", "dirs", "random", "reversed"])
    lineage = {}
    for r in revs:
        if r.labels:
            lineage[r.id] = r.labels[0]
        elif r.down:
            lineage[r.id] = lineage[r.down[0]]
        else:
            lineage[r.id] = "main"
    perm = list(range(n))
    rng.shuffle(perm)
    for r in revs:
        slug = r.message.replace(",", "").replace("(", "").replace(")", "")
        slug = "_".join(slug.split())[:30]
        if order_mode == "created":
            r.filename = "versions/%04d_%s_%s.sql" % (r.created, r.id, slug)
        elif order_mode == "reversed":
            r.filename = "versions/%04d_%s.sql" % (n - r.created, r.id)
        elif order_mode == "byid":
            r.filename = "versions/%s_%s.sql" % (r.id, slug)
        elif order_mode == "dirs":
            r.filename = "versions_%s/%s_%s.sql" % (lineage[r.id], r.id, slug)
        else:
            r.filename = "v/%04d_%s.sql" % (perm[r.created], r.id)
    return Graph(seed, index, revs, order_mode, style)


SPEC_RE = re.compile(r"^(\w+)<-([\w,]*)(?:\[([\w,]*)\])?(?:\(([\w,]*)\))?$")


def from_spec(spec, name="spec"):
    """A graph from a compact text, for hand-made cases: revisions separated
    by white space, each "id<-down1,down2[label1,label2](dep1,dep2)" with
    the brackets optional ("a<-" is a base); the load order is the order
    given.  Example: "a1<-[gxy] b1<-a1 c1<-a1 d1<-b1,c1 t1<-[tsi](b1)"."""
    revs = []
    for i, item in enumerate(spec.split()):
        m = SPEC_RE.match(item)
        if not m:
            raise ValueError("bad revision in spec: %r" % item)
        def split(x):
            return [v for v in (x or "").split(",") if v]
        rev = Rev(m.group(1), split(m.group(2)), split(m.group(4)), split(m.group(3)),
                  "rev %s" % m.group(1), i)
        rev.filename = "v/%04d_%s.sql" % (i, rev.id)
        revs.append(rev)
    return Graph(name, 0, revs, "given", "spec")


def script_text(rev):
    """The engine's revision script for rev (trivial bodies)."""
    return (
        "-- %s\n"
        "--\n"
        "-- Revision ID: %s\n"
        "-- Revises: %s\n"
        "-- Create Date: 2024-01-01 00:00:00.000000\n"
        "-- Branch Labels: %s\n"
        "-- Depends On: %s\n"
        "\n"
        "-- migrate:upgrade\n"
        "CREATE TABLE t_%s (id integer primary key);\n"
        "\n"
        "-- migrate:downgrade\n"
        "DROP TABLE t_%s;\n"
    ) % (rev.message, rev.id, ", ".join(rev.down), ", ".join(rev.labels),
         ", ".join(rev.deps), rev.id, rev.id)


def write_sql_env(graph, out):
    """Write the engine's environment (one .sql file per revision)."""
    for rev in graph.revs:
        path = os.path.join(out, rev.filename)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(script_text(rev))
    return out


def write_alembic_env(graph, sql_dir, out):
    """Write the Alembic environment converted from sql_dir (via
    tests/oracle/alembic_env.py: alembic.ini, env/env.py, env/versions/)."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "oracle"))
    import alembic_env
    alembic_env.build(sql_dir, out)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description="write one random revision graph")
    ap.add_argument("--seed", required=True)
    ap.add_argument("--index", type=int, default=0)
    ap.add_argument("--max-size", type=int, default=300)
    ap.add_argument("out")
    args = ap.parse_args(argv)
    if args.seed.startswith("spec:"):
        graph = from_spec(args.seed[5:])
    else:
        graph = generate(args.seed, args.index, args.max_size)
    sql_dir = write_sql_env(graph, os.path.join(args.out, "sql"))
    write_alembic_env(graph, sql_dir, os.path.join(args.out, "alembic"))
    print(graph.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
