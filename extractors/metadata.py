"""Document metadata: title, region, handling year, publisher, published date.

Conventions (GOLD.md §1): the title as written; the region as an
administrative chain, never invented; the *handling* year (the year the
report is about), not the publication year; the publication date as
YYYY-MM-DD where the page states one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources

import yaml

from pipeline.textmap import TextMap, build, strip_glosses
from . import regions


@lru_cache(maxsize=1)
def _vocab() -> dict:
    return yaml.safe_load(resources.files("extractors.resources").joinpath("metadata.yaml").read_text("utf-8"))


def _alt(words) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


_DATE = (
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日)"
)
_DATE_DMY = r"(?P<d3>\d{1,2})\.(?P<m3>\d{1,2})\.(?P<y3>(?:19|20)\d{2})"  # 21.08.2018  09:55
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_INFO = re.compile(r"发布(时间|日期)|公开日期|来源\s*[::]|浏览|阅读|索\s*引\s*号|公开目录")
_ENUM_IN_LINE = re.compile(r"\s+(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])")
# 标题:…; 信息名称  关于…的答复  成文日期…; - 中文名:關於…的答覆 (an information-disclosure
# table or an encyclopedia box names the title in a field)
_LABELLED_TITLE = re.compile(r"(?:(?:文章)?标题\s*[::]\s*|(?:^\s*|\s{2,}|^-\s*)(?:信息名称|中文名|标\s*题|名\s*称)\s*[::]?\s*)",
                             re.M)
# page N -, 第2页 共5页, 【第1篇 (a collection site's item number)
_PAGE_PREFIX = re.compile(r"^(?:page|p\.)\s*\d+\s*[-–—:]\s*|^第\s*\d+\s*页\s*(?:共\s*\d+\s*页)?|^【第\s*\d+\s*篇\s*", re.I)
# what follows a title on its line and is not the title: 发布日期:…, 来源:…, an anti-copy run of ASCII
_TITLE_TAIL = re.compile(r"\s*(?:发布日期|发布时间|来源|信息来源)\s*[::].*$"
                         r"|(?<=[^\x00-\x7f])\s*[\x21-\x7e](?=[\x20-\x7e]*\s[\x20-\x7e]*\s)[\x20-\x7e]{5,}$")
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|wps|txt|html?)(?![a-z])", re.I)
_EMPTY_BRACKETS = re.compile(r"[(（]\s*[)）]\s*$")


@dataclass
class Field:
    value: object
    start: int | None = None
    end: int | None = None
    source: str = "text"


@dataclass
class Metadata:
    title: Field = field(default_factory=lambda: Field(None))
    region: Field = field(default_factory=lambda: Field(None))
    year: Field = field(default_factory=lambda: Field(None))
    published: Field = field(default_factory=lambda: Field(None))
    publisher: Field = field(default_factory=lambda: Field(None))
    year_inferred: bool = False
    year_basis: str | None = None  # the rule that decided the year (precedence.yaml document.year)

    def values(self) -> dict:
        return {k: getattr(self, k).value for k in ("title", "region", "year", "published", "publisher")}


def _lines(text: str, limit: int = 40):
    """(start, end, stripped line) of the first ``limit`` non-empty lines."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        s = m.group()
        lead = len(s) - len(s.lstrip())
        body = s.strip()
        if body:
            out.append((m.start() + lead, m.start() + lead + len(body), body))
            if len(out) >= limit:
                break
    return out


def _is_body_sentence(s: str) -> bool:
    return "。" in s[:-1] or s.count(",") + s.count(",") >= 3 or s.endswith(("。", ";", ";", ":", ":"))


def _title_like(s: str) -> bool:
    from pipeline.ingest.chrome import is_chrome

    if len(s) < 6 or len(s) > 120 or is_chrome(s) or " | " in s or _INFO.search(s) or _FILE_NAME.search(s):
        return False
    if re.search(r"\s[>＞»›]\s|>>|»", s) or s.count("/") >= 2 or re.match(r"(?:您当前的位置|当前位置|您的位置)", s):
        return False  # a breadcrumb: 九江市人民政府办公室 > 政务公开 > 建议提案办理; 首页/政务公开/…
    if _is_body_sentence(s):
        return False
    return re.search(_alt(_vocab()["title_keywords"]), s) is not None


_ORG_LINE = re.compile(r"[\u4e00-\u9fff]{2,40}(?:局|委员会|委|厅|办公室|人民政府|政府|中心|会议)")


