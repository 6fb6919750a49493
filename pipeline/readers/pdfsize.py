"""How much a PDF inflates to, bounded before pdfium parses it (issue 16).

pdfium decodes a page's content streams whole when the page is loaded, and
an embedded font program when a page first uses it: a 1 MB file whose
content stream inflates to 1 GiB took 2.1 GB, and pdfium's page objects
take up to 20 times the bytes of the content that draws them (32 MiB of
`0 0 m 1 1 l S` took 650 MB). pdfium offers no hook between reading a
stream and parsing it, so the streams are measured here first, from the
file's bytes, without a second PDF parser (a pdfminer pass costs half of
pdfium's whole text pass).

Most streams need no inflating: deflate expands at most 1032 times, so a
stream's raw size bounds what it can become, and a document whose bounds
add up under the budget is cleared at once. The largest streams are
inflated (in pieces, never whole in memory) until the rest fit. Font
programs (referenced only as /FontFile*) are held by pdfium as bytes, not
parsed into objects, so they have their own, larger budget. Image streams
are not decoded by a text pass and are not counted, unless a page names
one as its content (which pdfium then parses whatever its label).

Over a budget the whole document is refused (a `too_large` row saying
why) rather than one page skipped: which page draws a stream is known only
after parsing the file's object tree, the second parser this check avoids,
and no report's text sits beside 32 MiB of drawing commands.
"""
from __future__ import annotations

import re
import zlib

from ..document import IngestError

# Decoded bytes every non-font stream of a document may add up to: a text
# report's pages take tens of KiB each (a 500-page one, ~20 MiB); pdfium
# needs up to 20 times this for the objects of a page (650 MB for 32 MiB).
CONTENT_BUDGET = 32 * 2**20
# Decoded bytes of all embedded font programs: CJK subsets are ~0.1–3 MiB
# each, a whole embedded CJK font ~20 MiB.
FONT_BUDGET = 256 * 2**20
# The most each filter can multiply a stream's size by: deflate 1032:1;
# LZW 4096 bytes per 9-bit code; run-length 128 bytes per 2. Image codecs
# (DCT, JPX, JBIG2, CCITT) are not decoded for text, so count as raw bytes.
_RATIO = {b"FlateDecode": 1032, b"Fl": 1032, b"LZWDecode": 3641, b"LZW": 3641,
          b"RunLengthDecode": 64, b"RL": 64, b"ASCIIHexDecode": 1, b"AHx": 1, b"ASCII85Decode": 1, b"A85": 1,
          b"DCTDecode": 1, b"DCT": 1, b"JPXDecode": 1, b"JBIG2Decode": 1, b"CCITTFaxDecode": 1, b"CCF": 1}
# A filter named indirectly (`/Filter 9 0 R`) or unknown may be anything,
# a chain of two deflates included.
_UNKNOWN = 1032 * 1032
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)?")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_FONTFILE = re.compile(rb"/FontFile[23]?\s+(\d+)\s+\d+\s+R")
_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_CONTENTS = re.compile(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)")
_CHUNK = 2**20
OBJSTM_MAX = 16 * 2**20  # what is read of an object stream for page dictionaries


class _Stream:
    __slots__ = ("num", "filters", "raw", "start", "end", "image", "objstm")

    def __init__(self, num: int | None, filters: list[bytes], start: int, end: int, image: bool = False,
                 objstm: bool = False):
        self.num, self.filters, self.start, self.end = num, filters, start, end
        self.image, self.objstm = image, objstm
        self.raw = end - start

    def bound(self) -> int:
        """The most this stream can decode to."""
        n = self.raw
        for f in self.filters:
            n *= _RATIO.get(f, _UNKNOWN)
        return n


def check(data: bytes) -> None:
    """Raise ``too_large`` when the document's streams decode to more than
    the budgets; cheap (a scan of the bytes) for the common document."""
    streams, spans = _streams(data)
    fonts = _font_programs(data, spans)
    source = _Source(data)
    try:
        if any(s.image for s in streams):
            # pdfium decodes an image only to draw it, never for text: unless
            # a page names it as its content, an image costs nothing here
            drawn = _contents(data, spans, [s for s in streams if s.objstm], source)
            streams = [s for s in streams if not s.image or s.num is None or s.num in drawn]
        _fit([s for s in streams if s.num in fonts], FONT_BUDGET, source, "embedded font")
        _fit([s for s in streams if s.num not in fonts], CONTENT_BUDGET, source, "content")
    except _Locked:
        pass  # pdfium will refuse it too, saying it needs a password


class _Locked(Exception):
    """An encrypted file whose streams cannot be decrypted here."""


