"""Document metadata: title, region, handling year, publisher, published date.

Conventions (GOLD.md §1): the title as written; the region as an
administrative chain, never invented; the *handling* year (the year the
report is about), not the publication year; the publication date as
YYYY-MM-DD where the page states one.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from importlib import resources

from pipeline.textmap import TextMap, build, strip_glosses
from pipeline.yamlload import safe_load
from . import handling, regions
from .records import Field, Metadata


@lru_cache(maxsize=1)
def _vocab() -> dict:
    return safe_load(resources.files("extractors.resources").joinpath("metadata.yaml").read_text("utf-8"))


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
# (标 题 | X |, 信息名称: | X | |: a table's cell after its label)
# (标题导航 is a menu, not a label)
# (建议提案标题: the item's title in a reply's field table; 复文标题 below it is the reply's)
_LABELLED_TITLE = re.compile(r"(?:(?<!建议)(?<!提案)(?<!议案)(?:文章)?标题\s*[::]\s*(?:\|\s*)?|(?:^\s*(?:[|｜]\s*)?|\s{2,}|^-\s*)(?:信息名称|中文名|标\s*题|名\s*称)"
                             r"(?!导航|栏)\s*[::]?\s*(?:\|\s*)?)",
                             re.M)
# 两会受权发布|中国人民政治协商会议…的报告: a section's name before the title, with a bar
# (两会进行时丨中国人民政治协商会议…的报告: the bar may be 丨, the CJK stroke sites use as one)
_SECTION_PREFIX = re.compile(r"^[^|｜丨\s]{2,10}\s*[|｜丨]\s*(?=\S{8,})")
# page N -, 第2页 共5页, 【第1篇 (a collection site's item number)
_PAGE_PREFIX = re.compile(r"^(?:page|p\.)\s*\d+\s*[-–—:]\s*|^第\s*\d+\s*页\s*(?:共\s*\d+\s*页)?|^【第\s*\d+\s*篇\s*"
                          r"|^[|｜]\s*"  # (| 天水市交通运输局关于…的答复 |: a table's cell)
                          # (- 2021年自治区人大履职成绩单; • 004(1).对区…的办理答复: a list mark and number before it)
                          r"|^[-•·]\s+(?:\d{1,4}(?:\(\d{1,2}\))?[.、．]\s*(?=[对對关關]))?(?=\S)", re.I)
# what follows a title on its line and is not the title: 发布日期:…, 来源:…, an anti-copy run of ASCII
_TITLE_TAIL = re.compile(r"\s*(?:发布日期|发布时间|来源|信息来源)\s*[::].*$"
                         # …全部办复 2022年01月20日: the page's date after the headline
                         r"|(?<=[\u4e00-\u9fff])\s*(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-/.]\d{1,2}[-/.]\d{1,2})(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$"
                         r"|(?<=[^\x00-\x7f])\s*[\x21-\x7e](?=[\x20-\x7e]*\s[\x20-\x7e]*\s)[\x20-\x7e]{5,}$")
_EMPTY_CELLS = re.compile(r"(?:\s*[|｜])+\s*$")
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|wps|txt|html?)(?![a-z])", re.I)
_EMPTY_BRACKETS = re.compile(r"[(（]\s*[)）]\s*$")


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
    from pipeline.readers.chrome import is_chrome

    if len(s) < 6 or len(s) > 120 or is_chrome(s) or " | " in s or _INFO.search(s) or _FILE_NAME.search(s):
        return False
    if re.search(r"\s[>＞»›]\s|>>|»", s) or s.count("/") >= 2 or re.match(r"(?:您当前的位置|当前位置|您的位置)", s):
        return False  # a breadcrumb: 九江市人民政府办公室 > 政务公开 > 建议提案办理; 首页/政务公开/…
    if _is_body_sentence(s) or _PROSE_OPENING.match(s) or _FIELD_LINE.match(s) or _SECTION_HEADING.match(s):
        return False
    return re.search(_alt(_vocab()["title_keywords"]), s) is not None


# 一、自治州城镇供热基本情况; (二)…: a section of the body, not the page's title
_SECTION_HEADING = re.compile(r"[一二三四五六七八九十]{1,3}[、.．]|[((][一二三四五六七八九十]{1,3}[))]")
# 签发人:刘庆 答复类别:A类; 公开方式: 主动公开 组配分类: 人大建议: a line of a page's fields
_FIELD_LINE = re.compile(r"[\u4e00-\u9fff]{1,5}(?:人|号|别|期|间|者|码|型|式|类)\s*[::]")


# A line that opens as the body does, not as a title: a speaker (我受…委托, 各位委员:,
# 我代表), a time or place that sets a scene (1月28日下午, 日前, 在25日开幕的…上,), a meeting's act
_PROSE_OPENING = re.compile(r"(?:我受|我代表|各位|受[^,,]{2,30}委托|日前|近日|昨天|今天|前不久|"
                            r"\d{1,2}月\d{1,2}日[上下]?午?[,,]|在[^,,]{2,40}?上[,,]|会议(?:听取|审议|指出|强调))")


# a unit's name alone on a line (罗甸县消防救援大队, 国网…供电公司, …人民医院)
_ORG_LINE = re.compile(r"[\u4e00-\u9fff]{2,40}(?:局|委员会|委|厅|办公室|办|人民政府|政府|中心|会议|大队|支队|总队"
                       r"|公司|集团|院|所|站|处|馆|社|协会|联合会)")


def _strong(s: str) -> bool:
    return bool(_YEAR.search(s)) or s.startswith("关于") or len(s) >= 14


def extract_title(tm: TextMap) -> Field:
    """The report's own title: a labelled field, else the first title-like line
    of the head (cut where it runs on, joined where it breaks, headed by the
    unit named on the line above when it names no one)."""
    labelled = _labelled_title(tm) or _reply_title(tm)
    if labelled is not None:
        return labelled
    lines = _lines(tm.norm, 25)
    for i, (s, e, line) in enumerate(lines):
        pm = _PAGE_PREFIX.match(line) or _SECTION_PREFIX.match(line)
        if pm:
            s, line = s + pm.end(), line[pm.end():]
        # (| 政協天水市七屆三次會議提案已全部辦理完成 | ||||; …均按規定期限辦理完畢 |: a row's empty cells)
        line = _EMPTY_CELLS.sub("", line)
        found = _runon_title(tm, s, line) or _dash_subtitle(tm, lines, i, s, line)
        if found is not None:
            return found
        # ([办理结果标注(A1)]: a page's tag in square brackets)
        if not _title_like(line) or _DOC_NUMBER_LINE.fullmatch(line) or re.fullmatch(r"\[[^\[\]]*\]", line):
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


_ITEM_NUMBER = re.compile(r"\d+\s*号")


# 市环高复函〔2022〕3号: a letter's document number on its own line, not its title
# (建议主办[2023]闭08号 签发人:马伟: with a letter for the channel and the signer's field after it)
_DOC_NUMBER_LINE = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*[\u4e00-\u9fff]{0,2}\s*第?\s*\d+\s*号"
                              r"(?:\s*签发人\s*[::].*)?")
# (| 天水市交通运输局关于…的答复 |, | 2020-10-26 阅读: |: a line that is a table's cell)
_CELL_BAR = re.compile(r"[|｜]\s*")


def _after_cell_bar(s: int, line: str) -> tuple[int, str]:
    """(start, line) past a table cell's opening bar, if the line has one."""
    m = _CELL_BAR.match(line)
    return (s + m.end(), line[m.end():]) if m else (s, line)


