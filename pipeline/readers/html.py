"""Web pages: decode, find the report's body among the site chrome, keep
tables as tables, read the title and date fields the page carries."""
from __future__ import annotations

import re

from ..document import IngestError
from . import chrome
from .encoding import decode

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
# Every whitespace run becomes one space: a run left long (line separators
# U+2028, which the chrome rules' `\s*` also match) costs those rules
# quadratic time.
_WS = re.compile(r"[\s\u200b]+")
# Possessive: `\s*\n\s*` backtracks over every newline of a long run.
_WS_NL_CJK = re.compile(r"(?<=[\u3400-\u9fff，。、；：！？“”（）])[^\S\n]*+\n\s*+(?=[\u3400-\u9fff，。、；：！？“”（）])")

# Elements that never hold the report text.
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "nav", "header", "footer", "aside", "form",
    "select", "option", "button", "input", "textarea", "object", "embed", "svg", "canvas",
    "video", "audio", "map", "template",
)
# class/id words of chrome containers (`<div class="footer">`, `id="share"`).
_CHROME_ATTR = re.compile(
    r"(^|[\s_\-])(nav|navbar|menu|header|footer|foot|breadcrumb|crumb|share|bdshare|comment|comments|"
    r"search|sidebar|toolbar|copyright|friendlink|links|related|pager|pagination|login|"
    r"fontsize|font-size|qrcode|ewm|weixin|wechat)([\s_\-]|\d|$)",
    re.I,
)
_BLOCK = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "dl", "dt", "dd", "blockquote", "pre", "center", "address", "figure", "figcaption", "tr",
    "table", "tbody", "thead", "tfoot", "caption", "hr", "body", "html",
}
_META_NAMES = {
    "articletitle": "title", "title": "title", "pubdate": "published", "firstpublishedtime": "published",
    "contentsource": "publisher", "source": "publisher", "author": "author",
}
_INFO_LINE = re.compile(r"发布(时间|日期)|公开日期|成文日期|来源\s*[::]|信息来源")
_TITLE_ATTR = re.compile(r"title|biaoti|tit\b|headline", re.I)


def read_html(data: bytes) -> tuple[str, str, list, dict, list[str]]:
    """Return ``(text, encoding, tables, container_meta, warnings)``."""
    from lxml import etree

    m = _CHARSET.search(data[:4096])
    text, encoding = decode(data, m.group(1).decode("ascii", "ignore") if m else None)
    text = _XML_DECL.sub("", text)
    root = _parse(text)
    if _cjk_count(root.text_content()) < 0.5 * _cjk_count(_TAG.sub(" ", _without_scripts(text))):
        # libxml2 stops silently at a nesting depth of about 256: pages exported
        # from Word nest unclosed <font><span>/<div> deeper. Flatten and parse again.
        root = _parse(_FLATTEN.sub(lambda m: "<br>" if m.group(1).lower() == "div" else "", text))
    meta = _page_meta(root)
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *_DROP_TAGS, with_tail=False)
    weights = _weights(root)
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
        if attrs and _CHROME_ATTR.search(attrs):
            cjk, links = weights.get(el, (0, 0))
            # chrome is short or mostly links; a report body is neither
            if cjk < 60 or links >= 0.5 * cjk:
                _remove(el)
    weights = _weights(root)
    body = root.find("body")
    if body is None:
        body = root
    content = _content_node(body, weights)
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    head = _head_lines(body, content, meta)
    lines.extend(head)
    _render(content, lines, tables)
    lines = chrome.strip_chrome(lines)
    # The title we put first may also head the content: keep one.
    k = len([x for x in head if x in lines[:len(head)]])
    if head and len(lines) > k and lines[k] == lines[0]:
        del lines[k]
    return "\n".join(lines), encoding, tables, meta, []


# A tag never spans a `<`: `<[^>]*>` rescans to the end of the page from
# every `<` of a run without `>` (quadratic); `[^<>]*` stops at the next one.
_TAG = re.compile(r"<[^<>]*>")
_FLATTEN = re.compile(r"</?(font|span|div|b|i|u|strong|em|o:p|small|big)\b[^<>]*>", re.I)
_SCRIPT_OPEN = re.compile(r"<(script|style)\b", re.I)
_SCRIPT_CLOSE = {"script": re.compile(r"</script\s*+>", re.I), "style": re.compile(r"</style\s*+>", re.I)}


def _without_scripts(text: str) -> str:
    r"""The page with each <script>/<style> element blanked, in one pass. (The
    lazy `<(script|style)\b.*?</\1\s*>` rescans to the end of the page from
    every unclosed opening tag: 30,000 of them took 68 s.) Once an element has
    no closing tag, no later one of its kind has one either."""
    parts: list[str] = []
    pos = at = 0
    unclosed: set[str] = set()
    while (m := _SCRIPT_OPEN.search(text, at)) is not None:
        name = m.group(1).lower()
        close = None if name in unclosed else _SCRIPT_CLOSE[name].search(text, m.end())
        if close is None:
            unclosed.add(name)
            at = m.end()
            continue
        parts += [text[pos:m.start()], " "]
        pos = at = close.end()
    parts.append(text[pos:])
    return "".join(parts)


def _cjk_count(s: str) -> int:
    return len(_CJK.findall(s))


# A long report exported from Word is a few hundred thousand elements; the
# walks below cost microseconds and hundreds of bytes per element: 20 MB of
# `<p>` (6.5 million elements) took 42 s and 3 GB.
_MAX_ELEMENTS = 1_000_000


