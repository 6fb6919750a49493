"""Word .docx: paragraphs and tables in body order, with automatic list
numbering restored (python-docx gives the paragraph text without the
`一、`/`1.` that Word draws from numbering.xml)."""
from __future__ import annotations

import io
import re
import zipfile

from ..document import IngestError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# A DOCX is a ZIP: refuse archives that would expand into a decompression
# bomb. python-docx holds every part it loads in memory, so the whole archive
# is capped (a report's photos are already compressed: they unzip to about
# their size in the file) ...
_MAX_UNZIPPED = 256 * 1024 * 1024
_MAX_MEMBERS = 10_000
# ... and it parses every XML part into a tree of ~14× its size (a 480 MB
# styles.xml in a 1.4 MB file took 7.5 GB): each XML part is capped, and all
# of them together. word/document.xml of a long report is a few MB; 30 MB of
# XML is ~3M characters of text (jyta's limit for one report) — more is a
# bomb, not a report. Styles, numbering, headers, notes of a real report are
# each well under 1 MB.
_MAX_DOCUMENT_XML = 30 * 1024 * 1024
_MAX_PART_XML = 10 * 1024 * 1024
_MAX_XML_TOTAL = 48 * 1024 * 1024
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MAX_COUNTER = 32767
# A level's text is a few characters ("%1.", "（%2）"); a longer one would be
# repeated before every numbered paragraph.
_MAX_LEVEL_TEXT = 64
_DIGITS = "零一二三四五六七八九"
_TRAD_CAP = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese_count(n: int, digits: str = _DIGITS, ten: str = "十", hundred: str = "百") -> str:
    """Word's ``chineseCounting`` format.

    >>> [chinese_count(n) for n in (1, 10, 11, 20, 21, 105, 110)]
    ['一', '十', '十一', '二十', '二十一', '一百零五', '一百一十']
    """
    if n < 10:
        return digits[n]
    if n < 20:
        return ten + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + ten + (digits[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = digits[n // 100] + hundred
        if rest == 0:
            return head
        if rest < 10:
            return head + digits[0] + digits[rest]
        return head + (digits[1] + ten + (digits[rest % 10] if rest % 10 else "") if rest < 20 else chinese_count(rest, digits, ten, hundred))
    return str(n)


def _roman(n: int) -> str:
    vals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
            (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word numbering format (``numFmt``). Word counts to
    32767; a counter past that (a hostile ``w:start``) is written in digits:
    as letters, a billion is 38 million characters — per paragraph.

    >>> format_number(28, "lowerLetter"), format_number(10**9, "lowerLetter")
    ('bb', '1000000000')
    """
    if not 0 <= n <= _MAX_COUNTER:
        return str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographDigital", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand"):
        return chinese_count(n)
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return chinese_count(n, _TRAD_CAP, "拾", "佰")
    if fmt in ("ideographTraditional",):
        return _HEAVENLY[(n - 1) % 10]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperLetter":
        return _letter(n).upper()
    if fmt == "lowerLetter":
        return _letter(n)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Counters of Word's automatic numbering, per list instance."""

    def __init__(self, doc):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = doc.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for an in root.iter(f"{_W}abstractNum"):
            lv = {}
            for lvl in an.iter(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                start = lvl.find(f"{_W}start")
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                lv[ilvl] = (
                    _int(start, 1),
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    (text.get(f"{_W}val") or "")[:_MAX_LEVEL_TEXT] if text is not None else "",
                )
            abstract[an.get(f"{_W}abstractNumId")] = lv
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            lv = dict(abstract.get(ref.get(f"{_W}val"), {}))
            for ov in num.iter(f"{_W}lvlOverride"):
                so = ov.find(f"{_W}startOverride")
                il = int(ov.get(f"{_W}ilvl", "0"))
                if so is not None and il in lv:
                    s, f, t = lv[il]
                    lv[il] = (_int(so, s), f, t)
            self.levels[num.get(f"{_W}numId")] = lv

    def label(self, num_id: str, ilvl: int) -> str:
        lv = self.levels.get(num_id)
        if not lv or ilvl not in lv:
            return ""
        start, fmt, text = lv[ilvl]
        if fmt == "bullet":
            return ""
        cnt = self.counters.setdefault(num_id, {})
        cnt[ilvl] = cnt.get(ilvl, start - 1) + 1
        for deeper in [k for k in cnt if k > ilvl]:
            del cnt[deeper]

        def sub(m):
            k = int(m.group(1)) - 1
            if k not in lv:
                return ""
            return format_number(cnt.get(k, lv[k][0]), lv[k][1])

        return re.sub(r"%(\d)", sub, text)


def _num_of(ppr) -> tuple[str, int] | None:
    npr = ppr.find(f"{_W}numPr") if ppr is not None else None
    nid = npr.find(f"{_W}numId") if npr is not None else None
    if nid is None:
        return None
    il = npr.find(f"{_W}ilvl")
    return nid.get(f"{_W}val"), int(il.get(f"{_W}val")) if il is not None else 0


def _num_pr(p, styles: dict, cache: dict) -> tuple[str, int] | None:
    """The paragraph's numbering, directly or through its style chain."""
    ppr = p.find(f"{_W}pPr")
    found = _num_of(ppr)
    if found:
        return found
    st = ppr.find(f"{_W}pStyle") if ppr is not None else None
    return _style_num(st.get(f"{_W}val") if st is not None else None, styles, cache)


def _style_num(style_id: str | None, styles: dict, cache: dict) -> tuple[str, int] | None:
    """A style's numbering, its own or the nearest up its basedOn chain;
    each style is looked at once per document (a chain 50,000 deep walked
    for every paragraph did not finish)."""
    chain, found = {}, None  # insertion-ordered: a dict, for the loop test
    while style_id and style_id not in chain:
        if style_id in cache:
            found = cache[style_id]
            break
        chain[style_id] = True
        s = styles.get(style_id)
        if s is None:
            break
        found = _num_of(s.find(f"{_W}pPr"))
        if found:
            break
        based = s.find(f"{_W}basedOn")
        style_id = based.get(f"{_W}val") if based is not None else None
    for sid in chain:  # each one inherits what the chain above it found
        cache[sid] = found
    return found


def _int(el, default: int) -> int:
    """A numbering attribute; a missing or odd value keeps the default
    instead of failing the whole document."""
    try:
        return int(el.get(f"{_W}val"))
    except (AttributeError, TypeError, ValueError):
        return default


def _para_text(p) -> str:
    """The paragraph's text, in one walk that skips each mc:Fallback subtree
    (a text box is stored twice, mc:Choice and mc:Fallback: read it once).
    Asking every element for its ancestors cost depth² per paragraph: 90 s
    for a 135 KB file nesting its runs 200 deep."""
    out = []
    stack = [p]
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == f"{_MC}Fallback":
            continue
        if tag == f"{_W}t":
            out.append(el.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        stack.extend(reversed(el))
    return "".join(out)


def read_docx(data: bytes) -> tuple[str, list, list[str]]:
    """Return ``(text, tables, warnings)``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            _check_sizes(z, len(data))
    except zipfile.BadZipFile as e:
        raise IngestError("corrupt", f"damaged DOCX: {e}", stage="read") from e
    import docx

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises several kinds on damaged parts
        raise IngestError("corrupt", f"damaged DOCX: {type(e).__name__}: {e}", stage="read") from e
    numbering = _Numbering(d)
    styles = {}
    try:
        for s in d.styles.element.iter(f"{_W}style"):
            styles[s.get(f"{_W}styleId")] = s
    except (NotImplementedError, KeyError):
        pass
    from . import MAX_CHARS

    lines: list[str] = []
    tables: list[list[list[str]]] = []
    style_nums: dict = {}
    size = 0
    for el in _blocks(d.element.body):
        if el.tag == f"{_W}p":
            text = _para_text(el).strip()
            np_ = _num_pr(el, styles, style_nums)
            if np_ and text:
                text = numbering.label(*np_) + text
            new = [text] if text else []
        elif el.tag == f"{_W}tbl":
            rows = _table_rows(el)
            if rows:
                tables.append(rows)
            new = [" | ".join(r) for r in rows]
        else:
            continue
        lines.extend(new)
        size += sum(len(x) + 1 for x in new)
        if size > MAX_CHARS:  # stop here: numbering labels can make 30 MB of XML into gigabytes of text
            raise IngestError("too_large", f"over {MAX_CHARS:,} characters of text: not one report", stage="read")
    return "\n".join(lines), tables, []


def _check_sizes(z: zipfile.ZipFile, size: int) -> None:
    """Refuse, from the archive's directory alone, a DOCX whose parts would
    expand past the limits above. The sizes it declares bound what is read:
    zipfile stops a member at its declared size."""
    infos = z.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise IngestError("too_large", f"DOCX archive lists {len(infos)} parts (limit {_MAX_MEMBERS}): "
                          "not one report", stage="read")
    total = sum(i.file_size for i in infos)
    limit = max(_MAX_UNZIPPED, 2 * size)
    if total > limit:
        raise IngestError("too_large", f"DOCX expands to {_mib(total)} (limit {_mib(limit)})", stage="read")
    types = _content_types(z)
    xml = [i for i in infos if _is_xml(i.filename, types)]
    for i in xml:
        cap = _MAX_DOCUMENT_XML if i.filename == "word/document.xml" else _MAX_PART_XML
        if i.file_size > cap:
            raise IngestError("too_large", f"{i.filename} in the DOCX expands to {_mib(i.file_size)} of XML "
                              f"(limit {_mib(cap)}): not one report", stage="read")
    xml_total = sum(i.file_size for i in xml)
    if xml_total > _MAX_XML_TOTAL:
        raise IngestError("too_large", f"the DOCX's XML parts expand to {_mib(xml_total)} "
                          f"(limit {_mib(_MAX_XML_TOTAL)}): not one report", stage="read")


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def _content_types(z: zipfile.ZipFile) -> tuple[dict, dict]:
    """(extension → type, part name → type) from [Content_Types].xml, which
    decides what python-docx parses as XML (a part named .png can be typed
    as styles)."""
    from lxml import etree

    try:
        info = z.getinfo("[Content_Types].xml")
    except KeyError:
        return {}, {}
    if info.file_size > _MAX_PART_XML:
        raise IngestError("too_large", f"[Content_Types].xml in the DOCX expands to {_mib(info.file_size)} "
                          f"(limit {_mib(_MAX_PART_XML)})", stage="read")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(z.read(info), parser)
    except etree.XMLSyntaxError as e:
        raise IngestError("corrupt", f"damaged DOCX: [Content_Types].xml: {e}", stage="read") from e
    defaults = {(d.get("Extension") or "").lower(): d.get("ContentType") or "" for d in root.iter(f"{_CT}Default")}
    overrides = {(o.get("PartName") or "").lstrip("/").lower(): o.get("ContentType") or ""
                 for o in root.iter(f"{_CT}Override")}
    return defaults, overrides


def _is_xml(name: str, types: tuple[dict, dict]) -> bool:
    """Whether python-docx would parse this member as XML."""
    lower = name.lower()
    if lower.endswith((".xml", ".rels")):
        return True
    defaults, overrides = types
    ctype = overrides.get(lower) or defaults.get(lower.rsplit(".", 1)[-1] if "." in lower else "", "")
    return ctype.endswith("xml")


def _blocks(parent):
    """Paragraphs and tables in order, looking inside content controls
    (w:sdt), which Word uses for whole sections of form-like reports."""
    for el in parent.iterchildren():
        if el.tag == f"{_W}sdt":
            content = el.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content)
        else:
            yield el


def _table_rows(tbl) -> list[list[str]]:
    rows = []
    for tr in tbl.iterchildren(f"{_W}tr"):  # this table's rows, not a nested table's
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            tcpr = tc.find(f"{_W}tcPr")
            span = tcpr.find(f"{_W}gridSpan") if tcpr is not None else None
            vm = tcpr.find(f"{_W}vMerge") if tcpr is not None else None
            if vm is not None and vm.get(f"{_W}val") != "restart":
                text = ""  # a cell merged from above repeats nothing
            else:
                text = " ".join(_para_text(p).strip() for p in _blocks(tc) if p.tag == f"{_W}p").strip()
            # a cell spanning columns keeps the columns aligned: 合计 | | 94 | 100%
            cells.extend([text] + [""] * (_int(span, 1) - 1))
        if any(cells):
            rows.append(cells)
    return rows
