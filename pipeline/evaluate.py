"""Score a dataset against gold files in the conventions of GOLD.md.

Documents are matched to gold files by name: `gold/001.json` scores the
document whose source file is `001.<ext>`. Document fields are scored as
accuracy over the gold files that have a matching document; a document
missing from the dataset counts as wrong on every field.
"""
from __future__ import annotations

import glob
import json
import os

from . import dataset

DOC_FIELDS = ("title", "region", "year", "published")


def load_gold(gold_dir: str) -> dict[str, dict]:
    gold = {}
    for p in sorted(glob.glob(os.path.join(gold_dir, "*.json"))):
        with open(p, encoding="utf-8") as fh:
            g = json.load(fh)
        gold[g.get("doc") or os.path.splitext(os.path.basename(p))[0]] = g
    return gold


def _stem(source: str) -> str:
    return os.path.splitext(os.path.basename(source))[0]


def field_match(name: str, gold, pred) -> bool:
    """GOLD.md §1: a region matches when one contains the other."""
    if name == "region" and gold and pred:
        return gold in pred or pred in gold
    return gold == pred


def evaluate(out: str, gold_dir: str) -> dict:
    gold = load_gold(gold_dir)
    docs = {_stem(d["source"]): d for d in dataset.read_rows(out, "documents")}
    fields = {f: {"correct": 0, "total": 0} for f in DOC_FIELDS}
    misses = []
    for key, g in gold.items():
        gd = g.get("document") or {}
        pd_ = docs.get(key, {})
        for f in DOC_FIELDS:
            gv, pv = gd.get(f), pd_.get(f)
            ok = key in docs and field_match(f, gv, pv)
            fields[f]["total"] += 1
            fields[f]["correct"] += ok
            if not ok:
                misses.append({"doc": key, "field": f, "gold": gv, "pred": pv})
    for f in fields.values():
        f["accuracy"] = f["correct"] / f["total"] if f["total"] else None
    return {"documents": {"n_gold": len(gold), "n_matched": sum(k in docs for k in gold), "fields": fields},
            "misses": misses}


def format_report(rep: dict) -> str:
    d = rep["documents"]
    lines = [f"documents: {d['n_matched']}/{d['n_gold']} gold files matched",
             f"{'field':<22}{'accuracy':>9}{'correct':>10}"]
    for name, f in d["fields"].items():
        acc = "-" if f["accuracy"] is None else f"{f['accuracy']:.3f}"
        lines.append(f"{'document.' + name:<22}{acc:>9}{f['correct']:>6}/{f['total']}")
    return "\n".join(lines)
