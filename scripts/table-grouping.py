#!/usr/bin/env python3
"""Scores how a seamline plan groups a codebase's tables against a hand-labelled truth.

Usage: scripts/table-grouping.py TABLES_TRUTH SEAMLINE_JSON

TABLES_TRUTH is `{"tables": {"table": "domain"}}` (see fixtures/real/*/tables.json);
SEAMLINE_JSON is the `seamline.json` of `seamline analyze --format json` on the same checkout.

Each table's proposed owner is the context listing it in `plan.services[].tables`, else the
context that writes it most, then reads it most (module granularity, from
`tables[].accessed_by` and `modules[].context`), the owner rule of the plan.
Printed: pairwise precision, recall and F1 over table pairs (two tables of one domain should
share an owner, two of different domains should not), and the share of tables whose owner's
main domain (the true domain of most of the tables that owner holds) is the table's own.
"""
import itertools
import json
import sys
from collections import Counter


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    truth = json.load(open(sys.argv[1]))["tables"]
    doc = json.load(open(sys.argv[2]))
    module_ctx = {m["id"]: m["context"] for m in doc["modules"]}
    listed = {}
    for s in doc["plan"]["services"]:
        for t in s["tables"]:
            listed.setdefault(t, s["name"])
    owner = {}
    for t in doc["tables"]:
        if t["name"] in listed:
            owner[t["name"]] = listed[t["name"]]
            continue
        score = Counter()
        for a in t["accessed_by"]:
            ctx = module_ctx.get(a["module"])
            if ctx is not None:
                score[ctx] += a["writes"] * 1_000_000 + a["reads"]
        if score:
            owner[t["name"]] = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    tables = sorted(t for t in truth if t in owner)
    missing = sorted(t for t in truth if t not in owner)
    tp = fp = fn = 0
    for a, b in itertools.combinations(tables, 2):
        same_truth = truth[a] == truth[b]
        same_owner = owner[a] == owner[b]
        tp += same_truth and same_owner
        fp += same_owner and not same_truth
        fn += same_truth and not same_owner
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    main_domain = {}
    for ctx in set(owner[t] for t in tables):
        held = Counter(truth[t] for t in tables if owner[t] == ctx)
        main_domain[ctx] = sorted(held.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    agree = sum(1 for t in tables if main_domain[owner[t]] == truth[t])
    for t in tables:
        print(f"{t}: truth {truth[t]}, owner {owner[t]}")
    if missing:
        print(f"not in the plan: {', '.join(missing)}")
    print(
        f"tables {len(tables)}, pairwise precision {precision:.3f} recall {recall:.3f} "
        f"F1 {f1:.3f}, owner agreement {agree}/{len(tables)} ({agree / max(len(tables), 1):.0%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
