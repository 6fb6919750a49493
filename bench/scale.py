"""Batch-scale benchmarks (issue 7), each against a baseline in the same run:

1. Text throughput: `jyta ingest` of the corpus texts replicated to N
   documents (distinct bytes per copy), one worker, vs plain `jieba.lcut` over
   the same texts — in this process with the dictionary already loaded, and
   as a whole run like the ingest (a fresh process that starts, loads the
   dictionary and reads the files).
2. Scaling: ingest of 10,000 documents with the default workers (every core:
   2 here) vs 1 — on a run long enough that starting the workers (imports, the
   jieba dictionary: ~3 s) does not decide it.
3. PDF throughput: our PDF reader (the stream-size check, pypdfium2 text +
   geometry, pdfplumber on pages whose rules form a grid) vs raw pypdfium2
   text extraction of the same files, pages/s; the ratio is the median (and
   min) over rounds that alternate the two.
4. Peak memory (RSS of the largest process) of `jyta ingest` with its default
   workers for 1,000 and 10,000 documents.

    python bench/scale.py [--docs 2000] [--scale-docs 10000] [--small-docs 1000] [--pdfs 60]

Prints one `key value` line per number. Needs the test extras (fpdf2) for the PDFs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
RAW = os.path.join(ROOT, "corpus", "raw")


def corpus_texts() -> list[str]:
    out = []
    for name in sorted(os.listdir(RAW)):
        if name.endswith(".txt"):
            with open(os.path.join(RAW, name), encoding="utf-8") as fh:
                out.append(fh.read())
    return out


def write_copies(folder: str, n: int) -> list[str]:
    base = corpus_texts()
    os.makedirs(folder, exist_ok=True)
    texts = []
    for k in range(n):
        t = base[k % len(base)] + f"\n(副本{k // len(base)})"
        with open(os.path.join(folder, f"{k:06d}.txt"), "w", encoding="utf-8") as fh:
            fh.write(t)
        texts.append(t)
    return texts


def run_ingest(src: str, out: str, workers: int | None = None) -> tuple[float, int]:
    """Seconds and the peak RSS (KiB) of the largest process of one `jyta ingest`
    (workers=None: jyta's default, every core), measured from a fresh wrapper
    process because ru_maxrss of RUSAGE_CHILDREN only grows."""
    shutil.rmtree(out, ignore_errors=True)
    flags = [] if workers is None else ["--workers", str(workers)]
    code = ("import resource,subprocess,sys,time;t=time.perf_counter();"
            f"subprocess.run([sys.executable,'-m','pipeline','ingest',{src!r},'-o',{out!r},'-q',*{flags!r}],"
            f"cwd={ROOT!r},check=True,stdout=subprocess.DEVNULL);"
            "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    secs, rss = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return float(secs), int(rss)


def jieba_seconds(texts: list[str]) -> float:
    import jieba

    tk = jieba.Tokenizer()
    tk.initialize()
    t0 = time.perf_counter()
    for t in texts:
        tk.lcut(t)
    return time.perf_counter() - t0


def jieba_process_seconds(src: str) -> float:
    """The baseline as a whole run like `jyta ingest`'s: a fresh process that
    starts, loads jieba's dictionary, reads the files and segments them."""
    code = ("import os,sys,time;t=time.perf_counter();import jieba;tk=jieba.Tokenizer();tk.initialize();"
            f"d={src!r};[tk.lcut(open(os.path.join(d,f),encoding='utf-8').read()) for f in sorted(os.listdir(d))];"
            "print(time.perf_counter()-t)")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return time.perf_counter() - t0


def make_pdfs(folder: str, n: int) -> list[str]:
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from fixtures import pdf_bytes

    base = corpus_texts()
    os.makedirs(folder, exist_ok=True)
    paths = []
    for k in range(n):
        p = os.path.join(folder, f"{k:04d}.pdf")
        with open(p, "wb") as fh:
            fh.write(pdf_bytes(base[k % len(base)].split("\n")))
        paths.append(p)
    return paths


def pdf_bench(paths: list[str], rounds: int = 7) -> dict:
    """Our reader against a raw pypdfium2 text pass over the same files, in
    rounds that alternate the two (raw, ours, raw), each round's ratio
    against the mean of the raw passes around it: on a shared machine the
    ratio per round holds where single times drift. The first round warms
    the imports and is not counted."""
    import statistics

    import pypdfium2 as pdfium

    from pipeline.readers import read_bytes

    datas = [open(p, "rb").read() for p in paths]

    def raw() -> float:
        t0 = time.perf_counter()
        for d in datas:
            pdf = pdfium.PdfDocument(d)
            for i in range(len(pdf)):
                pdf[i].get_textpage().get_text_range()
            pdf.close()
        return time.perf_counter() - t0

    def ours() -> float:
        t0 = time.perf_counter()
        for d in datas:
            read_bytes(d, source="bench.pdf")
        return time.perf_counter() - t0

    ratios, raws, ourss = [], [], []
    for k in range(rounds + 1):
        a, b, c = raw(), ours(), raw()
        if k:
            ratios.append((a + c) / 2 / b)
            raws.append((a + c) / 2)
            ourss.append(b)
    pages = sum(len(pdfium.PdfDocument(d)) for d in datas)
    return {"pdf_files": len(datas), "pdf_pages": pages,
            "pdf_raw_pypdfium2_pages_per_s": round(pages / statistics.median(raws), 1),
            "pdf_jyta_reader_pages_per_s": round(pages / statistics.median(ourss), 1),
            "pdf_speed_vs_raw": round(statistics.median(ratios), 3),
            "pdf_speed_vs_raw_min": round(min(ratios), 3)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000, help="documents for the text throughput run")
    ap.add_argument("--scale-docs", type=int, default=10000, help="documents for the 1-vs-2-workers and memory runs")
    ap.add_argument("--small-docs", type=int, default=1000, help="the smaller memory run")
    ap.add_argument("--pdfs", type=int, default=60)
    args = ap.parse_args()
    res: dict = {"machine_cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "txt")
        texts = write_copies(src, args.docs)
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        t_jieba = jieba_seconds(texts)
        t_jieba_run = jieba_process_seconds(src)
        t1, _ = run_ingest(src, os.path.join(tmp, "o1"), 1)
        res.update({"documents": args.docs, "megabytes": round(mb, 2),
                    "jieba_lcut_docs_per_s": round(args.docs / t_jieba, 1),
                    "ingest_1_worker_docs_per_s": round(args.docs / t1, 1),
                    "ingest_1_worker_MBps": round(mb / t1, 3),
                    "ingest_1_worker_vs_jieba_time_ratio": round(t1 / t_jieba, 2),
                    "jieba_whole_run_docs_per_s": round(args.docs / t_jieba_run, 1),
                    "ingest_1_worker_vs_jieba_whole_run_ratio": round(t1 / t_jieba_run, 2)})
        shutil.rmtree(src, ignore_errors=True)
        if args.pdfs:
            res.update(pdf_bench(make_pdfs(os.path.join(tmp, "pdf"), args.pdfs)))
        big = os.path.join(tmp, "big")
        write_copies(big, args.scale_docs)
        b1, _ = run_ingest(big, os.path.join(tmp, "b1"), 1)
        b2, rss_big = run_ingest(big, os.path.join(tmp, "b2"))
        shutil.rmtree(big, ignore_errors=True)
        small = os.path.join(tmp, "small")
        write_copies(small, args.small_docs)
        _, rss_small = run_ingest(small, os.path.join(tmp, "s2"))
        res.update({"scale_documents": args.scale_docs,
                    "scale_1_worker_docs_per_s": round(args.scale_docs / b1, 1),
                    "scale_default_workers_docs_per_s": round(args.scale_docs / b2, 1),
                    "scaling_default_vs_1_worker": round(b1 / b2, 2),
                    f"peak_rss_MiB_{args.small_docs}_docs": round(rss_small / 1024, 1),
                    f"peak_rss_MiB_{args.scale_docs}_docs": round(rss_big / 1024, 1),
                    "peak_rss_ratio": round(rss_big / rss_small, 2)})
    for k, v in res.items():
        print(f"{k:45s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