@lru_cache(maxsize=1)
def _reply_line_rx() -> tuple[re.Pattern, re.Pattern]:
    """The page fields that may follow a reply title on its line, and a reply
    title followed on its line by the letter's salutation (…的答复 张凤娥等代表:)."""
    fields = re.compile(_alt(_vocab()["field_labels"] + ["信息来源", "来源", "发布时间", "编辑"]))
    salutation = r"\s*(?:尊敬的)?[^\s,,。::]{1,20}?(?:代表|委员|同志)们?\s*[::]"
    return fields, re.compile(rf"(.{{8,80}}?{_vocab()['reply_title'].rstrip('$')}){salutation}")


def _reply_title(tm: TextMap) -> Field | None:
    """A reply letter's title line (对市五届人大一次会议第89号建议的答复), however
    much site chrome stands above it and whatever page fields follow it on its
    line (…的答复 发布日期:2022-07-01): the first line of the head, before the
    body begins, that names an item's number and ends as a reply."""
    body, _ = _body_bounds(tm.norm)
    fields, titled_salutation = _reply_line_rx()
    lines = _lines(tm.norm, 80)
    for i, (s, e, line) in enumerate(lines):
        # …第094号建议的答复 张凤娥等代表: 你们提出的…: the letter goes on on the title's line
        sal = titled_salutation.match(line)
        if s >= body and not (s == body and sal):
            break
        line = sal.group(1) if sal else line
        if len(line) > 300:
            continue  # a title line with its page fields is short
        fm = fields.search(line)
        part = line[:fm.start()].rstrip() if fm else line
        s, part = _after_cell_bar(s, part)
        part = _EMPTY_CELLS.sub("", part)  # (…第27号提案的回复 |: a table's cell)
        crumb = re.search(r".*[>＞»›]\s*", part)  # 当前位置:首页 公示公告 > 关于…的函
        if crumb:
            s, part = s + crumb.end(), part[crumb.end():]
        pm = _PAGE_PREFIX.match(part)  # (• 004(1).对区…的办理答复)
        if pm:
            s, part = s + pm.end(), part[pm.end():]
        if (8 <= len(part) <= 80 and _ITEM_NUMBER.search(part) and not _is_body_sentence(part)
                and re.search(_vocab()["reply_title"], part) and not _DOC_NUMBER_LINE.fullmatch(part)):
            # (关于兰亭镇第十六届人民代表大会⏎第一次会议17号代表建议的答复: its first half on the line above)
            return _broken_title(tm, lines, i, s, part) or _field(tm, s, s + len(part))
    return None


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
    # (not a delivery line: ——2018年11月26日在县…常务委员会第十二次会议上)
    if i + 1 < len(lines) and lines[i + 1][2].startswith("——") and len(line) <= 40 and not _is_body_sentence(line):
        if _title_like(lines[i + 1][2]) and not re.match(r"——\s*(?:19|20)\d{2}\s*年", lines[i + 1][2]):
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
            return _title_field(tm, _issuer_above(tm, lines, i, line, s), lines[i + 1][1])
    if i > 0 and re.match(r"关于|对", lines[i - 1][2]) and len(lines[i - 1][2]) <= 40 \
            and not _is_body_sentence(lines[i - 1][2]) and not re.search(suffix, lines[i - 1][2]):
        return _title_field(tm, _issuer_above(tm, lines, i - 1, lines[i - 1][2], lines[i - 1][0]), s + len(line))
    return None


