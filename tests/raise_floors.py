"""Raise the accuracy floors in tests/floors.json to today's scores.

    python tests/raise_floors.py                 # floors only go up
    python tests/raise_floors.py --allow-lower   # a deliberate, reviewed drop
    python tests/raise_floors.py --gold-changed  # re-pin the gold digest after a reviewed gold edit
"""
import argparse
import json
import math
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from pipeline.batch import ingest  # noqa: E402
from pipeline.evaluate import evaluate  # noqa: E402
from test_accuracy_gate import EXTRA_SETS, FLOORS, gold_digest, scores  # noqa: E402
from conftest import CORPUS  # noqa: E402


def raise_to(pinned_tables: dict, got: dict, prefix: str, allow_lower: bool) -> None:
    for table, fields in got.items():
        pinned = pinned_tables.setdefault(table, {})
        for field, value in fields.items():
            if value is None:
                continue
            new = math.floor(value * 1000) / 1000
            old = pinned.get(field, 0)
            if new < old and not allow_lower:
                print(f"{prefix}{table}.{field}: {new} is below the floor {old}; not lowered (use --allow-lower)")
                continue
            pinned[field] = new
            print(f"{prefix}{table}.{field}: {old} → {new}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--allow-lower", action="store_true")
    ap.add_argument("--gold-changed", action="store_true")
    args = ap.parse_args()
    with open(FLOORS, encoding="utf-8") as fh:
        floors = json.load(fh)
    with tempfile.TemporaryDirectory() as tmp:
        ingest([os.path.join(CORPUS, "raw")], os.path.join(tmp, "out"))
        rep = evaluate(os.path.join(tmp, "out"), os.path.join(CORPUS, "gold"))
        extra = {}
        for name, folder in EXTRA_SETS.items():
            ingest([os.path.join(folder, "raw")], os.path.join(tmp, name))
            extra[name] = evaluate(os.path.join(tmp, name), os.path.join(folder, "gold"))
    raise_to(floors, scores(rep), "", args.allow_lower)
    for name, report in extra.items():
        raise_to(floors.setdefault(name, {}), scores(report), f"{name}.", args.allow_lower)
    if args.gold_changed or "gold_digest" not in floors:
        floors["gold_digest"] = gold_digest()
    with open(FLOORS, "w", encoding="utf-8") as fh:
        json.dump(floors, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
