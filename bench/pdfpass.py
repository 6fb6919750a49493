"""One whole-process pass over a folder of PDFs, to time from outside
against the baseline (issue 18): `raw` is pypdfium2's text extraction of
every page, `ours` is jyta's PDF reader (read_bytes) on the same bytes.

    python bench/pdfpass.py raw|ours FOLDER [--passes N]
    python bench/pdfpass.py make FOLDER [--pdfs 60]   # the reports bench/scale.py reads

The files are read into memory first and passed over ``--passes`` times, so
that start-up (imports) weighs little beside the reading.
"""
from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)


def raw(datas: list[bytes]) -> None:
    import pypdfium2 as pdfium

    for d in datas:
        pdf = pdfium.PdfDocument(d)
        for i in range(len(pdf)):
            pdf[i].get_textpage().get_text_range()
        pdf.close()


def ours(datas: list[bytes]) -> None:
    from pipeline.readers import read_bytes

    for d in datas:
        read_bytes(d, source="bench.pdf")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["raw", "ours", "make"])
    ap.add_argument("folder")
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--pdfs", type=int, default=60)
    args = ap.parse_args()
    if args.mode == "make":
        from scale import make_pdfs

        make_pdfs(args.folder, args.pdfs)
        return 0
    names = sorted(f for f in os.listdir(args.folder) if f.endswith(".pdf"))
    datas = []
    for f in names:
        with open(os.path.join(args.folder, f), "rb") as fh:
            datas.append(fh.read())
    run = raw if args.mode == "raw" else ours
    for _ in range(args.passes):
        run(datas)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
