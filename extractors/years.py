"""The handling year a report is about (GOLD.md §1, §6.4, §7.7–7.11).

Every piece of evidence the text gives is a candidate; the precedence of
`document.year` in resources/precedence.yaml decides (extractors/resolve.py),
and the deciding rule is the document's `year_basis`.
"""
from __future__ import annotations

import re

from pipeline.textmap import TextMap

from .context import bounds
from .genre import ACK
from .metadata import _YEAR, _alt, _closing_date, _norm_span, _vocab
from .records import Field


_STRONG_YEAR = re.compile(
    r"(?:^|[。\n,,;;])\s*(?:截至|截止|自|从)?\s*((?:19|20)\d{2})\s*年(?:度)?"
    # 2023年1月,市八届人大四次会议以来: the session the report runs from, dated
    r"(?:\s*\d{1,2}\s*月(?=[,,]?[^。,,;;]{0,30}?会议以来))?"
    r"(?=\s*(?:[,,以来]|共|全年|我|(?:的)?(?:人大|建议|提案|议案|两会|“两会”)|[^,,。\n]{0,20}?(?:会议|承办|办理|交办|收到|共计)))"
    # 2021年, anywhere: a sentence about that year ((篇一) 2021 年,我局…)
    r"|((?:19|20)\d{2})\s*年(?:度)?(?=[,,])"
    # 共办理2023年建议提案
    # (not a goal: 力争2025年重点提案A类比例不低于70%)
    r"|(?<!力争)(?<!争取)(?<!计划)(?<!预计)(?<!目标)(?<![到至])((?:19|20)\d{2})\s*年(?:度)?"
    # (表彰2019年度优秀提案: the year whose proposals are honoured)
    r"(?=(?:的)?(?:重点|优秀)?(?:[省市区县]|自治区)?(?:人大|建议|提案|议案|两会|“两会”|代表建议|政协)"
    # 召开2024年度“共同缔造 八进八问”代表行动代表建议交办会: that year's items handed out
    r"|[^,,。;;\d]{0,24}?(?:建议|提案|议案)交办会"
    # 对2008年上半年区政府办理代表建议情况进行了视察: the half-year of handling looked at
    r"|(?:上半年|下半年)[^,,。;;\d]{0,10}?办理(?:代表|委员)?(?:建议|提案|议案))"
    # 20105月下旬,市政府办公室会同…: a paragraph opening on a date whose 年 was lost
    r"|(?:^|[。\n])\s*((?:19|20)\d{2})(?=(?:[1-9]|1[0-2])月(?:[上中下]旬|\d{1,2}日)?[,,])"
    # 审议区政协关于表彰2012年招商引资先进个人、优秀提案…: the year whose proposals are honoured
    r"|(?<=表彰)((?:19|20)\d{2})\s*年度?(?=[^,,。;;]{0,16}?优秀(?:提案|建议))"
)


# ——2022年12月12日在市五届人大常委会第三十八次会议上; (2012年1月17日在政协…第一次会议上):
# the date the report was delivered
# (2024年1月19日市政协五届四次会议审议通过): the date a session adopted it
_DELIVERED = re.compile(r"(?:——|—|－－|--|[(（])\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:\s*\d{1,2}\s*日)?\s*"
                        r"(?:在|[^()（）\n]{0,30}?会议(?:审议)?通过)")
# a report on the proposals a session is receiving (提案审查情况, 提案复审, 共收到提案): that session's year
_SESSION_INTAKE = re.compile(r"提案(?:初步)?(?:初审|复审|审查)|收到提案|共收到|提案组")
# 截至2022年12月底,445件建议已全部办结: the state of the work at a date of that year
_DEADLINE = re.compile(r"(?:截至|截止|截止到|截至到)\s*((?:19|20)\d{2})\s*年\s*(?:(\d{1,2})\s*月|年?(底|末))")  # 2005年年底
# 会议要求务必在2015年7底办理完毕: the date the handling must be done by is in the handling year
# (务必于2021年6月30日之前将省市人大代表建议和政协提案办理完毕)
_DUE = re.compile(r"(?:务必|必须|要求|须|应)(?:在|于)\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月?(?:底|\s*\d{1,2}\s*日)?"
                  r"(?:之?前|以前)?[^。;;]{0,30}?(?:全部)?(?:办理完毕|办结|办复|答复)")
