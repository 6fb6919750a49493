"""PDF: text through pypdfium2, tables through pdfplumber where the page
draws ruling lines, hard line breaks joined back, running headers and page
numbers dropped, the page of every character kept."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..document import IngestError

# `— 3 —`, `- 3 -`, `3`, `第3页`, `第 3 页 共 6 页`, `3/6`, `Page 3`
_PAGE_NO = re.compile(
    r"^[\s\-—–－·•]*(\d{1,4}|[ivxlcIVXLC]{1,6})[\s\-—–－·•]*$"
    r"|^第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?$"
    r"|^\d+\s*/\s*\d+$|^(page|p\.)\s*\d+(\s*(of|/)\s*\d+)?$",
    re.I,
)
# Line starts that open a new paragraph even after a full line:
# 一、 (一) 1. 1、 （1） 第一条 — but not a wrapped decimal such as `1.5%`
_ENUM = re.compile(r"^\s*([一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、](?!\d)|第[一二三四五六七八九十]+[条章节])")
_END_PUNCT = tuple("。：:；;！!？?」』”")
# What Chinese typesetting never puts at the start of a line (禁则): a line
# that starts with one continues the line before it.
_CLOSING = "，。、；：？！,.;:?!%％‰）)」』”’》〉】〕…"
# The first piece of a line that a line break cannot split: a number or a
# Latin word with what sticks to it (`100%，`, `1.5亿`), else one character.
_UNIT = re.compile(r"[(（「『“‘《〈【〔]*(?:[0-9A-Za-z０-９]+(?:[.．,:/\-][0-9A-Za-z０-９]+)*|\S)"
                   rf"[%％‰]?[{_CLOSING}]*")


@dataclass(slots=True)
class _Line:
    text: str
    x0: float | None = None
    x1: float | None = None
    top: float | None = None  # distance from the page top (the first glyph's own box)
    charw: float | None = None
    table_row: bool = False  # rows of a table keep their line breaks
    y: float | None = None  # the baseline's distance from the page top
    word: float = 0.0  # width of the line's first word, up to its first space
    unit: float = 0.0  # width of its first piece that no line break splits (see _UNIT)


def read_pdf(data: bytes) -> tuple[str, list[int], list, list[str]]:
    """Return ``(text, page_starts, tables, warnings)``."""
    import ctypes

    import pypdfium2 as pdfium

    from . import pdfsize

    pdfsize.check(data)  # before pdfium inflates anything
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise IngestError("encrypted", "encrypted PDF: it needs a password to open", stage="read") from e
        raise IngestError("corrupt", f"damaged or truncated PDF: {msg}", stage="read") from e
    warnings: list[str] = []
    pages: list[list[_Line]] = []
    heights: list[float] = []
    widths: list[float] = []
    images = 0
    ruled: list[int] = []
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise IngestError("corrupt", "PDF has no pages", stage="read")
        f = _c_calls()
        raw_doc = ctypes.cast(pdf.raw, ctypes.c_void_p).value
        for i in range(n_pages):
            # pdfium's handles, not pypdfium2's page objects: those register a
            # finalizer and a parent link per page and text page, which cost
            # a tenth of what loading the page did
            page = f.load_page(raw_doc, i)
            if not page:
                raise pdfium.PdfiumError("Failed to load page.")
            tp = None
            try:
                w, h = f.page_width(page), f.page_height(page)
                heights.append(h)
                widths.append(w)
                n_images, paths = _objects(page)
                images += n_images
                tp = f.load_text(page)
                if not tp:
                    raise pdfium.PdfiumError("Failed to load text page.")
                n = f.count_chars(tp)
                if n < 0:
                    raise pdfium.PdfiumError("Failed to get character count.")
                if len(paths) >= 4:
                    too_many, grid = _rules(paths, n)
                    if too_many:
                        warnings.append(f"tables not read on page {i + 1}: {too_many} (no report's table)")
                    elif grid:
                        ruled.append(i)
                pages.append(_page_lines(tp, n, h))
            finally:
                if tp:
                    f.close_text(tp)
                f.close_page(page)
    finally:
        pdf.close()
    _check_text_layer(pages, images, n_pages)
    tables: list[list[list[str]]] = []
    if ruled:
        _merge_tables(data, ruled, pages, heights, tables, warnings)
    _drop_running_lines(pages, heights)
    text, starts = _join(pages, widths)
    return text, starts, tables, warnings


def _objects(page) -> tuple[int, list]:
    """The page's image count and its path objects, those inside form
    XObjects included (one level down), through pdfium's C calls: the
    Python object per page object cost more than reading the page's text."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    f = _c_calls()
    get_type, image, path = f.u_obj_type, pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH
    get, form = f.u_get_object, pdfium_c.FPDF_PAGEOBJ_FORM
    images, paths = 0, []
    handle = ctypes.c_void_p(page)
    for k in range(f.count_objects(page)):
        obj = get(handle, k)
        t = get_type(obj)
        if t == path:
            paths.append(obj)
        elif t == image:
            images += 1
        elif t == form:
            for j in range(f.form_count(obj)):
                o = f.form_object(obj, j)
                t = get_type(o)
                if t == path:
                    paths.append(o)
                elif t == image:
                    images += 1
    return images, paths