def _issuer_above(tm: TextMap, lines: list, i: int, line: str, start: int) -> int:
    """Where a title that opens with 关于/对 starts: at the issuing unit's line
    right above it (唐山市丰南区农业农村局\n对丰南区…\n第三次会议第20号建议的答复),
    which heads it, but not across a blank line (a site's name over its menu);
    else at `start`."""
    if i == 0 or not re.match(r"关于|關於|关於|關于|对|對", line):
        return start
    ps, pe, prev = lines[i - 1]
    if _ORG_LINE.fullmatch(prev) and tm.norm[pe:lines[i][0]].count("\n") == 1:
        return ps
    return start


def _column_then_title(lines: list, i: int, tm: TextMap, line: str) -> Field | None:
    """A column name above the real title (建议提案办理总体情况 / 关于2021年…的报告)."""
    if _strong(line):
        return None
    for s2, e2, l2 in lines[i + 1:i + 4]:
        pm2 = _PAGE_PREFIX.match(l2)
        if pm2:
            s2, l2 = s2 + pm2.end(), l2[pm2.end():]
        if _title_like(l2) and _strong(l2) and not _DOC_NUMBER_LINE.fullmatch(l2):
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
        tail_end, tail = _title_tail_line(lines, i, end)
        return _field(tm, lines[k][0], tail_end, value=head + text[s:end] + tail)
    return _field(tm, s, end)


def _title_tail_line(lines: list, i: int, end: int) -> tuple[int, str]:
    """A title's last words left alone on the next line (…第110号代表建议办理情况\n的答复函):
    (where the title ends, the words it gains)."""
    if i + 1 < len(lines) and end == lines[i][1]:
        nxt = lines[i + 1][2].strip()
        if len(nxt) <= 8 and nxt.startswith("的") and re.search(_vocab()["reply_title"], nxt):
            return lines[i + 1][1], nxt
    return end, ""


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