_INTAKE = re.compile(r"[^。;]{0,30}?(?:收到|征集|提交|立案)[^。;]{0,6}?(?:提案|建议)")
# 在2014年3月召开的绩溪县十六届三次会议…上: the session the report is about, dated
# (2019年12月31日,在固镇县十二届人大四次会议上: the date of the session it happened at)
# (2006年11月11日,芦阳镇第十六届人大一次会议胜利召开: the date, then the session and its opening)
_HELD = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
                   r"(?:(?:召开|举行|開幕|开幕)的[^。;]{0,30}?会议|\s*[,,]?\s*在[^。;,,]{0,30}?次会议上"
                   r"|\s*[,,]\s*[^。;,,]{0,30}?次会议(?:胜利|隆重)?(?:召开|举行|開幕|开幕))")
# 市政协十二届一次会议将于2012年1月5日开幕; 将于2019年1月召开的…次会议: the next session, announced
_AHEAD = re.compile(r"次会议[^。;,,]{0,6}?(?:将|定|拟)于?\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月"
                    r"|(?:将|定|拟)于\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月[^。;]{0,12}?(?:召开|开幕|举行)的[^。;]{0,30}?次会议")
# 首页>专题>2016北京东城区两会专题报道; 当前位置:…/专题专栏/两会专题2019/…: the page's column for one
# year's sessions (held early in that year)
_SESSIONS_COLUMN = re.compile(r"((?:19|20)\d{2})\s*年?[^\s>/|\n]{0,12}?两会专题|两会专题\s*((?:19|20)\d{2})")
# what became of the items: a report of results
_RESULTS = re.compile(r"已(?:经)?(?:全部)?(?:解决|落实|办结|办复)|办复率|办结率|满意率|正在解决|列入计划")
# a report that looks back (…以来的提案工作, 五年来, 一年来): posted early in a year, it is about the year before
# 于9月上旬组织…视察; 截止11月底…全部办理完毕: work of a month later in the year than a January or
# February page, told without its year, was last year's
_LATER_MONTH = re.compile(r"(?<![\d年])(?:[4-9]|1[0-2])\s*月(?:上旬|中旬|下旬|底|初|份|\d{1,2}\s*日)?[^。\n]{0,30}?(?:组织|完成|办结|办理完毕|召开|开展|视察|督办|答复)")
_LOOKS_BACK = re.compile(r"以来|五年来|一年来|过去一年|去年|上年|過去一年")
# 总结大全 > 总结范文 / 政协提案总结(十六篇) / 【第1篇: a collection of model essays reposts texts of
# other years, so its page date dates none of them
# (…一文来源于网友上传,不代表本站观点: a model-essay site's page, dated by its upload)
_COLLECTION = re.compile(r"范文|总结大全|网友上传|網友上傳|[((]\s*[一二三四五六七八九十\d]+\s*篇\s*[))]|【第\s*\d+\s*篇")
# 兰政字〔2012〕30-17号, 达川经信函〔2021〕153号: a document number and its year
_DOC_NUMBER_YEAR = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]((?:19|20)\d{2})[〕\]］)）]\s*[\d\-]+\s*号")


# 省政府召开2016年建议提案交办会 … 会议通报了2015年办理情况: a meeting that hands out a year's items
# and reports the year before's results (GOLD.md §7.8: the year is the results' year)
_MEETING = re.compile(r"((?:19|20)\d{2})\s*年[^。\n]{0,30}?(?:交办会|办理会|交办工作会议?|办理工作会议?)")


def _results_year(tm: TextMap, d) -> None:
    head = tm.norm[:3000]
    m = _MEETING.search(head)
    if not m:
        return
    y = int(m.group(1)) - 1
    r = re.search(rf"{y}\s*年[^。]{{0,40}}?(?:办理(?:工作)?情况|共承办|承办了|办结|办复|满意率|已经?解决|解决或)", head)
    if r:
        d.offer("year", y, "results_year", span=tm.to_source(r.start(), r.start() + 4))


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