def _strong(s: str) -> bool:
    return bool(_YEAR.search(s)) or s.startswith("关于") or len(s) >= 14


def extract_title(tm: TextMap) -> Field:
    """The report's own title: a labelled field, else the first title-like line
    of the head (cut where it runs on, joined where it breaks, headed by the
    unit named on the line above when it names no one)."""
    labelled = _labelled_title(tm)
    if labelled is not None:
        return labelled
    lines = _lines(tm.norm, 25)
    for i, (s, e, line) in enumerate(lines):
        pm = _PAGE_PREFIX.match(line)
        if pm:
            s, line = s + pm.end(), line[pm.end():]
        found = _runon_title(tm, s, line) or _dash_subtitle(tm, lines, i, s, line)
        if found is not None:
            return found
        if not _title_like(line):
            if _is_body_sentence(line) and len(line) > 40:
                break  # the body has begun and no title preceded it
            continue
        return _broken_title(tm, lines, i, s, line) or _column_then_title(lines, i, tm, line) \
            or _headed_title(tm, lines, i, s, line)
    return Field(None)


def _labelled_title(tm: TextMap) -> Field | None:
    m = _LABELLED_TITLE.search(tm.norm[:1500])
    if not m:
        return None
    rest = tm.norm[m.end():m.end() + 150]
    # the value runs to the next field of the table (信息名称…成文日期…: the view drops the spaces between)
    cut = re.match(r"\S+?(?=\s|" + _alt(_vocab()["field_labels"]) + "|$)", rest)
    if not cut:
        return None
    t = cut.group()
    sm = re.search(f"(?:{_alt(_vocab()['runon_suffixes'])})", t)
    if sm:
        t = t[: sm.end()]
    return _field(tm, m.end(), m.end() + len(t))


def _runon_title(tm: TextMap, s: int, line: str) -> Field | None:
    """A line that runs on into the body: cut at the title's own suffix."""
    if not (len(line) > 60 or _ENUM_IN_LINE.search(line)):
        return None
    em = _ENUM_IN_LINE.search(line)
    part = line[: em.start()] if em else line
    sm = re.search(f"(?:{_alt(_vocab()['runon_suffixes'])})", part[:80])
    if sm and sm.end() >= 8 and _title_like(part[: sm.end()]):
        return _field(tm, s, s + sm.end())
    return None


def _dash_subtitle(tm: TextMap, lines: list, i: int, s: int, line: str) -> Field | None:
    """A lead line and its dash subtitle: 狠抓落实促高效 …\n——水利部2022年…综述."""
    if i + 1 < len(lines) and lines[i + 1][2].startswith("——") and len(line) <= 40 and not _is_body_sentence(line):
        if _title_like(lines[i + 1][2]):
            return _field(tm, s, lines[i + 1][1])
    return None


def _broken_title(tm: TextMap, lines: list, i: int, s: int, line: str) -> Field | None:
    """A title broken over two lines: 2020年人大建议、政协提案办理工作\n完成情况说明;
    关于对市七届人大五次会议第71号建议的\n答 复; and one whose first half says only
    where: 关于兰亭镇第十六届人民代表大会\n第一次会议17号代表建议的答复."""
    suffix = f"(?:{_alt(_vocab()['title_suffixes'])})$"
    if i + 1 < len(lines):
        nxt = re.sub(r"\s+", "", lines[i + 1][2])
        if len(nxt) <= 12 and not re.search(suffix, line) and re.search(suffix, nxt) and not _is_body_sentence(nxt):
            return _title_field(tm, s, lines[i + 1][1])
    if i > 0 and re.match(r"关于|对", lines[i - 1][2]) and len(lines[i - 1][2]) <= 40 \
            and not _is_body_sentence(lines[i - 1][2]) and not re.search(suffix, lines[i - 1][2]):
        return _title_field(tm, lines[i - 1][0], s + len(line))
    return None


def _column_then_title(lines: list, i: int, tm: TextMap, line: str) -> Field | None:
    """A column name above the real title (建议提案办理总体情况 / 关于2021年…的报告)."""
    if _strong(line):
        return None
    for s2, e2, l2 in lines[i + 1:i + 4]:
        pm2 = _PAGE_PREFIX.match(l2)
        if pm2:
            s2, l2 = s2 + pm2.end(), l2[pm2.end():]
        if _title_like(l2) and _strong(l2):
            return _field(tm, s2, e2)
    return None


