"""What the PDF reader gives for a fixed set of PDFs (real report texts in
the fixtures' layouts, a page with a ruled table, hand-written pages), as
one digest per file, so that a change meant to make the reader faster can
be shown to change nothing: tests/cases/pdf_reader.json holds the digests
of the reader before it (issue 18).

    python tests/pdf_snapshot.py            # compare with the stored digests
    python tests/pdf_snapshot.py --write    # store new ones (after a change meant to change the text)
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import fixtures as fx  # noqa: E402
import hostile_pdf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STORED = os.path.join(ROOT, "tests", "cases", "pdf_reader.json")
TEXTS = ["corpus/raw/003.txt", "corpus/raw/018.txt", "corpus/raw/028.txt", "corpus/raw/045.txt",
         "corpus/sets/dev/raw/604.txt", "corpus/sets/dev/raw/611.txt"]
LAYOUTS = [(120, "word"), (120, "cjk"), (210, "word"), (210, "cjk")]


def pdfs(tmp: str):
    """(name, bytes) of every PDF of the set."""
    for path in TEXTS:
        with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
            paras = fx.paragraphs(fh.read())
        for width, wrap in LAYOUTS:
            yield f"{os.path.basename(path)}-{width}-{wrap}", fx.pdf_bytes(paras, width=width, wrap=wrap)
    yield "table", fx.table_pdf()
    for name, make in [("hand-written", lambda p: hostile_pdf.report_pdf(p)),
                       ("ruled-table", lambda p: hostile_pdf.write_pdf(
                           p, [[hostile_pdf._text_ops(hostile_pdf.PARAS), hostile_pdf.table_ops(12, 6)]]))]:
        with open(make(os.path.join(tmp, name + ".pdf")), "rb") as fh:
            yield name, fh.read()


def digest(read_pdf, data: bytes) -> str:
    text, starts, tables, warnings = read_pdf(data)
    blob = json.dumps([text, starts, tables, warnings], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def digests(read_pdf=None) -> dict[str, str]:
    import tempfile

    if read_pdf is None:
        from pipeline.readers.pdf import read_pdf
    with tempfile.TemporaryDirectory() as tmp:
        return {name: digest(read_pdf, data) for name, data in pdfs(tmp)}


if __name__ == "__main__":
    got = digests()
    if "--write" in sys.argv:
        with open(STORED, "w") as fh:
            json.dump(got, fh, indent=1, sort_keys=True)
            fh.write("\n")
    else:
        want = json.load(open(STORED))
        for k in sorted(set(got) | set(want)):
            print("same   " if got.get(k) == want.get(k) else "CHANGED", k)
