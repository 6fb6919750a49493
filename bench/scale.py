"""Batch-scale benchmarks (issues 7 and 18), each a ratio against a baseline
measured in the same run, whole processes timed from outside (start-up
included), baseline and ingest in turn:

1. Text throughput: `jyta ingest --workers 1` of the corpus texts replicated
   to N documents (distinct bytes per copy) vs plain `jieba.lcut` over the
   same files as a whole run (a fresh process that starts, loads the
   dictionary, reads the files and segments them), `--repeat` pairs; also vs
   jieba in this process with the dictionary already loaded.
2. One file: `jyta ingest ONE_FILE` vs a one-file jieba run, `--repeat-one`
   pairs (nearly all of either is start-up).
3. Scaling: ingest of 10,000 documents with the default workers (every core:
   2 here) vs 1 — on a run long enough that starting the workers (imports, the
   jieba dictionary) does not decide it.
4. PDF throughput: our PDF reader (the stream-size check, pypdfium2 text +
   geometry, pdfplumber on pages whose rules form a grid) vs raw pypdfium2
   text extraction of the same files, pages/s; the ratio is the median (and
   min) over rounds that alternate the two. bench/pdfpass.py does one pass
   of either as a whole process, to time the two in turn from outside.
5. Peak memory (RSS of the largest process) of `jyta ingest` with its default
   workers for 1,000 and 10,000 documents.

    python bench/scale.py [--docs 2000] [--repeat 3] [--repeat-one 5] [--scale-docs 10000]
                          [--small-docs 1000] [--pdfs 60]

Prints one `key value` line per number: a ratio's median over the pairs, and
its min–max. CPU seconds (user + system) are given beside wall seconds: on a
shared machine they move less with the load. Needs the test extras (fpdf2)
for the PDFs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
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


def _measured(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and the peak RSS (KiB) of the
    largest process of ``cmd``, measured from a fresh wrapper process because
    ru_maxrss of RUSAGE_CHILDREN only grows."""
    code = ("import resource,subprocess,sys,time;t=time.perf_counter();"
            f"subprocess.run({cmd!r},cwd={ROOT!r},check=True,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
            "w=time.perf_counter()-t;u=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "print(w,u.ru_utime+u.ru_stime,u.ru_maxrss)")
    wall, cpu, rss = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return float(wall), float(cpu), int(rss)


def run_ingest(src: str, out: str, workers: int | None = None) -> tuple[float, int]:
    """Seconds and the peak RSS (KiB) of the largest process of one `jyta ingest`
    (workers=None: jyta's default, every core)."""
    wall, _, rss = ingest_run(src, out, workers)
    return wall, rss


def ingest_run(src: str, out: str, workers: int | None = None) -> tuple[float, float, int]:
    """Wall, CPU seconds and peak RSS (KiB) of one `jyta ingest` into a fresh OUT."""
    shutil.rmtree(out, ignore_errors=True)
    flags = [] if workers is None else ["--workers", str(workers)]
    return _measured([sys.executable, "-m", "pipeline", "ingest", src, "-o", out, "-q", *flags])


def jieba_seconds(texts: list[str]) -> float:
    import jieba

    tk = jieba.Tokenizer()
    tk.initialize()
    t0 = time.perf_counter()
    for t in texts:
        tk.lcut(t)
    return time.perf_counter() - t0


_JIEBA_RUN = ("import os,sys;import jieba;tk=jieba.Tokenizer();tk.initialize();d=sys.argv[1];"
              "[tk.lcut(open(os.path.join(d,f),encoding='utf-8').read()) for f in sorted(os.listdir(d))]")


def jieba_run(src: str) -> tuple[float, float, int]:
    """The baseline as a whole run like `jyta ingest`'s: a fresh process that
    starts, loads jieba's dictionary, reads the files and segments them."""
    return _measured([sys.executable, "-c", _JIEBA_RUN, src])


def paired(src: str, out: str, repeat: int, workers: int | None = 1, ingest_src: str | None = None) -> dict:
    """`repeat` pairs of (jieba whole run over the folder ``src``, ingest of
    ``ingest_src``, by default the same folder), in turn: the ratios
    ingest/jieba of wall and CPU seconds, pair by pair."""
    walls, cpus = [], []
    for _ in range(repeat):
        jw, jc, _ = jieba_run(src)
        iw, ic, _ = ingest_run(ingest_src or src, out, workers)
        walls.append(iw / jw)
        cpus.append(ic / jc)
    return {"wall": walls, "cpu": cpus, "jieba_wall": jw, "ingest_wall": iw}


def spread(ratios: list[float]) -> str:
    """The median of ``ratios`` and their min–max."""
    r = sorted(ratios)
    return f"{statistics.median(r):.2f} ({r[0]:.2f}–{r[-1]:.2f}, {len(r)} pairs)"


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
    ap.add_argument("--repeat", type=int, default=3, help="pairs of whole runs (jieba, ingest) on --docs")
    ap.add_argument("--repeat-one", type=int, default=5, help="pairs of one-file runs")
    ap.add_argument("--scale-docs", type=int, default=10000, help="documents for the 1-vs-2-workers and memory runs")
    ap.add_argument("--small-docs", type=int, default=1000, help="the smaller memory run")
    ap.add_argument("--pdfs", type=int, default=60)
    args = ap.parse_args()
    res: dict = {"machine_cores": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "txt")
        texts = write_copies(src, args.docs)
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        t_jieba = jieba_seconds(texts)
        whole = paired(src, os.path.join(tmp, "o1"), args.repeat)
        t1 = whole["ingest_wall"]
        res.update({"documents": args.docs, "megabytes": round(mb, 2),
                    "jieba_lcut_docs_per_s": round(args.docs / t_jieba, 1),
                    "ingest_1_worker_docs_per_s": round(args.docs / t1, 1),
                    "ingest_1_worker_MBps": round(mb / t1, 3),
                    "ingest_1_worker_vs_jieba_time_ratio": round(t1 / t_jieba, 2),
                    "jieba_whole_run_docs_per_s": round(args.docs / whole["jieba_wall"], 1),
                    "ingest_1_worker_vs_jieba_whole_run_ratio": spread(whole["wall"]),
                    "ingest_1_worker_vs_jieba_whole_run_cpu_ratio": spread(whole["cpu"])})
        one = os.path.join(tmp, "one")
        write_copies(one, 1)  # `jyta ingest ONE_FILE`, as the CLI is called on a single report
        single = paired(one, os.path.join(tmp, "o-one"), args.repeat_one, workers=None,
                        ingest_src=os.path.join(one, "000000.txt"))
        res.update({"one_file_ingest_s": round(single["ingest_wall"], 2),
                    "one_file_jieba_s": round(single["jieba_wall"], 2),
                    "one_file_ingest_vs_jieba_ratio": spread(single["wall"]),
                    "one_file_ingest_vs_jieba_cpu_ratio": spread(single["cpu"])})
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
        res["load_average_1min_end"] = round(os.getloadavg()[0], 2)
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