def _headed_title(tm: TextMap, lines: list, i: int, s: int, line: str) -> Field:
    """The line itself (without empty brackets or a trailing page field), headed
    by the unit or session named on the line(s) above when it names no one:
    株洲市自然资源和规划局\n2024年建议提案办理工作总结; 中国人民政治协商会议\n哈尔滨市
    第十一届委员会常务委员会\n关于提案工作情况的报告."""
    text = tm.norm
    end = s + len(line)
    em = _EMPTY_BRACKETS.search(line) or _TITLE_TAIL.search(line)
    if em:
        end = s + em.start()
    own = re.match(r"[^\d]*[省市区县州]", line) or (
        line.startswith("关于") and re.search(r"[省市区县州局委]|政府|\d+号|届|次会议", line))
    if i > 0 and not own and _ORG_LINE.fullmatch(lines[i - 1][2]) and not text[lines[i - 1][1]:s].strip():
        k = i - 1
        if k > 0 and _ORG_LINE.fullmatch(lines[k - 1][2]) and not text[lines[k - 1][1]:lines[k][0]].strip():
            k -= 1
        head = "".join(l for _, _, l in lines[k:i])
        return _field(tm, lines[k][0], end, value=head + text[s:end])
    return _field(tm, s, end)


def _title_field(tm: TextMap, ns: int, ne: int) -> Field:
    """A title over two lines: one value, without the break and the spaces inside it."""
    f = _field(tm, ns, ne)
    return Field(re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", f.value), f.start, f.end)


def _field(tm: TextMap, ns: int, ne: int, value=None) -> Field:
    s, e = tm.to_source(ns, ne)
    return Field(strip_glosses(tm.source[s:e]).strip() if value is None else value, s, e)


def _date_value(m: re.Match) -> str | None:
    g = m.groupdict()
    y = g.get("y") or g.get("y3")
    mo = g.get("m") or g.get("m2") or g.get("m3")
    d = g.get("d") or g.get("d2") or g.get("d3")
    try:
        return date(int(y), int(mo), int(d)).isoformat()
    except (TypeError, ValueError):
        return None


_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0, "0": 0, "Ｏ": 0}
_CN_DATE = re.compile(r"(?:发布时间|发布日期|日期|时间)\s*[::]\s*([〇零○O0一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


def _cn_date_value(m: re.Match) -> str | None:
    """二00七年五月十四日 → 2007-05-14.

    >>> _cn_date_value(_CN_DATE.search("发布时间:二00七年五月十四日"))
    '2007-05-14'
    """
    from .numerals import chinese_to_int

    try:
        y = int("".join(str(_CN_DIGIT[c]) for c in m.group(1)))
        return date(y, chinese_to_int(m.group(2)), chinese_to_int(m.group(3))).isoformat()
    except (KeyError, TypeError, ValueError):
        return None


def extract_published(tm: TextMap) -> Field:
    text = tm.norm
    head = text[:1500]
    # labels in the vocabulary's order: a page that gives 成文日期 and 发布日期
    # was published on the second
    m = None
    for label in _vocab()["date_labels"]:
        m = re.search(rf"{re.escape(label)}\s*[::]?\s*(?:\|\s*)?{_DATE}", head)
        if m:
            break
    if m is None:
        # A bare date at the start of a line near the top (2021-10-08 10:00 武汉…).
        for s, e, line in _lines(head, 15):
            m = re.match(_DATE, line) or re.match(_DATE_DMY, line)
            if m:
                m = re.search(re.escape(m.group()), text[s:]) and re.compile(_DATE + "|" + _DATE_DMY).search(text, s)
                break
    if m is None:
        # a page's own stamp in its head: 苏州日报 2022-11-14 15:31; • 2020-12-30 10:32 (a date with its clock time)
        m = re.search(rf"{_DATE}(?=\s+\d{{1,2}}:\d{{2}})", head[:600])
    if m is None:
        # 發布時間:二00七年五月十四日: a labelled date in Chinese numerals
        cm = _CN_DATE.search(head)
        if cm:
            v = _cn_date_value(cm)
            if v:
                return _field(tm, cm.start(1), cm.end(), value=v)
    if m is None:
        # The date a speech was delivered: ——2021年12月11日在…
        m = re.search(rf"——\s*{_DATE}", head)
    if m is None:
        # A closing date line: …人民政府办公室 2020年11月5日
        for s, e, line in reversed(_lines_tail(text)):
            mm = re.search(rf"{_DATE}$", line)
            if mm and len(line) <= 40:
                m = re.compile(_DATE).search(text, s)
                break
    if m is None:
        return Field(None)
    v = _date_value(m)
    if v is None:
        return Field(None)
    ds = m.start("y") if m.groupdict().get("y") else m.start()
    return _field(tm, ds, m.end(), value=v)


def _lines_tail(text: str, n: int = 6):
    tail_start = max(0, len(text) - 400)
    return [(s + tail_start, e + tail_start, l) for s, e, l in _lines(text[tail_start:], 1000)][-n:]


_STRONG_YEAR = re.compile(
    r"(?:^|[。\n,,;;])\s*(?:截至|截止|自|从)?\s*((?:19|20)\d{2})\s*年(?:度)?"
    r"(?=\s*(?:[,,以来]|共|全年|我|(?:的)?(?:人大|建议|提案|议案|两会|“两会”)|[^,,。\n]{0,20}?(?:会议|承办|办理|交办|收到|共计)))"
    # 2021年, anywhere: a sentence about that year ((篇一) 2021 年,我局…)
    r"|((?:19|20)\d{2})\s*年(?:度)?(?=[,,])"
    # 共办理2023年建议提案
    # (not a goal: 力争2025年重点提案A类比例不低于70%)
    r"|(?<!力争)(?<!争取)(?<!计划)(?<!预计)(?<!目标)(?<![到至])((?:19|20)\d{2})\s*年(?:度)?"
    r"(?=(?:的)?(?:重点)?[省市区县]?(?:人大|建议|提案|议案|两会|“两会”|代表建议|政协))"
)


# ——2022年12月12日在市五届人大常委会第三十八次会议上; (2012年1月17日在政协…第一次会议上):
# the date the report was delivered
# (2024年1月19日市政协五届四次会议审议通过): the date a session adopted it
_DELIVERED = re.compile(r"(?:——|—|－－|--|[(（])\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:\s*\d{1,2}\s*日)?\s*"
                        r"(?:在|[^()（）\n]{0,30}?会议(?:审议)?通过)")
# a report on the proposals a session is receiving (提案审查情况, 提案复审, 共收到提案): that session's year
_SESSION_INTAKE = re.compile(r"提案(?:初步)?(?:初审|复审|审查)|收到提案|共收到|提案组")
# 截至2022年12月底,445件建议已全部办结: the state of the work at a date of that year
_DEADLINE = re.compile(r"(?:截至|截止|截止到|截至到)\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月")
_INTAKE = re.compile(r"[^。;]{0,30}?(?:收到|征集|提交|立案)[^。;]{0,6}?(?:提案|建议)")
# 在2014年3月召开的绩溪县十六届三次会议…上: the session the report is about, dated
_HELD = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:召开|举行|開幕|开幕)的[^。;]{0,30}?会议")
# a report that looks back (…以来的提案工作, 五年来, 一年来): posted early in a year, it is about the year before
_LOOKS_BACK = re.compile(r"以来|五年来|一年来|过去一年|去年|上年|過去一年")
# 兰政字〔2012〕30-17号, 达川经信函〔2021〕153号: a document number and its year
_DOC_NUMBER_YEAR = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]((?:19|20)\d{2})[〕\]］)）]\s*[\d\-]+\s*号")
# a reply letter acknowledges what it answers and says it answers it
_REPLY_BODY = re.compile(r"收悉[^。]{0,40}?(?:答复|答覆|函复|回复)如下")