# the zeros people type in a year of Chinese numerals: 〇, the circle ○, 零, Latin O, the digit,
# full-width Ｏ, and the Greek and Cyrillic capitals that look the same (二ΟΟ七年: a mirror site's letter)
_CN_ZEROS = "〇零○O0ＯΟО"
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {z: 0 for z in _CN_ZEROS}
# 二00七年五月十四日, 二○一二年六月十四日: a date in Chinese numerals (any zero)
_CN_DAY = rf"([{_CN_ZEROS}一二三四五六七八九]{{4}})\s*年\s*([一二三四五六七八九十]{{1,3}})\s*月\s*([一二三四五六七八九十]{{1,3}})\s*日"
_CN_DATE = re.compile(rf"(?:发布时间|发布日期|日期|时间)\s*[::]\s*{_CN_DAY}")
# a day of the week after a date: 2009年10月16日 星期五
_WEEKDAY = re.compile(rf"{_DATE}\s*[((]?(?:星期|周|礼拜)[一二三四五六日天]")
# what names a newspaper's page: 岳阳晚报, 第A3版, A3版
_PAPER = re.compile(r"[\u4e00-\u9fff]{1,8}(?:日报|晚报|商报|时报|早报|报社)|第\s*[A-Z]?\d{1,3}\s*版|\b[A-Z]\d{1,2}\s*版")
# a closing line's date whose 年 was lost: 20203月26 (the month's 月 keeps it a date)
_LOST_YEAR_MARK = re.compile(r"((?:19|20)\d{2})(\d{1,2})月(\d{1,2})日?")
# a split or spaced year on a closing line: 20 20 年 11 月 2 日 (a PDF's spacing)
_SPLIT_YEAR_DATE = re.compile(r"(?P<y>(?:19|20)\s\d{2})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日")


def _cn_date_value(m: re.Match, at: int = 1) -> str | None:
    """二00七年五月十四日 → 2007-05-14 (the year, month and day are groups at, at+1, at+2).

    >>> _cn_date_value(_CN_DATE.search("发布时间:二00七年五月十四日"))
    '2007-05-14'
    >>> _cn_date_value(re.search(_CN_DAY, "兰亭镇人民政府 二○一二年六月十四日"))
    '2012-06-14'
    """
    from .numerals import chinese_to_int

    try:
        y = int("".join(str(_CN_DIGIT[c]) for c in m.group(at)))
        return date(y, chinese_to_int(m.group(at + 1)), chinese_to_int(m.group(at + 2))).isoformat()
    except (KeyError, TypeError, ValueError):
        return None


def extract_published(tm: TextMap) -> Field:
    """The date the page states for itself (GOLD.md §6.5), by the first rule that
    finds one: a labelled date; the date beside the source field (来源:厦门商报
    2012-01-05); a newspaper's masthead; a date line at the top; a date with its
    clock time; a labelled date in Chinese numerals; a speech's date; the
    closing date line."""
    for rule in (_labelled_date, _source_date, _masthead_date, _top_line_date, _stamped_date,
                 _cn_labelled_date, _speech_date, _closing_date):
        f = rule(tm)
        if f is not None:
            return f
    return Field(None)


def _date_field(tm: TextMap, m: re.Match | None) -> Field | None:
    v = _date_value(m) if m else None
    if v is None:
        return None
    ds = m.start("y") if m.groupdict().get("y") else m.start()
    return _field(tm, ds, m.end(), value=v)


def _labelled_date(tm: TextMap) -> Field | None:
    """Labels in the vocabulary's order: a page that gives 成文日期 and 发布日期
    was published on the second. A bare 时间/日期 is a label only standing alone:
    归档时间 (archived), 生效日期 (in force) date no publication."""
    head = tm.norm[:1500]
    for label in _vocab()["date_labels"]:
        # (- 发布日期⏎- 2022-11-03: a page's fields as a list, the value on the next item)
        for m in re.finditer(rf"{re.escape(label)}\s*[::]?\s*(?:[|\-•·]\s*)?{_DATE}", head):
            if len(label) > 2 or _standalone(tm, m.start()):
                return _date_field(tm, m)
    return None