# pdfplumber's table finder crosses every ruled line with every other and
# joins the cells it finds pairwise: a page of 150 × 150 lines (22,201 cells)
# took 18 s, and pdfminer builds a Python object of about 1 KB per segment and
# per character before that (32 MiB of `0 0 m 1 1 l S` took 11 GB). A report's
# largest tables have some 60 rows and 20 columns (1,300 crossings, a few
# thousand segments), a dense page 5,000 characters; the limits are several
# times these. Pages past them keep their text, only not their tables.
MAX_RULE_SEGMENTS = 20_000
MAX_GRID = 6_000  # distinct horizontal × vertical line positions
MAX_TABLE_PAGE_CHARS = 50_000


def _rules(paths: list, chars: int) -> tuple[str | None, bool]:
    """Why the table finder must not read this page (or None), and whether
    its lines cross into a grid at all: a table of two rows and two columns
    at least (the only tables kept) has two horizontal and two vertical
    rules; underlines, frames and charts' axes alone are no table, and
    pdfplumber parsing the page for them cost more than reading its text."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    if chars > MAX_TABLE_PAGE_CHARS:
        return f"{chars:,} characters", False
    if len(paths) > MAX_RULE_SEGMENTS:  # every path has a segment: no need to count them
        return f"{len(paths):,} paths", False
    f = _c_calls()
    counts = [max(f.path_count(p), 0) for p in paths]
    segments = sum(counts)
    if segments > MAX_RULE_SEGMENTS:
        return f"{segments:,} line segments", False
    xs, ys = set(), set()
    xy = (ctypes.c_float * 2)()
    at = ctypes.addressof(xy)
    lineto = pdfium_c.FPDF_SEGMENT_LINETO

    def rule(a, b):
        if a[1] == b[1] and a[0] != b[0]:
            ys.add(a[1])
        elif a[0] == b[0] and a[1] != b[1]:
            xs.add(a[0])

    for p, n in zip(paths, counts):  # in the path's own units: enough to count distinct lines
        prev = start = None
        for k in range(n):
            seg = f.path_segment(p, k)
            f.segment_point(seg, at, at + 4)
            pt = (round(xy[0]), round(xy[1]))
            if f.segment_type(seg) != lineto or prev is None:
                start = pt
            else:
                rule(prev, pt)
                if f.segment_close(seg) and start is not None:
                    rule(pt, start)  # a rectangle's fourth side
            prev = pt
    if len(xs) * len(ys) > MAX_GRID:
        return f"a grid of {len(ys)} × {len(xs)} ruled lines", False
    return None, len(xs) >= 2 and len(ys) >= 2


_LINE = re.compile(r"[^\r\n]+")


def _page_lines(tp: int, n: int, height: float) -> list[_Line]:
    """The lines of text page ``tp`` (its ``n`` characters), each with its
    geometry: five C calls a line, through pdfium's functions called untyped
    with ready-made pointers to one set of buffers for the page (pypdfium2's
    typed bindings convert each pointer argument, 4.8 µs a box against 1.1,
    and its helpers make new buffers and a tuple per call), in one loop with
    nothing else between them: the boxes of each line's ends were most of
    the reader's own time."""
    import ctypes

    s = _text(tp, n) if n else ""
    if len(s) != n:  # only when they match do text indices equal char indices
        return [_Line(t) for t in (x.strip() for x in _LINE.findall(s)) if t]
    f = _c_calls()
    char_box, loose, font_size, origin = f.u_char_box, f.u_loose_box, f.u_font_size, f.u_origin
    d = (ctypes.c_double * 4)()  # the tight box: left, right, bottom, top; then the origin: x, y
    rect = (ctypes.c_float * 4)()  # the loose box, FS_RECTF: left, top, right, bottom
    at = ctypes.addressof(d)
    raw, left, right, bottom, top, rect_at = (ctypes.c_void_p(x) for x in (
        tp, at, at + 8, at + 16, at + 24, ctypes.addressof(rect)))
    space, unit_of = _SPACE.search, _UNIT.match
    lines: list[_Line] = []
    for m in _LINE.finditer(s):
        txt = m.group()
        text = txt.strip()
        if not text:
            continue
        a = m.start() + len(txt) - len(txt.lstrip())
        b = a + len(text) - 1
        if not char_box(raw, a, left, right, bottom, top):
            _no_box()
        l0, r0, b0, t0 = d[0], d[1], d[2], d[3]
        # The loose box spans the glyph's advance: a closing 。 draws in the
        # left half of its cell, so its tight box ends short of the margin.
        if not loose(raw, b, rect_at):
            _no_box()
        r1 = rect[2]
        size = font_size(raw, a) or max(r0 - l0, t0 - b0)
        # The first word runs up to the first space; the first piece no line
        # break splits is _UNIT's (see _Line).
        sp = space(text)
        if not sp:
            word = r1 - l0
        elif loose(raw, a + sp.start() - 1, rect_at):
            word = rect[2] - l0
        else:
            _no_box()
        unit_end = a + unit_of(text).end() - 1
        if unit_end == b:
            unit = r1 - l0
        elif loose(raw, unit_end, rect_at):
            unit = rect[2] - l0
        else:
            _no_box()
        # The baseline under the first character: one for the whole line
        # whatever its fonts, so the step between lines measures the space
        # between them.
        origin(raw, a, left, right)
        lines.append(_Line(text, l0, r1, height - t0, size, False, height - d[1], word, unit))
    return lines