def _title_year(tm: TextMap, title: Field, published: Field, d) -> None:
    if not (title.value and title.start is not None):
        return
    a, b = _norm_span(tm, title.start, title.end)
    m = _YEAR.search(tm.norm, a, b)
    if m:
        y = int(m.group(1))
        if re.search(_alt(_vocab()["previous_year_genres"]), tm.norm[a:b]):
            y = int(published.value[:4]) if published.value else y - 1
        d.offer("year", y, "title_year", span=tm.to_source(m.start(1), m.end(1)))


def _session_years(tm: TextMap, title: Field, d) -> None:
    """A session the text itself ties to a year dates the sessions of its term:
    the title's session first (关于市五届人大四次会议…的报告, …以来), else the one
    the report names most."""
    from . import sessions

    found = sessions.find(tm.norm)
    ties = {(s.level, s.body, s.term, s.no): s.year for s in found if s.year}
    if not ties:
        return
    in_title = []
    if title.value and title.start is not None:
        a, b = _norm_span(tm, title.start, title.end)
        in_title = [s for s in found if a <= s.start < b]
    for rule, s in (("title_session", in_title[0] if in_title else None),
                    ("main_session", sessions.main_session(found))):
        y = sessions.year_of(s, ties) if s else None
        if y:
            d.offer("year", y, rule, span=tm.to_source(s.start, s.end))


