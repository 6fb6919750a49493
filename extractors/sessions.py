"""Sessions a report names (市十七届人大六次会议, 市政协十四届五次会议) and the
years the text ties them to (2016年省十二届人大四次会议期间).

Congress and CPPCC plenary sessions are annual: within one term the n-th
session falls n-1 years after the first. A report that names only its
session (市五届人大四次会议以来) gets its year from another report of the same
place that ties a session of that term to a year (pipeline/compare.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .numerals import chinese_to_int

_CN = "一二三四五六七八九十"
# one session's words, from the body named before its term to 次会议 (the proposal extractor
# puts the place words before it: extractors/proposals.py): 县人民代表大会十八届四次会议,
# 十三届全国人大二次会议, 政协第十四届全国委员会第一次会议
SESSION_WORDS = (rf"(?P<body1>人大|政协|人民代表大会)?第?(?P<term>[{_CN}]{{1,4}})届(?P<nat>全国)?"
                 rf"(?P<body2>人大常委会|人大|政协|人民代表大会|委员会|政治协商会议)?"
                 rf"第?(?P<no>[{_CN}]{{1,4}})次(?:会议|全会|全体会议)")
_SESSION = re.compile(SESSION_WORDS)
# the year written right before the session: 2016年省十二届人大四次会议期间
_YEAR_BEFORE = re.compile(r"((?:19|20)\d\d)年(?:度)?[^,,。;;!?\d年]{0,8}$")


@dataclass(frozen=True)
class Session:
    level: str | None  # 省/市/州/区/县 or 全国 where the text says: a province's term is not its cities'
    body: str | None  # 人大 / 政协 / None where the text does not say
    term: int
    no: int
    start: int
    end: int
    year: int | None  # the year the text ties it to, where it does


def find(norm: str) -> list[Session]:
    out = []
    for m in _SESSION.finditer(norm):
        term, no = chinese_to_int(m.group("term")), chinese_to_int(m.group("no"))
        if not term or not no or "常委会" in (m.group("body2") or "") or norm.startswith("常委会", m.start("no") - 4):
            continue  # standing-committee meetings (人大常委会第三十七次会议) are not annual
        # (中国人民政治协商会议第十四届全国委员会第一次会议: the CPPCC written out)
        words = (m.group("body1") or "") + (m.group("body2") or "") + norm[max(0, m.start() - 4):m.start()]
        cppcc = "政协" in words or norm.endswith("政治协商会议", 0, m.start())
        body = "政协" if cppcc else "人大" if ("人大" in words or "人民代表" in words) else None
        ym = _YEAR_BEFORE.search(norm[max(0, m.start() - 14):m.start()])
        lm = re.search(r"(全国|[省市州区县旗])(?:人大|政协)?$", norm[max(0, m.start() - 4):m.start()])
        level = "全国" if m.group("nat") else lm.group(1) if lm else None  # 十四届全国人大二次会议
        out.append(Session(level, body, term, no, m.start(), m.end(),
                           int(ym.group(1)) if ym else None))
    return out


def year_of(session: Session, ties: dict[tuple, int]) -> int | None:
    """The year of a session from ties {(level, body, term, no): year} of the
    same place: 五届五次 = 2022 → 五届四次 = 2021."""
    same = [(k, y) for k, y in ties.items()
            if k[2] == session.term and (session.body is None or k[1] in (None, session.body))
            and (session.level is None or k[0] in (None, session.level))]
    if not same:
        return None
    (_, _, _, no), y = min(same, key=lambda kv: abs(kv[0][3] - session.no))
    return y + (session.no - no)


@lru_cache(maxsize=1)
def _calendar() -> dict:
    from importlib import resources

    from pipeline.yamlload import safe_load

    return safe_load(resources.files("extractors.resources").joinpath("sessions.yaml").read_text("utf-8"))


def national_term_start(body: str | None, term: int) -> int | None:
    """The year a national term began (resources/sessions.yaml).

    >>> national_term_start("政协", 14), national_term_start("人大", 12), national_term_start(None, 12)
    (2023, 2013, None)
    """
    return _calendar()["全国"].get(body, {}).get(term) if body else None


def national_year(session: Session) -> int | None:
    """The year of a national session (十三届全国人大五次会议 → 2022): its term's
    start year + N − 1; None for a local session or an unknown term.

    >>> national_year(Session("全国", "人大", 13, 5, 0, 0, None))
    2022
    """
    start = national_term_start(session.body, session.term) if session.level == "全国" else None
    return start + session.no - 1 if start else None


def main_session(found: list[Session]) -> Session | None:
    """The session a report is about: the one it names most (the first of
    equals)."""
    counts: dict[tuple, int] = {}
    for s in found:
        counts[(s.body, s.term, s.no)] = counts.get((s.body, s.term, s.no), 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda k: (counts[k], -next(i for i, s in enumerate(found) if (s.body, s.term, s.no) == k)))
    return next(s for s in found if (s.body, s.term, s.no) == best)
