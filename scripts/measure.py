"""Measure evaluation sets and print the per-genre table the README keeps.

    python scripts/measure.py dev blind            # the code of this checkout
    python scripts/measure.py dev blind --code DIR # another checkout's code (a first measure)

Each set is ingested into a temporary folder by the chosen code and scored by
this checkout's `jyta evaluate`, so two versions of the code are measured with
one scorer. Prints one markdown table per set: the key scores by genre.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from pipeline import evalsets  # noqa: E402
from pipeline.evaluate import evaluate, flat_scores  # noqa: E402

ROWS = [("documents", "title"), ("documents", "year"), ("documents", "region"), ("documents", "published"),
        ("indicators", "f1"), ("proposals", "f1"), ("proposals", "status"), ("proposals", "status_where_set"),
        ("proposals", "title"), ("proposals", "role"), ("proposals", "session"),
        ("metrics", "f1"), ("metrics", "value_only_f1")]


def ingest_with(code: str, raw: str, out: str) -> None:
    """`python -m pipeline ingest` run from `code`, so that checkout's modules load."""
    env = {**os.environ, "PYTHONPATH": code}
    subprocess.run([sys.executable, "-m", "pipeline", "ingest", raw, "-o", out, "-q"], cwd=code, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def table(name: str, rep: dict) -> str:
    cols = [("all", rep)] + sorted(rep["by_genre"].items())
    head = "| score | " + " | ".join(f"{g} ({r['documents']['n_gold']})" for g, r in cols) + " |"
    lines = [f"**{name}**", "", head, "|---" * (len(cols) + 1) + "|"]
    flats = [flat_scores(r) for _, r in cols]
    for t, f in ROWS:
        cells = ["–" if fl[t].get(f) is None else f"{fl[t][f]:.3f}" for fl in flats]
        lines.append(f"| {t}.{f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--code", default=HERE, help="the checkout whose code ingests (default: this one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            s = evalsets.get(name)
            out = os.path.join(tmp, name)
            ingest_with(os.path.abspath(args.code), s.raw, out)
            print(table(name, evaluate(out, s.gold, s.genres())))
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