def _standalone(tm: TextMap, i: int) -> bool:
    """norm[i] starts a word of the page: no CJK character is glued before it in
    the source (the view drops the space of 来源:三峡日报  时间:…)."""
    if i == 0 or not ("\u4e00" <= tm.norm[i - 1] <= "\u9fff"):
        return True
    return any(c.isspace() for c in tm.source[tm.ends[i - 1]:tm.starts[i]])


def _source_date(tm: TextMap) -> Field | None:
    """A newspaper's date beside the source field: 来源:厦门商报 2012-01-05, 来源:岳阳晚报2011-01-13;
    or beside a byline: 作者:代表联络室 2017-09-20; 王朝百科·作者佚名  2011-05-24 (a byline's label
    may go without its colon)."""
    labels = _alt(_vocab()["publisher_labels"])
    bylines = _alt(_vocab()["byline_labels"])
    return _date_field(tm, re.search(rf"(?:(?:{labels})\s*[::]|(?:{bylines})\s*[::]?)\s*[^\s\d::|]{{2,20}}?\s*{_DATE}",
                                     tm.norm[:1500]))


def _weekday_lines(tm: TextMap) -> list[tuple[int, bool]]:
    """(offset, is a newspaper's masthead) of each date with its weekday in the
    head: a masthead names its paper or page (岳阳晚报 2009年10月16日 星期五 第A3版);
    elsewhere the date is a site's clock (today's date over its menu), not the page's."""
    lines = _lines(tm.norm[:1500], 15)
    out = []
    for i, (s, _, line) in enumerate(lines):
        m = _WEEKDAY.search(line)
        if m:
            # (第A4版:要闻 / 标题导航 / 2015年02月05日 星期四: the page's name a few lines above)
            near = " ".join(l for _, _, l in lines[max(0, i - 3):i + 2])
            out.append((s + m.start(), bool(_PAPER.search(near))))
    return out


def _masthead_date(tm: TextMap) -> Field | None:
    for at, paper in _weekday_lines(tm):
        if paper:
            return _date_field(tm, re.compile(_DATE).match(tm.norm, at))
    return None


def _top_line_date(tm: TextMap) -> Field | None:
    """A date that opens a line near the top (2021-10-08 10:00 武汉…), unless
    it is a site's clock."""
    text = tm.norm
    clocks = {at for at, _ in _weekday_lines(tm)}
    # 2024⏎06-06⏎09:20 at the very top: a page's date with its year on a line of its own
    sm = re.match(r"\s*((?:19|20)\d{2})\s*\n\s*(\d{1,2})-(\d{1,2})\s*\n", text)
    v = _date_value_of(*sm.groups()) if sm else None
    if v:
        return _field(tm, sm.start(1), sm.end(3), value=v)
    for s, _, line in _lines(text[:1500], 15):
        s, line = _after_cell_bar(s, line)
        bullet = re.match(r"[•·]\s*", line)  # (• 2018-01-18 《柳州日报》 记者…: a list mark before the date)
        if bullet:
            s, line = s + bullet.end(), line[bullet.end():]
        m = re.match(_DATE, line) or re.match(_DATE_DMY, line)
        if m and s not in clocks:
            return _date_field(tm, re.compile(_DATE + "|" + _DATE_DMY).search(text, s))
    return None


def _stamped_date(tm: TextMap) -> Field | None:
    """A page's own stamp in its head: 苏州日报 2022-11-14 15:31; • 2020-12-30 10:32."""
    return _date_field(tm, re.search(rf"{_DATE}(?=\s+\d{{1,2}}:\d{{2}})", tm.norm[:600]))


def _cn_labelled_date(tm: TextMap) -> Field | None:
    """發布時間:二00七年五月十四日: a labelled date in Chinese numerals."""
    cm = _CN_DATE.search(tm.norm[:1500])
    v = _cn_date_value(cm) if cm else None
    return _field(tm, cm.start(1), cm.end(), value=v) if v else None


def _speech_date(tm: TextMap) -> Field | None:
    """The date a speech was delivered: ——2021年12月11日在…"""
    return _date_field(tm, re.search(rf"——\s*{_DATE}", tm.norm[:1500]))