def _session_years(tm: TextMap, found: list, in_title: list, d) -> None:
    """A session the text itself ties to a year dates the sessions of its term:
    the title's session first (关于市五届人大四次会议…的报告, …以来), else the one
    the report names most."""
    from . import sessions

    ties = {(s.level, s.body, s.term, s.no): s.year for s in found if s.year}
    if not ties:
        return
    for rule, s in (("title_session", in_title[0] if in_title else None),
                    ("main_session", sessions.main_session(found))):
        y = sessions.year_of(s, ties) if s else None
        if y:
            d.offer("year", y, rule, span=tm.to_source(s.start, s.end))


def _in_title(tm: TextMap, title: Field, found: list) -> list:
    """The sessions the title names."""
    if not (title.value and title.start is not None):
        return []
    a, b = _norm_span(tm, title.start, title.end)
    return [s for s in found if a <= s.start < b]


def _delivery_year(tm: TextMap, d) -> None:
    """The delivery date line; one delivered in January or February (at the
    annual session) reports on the year before (GOLD.md §6.4)."""
    m = _DELIVERED.search(tm.norm[:3000])
    if m:
        # (审查情况 of the proposals received at the session: that session's year)
        head = tm.norm[:3000]
        y, month = int(m.group(1)), int(m.group(2))
        y -= month <= 2 and bool(_LOOKS_BACK.search(head)) and not _SESSION_INTAKE.search(head)
        # (2021年12月30日…第一次会议通过 under a review of the session's intake: a December session hands
        # out the next year's items, GOLD.md §7.10)
        y += month == 12 and _intake_news(head)
        d.offer("year", y, "delivery_line", span=tm.to_source(m.start(1), m.end(1)))


def _dated_events(tm: TextMap, d) -> None:
    """A session dated where the report names it (在2014年3月召开的…会议上), and a
    deadline of that year the work is reported at (截至2022年12月底; one in the
    first quarter may be the close of the year before, so it says nothing)."""
    head = tm.norm[:2000]
    m = _HELD.search(head)
    if m:
        d.offer("year", int(m.group(1)), "session_held", span=tm.to_source(m.start(1), m.end(1)))
    _session_ahead(tm, head, d)
    due = _DUE.search(head)
    if due:
        d.offer("year", int(due.group(1)), "deadline", span=tm.to_source(due.start(1), due.end(1)))
    m = _DEADLINE.search(head)
    # (截至2021年1月12日10时,大会共收到提案145件: the intake of that year's session, any month;
    # 截至2022年12月25日…大会提案组共收到提案: a December session opens the next year's handling, GOLD.md §7.10)
    # (…立案的129件提案已全部办结: results at the year's end, not an intake)
    stop = head.find("。", m.end()) if m else -1
    intake = (m is not None and _INTAKE.match(head, m.end())
              and not _RESULTS.search(head, m.end(), stop if stop >= 0 else len(head)))
    month = 12 if m and m.group(3) else int(m.group(2)) if m else 0  # 截止2019年底
    if m and (month >= 4 or intake):
        # (截止到2000年底,…共收到提案259件: a year's intake counted to its end, not a December session's)
        y = int(m.group(1)) + (month == 12 and bool(intake) and not m.group(3))
        d.offer("year", y, "deadline", span=tm.to_source(m.start(1), m.end(1)))


def _session_ahead(tm: TextMap, head: str, d) -> None:
    """A session announced for early in a year (将于2012年1月5日开幕), or the page's column for
    a year's sessions (两会专题2019): news of its intake is that year's; a look back at
    the session (…以来的五年中, 一年来) is about the year before."""
    m = _AHEAD.search(head)
    column = _SESSIONS_COLUMN.search(head, 0, 400)
    if m:
        g = 1 if m.group(1) else 3
        y, early, rule = int(m.group(g)), int(m.group(g + 1)) <= 3, "session_ahead"
    elif column:
        g = 1 if column.group(1) else 2
        y, early, rule = int(column.group(g)), True, "sessions_column"
    else:
        return
    span = tm.to_source((m or column).start(g), (m or column).end(g))
    if _intake_news(head):
        d.offer("year", y, rule, span=span)
    elif early and _LOOKS_BACK.search(head):
        d.offer("year", y - 1, rule, span=span)


