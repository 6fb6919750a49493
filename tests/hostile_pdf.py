"""Hostile PDFs (issue 16), written by hand so that their size and shape
are exact: a content stream that inflates a thousandfold, pages ruled by
hundreds of lines, pages of millions of path segments. The text is set in
Adobe's STSong-Light with the UniGB-UCS2-H encoding (no embedded font: the
file stays small and every reader maps it to Unicode).

    python tests/hostile_pdf.py DIR    # writes every one of them to DIR
"""
from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Iterable, Iterator

REPORT = "今年共承办建议6件,办复率100%。"
PARAS = [REPORT, "全市各承办单位认真办理代表建议,满意率达到98%。", "下一步,我们将继续提高办理质量。"]


def _text_ops(paras: list[str], y: float = 600) -> bytes:
    """Lines of text on an A4 page, clear of the margins where running
    headers are dropped."""
    ops = [b"BT /F1 12 Tf 16 TL 72 %d Td" % y]
    for p in paras:
        ops.append(b"<%s> Tj T*" % p.encode("utf-16-be").hex().upper().encode())
    ops.append(b"ET\n")
    return b"\n".join(ops)


def grid_ops(n: int = 150, x0: float = 40, y0: float = 60, size: float = 500) -> bytes:
    """`n` horizontal and `n` vertical ruled lines crossing over a square:
    (n - 1)² cells for a table finder."""
    step = size / (n - 1)
    ops = [b"0.2 w"]
    for k in range(n):
        p = k * step
        ops.append(b"%.2f %.2f m %.2f %.2f l S" % (x0, y0 + p, x0 + size, y0 + p))
        ops.append(b"%.2f %.2f m %.2f %.2f l S" % (x0 + p, y0, x0 + p, y0 + size))
    return b"\n".join(ops) + b"\n"


def table_ops(rows: int, cols: int, x0: float = 60, y0: float = 100, w: float = 60, h: float = 18) -> bytes:
    """A table as word processors draw it: each cell's four borders as
    separate segments."""
    ops = [b"0.5 w"]
    for r in range(rows):
        for c in range(cols):
            x, y = x0 + c * w, y0 + r * h
            ops.append(b"%.1f %.1f m %.1f %.1f l %.1f %.1f l %.1f %.1f l h S"
                       % (x, y, x + w, y, x + w, y + h, x, y + h))
    return b"\n".join(ops) + b"\n"


def _stream(body: bytes) -> bytes:
    data = zlib.compress(body, 9)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)