def _closing_date(tm: TextMap) -> Field | None:
    """A closing date line: …人民政府办公室 2020年11月5日; 二○一二年六月十四日; 20 20 年 11 月 2 日."""
    text = tm.norm
    for s, e, line in _closing_lines(text):
        if len(line) > 40:
            # a page flattened to one line (…万事如意! 2018年7月30日 |): the date closing it
            fm = _FLAT_CLOSING.search(line)
            if fm:
                return _date_field(tm, re.compile(_DATE).search(text, s + fm.start("date")))
            continue
        line = _FOOTNOTE_MARK.sub("", line)  # 二〇〇七年五月二十四日[1]: a mirror's footnote mark
        m = re.search(rf"{_DATE}$", line)
        if m:
            return _date_field(tm, re.compile(_DATE).search(text, s))
        cm = re.search(rf"{_CN_DAY}$", line)
        v = _cn_date_value(cm) if cm else None
        if v:
            return _field(tm, s + cm.start(1), s + cm.end(), value=v)
        v = _run_date_value(line)
        if v:  # 2023717: a date whose separators were lost, where only one reading is a date
            return _field(tm, s, e, value=v)
        lm = _LOST_YEAR_MARK.fullmatch(line)
        v = _date_value_of(*lm.groups()) if lm else None
        if v:  # 20203月26: the closing date with its 年 (and 日) lost
            return _field(tm, s, e, value=v)
        sm = _SPLIT_YEAR_DATE.search(line)
        if sm and line.endswith(sm.group()):
            v = _date_value_of(sm.group("y").replace(" ", ""), sm.group("m2"), sm.group("d2"))
            if v:
                return _field(tm, s + sm.start(), s + sm.end(), value=v)
    return None


_FOOTNOTE_MARK = re.compile(r"\s*\[\d{1,2}\]$")
# the last sentence's stop, the date, then nothing but a table bar: a letter whose lines were joined
_FLAT_CLOSING = re.compile(rf"[。!?]\s*(?:[\u4e00-\u9fff]{{2,20}}\s+)?(?P<date>{_DATE})\s*\|?\s*$")


def _run_date_value(line: str) -> str | None:
    """A line that is a date with its separators lost, read where only one
    split is a date: 2023717 → 2023-07-17 (2023-71-7 is none); 2023111 → None.

    >>> _run_date_value("2023717"), _run_date_value("2023111"), _run_date_value("20231205")
    ('2023-07-17', None, '2023-12-05')
    """
    m = re.fullmatch(r"((?:19|20)\d{2})(\d{2,4})", line)
    if not m:
        return None
    y, rest = m.groups()
    splits = {_date_value_of(y, rest[:i], rest[i:]) for i in (1, 2) if 0 < i < len(rest) and len(rest) - i <= 2}
    splits.discard(None)
    return splits.pop() if len(splits) == 1 else None


def _date_value_of(y: str, mo: str, d: str) -> str | None:
    try:
        return date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


def _closing_lines(text: str, n: int = 12) -> list:
    """Where a closing date stands: the lines right after the body's last
    paragraph (a letter's signature, then site chrome below it), then the
    page's last lines, bottom up."""
    start, end = _body_bounds(text)
    after = _lines(text[end:], n)
    # (not the head's fields: 发布日期: 2019年10月09日 above the body of a short page)
    return [(s + end, e + end, l) for s, e, l in after] + [x for x in reversed(_lines_tail(text)) if x[0] >= start or start == len(text)]


def _lines_tail(text: str, n: int = 6):
    tail_start = max(0, len(text) - 400)
    return [(s + tail_start, e + tail_start, l) for s, e, l in _lines(text[tail_start:], 1000)][-n:]


def extract_publisher(tm: TextMap) -> Field:
    """The page's 来源/发布机构 field: in the head, before the body begins, or
    after its last paragraph (文稿来源:…融媒体中心 under a news story); a 来源
    line among the body's paragraphs is another text's, not this page's."""
    text, vocab = tm.norm, _vocab()
    label = re.compile(rf"(?:{_alt(vocab['publisher_labels'])})\s*[::]\s*(?:\|\s*)?")
    body, tail = _body_bounds(text)
    for m in label.finditer(text):
        if body <= m.start() < tail or text[max(0, m.start() - 2):m.start()] in vocab["publisher_not_labels"]:
            continue
        f = _publisher_value(tm, m.end())
        if f is not None:
            return f
    return Field(None)


