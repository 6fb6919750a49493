"""Raise the accuracy floors in tests/floors.json to today's scores, for every
gated set of corpus/sets.yaml, overall and by genre.

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

from pipeline.evaluate import flat_scores  # noqa: E402
from test_accuracy_gate import FLOORS, GATED, gold_digest, score_set  # noqa: E402

# Genres with fewer gold documents than this get no floors of their own: one
# document's change would swing them by a third.
MIN_GENRE_DOCS = 5


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
            if new != old:
                print(f"{prefix}{table}.{field}: {old} → {new}")
            pinned[field] = new


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--allow-lower", action="store_true")
    ap.add_argument("--gold-changed", action="store_true")
    args = ap.parse_args()
    with open(FLOORS, encoding="utf-8") as fh:
        floors = json.load(fh)
    with tempfile.TemporaryDirectory() as tmp:
        for name, s in GATED.items():
            rep = score_set(s, os.path.join(tmp, name))
            fl = floors.setdefault(name, {})
            raise_to(fl, flat_scores(rep), f"{name}.", args.allow_lower)
            for genre, part in rep["by_genre"].items():
                if part["documents"]["n_gold"] >= MIN_GENRE_DOCS and len(rep["by_genre"]) > 1:
                    raise_to(fl.setdefault("by_genre", {}).setdefault(genre, {}), flat_scores(part),
                             f"{name}.{genre}.", args.allow_lower)
    if args.gold_changed or "gold_digest" not in floors:
        floors["gold_digest"] = gold_digest()
    with open(FLOORS, "w", encoding="utf-8") as fh:
        json.dump(floors, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
