"""One document's context, built once and read by every extractor: the
normalized view (pipeline.textmap), its sentences and the heading path over
each of them.

A sentence is what GOLD.md §7 calls one: the text between two of `。！？!?`
or a line break (`，,；;、：:` do not end one). The normalized view has
`！？` as `!?` already (NFKC). The `sentences` table of the dataset and the
extractors' scope rules share this one definition, and the narrower units
(segment, clause) are defined beside it, once.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.textmap import TextMap, build as build_map

# The stops of the three units the extractors read, in the normalized view
# (NFKC has made ，；：！？ ASCII): a sentence; a segment, which a ; also ends
# (GOLD.md §7 keeps a ;-clause in its sentence for scope, but a list item
# stops there); a clause, which a , or : also ends.
SENTENCE = "。!?\n"
SEGMENT = SENTENCE + ";"
CLAUSE = SEGMENT + ",:"
_SENTENCE = re.compile(r"[^。!?\n]+[。!?]*")


class Stops:
    """`bounds` for many lookups in one text: the stops' positions found once,
    each lookup a binary search (a text of thousands of numbers in one run-on
    sentence stays linear).

    >>> Stops("共6件,已办结。其中主办4件;协办2件。", SEGMENT).around(12, 14)  # 4件: 其中主办4件
    (8, 14)
    """

    def __init__(self, text: str, stops: str = SENTENCE):
        self.n = len(text)
        self.pos = [m.start() for m in re.finditer(f"[{re.escape(stops)}]", text)]

    def around(self, i: int, j: int) -> tuple[int, int]:
        k = bisect.bisect_left(self.pos, i)  # stops before i: pos[:k]
        a = self.pos[k - 1] + 1 if k else 0
        m = bisect.bisect_left(self.pos, j)
        return a, (self.pos[m] if m < len(self.pos) else self.n)


def bounds(text: str, i: int, j: int, stops: str = SENTENCE) -> tuple[int, int]:
    """[a, b) of the unit around text[i:j]: a right after the stop before i,
    b at the first stop from j (the stop itself excluded).

    >>> t = "共6件,已办结。其中主办4件;协办2件。"
    >>> [t[slice(*bounds(t, t.index("4件"), t.index("4件") + 2, u))] for u in (SENTENCE, SEGMENT, CLAUSE)]
    ['其中主办4件;协办2件', '其中主办4件', '其中主办4件']
    """
    return _stops(text, stops).around(i, j)


@lru_cache(maxsize=16)
def _stops(text: str, stops: str) -> "Stops":
    """The stops of a text, found once however many units are looked up in it
    (a scan per lookup made a text of many numbers quadratic)."""
    return Stops(text, stops)

# Heading markers by level: 一、 (一) 1. (1)
_HEADING = [
    (1, re.compile(r"^\s*[一二三四五六七八九十]+、")),
    (2, re.compile(r"^\s*[(（][一二三四五六七八九十]+[)）]")),
    (3, re.compile(r"^\s*\d+[.．、](?!\d)")),
    (4, re.compile(r"^\s*[(（]\d+[)）]")),
]
_PROPOSAL_NO = re.compile(r"第\s*([0-9]{1,8})\s*号")


@dataclass(frozen=True)
class Sentence:
    n: int  # 0-based order in the document
    start: int  # span in the normalized view, whitespace trimmed
    end: int
    section: str | None  # heading path (一、承办情况/(二)办理结果), None before the first heading


@dataclass(frozen=True)
class Heading:
    start: int  # offset of its line in the normalized view
    path: str  # the path down to it: 一、基本情况/(一)承办情况
    proposal_number: str | None  # a section about one numbered proposal (1.关于第0125号建议的办理)


@dataclass
class Context:
    tm: TextMap
    sentences: list[Sentence] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        return self.tm.to_source(start, end)


def headings(norm: str) -> list[Heading]:
    """Each heading line with its path: a heading closes the ones of its level
    and below. Only a number in the heading itself makes the section about one
    proposal (1.关于第0125号建议的办理), not one in its paragraph."""
    stack: list[tuple[int, str]] = []
    out = []
    for m in re.finditer(r"[^\n]+", norm):
        line = m.group()
        for level, rx in _HEADING:
            hm = rx.match(line)
            if not hm:
                continue
            marker = hm.group().strip()
            rest = line[hm.end():]
            head = re.split(r"[,,。;;::!!??]", rest, 1)[0]
            label = marker + head if 0 < len(head) <= 15 else marker
            stack = [x for x in stack if x[0] < level] + [(level, label)]
            pn = _PROPOSAL_NO.search(marker + re.split(r"[。;;::]", rest, 1)[0][:60])
            out.append(Heading(m.start(), "/".join(x[1] for x in stack), pn.group(1) if pn else None))
            break
    return out


def sentences(norm: str, heads: list[Heading] | None = None) -> list[Sentence]:
    """The sentences of the normalized view, trimmed, each with its section.

    >>> norm = "一、承办情况\\n共承办建议6件,已全部办结。其中主办4件!"
    >>> [norm[s.start:s.end] for s in sentences(norm)]
    ['一、承办情况', '共承办建议6件,已全部办结。', '其中主办4件!']
    >>> sentences("一、承办情况\\n共6件。")[1].section
    '一、承办情况'
    """
    heads = headings(norm) if heads is None else heads
    starts = [h.start for h in heads]
    out = []
    for m in _SENTENCE.finditer(norm):
        a, b = m.start(), m.end()
        while a < b and norm[a].isspace():
            a += 1
        while b > a and norm[b - 1].isspace():
            b -= 1
        if a == b:
            continue
        i = bisect.bisect_right(starts, a) - 1
        out.append(Sentence(len(out), a, b, heads[i].path if i >= 0 else None))
    return out


def build(text: str, tm: TextMap | None = None) -> Context:
    """The context of a document's text (its TextMap, when already built)."""
    tm = tm or build_map(text)
    heads = headings(tm.norm)
    return Context(tm, sentences(tm.norm, heads), heads)