def _streams(data: bytes) -> tuple[list[_Stream], list[tuple[int, int]]]:
    """Every stream of the file (its object number, filters and raw
    bytes), and the spans of the file outside them (where the dictionaries
    are). A stream runs to the next `endstream` (or the end of the file):
    never shorter than pdfium reads it, since a fake `endstream` inside its
    data only starts the next piece, which is counted too."""
    out, spans = [], []
    pos = 0
    while True:
        k = data.find(b"stream", pos)
        if k < 0:
            break
        if data[k - 3:k] == b"end":
            pos = k + 6
            continue
        start = k + 6 + (2 if data[k + 6:k + 8] == b"\r\n" else 1)
        spans.append((pos, k))
        j = data.rfind(b"obj", pos, k)
        m = _OBJ.search(data, max(pos, j - 24), j + 3) if j >= 0 else None
        f = _FILTER.search(data, j if m else pos, k)
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        filters = (_NAME.findall(f.group(1)) if f.group(1) else [b"?"]) if f else []
        image = _IMAGE.search(data, j if m else pos, k) is not None
        objstm = data.find(b"/ObjStm", j if m else pos, k) >= 0
        out.append(_Stream(int(m.group(1)) if m else None, filters, start, end, image, objstm))
        pos = end
    spans.append((pos, len(data)))
    return out, spans


def _font_programs(data: bytes, spans: list[tuple[int, int]]) -> set[int]:
    """Objects referenced as a font program and as nothing else (a stream
    also drawn as a page's content is content)."""
    fonts: dict[int, int] = {}
    if b"/FontFile" not in data:
        return set()
    for a, b in spans:
        for m in _FONTFILE.finditer(data, a, b):
            fonts[int(m.group(1))] = fonts.get(int(m.group(1)), 0) + 1
    out = set()
    for n, k in fonts.items():
        ref = re.compile(rb"%d\s+\d+\s+R\b" % n)  # a literal start: scanned at memchr speed
        found = sum(1 for a, b in spans for m in ref.finditer(data, a, b)
                    if not data[m.start() - 1:m.start()].isdigit())
        if found == k:
            out.add(n)
    return out


def _contents(data: bytes, spans: list[tuple[int, int]], objstms: list[_Stream], source: "_Source") -> set[int]:
    """Objects a page names as its content, in the file's dictionaries and
    in its object streams (where compressed files keep their pages)."""
    texts = [(data, a, b) for a, b in spans]
    for s in objstms:
        try:
            body = zlib.decompressobj().decompress(source.raw(s), OBJSTM_MAX) if s.filters else source.raw(s)
        except zlib.error:
            continue
        texts.append((bytes(body), 0, len(body)))
    return {int(r.group(1)) for t, a, b in texts for m in _CONTENTS.finditer(t, a, b)
            for r in re.finditer(rb"(\d+)\s+\d+\s+R", m.group(1))}


def _fit(streams: list[_Stream], budget: int, source: "_Source", what: str) -> None:
    """Charge the small streams their bound and the largest what they
    really decode to, until the whole fits ``budget``."""
    streams = sorted(streams, key=_Stream.bound)
    bounds = [s.bound() for s in streams]
    total = sum(bounds)
    while streams and total > budget:
        s = streams.pop()
        total -= bounds.pop()
        total += source.decoded_size(s, budget - total + 1)
    if total > budget:
        raise IngestError(
            "too_large", f"the PDF's {what} streams inflate to over {budget / 2**20:.0f} MiB "
            "(a compression bomb, not a report)", stage="read")


class _Source:
    """The file's streams as pdfium reads them: the raw bytes, decrypted
    through pdfminer when the file is encrypted (opened only then)."""

    def __init__(self, data: bytes):
        self.data = data
        self._doc = None  # pdfminer's document; False: not encrypted

    def raw(self, s: _Stream):
        if self._doc is None and b"/Encrypt" not in self.data:
            self._doc = False
        if self._doc is False or s.num is None:
            return memoryview(self.data)[s.start:s.end]
        if self._doc is None:
            import io

            from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
            from pdfminer.pdfparser import PDFParser

            try:
                self._doc = PDFDocument(PDFParser(io.BytesIO(self.data)))
            except PDFPasswordIncorrect as e:
                raise _Locked() from e
        obj = self._doc.getobj(s.num)
        raw = obj.rawdata
        return obj.decipher(obj.objid, obj.genno, raw, obj.attrs) if obj.decipher else raw

    def decoded_size(self, s: _Stream, cap: int) -> int:
        """What the stream decodes to, counted up to ``cap`` (never held
        whole); a filter other than deflate counts as its bound."""
        if not s.filters:
            return s.raw
        if any(f not in (b"FlateDecode", b"Fl") for f in s.filters):
            return s.bound()
        try:
            pieces = [self.raw(s)]
        except _Locked:
            raise
        except Exception:  # pdfminer failing on a damaged encrypted file
            return s.bound()
        for _ in s.filters:
            pieces = _inflate(pieces, cap)
        n = 0
        try:
            for p in pieces:
                n += len(p)
                if n > cap:
                    break
        except zlib.error:
            if n == 0 and self._doc is not False:
                return s.bound()  # still encrypted: what pdfium decrypts may inflate
            # else pdfium's inflate stops at the damage too
        return n


def _inflate(pieces, cap: int):
    """Inflate an iterable of pieces lazily, in pieces of at most a MiB,
    stopping past ``cap``."""
    d = zlib.decompressobj()
    out = 0
    for p in pieces:
        while p:
            chunk = d.decompress(p, _CHUNK)
            out += len(chunk)
            yield chunk
            if out > cap or d.eof:
                return
            p = d.unconsumed_tail
