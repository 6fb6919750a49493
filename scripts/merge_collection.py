"""Build the real dev and blind sets from collectors' folders.

    python scripts/merge_collection.py COLLECT_DIR [--dev corpus/sets/dev --blind corpus/sets/blind] [--append KLM]

COLLECT_DIR holds one folder per collector-annotator (`A/`, `B/`…), each with
`raw/XNN.txt|json` and `gold/XNN.json` (and the reviewer's `REVIEW.md`). Texts
the held-out check flags are dropped, and so is the later of two texts that share
most of their passages (the same report re-hosted, or in Traditional characters).
A reporting unit's series goes whole into one part; every other text goes to the
blind part when a hash of its address says so (one in three), so that adding
texts later moves none; a text someone working on the code has looked at (the
`--seen` list) is never blind. Files are renumbered (dev 401…,
blind 701…); each sidecar keeps `collected_as`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys

KEEP = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")
W = 15


def _fold():
    try:
        import opencc

        return opencc.OpenCC("t2s").convert
    except ImportError:
        return lambda s: s


def shingles(text: str, fold) -> set[str]:
    s = "".join(KEEP.findall(fold(text)))
    return {s[i:i + W] for i in range(max(1, len(s) - W + 1))}


def items(collect: pathlib.Path) -> list[dict]:
    out = []
    for folder in sorted(p for p in collect.iterdir() if p.is_dir() and len(p.name) == 1):
        for txt in sorted((folder / "raw").glob("*.txt")):
            gold = folder / "gold" / f"{txt.stem}.json"
            side = txt.with_suffix(".json")
            if gold.exists() and side.exists():
                out.append({"key": txt.stem, "txt": txt, "side": json.loads(side.read_text("utf-8")),
                            "gold": json.loads(gold.read_text("utf-8")), "reviewed": (folder / "REVIEW.md").exists()})
    return out


def heldout_flagged(paths: list[pathlib.Path], checker: pathlib.Path) -> set[str]:
    r = subprocess.run([sys.executable, str(checker), *map(str, paths)], capture_output=True, text=True)
    return {line.split(":", 1)[0] for line in r.stdout.splitlines() if "held-out" in line}


def drop_duplicates(kept: list[dict], fold) -> list[dict]:
    out, seen = [], []
    for it in kept:
        sh = shingles(it["txt"].read_text("utf-8"), fold)
        dup = next((o for o, osh in seen if sh and osh and len(sh & osh) / min(len(sh), len(osh)) > 0.3), None)
        if dup is not None:
            print(f"duplicate: {it['key']} ~ {dup['key']} — dropped")
            continue
        seen.append((it, sh))
        out.append(it)
    return out


def _hash(s: str) -> int:
    return int(hashlib.sha1(s.encode()).hexdigest()[:8], 16)


def split(kept: list[dict], seen: set[str]) -> tuple[list[dict], list[dict]]:
    """One third blind, decided per item by a hash of its address (per series
    unit for a series, kept whole), so that adding texts later moves none;
    every item someone working on the code has already looked at is dev."""
    dev, blind = [], []
    units: dict[str, list[dict]] = {}
    for it in kept:
        u = it["side"].get("series_unit")
        units.setdefault(u or f"_single:{it['key']}", []).append(it)
    for u, its in sorted(units.items()):
        ident = u if not u.startswith("_single:") else (its[0]["side"].get("source_url") or its[0]["key"])
        looked_at = any(it["key"] in seen for it in its)
        (blind if _hash(ident) % 3 == 2 and not looked_at else dev).extend(its)
    return dev, blind


def write(part: list[dict], root: pathlib.Path, first: int) -> None:
    for sub in ("raw", "gold"):
        (root / sub).mkdir(parents=True, exist_ok=True)
        for old in (root / sub).glob("*"):
            old.unlink()
    part = sorted(part, key=lambda it: (str(it["side"].get("genre")), it["key"]))
    for n, it in enumerate(part, first):
        _write_item(root, f"{n:03d}", it)


def _write_item(root: pathlib.Path, key: str, it: dict) -> None:
    """One text under its part's number: raw text, sidecar (with `collected_as`), gold."""
    (root / "raw" / f"{key}.txt").write_bytes(it["txt"].read_bytes())
    side = {**it["side"], "collected_as": it["key"], "gold_reviewed": it["reviewed"]}
    (root / "raw" / f"{key}.json").write_text(json.dumps(side, ensure_ascii=False, indent=1) + "\n", "utf-8")
    gold = {**it["gold"], "doc": key}
    (root / "gold" / f"{key}.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", "utf-8")


def append(part: list[dict], root: pathlib.Path) -> int:
    """Add items to a part after its last number, renumbering nothing already
    there (items whose `collected_as` the part holds are skipped); returns how
    many were added."""
    have = {json.loads(p.read_text("utf-8")).get("collected_as") for p in (root / "raw").glob("*.json")}
    new = sorted((it for it in part if it["key"] not in have), key=lambda it: (str(it["side"].get("genre")), it["key"]))
    first = max((int(p.stem) for p in (root / "raw").glob("*.txt")), default=0) + 1
    for n, it in enumerate(new, first):
        _write_item(root, f"{n:03d}", it)
    return len(new)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("collect")
    ap.add_argument("--dev", default="corpus/sets/dev")
    ap.add_argument("--blind", default="corpus/sets/blind")
    ap.add_argument("--heldout-check", default="../shared/corpus/heldout_check.py")
    ap.add_argument("--blind-only", default="", help="collectors' letters (e.g. I) whose texts all go to the blind part")
    ap.add_argument("--seen", default="corpus/annotation/seen_during_tuning.txt",
                    help="collectors' ids (A03…) someone working on the code has looked at: never blind")
    ap.add_argument("--append", default="", help="collectors' letters (e.g. KLM) whose texts are added after the "
                    "parts' last numbers, split the same way; nothing already in the parts moves")
    args = ap.parse_args()
    its = items(pathlib.Path(args.collect))
    if args.append:
        its = [it for it in its if it["key"][0] in args.append]
    flagged = heldout_flagged([it["txt"] for it in its], pathlib.Path(args.heldout_check))
    kept = [it for it in its if str(it["txt"]) not in flagged]
    for f in sorted(flagged):
        print(f"held out: {f} — dropped")
    kept = drop_duplicates(kept, _fold())
    seen = set()
    if os.path.exists(args.seen):
        with open(args.seen, encoding="utf-8") as fh:
            seen = {w for line in fh for w in line.split("#")[0].split()}
    if args.append:
        # the later of two texts sharing most passages: against the parts' texts too
        known = [{"key": p.stem, "txt": p} for part in (args.dev, args.blind) for p in sorted(pathlib.Path(part, "raw").glob("*.txt"))]
        kept = [it for it in drop_duplicates(known + kept, _fold()) if "side" in it]
    fresh = [it for it in kept if it["key"][0] in args.blind_only]
    dev, blind = split([it for it in kept if it not in fresh], seen)
    blind += fresh  # collected after the code was tuned, for the blind part alone
    if args.append:
        nd, nb = append(dev, pathlib.Path(args.dev)), append(blind, pathlib.Path(args.blind))
        print(f"{len(its)} collected, {len(kept)} kept: added dev {nd}, blind {nb}")
        return 0
    write(dev, pathlib.Path(args.dev), 401)
    write(blind, pathlib.Path(args.blind), 701)
    print(f"{len(its)} collected, {len(kept)} kept: dev {len(dev)}, blind {len(blind)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
