"""A normalized view of a document's text, with a map back to source offsets.

Matching happens on the normalized view; every span found there is mapped back
with :meth:`TextMap.to_source`, so rows always point into the untouched source
text (``text[start:end] == surface``).

What the view normalizes, and why:

- NFKC per character: full-width digits and punctuation (``２０２２``, ``，``)
  become ASCII, Kangxi radicals (``⼈`` U+2F08) and compatibility ideographs
  become the ordinary ideographs that mirrors sometimes substitute.
- Traditional → Simplified (OpenCC ``t2s``): mirrors serve Traditional pages
  (``市政協六屆一次會議``); the lexicons are Simplified.
- Stray spaces that PDF export leaves between CJK characters or between CJK
  and digits (``2022 年度``) are dropped.
- Pinyin glosses that annotation-mirrors inject inside words (``會(huì)議``)
  are dropped.
- Line breaks that a page width made (texts copied out of PDFs) are dropped,
  so words and numbers broken across lines are whole again.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u2e80-\u2fdf"
# A pinyin gloss: letters with at least one tone mark, or a short toneless
# syllable, in brackets glued to a preceding CJK character (會(huì)議, 統(tǒng)).
# Some mirrors repeat a gloss or put one before punctuation (办(ban)(ban)件,
# 2024年(nian),): a run of glosses is one span, and a toneless one may stand
# before anything but a Latin letter (a toneless one must read as one pinyin
# syllable: 附件(doc) keeps its word).
_PINYIN = re.compile(
    rf"(?<=[{_CJK}])(?:[(（]"
    r"(?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zü]*"
    rf"|(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouvü]{{1,3}}(?:ng|n|r)?(?= ?[)）](?![A-Za-z])))"
    r" ?[)）])+"  # 會(huì )議: some mirrors leave a space before the bracket
)
# Horizontal whitespace between CJK/CJK or CJK/digit (in either order).
# Tabs are not stray: they separate the cells of a table copied as text.
_STRAY_SPACE = re.compile(
    rf"(?<=[{_CJK}0-9０-９%％])[ \u00a0\u3000]+(?=[{_CJK}])"
    rf"|(?<=[{_CJK}])[ \u00a0\u3000]+(?=[0-9０-９])"
)
_SPACES = re.compile(r"[ \u00a0\u3000]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_BEFORE_CJK = re.compile(rf"[{_CJK}0-9０-９%％]")
_DIGIT = re.compile(r"[0-9０-９]")


def _stray_spaces(text: str) -> list[tuple[int, int]]:
    """The spans _STRAY_SPACE.finditer finds, found from the runs of spaces:
    a match is a whole run (lookbehind and lookahead stop inside none), so
    the regex engine need not try its lookbehind at every character."""
    out = []
    end = len(text)
    for m in _SPACES.finditer(text):
        a, b = m.span()
        if a == 0 or b == end:
            continue
        before, after = text[a - 1], text[b]
        if (_CJK_CHAR.match(after) and _BEFORE_CJK.match(before)) or (_CJK_CHAR.match(before) and _DIGIT.match(after)):
            out.append((a, b))
    return out


# A table row as text: cells between tabs or bars (our readers write ` | `).
_TABLE_ROW = re.compile(r"\t|\s[|｜]\s")


_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: only needed when text is not pure ASCII

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def _nfkc(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def to_simplified(s: str) -> str:
    """Traditional → Simplified, guaranteed to keep the length of ``s``."""
    if s.isascii():
        return s
    if _SURROGATE.search(s):
        # OpenCC takes UTF-8; a lone surrogate (a broken UTF-16 file) cannot be
        # encoded: convert around it and keep it where it was.
        safe = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in s)
        conv = to_simplified(safe)
        return "".join(o if "\ud800" <= o <= "\udfff" else c for o, c in zip(s, conv))
    out = _t2s().convert(s)
    if len(out) == len(s):
        return out
    # Phrase rules changed the length somewhere: convert character by character.
    conv = _t2s().convert
    return "".join(c if len(cc := conv(c)) != 1 else cc for c in s)


@dataclass(frozen=True)
class TextMap:
    """``norm`` is the normalized view; ``starts[i]``/``ends[i]`` give the
    source span that produced ``norm[i]``."""

    source: str
    norm: str
    starts: array
    ends: array

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``norm`` to a half-open span of ``source``."""
        if end <= start:
            pos = self.starts[start] if start < len(self.norm) else len(self.source)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


_BREAK = re.compile(r"[ \t\u3000]*\n[ \t\u3000\n]*")
_END_OF_THOUGHT = tuple("。!?!?::;;")
_OPENS_BLOCK = re.compile(r"^\s*([一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、](?!\d)|第[一二三四五六七八九十]+[条章节]|[—-]+\s*\d)")