def _delivery_year(tm: TextMap, d) -> None:
    """The delivery date line; one delivered in January or February (at the
    annual session) reports on the year before (GOLD.md §6.4)."""
    m = _DELIVERED.search(tm.norm[:3000])
    if m:
        # (审查情况 of the proposals received at the session: that session's year)
        head = tm.norm[:3000]
        y = int(m.group(1)) - (int(m.group(2)) <= 2 and bool(_LOOKS_BACK.search(head)) and not _SESSION_INTAKE.search(head))
        d.offer("year", y, "delivery_line", span=tm.to_source(m.start(1), m.end(1)))


def _dated_events(tm: TextMap, d) -> None:
    """A session dated where the report names it (在2014年3月召开的…会议上), and a
    deadline of that year the work is reported at (截至2022年12月底; one in the
    first quarter may be the close of the year before, so it says nothing)."""
    head = tm.norm[:2000]
    m = _HELD.search(head)
    if m:
        d.offer("year", int(m.group(1)), "session_held", span=tm.to_source(m.start(1), m.end(1)))
    m = _DEADLINE.search(head)
    # (截至2021年1月12日10时,大会共收到提案145件: the intake of that year's session, any month;
    # 截至2022年12月25日…大会提案组共收到提案: a December session opens the next year's handling, GOLD.md §7.10)
    intake = m is not None and _INTAKE.match(head, m.end())
    if m and (int(m.group(2)) >= 4 or intake):
        y = int(m.group(1)) + (int(m.group(2)) == 12 and bool(intake))
        d.offer("year", y, "deadline", span=tm.to_source(m.start(1), m.end(1)))


def _national_session(tm: TextMap, title: Field, d) -> None:
    """全国人大/全国政协 terms begin in known years (resources/sessions.yaml): the
    Nth session of a national term is in its start year + N − 1."""
    from . import sessions

    found = [s for s in sessions.find(tm.norm) if s.level == "全国"]
    if not found:
        return
    s = sessions.main_session(found)
    start = sessions.national_term_start(s.body, s.term)
    if start:
        # a term's first session hears the outgoing committee's report on the years before (GOLD.md §7.9)
        back = s.no == 1 and re.search(r"工作情况的报告|工作报告|五年来", tm.norm[:2000]) is not None
        d.offer("year", start + s.no - 1 - back, "national_session", span=tm.to_source(s.start, s.end))


def is_reply_letter(tm: TextMap, title: Field) -> bool:
    """A title that ends as a reply (…第12号建议的答复, 复函, 协办意见的函) or a body
    that acknowledges and answers (…收悉,现答复如下)."""
    if title.value and re.search(_vocab()["reply_title"], re.sub(r"[\s()（）]+$", "", title.value)):
        return True
    return bool(_REPLY_BODY.search(tm.norm[:3000]))


def _reply_year(tm: TextMap, title: Field, published: Field, d) -> None:
    """A reply is written in the year it answers; the years its body cites
    (2019年以来,我区累计投入…) are history. Its own closing date, else the page's."""
    if not is_reply_letter(tm, title):
        return
    for s, e, line in reversed(_lines_tail(tm.norm)):
        mm = re.search(rf"{_DATE}$", line)
        if mm and len(line) <= 40:
            ys = s + mm.start("y")
            d.offer("year", int(mm.group("y")), "reply_letter_date", span=tm.to_source(ys, ys + 4))
            return
    dm = _DOC_NUMBER_YEAR.search(tm.norm[:1500])
    if dm:  # 岳文旅广字〔2019〕3号: the letter's own number carries its year (GOLD.md §7.7)
        d.offer("year", int(dm.group(1)), "reply_letter_date", span=tm.to_source(dm.start(1), dm.end(1)))
    elif published.value:
        d.offer("year", int(published.value[:4]), "reply_letter_date", span=(published.start, published.end))


