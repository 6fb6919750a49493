"""Readers: one file's bytes → a :class:`~pipeline.document.Document`.

Every failure is an :class:`~pipeline.document.IngestError` with a code and a
message for the ``errors`` table; nothing else escapes :func:`read_bytes`.
"""
from __future__ import annotations

import os
import re

from ..document import Document, IngestError, Table, doc_id_for
from .sniff import sniff

# Files larger than this are refused before they are read (a 200 MB "report"
# is an archive, a scan or a mistake; reading it would stall the batch).
MAX_BYTES = 100 * 1024 * 1024
# Extracted text longer than this is not one report.
MAX_CHARS = 3_000_000
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def load_bytes(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, refusing what is over the size limit before reading."""
    import stat

    try:
        st = os.stat(path)
    except OSError as e:
        raise IngestError("unreadable", f"cannot open: {e.strerror or e}", stage="open") from e
    if not stat.S_ISREG(st.st_mode):
        # a FIFO or device would block the batch on read
        raise IngestError("not_a_file", "not a regular file (pipe, device or socket)", stage="open")
    size = st.st_size
    if size > max_bytes:
        raise IngestError(
            "too_large", f"file is {size / 2**20:.0f} MiB, over the {max_bytes / 2**20:.0f} MiB limit "
            "(raise it with --max-mb if this really is one report)", stage="open",
        )
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise IngestError("unreadable", f"cannot read: {e.strerror or e}", stage="open") from e


def read_file(path: str, max_bytes: int = MAX_BYTES) -> Document:
    return read_bytes(load_bytes(path, max_bytes), source=path)


def read_bytes(data: bytes, source: str = "<bytes>") -> Document:
    fmt = sniff(data, source)
    doc = Document(doc_id=doc_id_for(data), source=source, format=fmt, text="")
    tables: list[list[list[str]]] = []
    try:
        if fmt == "pdf":
            from .pdf import read_pdf

            doc.text, doc.page_starts, tables, doc.warnings = read_pdf(data)
        elif fmt == "docx":
            from .docx import read_docx

            doc.text, tables, doc.warnings = read_docx(data)
        elif fmt == "html":
            from .html import read_html

            doc.text, doc.encoding, tables, doc.container_meta, doc.warnings = read_html(data)
        else:
            from .encoding import decode

            text, doc.encoding = decode(data)
            doc.text = text.replace("\r\n", "\n").replace("\r", "\n")
    except IngestError:
        raise
    except RecursionError as e:
        raise IngestError("parse", "document nesting too deep to parse", stage="parse") from e
    except Exception as e:  # a reader library failing on a hostile file must not stop the batch
        raise IngestError("parse", f"{fmt} reader failed: {type(e).__name__}: {e}", stage="parse") from e
    if len(doc.text) > MAX_CHARS:
        raise IngestError("too_large", f"{len(doc.text)} characters of text: not one report", stage="read")
    if not doc.text or doc.text.isspace():  # no text but whitespace, without a stripped copy of it
        raise IngestError("no_text", f"no text in this {fmt} file", stage="read")
    if not _CJK.search(doc.text):
        raise IngestError("not_chinese", "the text has no Chinese characters: not a report of this kind", stage="read")
    doc.tables = _locate_tables(doc.text, tables)
    return doc


def _locate_tables(text: str, tables: list[list[list[str]]]) -> list[Table]:
    """Find each table's rendered rows in the text, so a table has offsets."""
    out = []
    pos = 0
    for rows in tables:
        rendered = "\n".join(" | ".join(r) for r in rows)
        i = text.find(rendered, pos)
        if i < 0:
            continue
        out.append(Table(i, i + len(rendered), rows))
        pos = i + len(rendered)
    return out