def _flate_run(unit: bytes, size: int) -> Iterator[bytes]:
    """A zlib stream of `unit` repeated to `size` bytes, made in
    milliseconds: after a full flush deflate starts afresh, so one
    compressed MiB repeats; the checksum is computed over the whole."""
    mib = unit * (2**20 // len(unit))
    c = zlib.compressobj(9)
    first = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    yield first
    block = first[2:]  # without the zlib header
    adler = zlib.adler32(mib)
    for _ in range(size // len(mib) - 1):
        yield block
        adler = zlib.adler32(mib, adler)
    yield c.flush()[:-4] + adler.to_bytes(4, "big")


def _bomb_stream(unit: bytes, size: int, keys: bytes = b"") -> Iterator[bytes]:
    body = list(_flate_run(unit, size))
    yield b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (sum(map(len, body)), keys)
    yield from body
    yield b"\nendstream"


def write_pdf(path: str, pages: Iterable[list], fonts: dict | None = None, images: dict | None = None) -> str:
    """Write a PDF of A4 pages, each a list of content streams: bytes (set
    as they are, compressed) or an iterator of the chunks of a ready
    stream object (the bombs, written as they come). ``fonts``: more fonts
    by name, each a dictionary with a `%d` for its font program's object
    number and the program's stream. ``images``: image XObjects by name,
    each a ready stream object (an iterator of chunks)."""
    pages = list(pages)
    objs: list = [None, None, None, None]  # catalog, pages, font, CID font
    extra = b""
    for name, (font, program) in (fonts or {}).items():
        objs.append(program)
        objs.append(font % len(objs))
        extra += b" /%s %d 0 R" % (name, len(objs))
    extra += b" >> /XObject <<"
    for name, image in (images or {}).items():
        objs.append(image)
        extra += b" /%s %d 0 R" % (name, len(objs))
    kids = []
    for contents in pages:
        refs = []
        for c in contents:
            objs.append(_stream(c) if isinstance(c, bytes) else c)
            refs.append(len(objs))
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R%s >> >> "
                    b"/Contents [%s] >>" % (extra, b" ".join(b"%d 0 R" % r for r in refs)))
        kids.append(len(objs))
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    objs[2] = (b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
               b"/DescendantFonts [4 0 R] >>")
    objs[3] = (b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
               b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>")
    with open(path, "wb") as fh:
        fh.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(objs, 1):
            offsets.append(fh.tell())
            fh.write(b"%d 0 obj\n" % i)
            for chunk in [body] if isinstance(body, bytes) else body:
                fh.write(chunk)
            fh.write(b"\nendobj\n")
        xref = fh.tell()
        fh.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
        fh.writelines(b"%010d 00000 n \n" % o for o in offsets)
        fh.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return path


def report_pdf(path: str, pages: int = 3) -> str:
    """An ordinary report: a few lines of text on each page."""
    return write_pdf(path, [[_text_ops(PARAS)] for _ in range(pages)])


def content_bomb(path: str, size: int = 2**30, unit: bytes = b" ", pages: int = 3) -> str:
    """The issue's: a report whose middle page carries a content stream of
    `unit` repeated to `size` bytes after its text (~1 MB for 1 GiB)."""
    out = []
    for k in range(pages):
        out.append([_text_ops(PARAS)] + ([_bomb_stream(unit, size)] if k == pages // 2 else []))
    return write_pdf(path, out)


def font_bomb(path: str, size: int = 2**30) -> str:
    """A page whose TrueType font program inflates to `size` bytes of zeros."""
    font = (b"<< /Type /Font /Subtype /TrueType /BaseFont /Foo /FirstChar 32 /LastChar 126 "
            b"/FontDescriptor << /Type /FontDescriptor /FontName /Foo /Flags 32 /FontBBox [0 0 1000 1000] "
            b"/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 %d 0 R >> >>")
    return write_pdf(path, [[_text_ops(PARAS), b"BT /F2 12 Tf 72 300 Td (Hello) Tj ET"]],
                     fonts={b"F2": (font, _bomb_stream(b"\0", size))})


def image_report(path: str, images: int = 4, side: int = 4000) -> str:
    """A report with `images` grey images of side × side pixels (16 MB
    each, deflated to 16 KB), the way scanned figures and screenshots come."""
    keys = (b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
            % (side, side))
    draw = b"".join(b"q 100 0 0 100 72 %d cm /Im%d Do Q\n" % (100 + 110 * k, k) for k in range(images))
    return write_pdf(path, [[_text_ops(PARAS), draw]],
                     images={b"Im%d" % k: _bomb_stream(b"\0", side * side, keys) for k in range(images)})


def labelled_image_bomb(path: str, size: int = 2**30) -> str:
    """The content bomb with its stream labelled an image: pdfium parses a
    page's content whatever its label."""
    keys = b" /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8"
    return write_pdf(path, [[_text_ops(PARAS), _bomb_stream(b" ", size, keys)]])


def ruled_pages(path: str, n: int = 150, pages: int = 5) -> str:
    """The issue's: pages of n × n ruled lines under a line of text (40 KB)."""
    return write_pdf(path, [[_text_ops(PARAS), grid_ops(n)] for _ in range(pages)])


def write_all(folder: str) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    return [
        content_bomb(os.path.join(folder, "content_bomb.pdf")),
        content_bomb(os.path.join(folder, "path_bomb.pdf"), 2**28, b"1 1 m 2 2 l "),
        font_bomb(os.path.join(folder, "font_bomb.pdf")),
        ruled_pages(os.path.join(folder, "ruled_150.pdf")),
    ]


if __name__ == "__main__":
    for p in write_all(sys.argv[1] if len(sys.argv) > 1 else "hostile"):
        print(f"{os.path.getsize(p):>12,}  {p}")