def _national_session(tm: TextMap, found: list, in_title: list, d) -> None:
    """全国人大/全国政协 terms begin in known years (resources/sessions.yaml): the
    Nth session of a national term is in its start year + N − 1. The title's
    session first (十二届人大四次会议代表提出8609件建议, in a text that names
    the 全国 term), else the one the text names most."""
    from . import sessions

    national = [s for s in found if s.level == "全国"]
    if not national:
        return
    terms = {(s.body, s.term) for s in national}
    titled = [s for s in in_title if s.level in (None, "全国") and (s.body, s.term) in terms]
    # 向大会报告政协十三届三次会议以来的提案工作: the session the work ran since (GOLD.md §4)
    since = [s for s in found if re.match(r"[^,,。;;]{0,3}以来", tm.norm[s.end:s.end + 6]) and (s.body, s.term) in terms]
    # 去年十三届全国人大四次会议期间代表们提出的8993件建议…全部办理完毕: last year's items and
    # their results, told at this year's 交办会 (GOLD.md §7.8: the results' year)
    since += [s for s in found if tm.norm.endswith("去年", 0, s.start) and (s.body, s.term) in terms
              and _DONE_WITH.search(tm.norm, s.end, bounds(tm.norm, s.start, s.end)[1])]
    s = titled[0] if titled else since[0] if since else sessions.main_session(national)
    start = sessions.national_term_start(s.body, s.term)
    if start:
        # the session that hears a work report (全国政协十三届五次会议开幕…作提案工作情况的报告) is told of
        # the year before; a term's first session, of the outgoing term's last (GOLD.md §4, §7.9)
        head = tm.norm[:2000]
        report = re.search(r"工作情况的报告|工作报告|五年来", head) is not None
        back = s not in since and s not in titled and report and (s.no == 1 or _HEARS_REPORT.search(head) is not None)
        d.offer("year", start + s.no - 1 - back, "national_session", span=tm.to_source(s.start, s.end))


_DONE_WITH = re.compile(r"办理完毕|全部办复|答复代表|答复委员|已办结|全部办结|得到解决")


# 会议…开幕, 向大会报告, 作…的报告: a session hearing the report (not one the report is about)
_HEARS_REPORT = re.compile(r"开幕|開幕|向大会报告|向大會報告|作[^。]{0,30}?(?:工作情况|工作)的?报告")


def _reply_year(tm: TextMap, published: Field, d) -> None:
    """A reply is written in the year it answers; the years its body cites
    (2019年以来,我区累计投入…) are history. Its own closing date, else the page's."""
    closing = _closing_date(tm)  # 2019年7月8日; 二〇一九年七月八日 under the signature
    if closing is not None and closing.value:
        d.offer("year", int(closing.value[:4]), "reply_letter_date", span=(closing.start, closing.end))
        return
    greeting = _GREETING.search(tm.norm, 0, 1500)
    # (隽政办发[2013]77号 cited in the body is another document's number)
    dm = _DOC_NUMBER_YEAR.search(tm.norm, 0, greeting.start() if greeting else 1500)
    if dm:  # 岳文旅广字〔2019〕3号: the letter's own number carries its year (GOLD.md §7.7)
        d.offer("year", int(dm.group(1)), "reply_letter_date", span=tm.to_source(dm.start(1), dm.end(1)))
    elif fm := _FIELD_YEAR.search(tm.norm, 0, 1500):
        # 信息分类: 2018建议提案; 交办时间:2021年3月29日: the page's fields say which year's items
        g = fm.lastindex
        d.offer("year", int(fm.group(g)), "reply_letter_date", span=tm.to_source(fm.start(g), fm.end(g)))
    elif hm := _HANDLING_YEAR_NAMED.search(tm.norm):
        # 印发《关于认真办理2025年建议提案的通知》: the letter names the year whose items it handles
        d.offer("year", int(hm.group(1)), "reply_letter_date", span=tm.to_source(hm.start(1), hm.end(1)))
    elif published.value:
        d.offer("year", int(published.value[:4]), "reply_letter_date", span=(published.start, published.end))


# 办理2025年建议提案; 办理2019年度人大代表建议: the year whose items are handled, named
_HANDLING_YEAR_NAMED = re.compile(r"办理\s*((?:19|20)\d{2})\s*年度?的?(?:全国|省|市|州|县|区)?"
                                  r"(?:人大代表|政协委员|代表|委员|人大|政协)?(?:建议|提案|议案)")