def _no_box():
    from pypdfium2 import PdfiumError

    raise PdfiumError("Failed to get charbox.")


_SPACE = re.compile(r"\s")


def _text(tp: int, n: int) -> str:
    """The page's text as pypdfium2's get_text_range(0, n) gives it: the
    range narrowed to characters that have a place in the text (pdfium
    would read past a range that ends on one that has none), decoded as
    UTF-16 with what does not decode dropped."""
    import ctypes

    f = _c_calls()
    start, end = 0, n - 1
    while start <= end and f.text_index(tp, start) == -1:
        start += 1
    if start > end:
        return ""
    t_start = f.text_index(tp, start)
    t_end = f.text_index(tp, end)
    while t_end == -1:
        end -= 1
        t_end = f.text_index(tp, end)
    buf = (ctypes.c_ushort * (t_end + 2 - t_start))()
    got = f.get_text(tp, start, end + 1 - start, ctypes.addressof(buf))
    return memoryview(buf)[:got - 1].tobytes().decode("utf-16-le", errors="ignore")


_C_CALLS = None


def _c_calls():
    """pdfium's functions for page objects and text geometry with untyped
    pointer arguments, made once from pypdfium2's own function pointers."""
    global _C_CALLS
    if _C_CALLS is None:
        import ctypes
        from types import SimpleNamespace

        import pypdfium2.raw as pdfium_c

        P, I, D = ctypes.c_void_p, ctypes.c_int, ctypes.c_double

        def make(fn, restype, *args):
            return ctypes.CFUNCTYPE(restype, *args)(ctypes.cast(fn, P).value)

        def untyped(fn, restype):
            """A call with no argument types: each argument passed as it is
            (ints as C ints, pointers as ready-made c_void_p), a third
            cheaper than converting it; for the calls made for every line."""
            return make(fn, restype)

        _C_CALLS = SimpleNamespace(
            load_page=make(pdfium_c.FPDF_LoadPage, P, P, I),
            close_page=make(pdfium_c.FPDF_ClosePage, None, P),
            page_width=make(pdfium_c.FPDF_GetPageWidthF, ctypes.c_float, P),
            page_height=make(pdfium_c.FPDF_GetPageHeightF, ctypes.c_float, P),
            load_text=make(pdfium_c.FPDFText_LoadPage, P, P),
            close_text=make(pdfium_c.FPDFText_ClosePage, None, P),
            count_chars=make(pdfium_c.FPDFText_CountChars, I, P),
            text_index=make(pdfium_c.FPDFText_GetTextIndexFromCharIndex, I, P, I),
            get_text=make(pdfium_c.FPDFText_GetText, I, P, I, I, P),
            count_objects=make(pdfium_c.FPDFPage_CountObjects, I, P),
            get_object=make(pdfium_c.FPDFPage_GetObject, P, P, I),
            obj_type=make(pdfium_c.FPDFPageObj_GetType, I, P),
            form_count=make(pdfium_c.FPDFFormObj_CountObjects, I, P),
            form_object=make(pdfium_c.FPDFFormObj_GetObject, P, P, ctypes.c_ulong),
            path_count=make(pdfium_c.FPDFPath_CountSegments, I, P),
            path_segment=make(pdfium_c.FPDFPath_GetPathSegment, P, P, I),
            segment_point=make(pdfium_c.FPDFPathSegment_GetPoint, I, P, P, P),
            segment_type=make(pdfium_c.FPDFPathSegment_GetType, I, P),
            segment_close=make(pdfium_c.FPDFPathSegment_GetClose, I, P),
            # a page object's handle kept as a C pointer (a c_void_p subclass is
            # returned as it is), to be passed on untyped
            u_get_object=untyped(pdfium_c.FPDFPage_GetObject, type("_Handle", (P,), {})),
            u_obj_type=untyped(pdfium_c.FPDFPageObj_GetType, I),
            u_char_box=untyped(pdfium_c.FPDFText_GetCharBox, I),
            u_loose_box=untyped(pdfium_c.FPDFText_GetLooseCharBox, I),
            u_font_size=untyped(pdfium_c.FPDFText_GetFontSize, D),
            u_origin=untyped(pdfium_c.FPDFText_GetCharOrigin, I),
        )
    return _C_CALLS