def _opening_year(tm: TextMap, d) -> None:
    m = _STRONG_YEAR.search(tm.norm[:2000])
    if m:
        g = next(i for i in (1, 2, 3) if m.group(i))
        d.offer("year", int(m.group(g)), "opening_year", span=tm.to_source(m.start(g), m.end(g)))


def extract_year(tm: TextMap, title: Field, published: Field) -> tuple[Field, bool, str | None]:
    """The handling year, from the evidence the text gives, decided by the
    precedence of `document.year` in resources/precedence.yaml (title, the
    session the report is about, its delivery date line, a reply's own date,
    the year the opening ties to the work, the main session; the page's
    publication date last). Returns (year, from the publication date only,
    the deciding rule)."""
    from .resolve import Decisions

    d = Decisions("document")
    _title_year(tm, title, published, d)
    _session_years(tm, title, d)
    _delivery_year(tm, d)
    _reply_year(tm, title, published, d)
    _opening_year(tm, d)
    _dated_events(tm, d)
    _national_session(tm, title, d)
    if published.value:
        y, month = int(published.value[:4]), int(published.value[5:7])
        head = tm.norm[:3000]
        intake = _SESSION_INTAKE.search(head) is not None and re.search(r"次会议", head) is not None
        looks_back = month <= 2 and _LOOKS_BACK.search(head) and not is_reply_letter(tm, title) and not intake
        # a session's intake reported in December is the next year's handling (GOLD.md §7.10)
        y = y - 1 if looks_back else y + (month == 12 and intake)
        d.offer("year", y, "published_early" if looks_back else "published", span=(published.start, published.end))
    w = d.winner("year")
    if w is None:
        return Field(None), False, None
    start, end = w.span or (None, None)
    from_published = w.span == (published.start, published.end) and published.value is not None
    return Field(w.value, start, end), from_published, w.rule


def extract_publisher(tm: TextMap) -> Field:
    labels = _alt(_vocab()["publisher_labels"])
    m = re.search(rf"(?:{labels})\s*[::]\s*(?:\|\s*)?([^\s|::]{{2,40}})", tm.norm[:1500])
    if not m:
        return Field(None)
    val = re.split(r"(?:发布|时间|日期|浏览|作者|编辑|字号)", m.group(1))[0]
    if len(val) < 2:
        return Field(None)
    return _field(tm, m.start(1), m.start(1) + len(val))


_DATELINE = re.compile(r"\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:电|讯|訊|電)")


def extract_region(tm: TextMap, title: Field, publisher: Field) -> Field:
    text = tm.norm
    head_end = min(len(text), 300)
    # The head: the opening lines plus the title and the publisher field
    # wherever they stand.
    spans = [(0, head_end)]
    for f in (title, publisher):
        if f.start is not None:
            spans.append(_norm_span(tm, f.start, f.end))
    # 中评社北京3月3日电, 据新华社北京3月18日电: a news dateline says where it was filed, not whose report
    mentions = [m for m in regions.find_mentions(text) if not _DATELINE.match(text, m.end)]
    head = [m for m in mentions if any(a <= m.start < b for a, b in spans)]
    body = [m for m in mentions if m not in head]
    head_text = "".join(text[a:b] for a, b in spans)
    value = regions.resolve(head, body, head_text)
    if value is None:
        return Field(None)
    ev = next((m for m in head + body if m.surface in value or value.endswith(m.surface)), None)
    if ev is None:
        return Field(value)
    return _field(tm, ev.start, ev.end, value=value)


def _norm_span(tm: TextMap, s: int, e: int) -> tuple[int, int]:
    import bisect

    return bisect.bisect_left(tm.starts, s), bisect.bisect_left(tm.starts, e)


def extract(text: str, tm: TextMap | None = None) -> Metadata:
    # Titles and date lines are read line by line: keep every line break.
    tm = tm or build(text, join_wraps=False)
    md = Metadata()
    # Only the text counts: the same report as a page, a PDF or a Word file
    # must give the same metadata, and <title>/<meta> tags often carry the
    # site's name or the column's instead of the report's.
    md.title = extract_title(tm)
    md.published = extract_published(tm)
    md.publisher = extract_publisher(tm)
    md.year, md.year_inferred, md.year_basis = extract_year(tm, md.title, md.published)
    md.region = extract_region(tm, md.title, md.publisher)
    return md