# 2018年末,我县农村公路共390条; 2021年,铜仁市投入近9亿元…建成了…: a year's work told as done
_FINISHED_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:末|底|度)?\s*[,,]?(?=[^。;;\n]{0,30}?(?:共|累计|已|了|完成|建成|投入))")


def _finished_figures(tm: TextMap, d) -> None:
    """A reply with no date of its own, no session year and no page date: the
    latest year whose figures it tells as finished, plus one (GOLD.md §7.7.3:
    2018年末,我县农村公路共390条 → 2019)."""
    ack = ACK.search(tm.norm)
    _year_after_latest(tm, d, [m for m in _FINISHED_YEAR.finditer(tm.norm, ack.end() if ack else 0)
                               if not _PLAN.match(tm.norm, m.end())], "finished_figures")


def _year_after_latest(tm: TextMap, d, found: list, rule: str) -> None:
    """Offer the year after the latest year (group 1) of `found`, evidenced by that year's span."""
    if found:
        m = max(found, key=lambda x: int(x.group(1)))
        d.offer("year", int(m.group(1)) + 1, rule, span=tm.to_source(m.start(1), m.end(1)))


# 比重與2015年持平,比2013年和2014年有所提高; 较2019年增加12件: the years a report compares itself with
_COMPARED = re.compile(r"(?:与|與|比|较|較|同)\s*((?:19|20)\d{2})\s*年(?:度)?(?:和|及|、|(?:19|20)\d{2}年)*"
                       r"(?:相比|相比较|同期)?[^,,。;;\d]{0,6}?(?:持平|提高|增加|增长|增長|减少|減少|下降|上升|提升|多|少)")


def _compared_years(tm: TextMap, d) -> None:
    """Where nothing else dates a report: the year after the latest year it
    compares its figures with (與2015年持平,比2013年和2014年有所提高 → 2016)."""
    _year_after_latest(tm, d, list(_COMPARED.finditer(tm.norm)), "compared_years")


# 吴邦文委员: / 尊敬的…代表 / …收悉: where a letter's body begins
_GREETING = re.compile(r"(?:委员|代表|同志)\s*[::,,]|" + ACK.pattern)
# 信息分类: 2018建议提案; 组配分类: 2020年人大建议; 交办时间:2021年3月29日: a page field naming the items' year
_FIELD_YEAR = re.compile(r"(?:信息分类|组配分类|主题分类|分类|栏目)\s*[::]\s*(?:\|\s*)?((?:19|20)\d{2})\s*年?度?\s*(?:人大|政协)?(?:代表)?(?:建议|提案)"
                         r"|(?:交办|答复|答覆|回复|办复)(?:时间|日期)\s*[::]\s*(?:\|\s*)?((?:19|20)\d{2})\s*[年\-./]")
# 2019年,市政协提案工作将紧紧围绕…; 2020年,提案工作要…: the plan for a year is not its handling
# (2019年,提案工作的总体思路是…: a year's plan set out)
_PLAN = re.compile(r"[^。\n]{0,24}?(?:将|要|拟|计划|安排|打算|思路|目标任务)")  # (match() anchors at pos; ^ would not)
_DONE = re.compile(r"[^。\n]{0,24}?(?:共|已|了|完成|办结|办复|收到|承办)")


# 2001年,共收到提案66件…2002年,共征集到提案48件…2003年,…: a chronicle of several years
_YEAR_OPENS = re.compile(r"(?:^|[。.\n])\s*((?:19|20)\d{2})\s*年\s*[,,]")


_LOOK_BACK_WORDS = "回望|回顾|盘点"  # (回望2025年: looking back on a year)


# 今年,省人大办公厅交给省政府系统办理的…代表建议208件: this year's handling, told before any year is named
_THIS_YEAR_OPENS = re.compile(r"(?:^|[。\n])\s*今年[,,]?(?=[^。\n]{0,40}?(?:办理|交办|承办|收到|共))", re.M)