_BAD = re.compile("[\ue000-\uf8ff\ufffd\x00-\x1f]")  # private-use, replacement and control characters


def _check_text_layer(pages: list[list[_Line]], images: int, n_pages: int) -> None:
    text = "".join(ln.text for p in pages for ln in p)
    visible = "".join(text.split())  # what _WS.sub("", text) gives (str.split's whitespace is \s), faster
    if len(visible) < 20 * n_pages and len(visible) < 200:
        if images:
            raise IngestError(
                "no_text_layer", f"scanned PDF: {n_pages} page(s) of images and no text layer (OCR it first)",
                stage="read",
            )
        raise IngestError("no_text", "PDF holds no text", stage="read")
    cid = len(re.findall(r"\(cid:\d+\)", text)) if "(cid:" in text else 0
    # printable text without U+FFFD holds none of _BAD's characters: no scan for them
    bad = 0 if visible.isprintable() and "\ufffd" not in visible else len(_BAD.findall(visible))
    if cid * 8 > len(visible) * 0.3 or bad > len(visible) * 0.3:
        raise IngestError(
            "garbled_text",
            "the PDF's fonts have no Unicode map: text comes out as (cid:N) codes or private-use "
            "characters; convert the file (print to PDF, or OCR) and ingest again",
            stage="read",
        )


_DIGITS, _WS = re.compile(r"\d+"), re.compile(r"\s")