def _hard_wraps(text: str) -> list[tuple[int, int]]:
    """Line breaks made by a page width, not by the author: texts copied out
    of PDFs break lines in mid-sentence (`…办理了区人大十\n  八届四次会议`,
    `其他方面2\n2件`). A break after a line as long as the text's long lines,
    with no sentence end before it and no heading after it, is a wrap."""
    lines = [ln.strip() for ln in text.split("\n")]
    lengths = sorted(len(ln) for ln in lines if ln)
    if len(lengths) < 4:
        return []
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    if p90 < 12:
        return []
    out = []
    for m in _BREAK.finditer(text):
        ls = text.rfind("\n", 0, m.start()) + 1
        prev = text[ls:m.start()].strip()
        nxt_end = text.find("\n", m.end())
        nxt = text[m.end(): nxt_end if nxt_end >= 0 else len(text)]
        if (prev and nxt and len(prev) >= 0.85 * p90 and not prev.endswith(_END_OF_THOUGHT)
                and not _OPENS_BLOCK.match(nxt) and not (_TABLE_ROW.search(prev) or _TABLE_ROW.search(nxt))):
            out.append(m.span())
    return out


def _dropped_spans(text: str, join_wraps: bool = True) -> list[tuple[int, int, bool]]:
    """Spans left out of the view; the flag marks glosses, which belong to
    the character before them (a match ending at 會 covers 會(huì))."""
    spans = [(*m.span(), True) for m in _PINYIN.finditer(text)]
    spans += [(a, b, False) for a, b in _stray_spaces(text)]
    if join_wraps:
        spans += [(a, b, False) for a, b in _hard_wraps(text)]
    spans.sort()
    return spans


def strip_glosses(s: str) -> str:
    r"""The source text of a span as a value: glosses and line breaks out.

    >>> strip_glosses("2009年縣人大議案和政協(xié)提案\n辦理情況")
    '2009年縣人大議案和政協提案辦理情況'
    """
    return _PINYIN.sub("", s).replace("\r", "").replace("\n", "")


@lru_cache(maxsize=1)
def _changed_by_nfkc() -> re.Pattern:
    """The BMP characters NFKC rewrites (full-width forms, Kangxi radicals,
    compatibility ideographs, ①…): only these need a per-character step."""
    ranges, start, prev = [], None, None
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        if not unicodedata.is_normalized("NFKC", chr(cp)):  # NFKC(c) != c, without building it
            if start is None:
                start = cp
            elif cp != prev + 1:
                ranges.append((start, prev))
                start = cp
            prev = cp
    if start is not None:
        ranges.append((start, prev))
    cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{cls}]")


_IDENTITY = array("i")


def _identity(n: int) -> array:
    """array("i", range(m)) for some m >= n, grown (doubled) as longer texts come."""
    global _IDENTITY
    if len(_IDENTITY) < n:
        _IDENTITY = array("i", range(max(n, 2 * len(_IDENTITY), 4096)))
    return _IDENTITY


def build(text: str, join_wraps: bool = True) -> TextMap:
    """Build the normalized view of ``text``.

    >>> tm = build("市政協六屆一次會(huì)議，共２０件")
    >>> tm.norm
    '市政协六届一次会议,共20件'
    >>> s, e = tm.to_source(tm.norm.index("会议"), tm.norm.index("会议") + 2)
    >>> tm.source[s:e]
    '會(huì)議'

    ``join_wraps=False`` keeps every line break: the view for what is read
    line by line (a title and the line under it).
    """
    changed = _changed_by_nfkc()
    parts: list[str] = []
    starts = array("i")
    ends = array("i")

    ident = _identity(len(text) + 1)

    def plain(a: int, b: int) -> None:
        if b > a:
            parts.append(text[a:b])
            starts.extend(ident[a:b])  # a copy of memory, where a range was a Python int per character
            ends.extend(ident[a + 1:b + 1])

    def segment(a: int, b: int) -> None:
        i = a
        for m in changed.finditer(text, a, b):
            plain(i, m.start())
            nf = _nfkc(m.group())
            parts.append(nf)
            starts.extend([m.start()] * len(nf))
            ends.extend([m.start() + 1] * len(nf))
            i = m.end()
        plain(i, b)

    pos = 0
    for ds, de, gloss in _dropped_spans(text, join_wraps):
        if ds < pos:
            continue
        segment(pos, ds)
        if gloss and ends:
            # a gloss belongs to the character before it: 會(huì) maps back whole
            ends[-1] = de
        pos = de
    segment(pos, len(text))
    norm = to_simplified("".join(parts))
    return TextMap(text, norm, starts, ends)