def _publisher_value(tm: TextMap, ns: int) -> Field | None:
    """The unit a field names from norm offset ``ns``: one token of the page (a
    space in the source ends it, even one the view drops), cut at the page's next
    word (点击量, 成文日期, 打印) and at a date glued to it (岳阳晚报2011-01-13);
    None for an empty field or a placeholder (本站原创, 未知来源)."""
    text, vocab = tm.norm, _vocab()
    e = ns
    while e < len(text) and e - ns < 40 and not text[e].isspace() and text[e] not in "::":
        if e > ns and any(c.isspace() for c in tm.source[tm.ends[e - 1]:tm.starts[e]]):
            break
        e += 1
    val = text[ns:e]
    stop = re.search(_alt(vocab["publisher_stops"]), val)
    val = val[:stop.start()] if stop else val
    val = re.sub(r"[\d\s\-/.:]+$", "", val)
    if len(val) < 2 or val in vocab["publisher_placeholders"]:
        return None
    return _field(tm, ns, ns + len(val))


def _is_prose(line: str) -> bool:
    """A line of the body: long, with a full stop or commas (the page's field lines have neither)."""
    return len(line) > 40 and ("。" in line or line.count(",") >= 2)


# 内 容:都龙镇…,…,建议…。: the suggestion's text in a field of the page, above the reply itself
# (内容:… then 对本案的实施建议:…: a proposal form's fields, each with paragraphs of prose)
_FIELD_LABEL = re.compile(r"^[^,,。;;]{1,20}?[::]")
_CONTENT_FIELD = re.compile(r"^(?:建议|提案)?(?:内\s*容|主要内容|内容摘要|摘\s*要|(?:对本案的)?实施建议|案\s*由|理\s*由)\s*[::]")


def _body_bounds(text: str) -> tuple[int, int]:
    """(start of the first line of prose in the head, end of the last line of prose);
    the paragraphs of a content field (内容:, 实施建议:) are the suggestion's, not the body."""
    lines = _lines(text, 40)
    start, in_field = len(text), False
    for s, _, line in lines:
        if _CONTENT_FIELD.match(line):
            in_field = True
        elif _FIELD_LABEL.match(line):
            in_field = False  # the next field (承办单位:…) or the letter's greeting (…委员:)
        elif _is_prose(line) and not in_field:
            start = s
            break
    end = start
    for m in re.finditer(r"[^\n]+", text):
        if _is_prose(m.group().strip()):
            end = m.end()
    return start, end


# 全国政协十三届五次会议4日在北京开幕; 在北京人民大会堂召开: where a meeting sat, not whose report
# (鹿邑县召开…会议: the county held it)
_VENUE_HALL = re.compile(r"\s*(?:人民大会堂|人民大會堂)")
# (在哈尔滨和平邨召开: a hall of the place between; 在乐山市人大常委会会议室召开 is the place's own body's)
_VENUE_SAT = re.compile(r"\s*(?:(?!人大|人民代表|政协|政府|常委|委员会)[^\s,,。;;::、]){0,8}?"
                        r"(?:召开|召開|开幕|開幕|闭幕|閉幕|举行|舉行)")


# Hong Kong, Macao and Taiwan have no local people's congress or CPPCC committee handling suggestions and
# proposals: named in these texts (来源:香港商报网, a spam footer's 澳门金沙…, 关于香港特别行政区选举第十三届
# 全国人大代表的办法), they are never the reporting unit
_NO_CONGRESS = ("香港", "澳门", "澳門", "台湾", "臺灣")


def _no_congress(m) -> bool:
    return all(c.name.startswith(_NO_CONGRESS) for c in m.candidates)


def _is_venue(text: str, m) -> bool:
    return bool(_VENUE_HALL.match(text, m.end)
                or (_VENUE_SAT.match(text, m.end) and re.search(r"[在于於]\s*$", text[max(0, m.start - 2):m.start])))


def _related_links_start(text: str) -> int:
    """Where the page's list of other articles begins (its first line 相关新闻 / 延伸阅读:), or the text's end."""
    words = "|".join(map(re.escape, handling.vocab()["related_links"]))
    m = re.search(rf"^[ \t\-*#|]*(?:{words})[ \t]*(?:[::]|$)", text, re.M)
    return m.start() if m and m.start() > 0 else len(text)


