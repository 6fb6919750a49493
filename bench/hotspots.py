"""Where a whole ingest spends its time (issue 18): cProfile over
`ingest(..., workers=1)` of the corpus texts replicated to N documents, in
this process, summarized as the top functions by cumulative and by own time.

    python bench/hotspots.py [--docs 2000] [--top 25] [--save FILE.prof]
    python bench/hotspots.py --stats FILE.prof   # summarize a profile saved before

cProfile slows Python-level calls several times over, so the shares are
what to read, not the seconds; bench/hotspots.txt keeps the summaries.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)


def _where(path: str) -> str:
    """A function's file, short: its package path, or the library's name."""
    m = re.search(r"site-packages/(.+)$", path)
    if m:
        return m.group(1)
    m = re.search(r"/((?:pipeline|extractors)/.+)$", path)
    return m.group(1) if m else os.path.basename(path)


def summary(stats: pstats.Stats, top: int) -> str:
    total = stats.total_tt
    rows = [((_where(f), line, name), cc, nc, tt, ct) for (f, line, name), (cc, nc, tt, ct, _) in stats.stats.items()
            if f not in ("~", "<string>") or "exec" not in name and name != "<module>"]  # not the profiler's frame
    out = [f"total {total:.2f} s under the profiler, {stats.total_calls} calls", ""]
    for title, key in (("cumulative", 4), ("own (self) time", 3)):
        out += [f"top {top} by {title}:", f"{'share':>6} {'seconds':>8} {'calls':>9}  function"]
        for (where, line, name), _, nc, tt, ct in sorted(rows, key=lambda r: -r[key])[:top]:
            t = ct if key == 4 else tt
            out.append(f"{100 * t / total:5.1f}% {t:8.2f} {nc:9d}  {where}:{line}({name})")
        out.append("")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--save", help="keep the raw profile in this file")
    ap.add_argument("--stats", help="summarize this saved profile instead of running one")
    args = ap.parse_args()
    if args.stats:
        print(summary(pstats.Stats(args.stats), args.top))
        return 0
    from scale import write_copies

    from pipeline.batch import ingest

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "txt")
        write_copies(src, args.docs)
        prof = cProfile.Profile()
        prof.runcall(ingest, [src], os.path.join(tmp, "out"), workers=1)
    if args.save:
        prof.dump_stats(args.save)
    print(summary(pstats.Stats(prof), args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
