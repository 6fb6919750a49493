"""Numeric indicators: every quantity with a unit, measure word or percent
sign (GOLD.md §5), with its value in base units, unit, qualifier, role and
reference year, and evidence offsets into the source text.

Quantities are found on characters of the normalized view (jieba splits
`3200万余人次` into `3200 / 万余人次`); context words come later
(extractors/labels.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from pipeline.textmap import TextMap, build
from pipeline.yamlload import safe_load
from . import context
from .context import CLAUSE, SEGMENT, bounds
from .numerals import chinese_to_int, normalize_decimal, parse_number
from .records import Quantity  # built once, never changed: the record itself

_AR = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = r"[零〇○一二两三四五六七八九十百千万亿]+"  # ○ (U+25CB) writes zero in 二○○九年 as often as 〇
_SEP = r"\s*(?:至|到|-|~|～|—|－|–)\s*"
_CORE = re.compile(
    rf"""
    (?P<pctcn>百分之(?P<pctnum>{_AR}|[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?))
  | (?P<num>{_AR}|{_CN})
    (?:(?P<sep>{_SEP})(?P<num2>{_AR}|{_CN}))?
    """,
    re.X,
)
_MULT = {"万亿": Decimal(10) ** 12, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6, "亿": Decimal(10) ** 8,
         "万": Decimal(10) ** 4, "千": Decimal(1000), "百": Decimal(100)}
# Qualifier words glued to the number (they belong in the surface).
_PREFIX = [
    ("大约", "approx"), ("约", "approx"), ("将近", "approx"), ("接近", "approx"), ("近", "approx"),
    ("超过", "at_least"), ("逾", "at_least"), ("不低于", "at_least"), ("不少于", "at_least"), ("至少", "at_least"),
    ("突破", "at_least"), ("≥", "at_least"), (">", "at_least"), ("大于", "at_least"), ("高于", "at_least"),
    ("不足", "at_most"), ("不到", "at_most"), ("不超过", "at_most"), ("低于", "at_most"), ("少于", "at_most"),
    ("≤", "at_most"), ("<", "at_most"), ("小于", "at_most"),
]
_PREFIX.sort(key=lambda p: -len(p[0]))  # 不超过 before 超过
_RANGE_TAIL = re.compile(rf"{_SEP}({_AR}|{_CN})")
_PCT_RANGE_TAIL = re.compile(rf"{_SEP}({_AR})\s?%")
_CLASSIFIED_TIME = re.compile(r"个(多|余|半)?(月|工作日|小时|星期)")
_SUFFIX = [("以上", "at_least"), ("以下", "at_most"), ("以内", "at_most"), ("之内", "at_most"),
           ("左右", "approx"), ("上下", "approx")]
# 约占29%: the qualifier is a word away from the number (not in the surface).
_DETACHED_APPROX = re.compile(r"约(占|为|有|达|合|计)?\s*$|占比约\s*$")
# A goal or plan figure (GOLD.md §5 role `target`): 目标≥78%, 计划投入1.18亿元,
# 今年我局将实施…改造7个老旧小区. 列入计划/工作计划 is a status, not a plan;
# 计划 as a noun names a thing (计划财贸类, 计划报告, 政府、计划、财政), not a plan.
_PLAN = re.compile(
    r"(?<!列入)(?<!纳入)(?<!工作)(?<!年度)计划"
    r"(?!解决|逐步|生育|财贸|报告|单列|经济|部门|[委局处科股]|[、,。;:的中内外和与及])|拟"
    # 将 as "will" (将实施, 将在城东片区新增), not as the object marker (将您提出的建设…建议纳入)
    r"|将(?:在[^,。;]{0,8}?)?(?:继续|进一步)?(实施|建设|新建|新增|改造|提质|投入|完成|开展|推进)"
    # what a project will give once done: 建成后可新增133个停车位, 实施后可解决59860人饮水问题
    r"|(建成|实施|完工|竣工|投用|投入使用)后")
# 目标 is a goal only in the number's own clause (目标≥78%, 年度目标≥90%); a
# sentence that works 围绕…目标任务 and then counts what it did sets no goal.
_GOAL = re.compile(r"目标")
# A plan or goal the sentence measures an outcome against (完成投资5亿元,超过计划目标;
# 超额完成了省定任务): its figures are what was achieved, not what is planned.
_MEASURED = re.compile(r"(完成|实现|达到|达成|超过|超出|超额|突破|高于)[^,。;\d%]{0,8}?(计划|目标|任务)|超计划")
# What was achieved against a goal is an outcome: 截至9月底已完成2.31万人, 完成全年目标的82.5%,
# 争取到资金200万元 (sought and obtained)
_OUTCOME = re.compile(r"已|截至|截止|实际|累计|(目标|计划)的\s*$|争取(到|了)")
# The items a plan word describes (列入计划拟解决或拟采纳的208件,占44.9%; 计划落实的(A类)186件):
# a count of proposals in the planned class and its share, not a planned figure.
_PLANNED_CLASS = re.compile(r"的\s*(\([^()]{0,8}\))?\s*(建议|提案|议案|意见)?\s*[\d一二三四五六七八九十两百千]")
# A year that something is compared with (较2022年的120件增加16件): only the
# figure right after it is about that year.
_COMPARED_YEAR = re.compile(r"(较|比|与|同比|是)\s*$")
# In the number's own clause only: 争取支持理解 earlier in a sentence is no goal.
_TARGET_CLAUSE = re.compile(r"确保|力争|争取(?!到|了)")
_TARGET_AFTER = re.compile(r"^[^,;。]{0,12}为(总)?目标")
# A year that frames a statement (2021年共147件); not one that describes a
# thing (2000年以前建成的老旧小区) nor a date (2021年9月).
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d)(?!\s*(以前|之前|前|以后|之后|后))")
_QUOTES = re.compile(r"“[^“”\n]{0,80}”|\"[^\"\n]{0,80}\"|《[^《》\n]{0,120}》|「[^「」\n]{0,80}」|〝[^〝〞\n]{0,80}[〞”]")


@dataclass(frozen=True)
class _Lexicon:
    units: dict[str, tuple[str, str]]  # spelling → (unit, kind)
    by_first: dict[str, list[str]]  # first char → spellings, longest first
    vetoes: tuple[dict, ...]


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    res = resources.files("extractors.resources")
    data = safe_load(res.joinpath("units.yaml").read_text("utf-8"))
    units: dict[str, tuple[str, str]] = {}
    for u in data["units"]:
        for spelling in ([u["unit"]] if u.get("bare", True) else []) + u.get("aliases", []):
            units[spelling] = (u["unit"], u["kind"])
    by_first: dict[str, list[str]] = {}
    for s in sorted(units, key=len, reverse=True):
        by_first.setdefault(s[0], []).append(s)
    vetoes = []
    for v in safe_load(res.joinpath("vetoes.yaml").read_text("utf-8"))["vetoes"]:
        vetoes.append({k: re.compile(v[k]) for k in ("before", "after", "surface") if k in v} | {"name": v["name"]})
    return _Lexicon(units, by_first, tuple(vetoes))


def _match_unit(text: str, i: int) -> str | None:
    for s in lexicon().by_first.get(text[i:i + 1], ()):
        if text.startswith(s, i):
            return s
    return None


def _quoted(norm: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTES.finditer(norm)]


def _inside(spans: list[tuple[int, int]], i: int) -> bool:
    import bisect

    k = bisect.bisect_right(spans, (i, float("inf"))) - 1
    return k >= 0 and spans[k][0] < i < spans[k][1]


def _vetoed(norm: str, s: int, e: int) -> str | None:
    surface = norm[s:e]
    before = norm[max(0, s - 12):s]
    after = norm[e:e + 12]
    for v in lexicon().vetoes:
        if "surface" in v and not v["surface"].search(surface):
            continue
        if "before" in v and not v["before"].search(before):
            continue
        if "after" in v and not v["after"].search(after):
            continue
        return v["name"]
    return None


def _num(s: str) -> Decimal | None:
    if "点" in s:  # 九十六点五: a Chinese decimal
        whole, _, frac = s.partition("点")
        w = chinese_to_int(whole)
        digits = [chinese_to_int(c) for c in frac]
        if w is None or None in digits:
            return None
        return Decimal(f"{w}.{''.join(map(str, digits))}")
    if re.fullmatch(_CN, s):
        v = chinese_to_int(s)
        return Decimal(v) if v is not None else None
    return parse_number(s)


def find(norm: str) -> list[dict]:
    """Quantities in a normalized text: spans of ``norm`` and values.

    >>> [(q["surface"], str(q["value"]), q["unit"], q["qualifier"]) for q in find("共计筛查3200万余人次,约35万条,3至5万元")]
    [('3200万余人次', '32000000', '人次', 'at_least'), ('约35万条', '350000', '条', 'approx'), ('3至5万元', '30000', '元', 'range')]
    """
    out: list[dict] = []
    quoted = _quoted(norm)
    pos = 0
    while True:
        m = _CORE.search(norm, pos)
        if not m:
            break
        got, pos = _read_number(norm, m)
        if got is None:
            continue
        s, e, v, vmax, unit, kind, qual = _qualify(norm, *got)
        if _inside(quoted, s) or _inside(quoted, e - 1) or _vetoed(norm, s, e):
            continue
        out.append({"start": s, "end": e, "surface": norm[s:e], "value": normalize_decimal(v),
                    "value_max": normalize_decimal(vmax) if vmax is not None else None,
                    "unit": unit, "kind": kind, "qualifier": qual})
        pos = max(pos, e)
    return out


def _read_number(norm: str, m: re.Match) -> tuple[tuple | None, int]:
    """The number a core match starts and the unit after it: ((start, end,
    value, value_max, unit, kind, qualifier), where to search on) or (None,
    where to search on) when it is no quantity."""
    s, pos = m.start(), m.end()
    if m.group("pctcn"):
        v = Decimal(100) if m.group("pctnum") == "百" else _num(m.group("pctnum"))
        return (None if v is None else (s, m.end(), v, None, "%", "percent", "exact")), pos
    num, num2 = m.group("num"), m.group("num2")
    # A digit run glued to a letter or digit before it is part of a code (G20, 12345热线).
    if s > 0 and (norm[s - 1].isascii() and norm[s - 1].isalnum() or norm[s - 1] == "."):
        return None, pos
    e, v, vmax = m.end("num"), _num(num), None
    if num2 is not None:
        v2 = _num(num2)
        if v2 is not None and v is not None:
            e, vmax = m.end("num2"), v2
    if v is None and num in ("百", "千", "万") and norm.startswith(("余", "多"), e):
        v = _MULT[num]  # 百余家, 千余人: a hundred and more
    if v is None:
        # a run of numerals that is no number names a thing (十三五期间 is the plan
        # period, not 五期; 二三十个 is no count of 三十): skip it whole; a word
        # that only starts with a multiplier (百家, 千家万户) is skipped a character
        return None, (m.end("num") if re.search(r"[一二两三四五六七八九十]", num) else s + 1)
    e, mult = _take_mult(norm, e, num if vmax is None else num2)
    if vmax is None and mult != 1:
        # 10万至20万元: each end carries its own multiplier
        rm = _RANGE_TAIL.match(norm, e)
        if rm:
            e2, mult2 = _take_mult(norm, rm.end(), rm.group(1))
            if mult2 != 1 and _match_unit(norm, e2):
                v, vmax, e = v * mult, _num(rm.group(1)) * mult2, e2
                mult = Decimal(1)
    got = _unit_after(norm, num, s, e, v, mult)
    if got is None:
        return None, (max(pos, e) if e > s else s + 1)
    e, v, unit, kind, qual = got
    if vmax is not None:
        vmax, qual = vmax * mult, "range"
    if unit == "年" and _is_date_year(norm, num, e):
        return None, pos
    return (s, e, v, vmax, unit, kind, qual), pos


def _is_date_year(norm: str, num: str, e: int) -> bool:
    """A calendar year is a date, not a span: 2022年, 二〇二二年, 二○○九年, and
    any N年 that a month follows (20年11月: a year split or shortened)."""
    if re.fullmatch(r"(19|20)\d{2}", num) or (len(num) == 4 and all(c in "〇○零一二三四五六七八九" for c in num)):
        return True
    return re.match(r"\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月", norm[e:e + 6]) is not None


def _unit_after(norm: str, num: str, s: int, e: int, v: Decimal, mult: Decimal) -> tuple | None:
    """The unit (measure word, 个+classifier, %) after the number and the
    qualifier inside it (3200万余人次, 三个多月): (end, value, unit, kind,
    qualifier), or None where no unit follows."""
    qual = "exact"
    if norm.startswith(("余", "多"), e) and _match_unit(norm, e + 1):
        e += 1
        qual = "at_least"
    if mult != 1 and norm.startswith(("余", "多"), e) and _match_unit(norm, e + 1):
        e += 1
        qual = "at_least"
    cm = _CLASSIFIED_TIME.match(norm, e)
    classified = None
    if cm and cm.group(1):
        # 三个多月, 两个半月: 个 is a classifier, 多/半 sit inside the unit
        if cm.group(1) in ("多", "余"):
            qual = "at_least"
        else:
            v = v + Decimal("0.5")
        classified = cm.group(2)
    unit_sp = _match_unit(norm, e) if classified is None else None
    if unit_sp is None and norm.startswith(" ", e) and _match_unit(norm, e + 1) in ("%", "‰"):
        e += 1  # 13 %: a space a PDF or an editor left before the sign
        unit_sp = _match_unit(norm, e)
    if classified is not None:
        unit, kind = lexicon().units["个" + classified]
        e = cm.end()
    elif unit_sp is None:
        # 十成 = 100%: Chinese numeral + 成 as a share
        if re.fullmatch(r"[一二三四五六七八九十]", num) and norm.startswith("成", e) and (
                e + 1 >= len(norm) or norm[e + 1] in ",,。;;、以左多的"):
            return e + 1, v * mult * 10, "%", "percent", qual
        return None
    else:
        unit, kind = lexicon().units[unit_sp]
        e += len(unit_sp)
    return e, v * mult, unit, kind, qual


def _qualify(norm: str, s: int, e: int, v, vmax, unit: str, kind: str, qual: str) -> tuple:
    """Ranges and qualifiers around a quantity: 20%~30%, 5个工作日内, 60%以上,
    十年多, 约35万条 (近两年 is the last two years, not nearly)."""
    if unit in ("%", "‰") and vmax is None:
        pm = _PCT_RANGE_TAIL.match(norm, e)
        if pm:  # 20%~30%
            vmax, qual, e = _num(pm.group(1)), "range", pm.end()
    if kind == "time" and norm.startswith("内", e) and not norm.startswith("内容", e):
        e += 1  # 5个工作日内, 24小时内: within
        qual = "at_most" if qual == "exact" else qual
    for word, q in _SUFFIX:
        if norm.startswith(word, e):
            e += len(word)
            if qual == "exact":
                qual = q
            break
    if qual == "exact" and norm.startswith(("多", "余"), e) and unit in ("年", "个月", "天", "小时"):
        e += 1
        qual = "at_least"
    before = norm[max(0, s - 4):s]
    for word, q in _PREFIX:
        if before.endswith(word):
            if word == "近" and kind == "time":
                break  # 近两年: "the last two years", not "nearly"
            s -= len(word)
            if qual == "exact":
                qual = q
            break
    else:
        if qual == "exact" and _DETACHED_APPROX.search(norm[max(0, s - 4):s]):
            qual = "approx"
    return s, e, v, vmax, unit, kind, qual


def _take_mult(norm: str, e: int, num: str) -> tuple[int, Decimal]:
    """A multiplier after an Arabic number (3200万, 1.18亿), unless it starts
    a unit (3千米, 5千克, 2百分点)."""
    if not re.match(r"\d", num):
        return e, Decimal(1)
    for w in ("万亿", "千万", "百万", "亿", "万", "千", "百"):
        if norm.startswith(w, e):
            unit_here = _match_unit(norm, e)
            if unit_here and len(unit_here) > len(w) and not _match_unit(norm, e + len(w)):
                return e, Decimal(1)
            return e + len(w), _MULT[w]
    return e, Decimal(1)


def sentence_bounds(norm: str, s: int, e: int) -> tuple[int, int]:
    """A quantity's evidence sentence: its segment (context.SEGMENT), stop included."""
    a, b = bounds(norm, s, e, SEGMENT)
    return a, (b + 1 if b < len(norm) else b)


def _clause_start(norm: str, s: int) -> int:
    return bounds(norm, s, s, CLAUSE + "(")[0]  # (an opening bracket starts a clause too)


_TOPIC_YEAR = re.compile(r"\s*(?:度|以来|上半年|下半年|全年|底|末)?\s*[,,]")
_RAISED_TO = re.compile(r"(?:提高|提升|上升|增加|增长|下降|降低|减少|降)(?:到|至)\s*$")
# 较上年的97.8%, 比去年同期的601件: the value of the year before the report's
_PREV_YEAR = re.compile(r"(?:比|较|同比|高于|低于|超过|与|从)?(?:上年|去年|上一年)(?:同期)?(?:的|为)\s*$")


def _role(norm: str, a: int, b: int, ns: int, ne: int, measured: bool) -> str | None:
    """`target` for a planned or goal figure (GOLD.md §5) of the sentence
    norm[a:b], else None: only what is planned is a target, not what was
    achieved against a plan."""
    cs = _clause_start(norm, ns)
    if norm.startswith("即", cs) and cs - 1 > a:
        cs = _clause_start(norm, cs - 1)  # 力争做到三个100%,即见面率达到100%: namely, the same goal
    clause = norm[cs:ns]
    if _OUTCOME.search(clause):
        return None
    if _TARGET_CLAUSE.search(clause) or _TARGET_AFTER.search(norm[ne:ne + 20]):
        return "target"
    if measured:
        # 完成投资5亿元,超过计划目标: the plan is the yardstick, not this figure;
        # only a plan in the number's own clause makes it the planned one
        planned = (_planned(norm, cs, ns, ne) or _GOAL.search(clause)) and not _MEASURED.search(clause)
    else:
        planned = _planned(norm, a, ns, ne) or _GOAL.search(clause)
    return "target" if planned else None


def _planned(norm: str, a: int, ns: int, ne: int) -> bool:
    """A plan word in norm[a:ns] that plans, not one that names the planned
    class of the items counted (列入计划拟解决的208件)."""
    for m in _PLAN.finditer(norm, max(a, ns - 200), ns):  # (a plan word far back in a run-on sentence plans nothing here)
        stop = min([i for i in (norm.find(c, m.end(), ne) for c in ",;:") if i >= 0] or [ne])
        if not _PLANNED_CLASS.search(norm, m.end(), min(stop, ne)):
            return True
    return False


def _national_sessions(norm: str) -> list[tuple[int, int]]:
    """(position, year) of each national session the text names (十三届全国人大五次会议:
    2022, from the national terms' years in resources/sessions.yaml)."""
    from . import sessions

    return [(x.start, y) for x in sessions.find(norm) if (y := sessions.national_year(x))]


def _national_session_year(national: list, a: int, ns: int, doc_year: int) -> int | None:
    """The year of the one national session a number's sentence names before it,
    where that is not the report's year (a 2021 report's 十三届全国人大五次会议期间,
    代表提出建议9203件 is 2022's intake, GOLD.md §7.11's F31)."""
    years = {y for pos, y in national if a <= pos < ns}
    return years.pop() if len(years) == 1 and doc_year not in years else None


def _ref_year(norm: str, a: int, ns: int, quoted: list, doc_year: int | None, national: list) -> int | None:
    """The year a value is tied to where it is not the report's: a year in its
    clause or opening its sentence, the year before (比上年的601件), a national
    session of another year. A document of no known year still ties a value to
    the year its clause states (2001年,共收到提案66件 in a chronicle of several years)."""
    ref_year = None
    years = [y for y in _YEAR.finditer(norm, a, ns) if not _inside(quoted, y.start())]
    # a year counts in the number's own clause, or as the topic of the
    # sentence (2022年,全市新建…; 2016年市政协共立案…,办复率100%), where it
    # opens a clause; not the year of another event
    # (在2019年出台实施办法的基础上,将补助标准由每台15万元…)
    years = [y for y in years if not re.search(r"[,,;;::]", norm[y.end():ns])
             or _TOPIC_YEAR.match(norm, y.end())
             or not norm[a:y.start()].strip() or norm[a:y.start()].rstrip()[-1] in ",,;;::"]
    if _RAISED_TO.search(norm, max(a, ns - 4), ns):
        years = []  # 由2019年的54.78%提高到62.16%: the later value is the report's year
    if years:
        ym = years[-1]
        y = int(ym.group(1))
        compared = _COMPARED_YEAR.search(norm[max(0, ym.start() - 3):ym.start()])
        if compared and not re.fullmatch(r"\s*的?\s*", norm[ym.end():ns]):
            # 较2022年的120件 is about 2022; 与2020年相比…增加29件 is this year's change
            y = doc_year
        ref_year = y if y != doc_year else None
    clause = norm[_clause_start(norm, ns):ns]
    if ref_year is None and doc_year and _PREV_YEAR.search(clause):
        ref_year = doc_year - 1  # 满意率较上年的97.8%, 比上年的601件: last year's value
    if ref_year is None and doc_year and not years:
        ref_year = _national_session_year(national, a, ns, doc_year)
    return ref_year


def extract(text: str, doc_year: int | None = None, tm: TextMap | None = None) -> list[Quantity]:
    """Quantities of a document (frozen records), with offsets into ``text``."""
    import bisect

    tm = tm or build(text)
    norm = tm.norm
    sections = [(h.start, h.path, h.proposal_number) for h in context.headings(norm)]
    sec_starts = [x[0] for x in sections]
    quoted = _quoted(norm)
    measured: dict[tuple[int, int], bool] = {}  # sentence → does it measure an outcome against a plan
    national = _national_sessions(norm) if doc_year else []
    out: list[Quantity] = []
    for q in find(norm):
        ns, ne = q["start"], q["end"]
        s, e = tm.to_source(ns, ne)
        a, b = sentence_bounds(norm, ns, ne)
        sa, sb = tm.to_source(a, b)
        if (a, b) not in measured:  # once per sentence: a run-on sentence of many numbers stays linear
            measured[(a, b)] = _MEASURED.search(norm, a, b) is not None
        role = _role(norm, a, b, ns, ne, measured[(a, b)])
        ref_year = _ref_year(norm, a, ns, quoted, doc_year, national)
        k = bisect.bisect_right(sec_starts, ns) - 1
        section, pnum = (sections[k][1], sections[k][2]) if k >= 0 else (None, None)
        if k >= 0 and pnum is None:
            # the nearest heading above that names a proposal number
            for j in range(k, -1, -1):
                if sections[j][2] and sections[k][1].startswith(sections[j][1]):
                    pnum = sections[j][2]
                    break
        out.append(Quantity(
            start=s, end=e, surface=text[s:e], value=q["value"], unit=q["unit"], kind=q["kind"],
            qualifier=q["qualifier"], value_max=q["value_max"], role=role, ref_year=ref_year,
            section=section, proposal_number=pnum, sentence=text[sa:sb].strip(), sentence_start=sa,
            nstart=ns, nend=ne,
        ))
    return out
