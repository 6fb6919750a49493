"""Throughput benchmarks against baselines measured in the same run.

    python bench/run.py [--copies N]

1. Quantity extractor alone (extractors.quantities.extract, text → rows with
   offsets) vs a plain regex scan for digit runs over the same texts.
2. Full extraction of a document's records (normalized view, metadata,
   quantities, labels) vs plain `jieba.lcut` over the same texts.

Sizes are UTF-8 megabytes of the corpus texts (corpus/raw/*.txt), replicated
`--copies` times. Single process, one core. Prints a table and writes JSON
to bench/results.json.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def texts() -> list[str]:
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "corpus", "raw", "*.txt"))):
        with open(p, encoding="utf-8") as fh:
            out.append(fh.read())
    return out


def timed(fn, docs) -> float:
    t0 = time.perf_counter()
    for d in docs:
        fn(d)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=20)
    args = ap.parse_args()
    base = texts()
    docs = base * args.copies
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6

    from extractors import labels, quantities
    from pipeline.document import Document
    from pipeline.link import records

    digits = re.compile(r"\d+(?:\.\d+)?")
    labels.tokenizer()  # jieba's dictionary load is start-up, not throughput
    import jieba

    tk = jieba.Tokenizer()
    tk.initialize()
    for d in base:  # warm caches (regex compile, lexicons, OpenCC)
        quantities.extract(d)
        records(Document("w", "w", "text", d))
        tk.lcut(d)

    t_regex = timed(lambda d: digits.findall(d), docs)
    t_quant = timed(lambda d: quantities.extract(d), docs)
    t_jieba = timed(lambda d: tk.lcut(d), docs)
    t_full = timed(lambda d: records(Document("b", "b", "text", d)), docs)
    res = {
        "machine": platform.processor() or platform.machine(), "python": platform.python_version(),
        "documents": len(docs), "megabytes": round(mb, 3),
        "regex_digits_MBps": round(mb / t_regex, 2),
        "quantities_MBps": round(mb / t_quant, 2),
        "quantities_vs_regex_time_ratio": round(t_quant / t_regex, 1),
        "jieba_lcut_MBps": round(mb / t_jieba, 3),
        "full_extraction_MBps": round(mb / t_full, 3),
        "full_extraction_docs_per_s": round(len(docs) / t_full, 1),
        "full_vs_jieba_time_ratio": round(t_full / t_jieba, 2),
    }
    for k, v in res.items():
        print(f"{k:<34}{v}")
    with open(os.path.join(ROOT, "bench", "results.json"), "w", encoding="utf-8") as fh:
        json.dump(res, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