def _opening_year(tm: TextMap, published: Field, d) -> None:
    if len({m.group(1) for m in _YEAR_OPENS.finditer(tm.norm, 0, 2000)}) >= 3:
        return  # a chronicle of three or more years is about none of them alone
    this_year = _THIS_YEAR_OPENS.search(tm.norm, 0, 2000)
    for m in _STRONG_YEAR.finditer(tm.norm, 0, 2000):
        if this_year and this_year.start() < m.start() and published.value and int(published.value[5:7]) > 2:
            # (…今年,…交给省政府系统办理的…; further on, 2000年我省…: a year of the body's history)
            d.offer("year", int(published.value[:4]), "opening_year", span=(published.start, published.end))
            return
        g = next(i for i in (1, 2, 3, 4, 5) if m.group(i))
        if _PLAN.match(tm.norm, m.end()) and not _DONE.match(tm.norm, m.end()):
            continue
        # 回望2025年: a session's news looking back on the year before, not the year it is about;
        # 听取2018年建议提案办理工作情况汇报,部署2019年…: a meeting hears of a year past
        if re.search(rf"(?:{_LOOK_BACK_WORDS}|听取)\s*$", tm.norm[max(0, m.start(g) - 4):m.start(g)]):
            continue
        if tm.norm.startswith("优秀", m.end()) and not tm.norm.endswith("表彰", 0, m.start(g)):
            continue  # 获得2015年度优秀提案奖 at a session: an award for a past year (表彰2019年度优秀提案 is that year's)
        if re.match(r"[^,,。;;]{0,20}?表彰", tm.norm[m.end():m.end() + 24]):
            continue  # 召开了1999年…办理表彰会暨…交办会: the year honoured is past; the session handed out is not it
        d.offer("year", int(m.group(g)), "opening_year", span=tm.to_source(m.start(g), m.end(g)))
        return


# 回望2025年 in a session's intake news: the session looks back on the year before its own
_LOOK_BACK_AT = re.compile(rf"(?:{_LOOK_BACK_WORDS})\s*((?:19|20)\d{{2}})\s*年")


def _intake_news(head: str) -> bool:
    """A session's intake news (共收到提案…, 提案审查), not a report of results
    that also counts what came in."""
    return bool(_SESSION_INTAKE.search(head) and re.search(r"次会议", head)) and not _RESULTS.search(head)


def _session_looking_back(tm: TextMap, d) -> None:
    head = tm.norm[:3000]
    if not _intake_news(head):
        return
    m = _LOOK_BACK_AT.search(head)
    if m:
        d.offer("year", int(m.group(1)) + 1, "session_looking_back", span=tm.to_source(m.start(1), m.end(1)))


def extract_year(tm: TextMap, title: Field, published: Field) -> tuple[Field, bool, str | None]:
    """The handling year, from the evidence the text gives, decided by the
    precedence of `document.year` in resources/precedence.yaml (title, the
    session the report is about, its delivery date line, a reply's own date,
    the year the opening ties to the work, the main session; the page's
    publication date last). Returns (year, from the publication date only,
    the deciding rule)."""
    from . import genre, sessions
    from .resolve import Decisions

    d = Decisions("document")
    found = sessions.find(tm.norm)  # read once: the title's, the main and the national session
    in_title = _in_title(tm, title, found)
    reply = genre.is_reply_letter(tm.norm, title.value)
    _results_year(tm, d)
    _title_year(tm, title, published, d)
    _session_years(tm, found, in_title, d)
    _delivery_year(tm, d)
    if reply:
        _reply_year(tm, published, d)
        _finished_figures(tm, d)
    else:  # (a reply's body cites years of history: 2021年以来,我市大力推进…)
        _opening_year(tm, published, d)
        _session_looking_back(tm, d)
    _dated_events(tm, d)
    _national_session(tm, found, in_title, d)
    _compared_years(tm, d)
    if published.value and not _COLLECTION.search(tm.norm[:600]):
        y, month = int(published.value[:4]), int(published.value[5:7])
        head = tm.norm[:3000]
        intake = _intake_news(head)
        looks_back = month <= 2 and (_LOOKS_BACK.search(head) or _LATER_MONTH.search(head)) and not reply and not intake
        # a session's intake reported in December is the next year's handling (GOLD.md §7.10)
        y = y - 1 if looks_back else y + (month == 12 and intake)
        d.offer("year", y, "published_early" if looks_back else "published", span=(published.start, published.end))
    w = d.winner("year")
    if w is None:
        return Field(None), False, None
    start, end = w.span or (None, None)
    from_published = w.span == (published.start, published.end) and published.value is not None
    return Field(w.value, start, end), from_published, w.rule