_DATELINE = re.compile(r"\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:电|讯|訊|電)")
# A person's post: 市人大代表、衢州市某某有限公司董事长张三; the place is where the deputy
# works, not the reporting unit's.
_EMPLOYER = re.compile(r"[^\s,。;:、()]{0,16}?(?:公司|集团|企业|厂|医院|学校|中学|小学|幼儿园|银行|合作社|酒店|商会|协会|"
                       r"事务所|研究院|研究所)[^\s,。;:、()]{0,4}?(?:董事长|总经理|副总经理|经理|厂长|院长|校长|园长|"
                       r"行长|社长|会长|理事长|主任|所长|负责人|职工|员工|教师|医生|律师)")
# The line that addresses the deputies (周贤国、朱乐山、王军委员: ; 尊敬的王代表(…董事长):):
# its names are people's (朱乐山 is no 乐山).
_ADDRESSEE = re.compile(r"^(?:尊敬的)?[^\n。,]{1,80}?(?:代表|委员|同志)(?:们)?(?:\([^()\n]{0,40}\))?\s*[::]\s*$", re.M)


def extract_region(tm: TextMap, title: Field, publisher: Field) -> Field:
    text = tm.norm
    head_end = min(len(text), 300)
    # The head: the opening lines plus the title and the publisher field
    # wherever they stand.
    spans = [(0, head_end)]
    for f in (title, publisher):
        if f.start is not None:
            spans.append(_norm_span(tm, f.start, f.end))
    addressed = [m.span() for m in _ADDRESSEE.finditer(text)]
    # 中评社北京3月3日电, 据新华社北京3月18日电: a news dateline says where it was filed, not whose report
    foot = _related_links_start(text)
    mentions = [m for m in regions.find_mentions(text) if m.start < foot and not _DATELINE.match(text, m.end)
                and not _EMPLOYER.match(text, m.end) and not any(a <= m.start < b for a, b in addressed)
                and not _no_congress(m)]
    venues = [m for m in mentions if _is_venue(text, m)]
    mentions = [m for m in mentions if m not in venues]
    head = [m for m in mentions if any(a <= m.start < b for a, b in spans)]
    body = [m for m in mentions if m not in head]
    head_text = "".join(text[a:b] for a, b in spans)
    value = regions.resolve(head, body, head_text)
    if value is None and venues:
        return _venue_unit(tm, venues[0], head_text)
    if value is None:
        return Field(None)
    ev = next((m for m in head + body if m.surface in value or value.endswith(m.surface)), None)
    if ev is None:
        return Field(value)
    return _field(tm, ev.start, ev.end, value=value)


# 省政协九届四次会议…在哈尔滨和平邨召开 and no other place named: a provincial body sits in its
# province (a city's in its city), so the venue says whose meeting it was at the body's level
_BODY_LEVEL = re.compile(r"(?:(省|自治区)|(?<![省区县])(市))(?:政协|人大|人民代表大会|委员会)")


def _venue_unit(tm: TextMap, venue, head_text: str) -> Field:
    m = _BODY_LEVEL.search(head_text)
    if not m or len(venue.candidates) != 1:
        return Field(None)
    unit = regions.at_level(venue.candidates[0], 1 if m.group(1) else 2)
    if unit is None:
        return Field(None)
    return _field(tm, venue.start, venue.end, value=regions.chain(unit))


def _norm_span(tm: TextMap, s: int, e: int) -> tuple[int, int]:
    import bisect

    return bisect.bisect_left(tm.starts, s), bisect.bisect_left(tm.starts, e)


def extract(text: str, tm: TextMap | None = None) -> Metadata:
    # Titles and date lines are read line by line: keep every line break.
    tm = tm or build(text, join_wraps=False)
    # Only the text counts: the same report as a page, a PDF or a Word file
    # must give the same metadata, and <title>/<meta> tags often carry the
    # site's name or the column's instead of the report's.
    title = extract_title(tm)
    published = extract_published(tm)
    publisher = extract_publisher(tm)
    from .years import extract_year

    year, year_inferred, year_basis = extract_year(tm, title, published)
    region = extract_region(tm, title, publisher)
    return Metadata(title=title, region=region, year=year, published=published, publisher=publisher,
                    year_inferred=year_inferred, year_basis=year_basis)
