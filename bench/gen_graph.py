#!/usr/bin/env python3
"""Write a synthetic migrate environment of N revisions, for the graph benchmark.

Usage: gen_graph.py --shape chain|branchy --count N --out DIR [--seed S]

Shapes:
  chain    one straight line of N revisions (one base, one head, no labels).
  branchy  four labelled branches b1..b4 of about N/4 revisions each; the base
           of branch bN carries "Branch Labels: bN".  Every ten revisions a
           branch forks into two short arms of four revisions and merges them
           again:  fork -> a1..a4 -> merge
                        -> c1..c4 ->
           A tail shorter than ten revisions is a straight line, so each
           branch always ends in exactly one head.

Every revision i (0 <= i < N, global) creates t_<i> (id INTEGER PRIMARY KEY,
v TEXT) and an index on v; its downgrade drops both.  Revision ids are
12 hex digits, unique, and a pure function of the seed, so the same
arguments always write byte-identical files.  Files go to
DIR/versions_<branch>/<id>_rev_<i>.sql (DIR/versions/ for a chain); the
directory is emptied of *.sql first.

Only the standard library is used.
"""

import argparse
import os
import random
import sys

BLOCK = 10  # fork, 4 + 4 arm revisions, merge


def make_ids(count, seed):
    """count distinct 12-hex-digit ids, deterministic from seed."""
    rng = random.Random(seed)
    seen = set()
    ids = []
    while len(ids) < count:
        rid = "%012x" % rng.getrandbits(48)
        if rid in seen:
            continue
        seen.add(rid)
        ids.append(rid)
    return ids


def branch_parents(length, forks):
    """Down revisions for one branch of `length` revisions, as lists of local
    indexes (empty list for the base); a straight line unless forks."""
    if not forks:
        return [[]] + [[j - 1] for j in range(1, length)]
    parents = []
    prev_merge = None  # local index of the last merge (or tail) revision
    j = 0
    while j < length:
        if length - j >= BLOCK:
            fork = j
            parents.append([] if prev_merge is None else [prev_merge])
            # arm a: fork+1 .. fork+4, arm c: fork+5 .. fork+8
            for arm_start in (fork + 1, fork + 5):
                parents.append([fork])
                for k in range(arm_start + 1, arm_start + 4):
                    parents.append([k - 1])
            parents.append([fork + 4, fork + 8])
            prev_merge = fork + 9
            j += BLOCK
        else:
            parents.append([] if prev_merge is None else [prev_merge])
            prev_merge = j
            j += 1
    return parents


def script(rid, down, labels, index):
    """Text of one revision script."""
    day = 1 + index % 28
    lines = [
        "-- benchmark revision %d" % index,
        "--",
        "-- Revision ID: %s" % rid,
        "-- Revises: %s" % ", ".join(down),
        "-- Create Date: 2024-01-%02d 00:00:00.000000" % day,
        "-- Branch Labels: %s" % ", ".join(labels),
        "-- Depends On:",
        "-- Tags:",
        "",
        "-- migrate:upgrade",
        "CREATE TABLE t_%d (id INTEGER PRIMARY KEY, v TEXT);" % index,
        "CREATE INDEX ix_t_%d_v ON t_%d (v);" % (index, index),
        "",
        "-- migrate:downgrade",
        "DROP INDEX ix_t_%d_v;" % index,
        "DROP TABLE t_%d;" % index,
        "",
    ]
    return "\n".join(lines)


def plan(shape, count):
    """List of (subdir, labels-of-base, branch length, forks) for the shape."""
    if shape == "chain":
        return [("versions", [], count, False)]
    nbranch = 4
    base, extra = divmod(count, nbranch)
    out = []
    for b in range(nbranch):
        length = base + (1 if b < extra else 0)
        out.append(("versions_b%d" % (b + 1), ["b%d" % (b + 1)], length, True))
    return out


def revisions(shape, count, seed):
    """The workload's revisions in generation order, which is topological
    (every parent comes before its children): a list of dicts with keys
    index, id, down (list of ids), labels (list), subdir.  Also the number
    of heads."""
    ids = make_ids(count, seed)
    out = []
    index = 0
    heads = 0
    for sub, labels, length, forks in plan(shape, count):
        if length == 0:
            continue
        first = index
        for j, par in enumerate(branch_parents(length, forks)):
            i = first + j
            out.append({
                "index": i,
                "id": ids[i],
                "down": [ids[first + p] for p in par],
                "labels": labels if j == 0 else [],
                "subdir": sub,
            })
        index += length
        heads += 1
    return out, heads


def generate(shape, count, out, seed):
    """Write the environment to out; returns the number of heads."""
    for sub, _, _, _ in plan(shape, count):
        path = os.path.join(out, sub)
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):
            if name.endswith(".sql"):
                os.remove(os.path.join(path, name))
    revs, heads = revisions(shape, count, seed)
    for r in revs:
        text = script(r["id"], r["down"], r["labels"], r["index"])
        name = "%s_rev_%d.sql" % (r["id"], r["index"])
        with open(os.path.join(out, r["subdir"], name), "w") as f:
            f.write(text)
    return heads


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=("chain", "branchy"), required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    heads = generate(args.shape, args.count, args.out, args.seed)
    print("%s: %d revisions, %d heads in %s"
          % (args.shape, args.count, heads, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
