"""Decide a file's format from its bytes, never its name.

Saved government pages are routinely misnamed (`.html` that is a PDF,
`.pdf` that is an HTML error page, `.doc` that is really HTML or DOCX).
"""
from __future__ import annotations

import re
import zipfile
import io

from ..document import IngestError

_HTML_MARKERS = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<div[\s>]|<p[\s>]|<table[\s>]|<br\s*/?>",
    re.I,
)
# %PDF-1.7 at the very start, or after a little junk some servers prepend;
# a page that merely mentions "%PDF-" in its text is not a PDF.
_PDF_HEADER = re.compile(rb"(?:^|[\r\n])%PDF-\d\.\d")
_IMAGE_MAGIC = {
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF8": "gif",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
}


def sniff(data: bytes, name: str = "") -> str:
    """Return one of ``pdf``, ``docx``, ``html``, ``text``; raise
    :class:`IngestError` for what cannot be read as a report.

    >>> sniff(b"%PDF-1.7 ...")
    'pdf'
    >>> sniff("<html><body><p>报告</p></body></html>".encode())
    'html'
    >>> sniff("今年共承办建议6件。".encode("gbk"))
    'text'
    """
    if not data or data.isspace():  # nothing but ASCII whitespace (what strip() strips), without copying it
        raise IngestError("empty", "the file is empty", stage="sniff")
    head = data[:1024]
    if _PDF_HEADER.search(head):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise IngestError(
            "legacy_office",
            "legacy Word/Excel (.doc/.xls, OLE2) file: convert it to .docx or PDF "
            "(e.g. `libreoffice --headless --convert-to docx FILE`) and ingest that",
            stage="sniff",
        )
    if data.startswith(b"{\\rtf"):
        raise IngestError("unsupported_format", "RTF file: save it as .docx or PDF and ingest that", stage="sniff")
    for magic, kind in _IMAGE_MAGIC.items():
        if kind and data.startswith(magic):
            raise IngestError(
                "no_text_layer", f"{kind} image: a scanned page has no text layer (OCR is not part of jyta)",
                stage="sniff",
            )
    if _looks_binary(head) and not _utf16_without_bom(data):
        raise IngestError("binary", "binary data that is neither PDF, DOCX, HTML nor text", stage="sniff")
    if _HTML_MARKERS.search(data[:65536]):
        return "html"
    return "text"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except Exception as e:  # zipfile raises several kinds (BadZipFile, NotImplementedError, …)
        raise IngestError("corrupt", f"damaged ZIP/Office container: {e}", stage="sniff") from e
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names or "ppt/presentation.xml" in names:
        raise IngestError("unsupported_format", "spreadsheet or slides, not a report document", stage="sniff")
    raise IngestError("unsupported_format", "ZIP archive: unpack it and ingest the files inside", stage="sniff")


def _utf16_without_bom(data: bytes) -> str | None:
    """Chinese text saved as UTF-16 without a BOM looks like binary bytes;
    it decodes strictly to mostly CJK characters."""
    sample = data[:4096 - (len(data[:4096]) % 2)]
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        from .encoding import _score

        cjk = sum(1 for c in text if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")
        # random bytes also decode to CJK code points; real text is common characters
        if text and cjk / len(text) > 0.3 and _score(text) > 0.9:
            return enc
    return None


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        # UTF-16 text has NULs too; it is recognized by its BOM.
        return not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"))
    control = len(head) - len(head.translate(None, _CONTROL))  # counted in C, not a Python step per byte
    return control > len(head) * 0.05


_CONTROL = bytes([*range(9), *range(14, 32)])  # control bytes that text does not hold (tab, line breaks do)