def _median(values):
    """statistics.median's value (the middle one, or the mean of the two
    middle ones), without its generic machinery: it is taken several times
    a document."""
    s = sorted(values)
    if not s:
        raise ValueError("no median for empty data")
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def _key(text: str) -> str:
    return _DIGITS.sub("#", _WS.sub("", text))


def _drop_running_lines(pages: list[list[_Line]], heights: list[float]) -> None:
    """Drop page numbers and headers/footers repeated across pages, looking
    only at the top and bottom three lines of each page."""
    n = len(pages)
    zone: Counter = Counter()
    keys: dict[int, str] = {}
    for lines in pages:
        for ln in {id(x): x for x in lines[:3] + lines[-3:]}.values():
            keys[id(ln)] = k = _key(ln.text)
            zone[k] += 1
    sizes = [ln.charw for p in pages for ln in p if ln.charw]
    small_size = 0.85 * _median(sizes) if sizes else None
    often = max(2, n // 2)
    for lines, h in zip(pages, heights):
        drop = set()
        for ln in lines[:3] + lines[-3:]:
            near_edge = ln.top is None or ln.top < 0.12 * h or ln.top > 0.85 * h
            if not near_edge:
                continue
            # A header in a smaller type than the body, in the top or bottom
            # margin, is running matter even on a one-page file.
            small = small_size is not None and ln.charw is not None and ln.charw < small_size
            repeated = n >= 2 and zone[keys[id(ln)]] >= often
            if _PAGE_NO.match(ln.text.strip()) or repeated or (small and (ln.top < 0.08 * h or ln.top > 0.9 * h)):
                drop.add(id(ln))
        if drop:
            lines[:] = [ln for ln in lines if id(ln) not in drop]


def _page_geometry(lines: list[_Line], width: float) -> tuple[float, float, float] | None:
    xs = [ln for ln in lines if ln.x0 is not None]
    if len(xs) < 2:
        return None
    left = min(ln.x0 for ln in xs)
    # Margins are symmetric in practice: on a page of short lines the
    # longest line is not the text width.
    right = max(max(ln.x1 for ln in xs), width - left)
    charw = _median(ln.charw for ln in xs) or 10.0
    return left, right, charw


class _Layout:
    """What the geometry of a document says about its line breaks: each
    page's text block (left and right edge, type size), the body type size,
    the usual step from one line to the next, and whether the layout marks
    where paragraphs start (an indent or extra space before them)."""

    def __init__(self, pages: list[list[_Line]], widths: list[float]):
        whole = _page_geometry([ln for p in pages for ln in p], _median(widths) if widths else 0)
        self.geo = [self._block(lines, w, whole) for lines, w in zip(pages, widths)]
        steps = sorted(b.y - a.y for lines in pages for a, b in zip(lines, lines[1:])
                       if a.y is not None and b.y is not None and not (a.table_row or b.table_row)  # _placed
                       and b.y - a.y > 0.3 * (a.charw or 10))
        # The tightest usual step is the line pitch inside a paragraph, even
        # on pages of one-line paragraphs spaced apart.
        self.pitch = steps[len(steps) // 4] if steps else None
        # Where text usually starts on a page (a first line set lower has
        # space above it) and how low it goes (a page that stops higher left
        # space below its last line).
        firsts = sorted(lines[0].y for lines in pages if lines and _placed(lines[0]))
        self.top = firsts[(len(firsts) - 1) // 2] if len(firsts) >= 2 else None
        lasts = sorted(lines[-1].y for lines in pages[:-1] if lines and _placed(lines[-1]))
        self.bottom = lasts[len(lasts) // 2] if lasts else None
        sizes = [ln.charw for p in pages for ln in p if ln.charw]
        self.body = _median(sizes) if sizes else None
        self.marked = self._marks_paragraphs(pages)

    def _marks_paragraphs(self, pages: list[list[_Line]]) -> bool | None:
        """Does the layout mark where paragraphs start? Marks: a line set
        in by a first-line indent (not centred) above one at the margin; a
        short line of text followed by an indented or lower-set line. Against:
        a short line followed by one at the margin whose first word would
        have fitted on it (no layout wrapped it there: a paragraph start
        without a mark). None when the document shows neither."""
        marks = bare = 0
        for lines, geo in zip(pages, self.geo):
            if not geo:
                continue
            left, right, charw = geo
            for prev, nxt in zip(lines, lines[1:]):
                if not (_placed(prev) and _placed(nxt)) or prev.x0 > left + 4.5 * charw:
                    continue
                slack = right - prev.x1
                if prev.x0 > left + 0.8 * charw and abs(slack - (prev.x0 - left)) > charw and not self.indented(nxt, geo):
                    marks += 1  # a first-line indent
                elif slack <= 1.5 * charw:
                    continue
                elif self.gap(prev, nxt) or left + 0.8 * charw < nxt.x0 <= left + 4.5 * charw:
                    marks += 1
                elif not self.indented(nxt, geo) and nxt.word + 0.25 * charw <= slack:
                    bare += 1
        return marks >= 3 * bare if marks + bare else None

    @staticmethod
    def _block(lines: list[_Line], width: float, whole):
        """A page's text block: its own (odd and even pages may be shifted),
        unless it shows neither margin: no full line (a report's last page,
        a page of short lines), or a right edge short of the document's (a
        page of indented lines would look set flush). Then the document's."""
        geo = _page_geometry(lines, width)
        if geo is None or whole is None:
            return geo or whole
        _, right, charw = geo
        full = any(ln.x1 >= right - 1.5 * charw for ln in lines if ln.x1 is not None)
        return geo if full and right >= whole[1] - 0.8 * charw else whole

    @staticmethod
    def indented(ln: _Line, geo) -> bool:
        return ln.x0 > geo[0] + 0.8 * geo[2]

    def gap(self, prev: _Line, nxt: _Line, same_page: bool = True) -> bool:
        """More space above ``nxt`` than between the lines of a paragraph;
        on a new page, more than above the text of other pages."""
        if self.pitch is None or prev.y is None or nxt.y is None or prev.table_row or nxt.table_row:
            return False  # not both _placed
        a, b = prev.charw or 0, nxt.charw or 0
        extra = 0.25 * (a if a > b else b)
        if same_page:
            return nxt.y - prev.y > self.pitch + extra
        return self.top is not None and nxt.y - self.top > extra

    def stops_early(self, ln: _Line) -> bool:
        """Is ``ln`` the last line of a page that leaves a line's room below
        it? (Word moves a paragraph's lone first line to the next page.)"""
        return None not in (self.bottom, self.pitch, ln.y) and ln.y < self.bottom - 0.5 * self.pitch


def _placed(ln: _Line) -> bool:
    return ln.y is not None and not ln.table_row


def _join(pages: list[list[_Line]], widths: list[float]) -> tuple[str, list[int]]:
    out: list[str] = []
    pos = 0
    starts: list[int] = []
    prev: _Line | None = None
    prev_page = -1
    layout = _Layout(pages, widths)
    max_len = max((len(ln.text) for p in pages for ln in p), default=0)
    for i, lines in enumerate(pages):
        page_started = False
        for ln in lines:
            sep = "" if not out else ("\n" if not _wraps(prev, prev_page, ln, i, layout, max_len) else "")
            if sep == "" and out and prev.text[-1:].isascii() and prev.text[-1:].isalnum() and ln.text[:1].isascii() and ln.text[:1].isalpha():
                sep = " "
            out.append(sep)
            pos += len(sep)
            if not page_started:
                starts.append(pos)
                page_started = True
            out.append(ln.text)
            pos += len(ln.text)
            prev, prev_page = ln, i
        if not page_started:
            starts.append(pos)
    return "".join(out), starts


def _wraps(prev: _Line | None, pi: int, nxt: _Line, ni: int, layout: _Layout, max_len: int) -> bool:
    """Was the line break between ``prev`` (on page ``pi``) and ``nxt`` (on
    page ``ni``) made by the page width (join them) rather than by the
    author (keep the break)?"""
    if prev is None or prev.table_row or nxt.table_row:
        return False
    pgeo, ngeo = layout.geo[pi], layout.geo[ni]
    if not (pgeo and ngeo and prev.x1 is not None and nxt.x0 is not None):
        # No geometry: a line nearly as long as the longest is a wrapped one.
        return len(prev.text) >= 0.9 * max_len and not prev.text.endswith(_END_PUNCT)
    if nxt.x0 > ngeo[0] + 0.8 * ngeo[2] or layout.gap(prev, nxt, pi == ni):  # indented, or space above it
        return False
    if nxt.text[0] in _CLOSING or _open_bracket(prev.text, nxt.text):
        return True
    _, right, charw = pgeo
    full = right - prev.x1 <= 1.5 * charw
    if pi != ni and layout.stops_early(prev) and (not full or prev.text.endswith(_END_PUNCT)):
        return False  # the paragraph ended with space left on the page
    if _ENUM.match(nxt.text) and (not full or prev.text.endswith(_END_PUNCT)):
        return False
    if full:
        # A full line that closes a sentence ends its paragraph when the
        # layout does not mark paragraph starts (so their absence here says
        # nothing).
        return layout.marked is not False or not prev.text.endswith(_END_PUNCT)
    return _wrapped_short(prev, nxt, pgeo, layout)


_PAIRS = {"(": ")", "（": "）", "“": "”", "《": "》", "【": "】", "〔": "〕", "「": "」", "『": "』"}


_OPENERS = re.compile("[" + re.escape("".join(_PAIRS)) + "]")


def _open_bracket(prev: str, nxt: str) -> bool:
    """Does ``prev`` end inside brackets or quotes that ``nxt`` closes
    (`（记者 ⏎程懿）`)? Then the break is inside a phrase."""
    if not _OPENERS.search(prev):
        return False  # most lines: no bracket to be inside
    opened = [(prev.rfind(o), c) for o, c in _PAIRS.items() if prev.rfind(o) > prev.rfind(c)]
    if not opened:
        return False
    close = max(opened)[1]
    end = nxt.find(close)
    return end >= 0 and not any(o in nxt[:end] for o in _PAIRS)


def _wrapped_short(prev: _Line, nxt: _Line, geo, layout: _Layout) -> bool:
    """A line that stops short of the right edge, then one at the margin:
    still a wrap when what starts the next line did not fit in the room
    left. Unless the layout shows paragraphs starting unmarked, or the
    short line is a numbered heading, that is the next line's first word
    (some layouts wrap only at spaces: `满意率 100%` leaves a short line
    when the word after the space is long); else only what no break may
    split (`满意率⏎100%`)."""
    left, right, charw = geo
    if prev.text.endswith(_END_PUNCT) or prev.x0 > left + 3.5 * charw:
        return False  # a sentence's end; a centred or right-aligned line (title, signature, date)
    if layout.body and prev.charw and prev.charw > 1.1 * layout.body:
        return False  # a heading's type
    first = nxt.word if layout.marked is not False and not _ENUM.match(prev.text) else nxt.unit
    return first + 0.25 * charw > right - prev.x1


def _merge_tables(data, ruled, pages, heights, tables, warnings) -> None:
    """Replace the lines inside ruled tables by one line per row."""
    import io

    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - declared dependency
        return
    try:
        with pdfplumber.open(io.BytesIO(data)) as doc:
            for i in ruled:
                found = doc.pages[i].find_tables()
                for t in found:
                    rows = [[(c or "").replace("\n", "") for c in r] for r in t.extract()]
                    rows = [r for r in rows if any(r)]
                    if len(rows) < 2 or max(len(r) for r in rows) < 2:
                        continue
                    x0, top, x1, bottom = t.bbox
                    inside = [ln for ln in pages[i] if ln.top is not None and top - 2 <= ln.top <= bottom + 2
                              and ln.x0 >= x0 - 2 and ln.x1 <= x1 + 2]
                    if not inside:
                        continue
                    at = pages[i].index(inside[0])
                    keep = [ln for ln in pages[i] if ln not in inside]
                    rendered = [_Line(" | ".join(r), x0, x1, inside[0].top, inside[0].charw, True) for r in rows]
                    pages[i][:] = keep[:at] + rendered + keep[at:]
                    tables.append(rows)
    except Exception as e:  # pdfplumber is a second reader: its failure costs only the table structure
        warnings.append(f"tables not read: {type(e).__name__}: {e}")