def _parse(text: str):
    from lxml import etree, html as lhtml

    try:
        root = lhtml.document_fromstring(text, parser=lhtml.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError) as e:
        raise IngestError("parse", f"cannot parse HTML: {e}", stage="parse") from e
    n = int(root.xpath("count(//*)"))  # counted in libxml2, no Python object per element
    if n > _MAX_ELEMENTS:
        raise IngestError("too_large", f"the page has {n:,} HTML elements (limit {_MAX_ELEMENTS:,}): "
                          "not one report", stage="parse")
    return root


def _remove(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _page_meta(root) -> dict:
    meta: dict[str, str] = {}
    t = root.find(".//title")
    if t is not None and t.text_content().strip():
        meta["html_title"] = _WS.sub(" ", t.text_content()).strip()
    for m in root.iter("meta"):
        key = _META_NAMES.get((m.get("name") or m.get("property") or "").lower())
        val = (m.get("content") or "").strip()
        if key and val and key not in meta:
            meta[key] = val
    return meta


def _weights(root) -> dict:
    """(CJK characters, CJK characters inside links) of every element, in one
    bottom-up pass without recursion (recounting text_content() per level is
    quadratic, and Word-exported pages nest thousands of levels deep)."""
    out: dict = {}
    stack = [(root, False, False)]
    while stack:
        el, in_link, done = stack.pop()
        link = in_link or el.tag == "a"
        if not done:
            stack.append((el, in_link, True))
            stack.extend((k, link, False) for k in el)
            continue
        own = len(_CJK.findall(el.text or "")) if isinstance(el.tag, str) else 0
        cjk, links = own, own if link else 0
        for k in el:
            kc, kl = out[k]
            tail = len(_CJK.findall(k.tail or ""))
            cjk += kc + tail
            links += kl + (tail if link else 0)
        out[el] = (cjk, links)
    return out


def _content_node(body, weights: dict):
    """Descend from <body> while one child holds most of the text, but never
    into a single paragraph: a report with one long paragraph has others.
    Text is counted outside links: navigation is mostly links, reports are not."""

    def w(el) -> int:
        cjk, links = weights.get(el, (0, 0))
        return cjk - links

    node = body
    whole = w(body)
    lost = 0  # text of the nodes passed on the way down
    while True:
        total = w(node)
        if total == 0:
            return node
        kids = [k for k in node if isinstance(k.tag, str)]
        best = max(kids, key=w, default=None)
        if best is None or w(best) < 0.8 * total:
            return node
        lost += total - sum(w(k) for k in kids)
        if lost > 0.02 * whole:
            return node  # text of its own (unclosed tags nest the report): descending would lose it
        blocks = [k for k in best if isinstance(k.tag, str) and k.tag in _BLOCK and w(k) > 0]
        if len(blocks) < 2 and w(best) < 0.98 * total:
            return node
        node = best


def _head_lines(body, content, meta) -> list[str]:
    """Title and info line (来源/发布时间) that sit outside the content node."""
    if content is body:
        return []
    inside = set(content.iter())
    title = None
    info = None
    for el in body.iter():
        if el is content:
            break
        if el in inside or not isinstance(el.tag, str):
            continue
        txt = _WS.sub(" ", el.text_content()).strip()
        if not txt or len(txt) > 150:
            continue
        if info is None and _INFO_LINE.search(txt) and el.tag not in ("body",):
            if not any(_INFO_LINE.search(_WS.sub(" ", k.text_content())) for k in el if isinstance(k.tag, str)) or len(el) == 0:
                info = txt
        if title is None and (
            el.tag in ("h1", "h2") or _TITLE_ATTR.search(" ".join(filter(None, (el.get("class"), el.get("id")))))
        ) and _CJK.search(txt) and not _INFO_LINE.search(txt):
            title = txt
    if title is None and meta.get("title"):
        title = meta["title"]
    return [x for x in (title, info) if x]


def _norm_inline(s: str) -> str:
    s = _WS_NL_CJK.sub("", s)
    return _WS.sub(" ", s)


def _render(el, lines: list[str], tables: list) -> None:
    buf: list[str] = []

    def flush():
        s = "".join(buf).strip(" \u3000")
        buf.clear()
        if s.strip():
            lines.append(s.strip())

    # An explicit stack, not recursion: Word-exported pages nest thousands deep.
    stack = [(el, False)]
    while stack:
        e, closing = stack.pop()
        tag = e.tag if isinstance(e.tag, str) else None
        if closing:
            if tag in ("td", "th"):
                buf.append(" ")
            elif tag in _BLOCK:
                flush()
            if e.tail and e is not el:
                buf.append(_norm_inline(e.tail))
            continue
        if tag == "table" and _is_data_table(e):
            flush()
            rows = _table_rows(e)
            if rows:
                tables.append(rows)
                for r in rows:
                    lines.append(" | ".join(r))
            if e.tail and e is not el:
                buf.append(_norm_inline(e.tail))
            continue
        if tag == "br" or tag in _BLOCK:
            flush()
        if e.text and tag is not None:
            buf.append(_norm_inline(e.text))
        stack.append((e, True))
        stack.extend((k, False) for k in reversed(e))
    flush()


def _is_data_table(t) -> bool:
    """Layout tables (a whole page inside <table>) are walked as blocks; data
    tables (short cells, no nested tables) are kept as tables."""
    if t.find(".//table") is not None:
        return False
    cells = t.findall(".//td") + t.findall(".//th")
    if not cells:
        return False
    longest = max(len(_WS.sub("", c.text_content())) for c in cells)
    return longest <= 200


def _table_rows(t) -> list[list[str]]:
    rows = []
    for tr in t.iter("tr"):
        cells = [_WS.sub(" ", c.text_content()).strip() for c in tr if c.tag in ("td", "th")]
        if any(cells):
            rows.append(cells)
    return rows
