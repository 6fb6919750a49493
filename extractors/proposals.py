"""Numbered proposals, suggestions and motions (GOLD.md §2): number as
written, kind, body, session, title, the reporting unit's role, status,
category and key flag — each with the span of its first numbered mention.

Matching runs on a compact view of the normalized text (line breaks and
spaces out: `区人大十\\n  八届四次会议第 55 号`), mapped back to the source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.textmap import TextMap
from . import genre, handling, regions
from .context import CLAUSE, SEGMENT, bounds
from .records import Proposal, frozen_map
from .resolve import Decisions
from .sessions import SESSION_WORDS

_CN = "一二三四五六七八九十"
_KIND = r"(建议案|议案|建议|提案)"
# the kind words and 关于 as a title writes them, Traditional too
_KIND_WRITTEN = r"(?:建议案|议案|建议|提案|建議|議案)"
_ABOUT = r"(?:关于|關於|关於|關于)"
_NUM = r"\d{1,8}"
_NUMS = rf"{_NUM}(?:号?[、,和及]第?{_NUM})*"
_MENTION = re.compile(
    # 第0125号; 第 TA2023039号 (a series mark before the digits stays in the surface)
    rf"第\s*(?:[A-Z]{{1,3}}|[\u4e00-\u9fff](?=\d))?(?P<a>{_NUMS})号(?:重点)?(?P<ka>{_KIND})?"
    rf"|(?P<kb>{_KIND})(?P<b>{_NUMS})号"
    # 17号建议; 17号代表建议
    rf"|(?P<c>{_NUMS})号(?:代表|委员)?(?P<kc>{_KIND})"
    rf"|(?<=》)[((]第?(?P<d>{_NUM})号[))]"
    # 主办件(提案编号:054、108、144); 建议/提案号: 11 — numbers under a label, without 号 after them
    rf"|(?P<ke>{_KIND})(?:/{_KIND})?(?:编号|号)[::]\s*(?P<e>{_NUMS})"
)
# What a number before 号 is when it is not a proposal: 〔2020〕7号 (document),
# 同茂大道416号 (street), ICP备…号, 公网安备…号, 1号楼/3号线/1号文件.
_NOT_BEFORE = re.compile(r"(〕|\]|】|[((]\d{4}[))]|路|街|道|巷|弄|村|组|栋|楼|大道|备|字|发|函|令|ICP|公网安)$")
_NOT_AFTER = re.compile(r"^(楼|线|院|文件|令|门|地块|库|公告|通知|房|室|台风)")
_SESSION = re.compile(rf"(?P<pre>(?:中国人民政治协商会议)?[\u4e00-\u9fff]{{0,10}}?){SESSION_WORDS}")
_TITLE = re.compile(rf"[《“\"]?(关于[^,。;《》\n]{{2,80}}?的?{_KIND})[》”\"]?")
# between book-title marks a title may hold commas (122号提案《关于充分借鉴苏南经验,推动…的建议》)
_TITLE_MARKED = re.compile(rf"《(关于[^《》\n]{{2,80}}?的?{_KIND})》")
# 第77号提案的答复函《关于…的建议》: the letter's name, then the item's title
_TITLE_AFTER_LETTER = re.compile(rf"的?(?:答复函|答复|复函|回复|办理意见|办理复文)[::]?《(关于[^《》\n]{{2,80}}?的?{_KIND})》")
# 《关于…的建议》(第12号); “关于…的建议”(第1号); 关于《关于…的建议》提案(第1006号)
_TITLE_BEFORE = re.compile(rf"[《“](关于[^《》\n]{{2,80}}?的?{_KIND})[》”](?:的?(?P<kind_after>建议案|议案|建议|提案))?[((]?\s*$")
# 《关于加大力度治理学校周边环境》(99号)建议: the marks hold the title whole, kind word or not
_TITLE_BEFORE_BARE = re.compile(r"《(关于[^《》\n]{2,80}?)》\s*$")
# 会办市人大1号议案; 我局会办的第5、8、22号提案; 领办的重点建议第102号
_ROLE_BEFORE = re.compile(r"(主办|会办|协办|分办|领办)(?:的)?\s*(?:重点)?(?:市|区|县|省)?(?:人大|政协)?(?:代表|委员)?(?:建议|提案|议案)?\s*$"
                          # 其中主办件(提案编号:054、108…), 共办4件(提案编号:…): the role labels the list
                          r"|(主办|会办|协办|分办|领办|共办)(?:件)?(?:\d+件)?[((]$")
# …由州农业农村局主办,我市协办: the reporting unit's own role
# (not 我厅已向主办部委…: the role word after 向/给 is another unit's)
_OWN_ROLE = re.compile(r"我[市区县局委办厅处州]\S{0,3}?(?<![向给])(主办|会办|协办|分办|领办)"
                       r"|由[市区县州省](?:人民)?政府(?:系统)?(主办|会办|协办|分办)")
_LEVEL_CHARS = "省市州区县旗镇乡"
_REPLIED = re.compile(r"办理了|答复了|办复了|回复了")
_ALL_CLOSED = re.compile(r"(?:全部|均已|均按时|均按期|已完成)[^。;,]{0,10}?(?:办结|办复|答复|办理完毕)"
                         # 按时办结率为100%: every item was closed
                         r"|办结率(?:为|达|达到)?100%")


@dataclass
class _ProposalDraft:
    """One numbered item while the rules read the document: later mentions
    and the document's rules fill its session, kind and class. Title, role
    and status are not set but offered: each rule adds a candidate naming
    itself, and the precedence declared in resources/precedence.yaml decides
    (extractors/resolve.py). `extract` freezes it into a records.Proposal."""
    number: str
    kind: str | None
    body: str | None
    session: str | None
    category: str | None
    is_key: bool
    start: int
    end: int
    surface: str
    cstart: int = 0  # span in the compact view
    cend: int = 0
    decisions: Decisions = field(default_factory=lambda: Decisions("proposal"))

    def offer(self, name: str, value, rule: str, text: str | None = None) -> None:
        self.decisions.offer(name, value, rule, text)

    @property
    def status(self) -> str | None:
        return self.decisions.value("status")

    @property
    def role(self) -> str | None:
        return self.decisions.value("role")

    @property
    def title(self) -> str | None:
        return self.decisions.value("title")


DECIDED = ("status", "role", "title", "reading")


_NON_SPACE = re.compile(r"\S+")  # \s is exactly str.isspace()


def compact(norm: str) -> tuple[str, list[int]]:
    r"""``norm`` without whitespace; ``idx[i]`` is the norm offset of char i.

    >>> compact("第 12\n号")
    ('第12号', [0, 2, 3, 5])
    """
    runs, idx = [], []
    for m in _NON_SPACE.finditer(norm):  # a run at a time, not a character at a time: every page is compacted
        runs.append(m.group())
        idx.extend(range(m.start(), m.end()))
    return "".join(runs), idx


def _session_name(m: re.Match) -> str:
    """Trim the words before a session to a place name or a level, with the
    body named before the place: `办理了区人大十八届四次会议` → `区人大十八届四次会议`,
    `关于政协融安县第十三届委员会…` → `政协融安县第十三届委员会…`, `龙街镇第三届…`."""
    pre = m.group("pre")
    cm = re.search(r"(?:政协|中国人民政治协商会议)[\u4e00-\u9fff]{1,8}?[省市州县区旗]委员会$", pre)
    if cm:  # 政协临沧市委员会四届三次会议: the committee named in full before its term
        return cm.group() + m.group(0)[len(pre):]
    keep = _place_words(pre)
    if keep:
        body = re.search(r"(中国人民政治协商会议|政协|人大)$", pre[:len(pre) - len(keep)])
        keep = (body.group(1) if body else "") + keep
    return keep + m.group(0)[len(pre):]


# words that stand before a level char in a sentence, not in a place name (对旗…, 在本旗…)
_NOT_PLACE = re.compile(r"[对于在向的和及与本全我该各此其经由从为是了出届会议次]")


def _place_words(pre: str) -> str:
    """The place name or level that ends `pre` (融安县, 区, 龙街镇), or ''."""
    # 龙街镇, 圣灯山镇: towns are not in the division table; their name runs back to the first word
    # that is no part of a place (关于圣灯山镇 → 圣灯山镇; 对镇十三届… → the level word 镇)
    town = re.search(r"([\u4e00-\u9fff]{0,4})([镇乡])$", pre)
    if town and not re.search(r"(?:城|市|县|区)[镇乡]$", town.group()):
        name = re.split(_NOT_PLACE.pattern, town.group(1))[-1]
        return name + town.group(2)
    keep = ""
    _, full, short = regions._table()
    for k in range(len(pre)):
        tail = pre[k:]
        if tail in full or tail in short or (len(tail) == 1 and tail in _LEVEL_CHARS):
            keep = tail
            break
        if tail[:-1] in full or tail[:-1] in short:
            if tail[-1] in _LEVEL_CHARS:
                keep = tail
                break
    if not keep and pre and pre[-1] in _LEVEL_CHARS:
        keep = pre[-1]
    if keep in ("州", "区", "县", "旗") and pre.endswith("自治" + keep):
        keep = "自治" + keep  # 关于自治州十四届人大四次会议: the level word is 自治州
    if keep == "旗" and re.fullmatch(r"[\u4e00-\u9fff]{2}", pre[-3:-1]) and not _NOT_PLACE.search(pre[-3:-1]):
        keep = pre[-3:]  # 阿左旗 (阿拉善左旗): a banner's short name the division table lacks
    if len(keep) > 1:
        # 郑州市惠济区: the chain of places as written, the larger before the smaller
        outer = _place_words(pre[:len(pre) - len(keep)])
        keep = (outer if len(outer) > 1 else "") + keep
    return keep


def _sentence(c: str, i: int, j: int) -> tuple[int, int]:
    """An item's words: from the start of its segment (a list item stops at ;)
    to the end of its sentence, stop included."""
    b = bounds(c, i, j)[1]
    return bounds(c, i, j, SEGMENT)[0], (b + 1 if b < len(c) else b)


def _kind_from_context(c: str, a: int, i: int) -> str | None:
    rx, table = handling.kind_rx()
    found = [table[m.group()] for m in rx.finditer(c, a, i)]
    found = [k for k in found if k != "建议提案"]
    return found[-1] if found else None


@dataclass
class _Page:
    """What every rule of one document reads: the compact view and its map back,
    the sessions it names, its numbered mentions (links to other pages left out)."""
    tm: TextMap
    c: str
    idx: list[int]
    sessions: list[tuple]  # (compact start, end, as written, normalized name)
    mentions: list[re.Match]
    reply: bool  # a reply letter (genre.is_reply_letter), decided once


@dataclass
class _Mention:
    """One numbered mention and what its own words say."""
    m: re.Match
    nums: list[str]
    grp: str
    kind: str | None
    kind_stated: bool
    title: str | None
    title_rule: str
    session: str | None
    body: str | None
    role: str | None
    role_rule: str | None
    status: str | None
    status_text: str | None
    status_rule: str
    category: str | None
    is_key: bool


@lru_cache(maxsize=1)
def _session_near() -> tuple[re.Pattern, int] | None:
    """_SESSION led by a look for its 届 within the longest match it can make
    (a condition every match meets, so the matches are the same), and that
    length; None where the pattern's length has no bound."""
    try:
        from re import _parser as parser
    except ImportError:  # Python < 3.11
        import sre_parse as parser
    width = parser.parse(_SESSION.pattern).getwidth()[1]
    if width >= 10000:
        return None
    return re.compile(rf"(?=[^届]{{0,{width}}}届)(?:{_SESSION.pattern})", _SESSION.flags), width


def _session_matches(c: str):
    """_SESSION.finditer(c), the engine started only within reach of a 届:
    every session names one, and the pattern's lazy lead tried at every
    character of the page cost a twentieth of the whole extraction."""
    near = _session_near()
    if near is None:
        yield from _SESSION.finditer(c)
        return
    rx, width = near
    pos = 0
    while (j := c.find("届", pos)) >= 0:
        m = rx.search(c, max(pos, j - width))  # no match starts before j - width: it would hold a 届 before j
        if m is None:
            return
        yield m
        pos = m.end()  # (never empty: 届 is in every match)


def _page(tm: TextMap) -> _Page:
    c, idx = compact(tm.norm)
    sessions = []
    for m in _session_matches(c):
        name = _session_name(m)
        # the value as written (Traditional stays Traditional), from the source
        sessions.append((m.start() + len(m.group(0)) - len(name), m.end(),
                         _as_written(tm, idx, m.end() - len(name), m.end(), spaces=False), name))
    nav = _navigation_spans(tm.norm, idx)
    mentions = [m for m in _MENTION.finditer(c) if not any(a <= m.start() < b for a, b in nav)]
    return _Page(tm, c, idx, sessions, mentions, genre.is_reply_letter(tm.norm))


def extract(tm: TextMap) -> list[Proposal]:
    """The numbered items of a document, in the order first mentioned, as frozen records."""
    pg = _page(tm)
    found: dict[tuple, _ProposalDraft] = {}
    order: list[tuple] = []
    guessed: set[tuple] = set()  # items whose kind was read off a title or the context, not stated
    prev_mention = None
    for mi, m in enumerate(pg.mentions):
        s, e = m.span()
        if _NOT_BEFORE.search(pg.c[max(0, s - 6):s]) or _NOT_AFTER.search(pg.c[e:e + 4]):
            continue
        mn = _read_mention(pg, mi, prev_mention)
        prev_mention = (s, e, mn.role)
        _record(pg, mn, found, order, guessed)
    _table_rows(tm, pg.c, pg.idx, pg.sessions, found, order)
    props = [found[k] for k in order]
    _sessions_by_order(pg, props)
    _document_rules(pg, props)
    return [_freeze(p) for p in props]


def _freeze(p: _ProposalDraft) -> Proposal:
    """The record: each decided field's winning value, its wording and rule,
    and every candidate kept for review."""
    winners, losers = p.decisions.settled()
    won = {k: w.value for k, w in winners.items()}
    return Proposal(p.number, p.kind, p.body, p.session, p.category, p.is_key, p.start, p.end, p.surface,
                    p.cstart, p.cend, title=won.get("title"), role=won.get("role"), status=won.get("status"),
                    status_text=winners["status"].text if "status" in winners else None,
                    reading=won.get("reading"), reading_text=winners["reading"].text if "reading" in winners else None,
                    rule=p.decisions.rules(DECIDED), winners=frozen_map(winners), losers=losers)


def _read_mention(pg: _Page, mi: int, prev_mention: tuple | None) -> _Mention:
    c, m = pg.c, pg.mentions[mi]
    grp = next(g for g in "abcde" if m.group(g))
    s, e = m.span()
    a, b = _sentence(c, s, e)
    title, title_rule, chosen, base, tm_after = _mention_title(pg, m, grp, a)
    kind = m.group("ka") or m.group("kb") or m.group("kc") or m.group("ke")
    kind_stated = kind is not None  # 第19号提案, not a kind read off a title or the context
    if kind is None and chosen:
        # 关于《关于…的建议》提案(第1006号): the word after the marks is the item's kind, not the title's
        written = re.search(_KIND + "$", chosen.group(1))
        kind = (chosen.groupdict().get("kind_after") or (written.group(1) if written else None))
    session = _mention_session(pg, grp, a, s)
    kind, body = _kind_and_body(pg, kind, session, a, s)
    role, role_rule = _mention_role(pg, a, b, s, e, chosen, base, prev_mention)
    status, status_text, status_rule, category = _item_status(pg, mi, a, b, tm_after)
    is_key = bool(re.search(r"重点(办理)?(提案|建议|议案)?", c[max(a, s - 10):min(b, e + 40)]))
    if not is_key and c.startswith("其中", a):
        # 领衔督办重点建议提案12件。其中,第38号…: the items of a key list
        pa = bounds(c, a - 1, a - 1)[0]
        is_key = bool(re.search(r"重点(建议|提案|议案)", c[pa:a]))
    return _Mention(m, re.findall(_NUM, m.group(grp)), grp, kind, kind_stated, title, title_rule, session, body,
                    role, role_rule, status, status_text, status_rule, category, is_key)


def _mention_title(pg: _Page, m: re.Match, grp: str, a: int):
    """The title right before the number (《关于…的提案》(第12号)) or right after
    it (第0125号关于…的建议; 第3号:关于…的建议); one match decides both the value
    and its span. Returns (title, rule, the match, its offset, the match after)."""
    c, (s, e) = pg.c, m.span()
    off = max(a, s - 90)
    tm_before = _title_before(c[off:s], bare=grp == "d")
    at = e + (c[e:e + 1] in "::")
    tm_after = None if tm_before and grp == "d" else (
        _TITLE_MARKED.match(c, at) or _TITLE.match(c, at) or _TITLE_AFTER_LETTER.match(c, at))
    chosen, base = (tm_after, 0) if tm_after else (tm_before, off)
    title = None
    if chosen:
        ts, te = chosen.span(1)
        title = _as_written(pg.tm, pg.idx, ts + base, te + base)
        # “关于推进…改造”的建议 → 关于推进…改造的建议, but 推行“红色物业”的提案 keeps its pair
        if title.count("”") > title.count("“"):
            title = re.sub(rf"[”\"](?=的?{_KIND_WRITTEN}$)", "", title, count=1)
    return title, "title_after" if tm_after else "title_before", chosen, base, tm_after


def _title_before(window: str, bare: bool):
    """The marked title that ends the window, opening at the latest mark that makes one
    (“关于…的建议”(第1号)2.“关于…的建议”(第2号): the second's own, not both joined)."""
    for i in range(len(window) - 1, -1, -1):
        if window[i] in "《“":
            m = _TITLE_BEFORE.match(window, i) or (_TITLE_BEFORE_BARE.match(window, i) if bare else None)
            if m:
                return m
    return None


def _mention_session(pg: _Page, grp: str, a: int, s: int) -> str | None:
    near = [x for x in pg.sessions if x[0] >= a and x[1] <= s]
    if near:
        return near[-1][2]
    if grp in ("a", "b"):
        # 区人大十八届四次会议第 55 号: a session just before the number
        prev = [x for x in pg.sessions if 0 <= s - x[1] <= 2]
        return prev[-1][2] if prev else None
    return None


def _kind_and_body(pg: _Page, kind: str | None, session: str | None, a: int, s: int) -> tuple:
    c = pg.c
    if kind is None:
        kind = _kind_from_context(c, a, s)
    sess_norm = next((x[3] for x in pg.sessions if x[2] == session), "") if session else ""
    ctx = c[max(a, s - 16):s] + sess_norm
    if kind is None and session:
        kind = "提案" if "政协" in sess_norm else "建议"
    body = None
    # (姚安县第十八届人民代表大会第四次会议第42号建议案: the session's body over the kind's)
    if "政协" in ctx or "政治协商" in ctx or "委员" in c[max(a, s - 8):s]:
        body = "政协"
    elif "人大" in ctx or "人民代表" in ctx or "代表" in c[max(a, s - 8):s]:
        body = "人大"
    if body is None and kind:
        body = "政协" if kind in ("提案", "建议案") else "人大"
    if body == "政协" and kind == "建议":
        kind = "提案"  # 县政协十届三次会议第113号建议: a CPPCC member's item is a 提案 (GOLD.md §2, §7.24)
    return kind, body


def _mention_role(pg: _Page, a, b, s, e, chosen, base, prev_mention) -> tuple[str | None, str | None]:
    c = pg.c
    role, rule = _role(c, a, b, s, e)
    if role is None and chosen:
        # 第24号:关于规范共享单车停放秩序的建议(协办): a list marks the items of another role
        rm = re.match(r"[》”\"]?[((](主办|会办|协办|分办|领办)(?:件|单位)?[))]", c[chosen.end() + base:chosen.end() + base + 9])
        role, rule = (rm.group(1), "title_mark") if rm else (None, None)
    if role is None and prev_mention is not None and prev_mention[1] <= s and re.fullmatch(
            r"[和及与、]?(?:市|区|县|省)?(?:人大|政协)?", c[prev_mention[1]:s]):
        role, rule = prev_mention[2], "list_shared"  # 会办市人大1号议案和市政协1号、2号建议案: one role for the list
    return role, rule


def _item_status(pg: _Page, mi: int, a: int, b: int, tm_after) -> tuple:
    """The item's own words — up to the next numbered item (several items share
    a sentence: 第38号…基本解决;第103号…正在落实中) or the paragraph's end — state
    its status and its class. Returns (status, wording, rule, class letter)."""
    c, m = pg.c, pg.mentions[mi]
    s, e = m.span()
    nxt = pg.mentions[mi + 1].start() if mi + 1 < len(pg.mentions) else len(c)
    item_end = min(nxt, e + 300, _para_end(pg.idx, pg.tm.norm, e))
    stop = _item_stop(c[e:item_end])
    if stop is not None:
        item_end = e + stop
    item = c[(tm_after.end() if tm_after else e):item_end]
    status, status_text = handling.canonical_status(item)
    rule = "item_words"
    cm = _RESULT_CLASS.search(item)
    if status is None and _REPLIED.search(c[a:s]) and re.match(r"[^。;]{0,60}?的?(答复|回复|复函)", c[e:b]):
        # 办理了区人大…第55号关于农村公路养护维修的答复: a reply was made
        status, status_text, rule = "closed", _REPLIED.search(c[a:s]).group(), "replied_phrase"
    return status, status_text, rule, cm.group(1) if cm else None


def _record(pg: _Page, mn: _Mention, found: dict, order: list, guessed: set) -> None:
    """Each number of the mention is an item (the first of its kind and number
    makes it); every mention adds its candidates — among equals the first stated
    wins, and a later list may state what became of items (第3、8、15号…已解决)."""
    s, e = mn.m.span()
    for k, num in enumerate(mn.nums):
        key = _same_item(found, order, guessed, (mn.kind, num), mn.kind_stated)
        p = found.get(key)
        if p is None:
            # the span: the whole mention for the first number of a list
            ss, ee = (s, e) if k == 0 else _num_span(pg.c, mn.m, num)
            src_s, src_e = pg.tm.to_source(pg.idx[ss], pg.idx[ee - 1] + 1)
            p = found[key] = _ProposalDraft(num, mn.kind, mn.body, mn.session, mn.category, mn.is_key, src_s,
                                            src_e, pg.tm.source[src_s:src_e], ss, ee)
            order.append(key)
            if not mn.kind_stated:
                guessed.add(key)
        else:
            p.is_key = p.is_key or mn.is_key
            p.session = p.session or mn.session
        p.offer("title", mn.title if len(mn.nums) == 1 else None, mn.title_rule)
        p.offer("role", mn.role, mn.role_rule)
        p.offer("status", mn.status, mn.status_rule, mn.status_text)


def _sessions_by_order(pg: _Page, props: list[_ProposalDraft]) -> None:
    """An item without a session of its own falls under the last session of its
    body that the report named before it (区十八届人大六次会议 … 第38号), not under
    one named inside a document's title (《市十四届人大六次会议…方案》)."""
    c = pg.c
    named = [(cs_, written, "政协" if "政协" in name else "人大") for cs_, _, written, name in pg.sessions
             if c[:cs_].count("《") <= c[:cs_].count("》")]
    for p in props:
        if p.session is None and p.body:
            before = [w for cs_, w, body in named if body == p.body and cs_ < p.cstart]
            if before:
                p.session = before[-1]


def _document_rules(pg: _Page, props: list[_ProposalDraft]) -> None:
    """Rules that read the whole document: aggregate and section statements,
    roles by section and elimination, defined classes, a reply letter's subject,
    class and outcome, and the catch-all (全部按时办结) last."""
    c = pg.c
    if len(props) == 1:
        _letter_subject(pg.tm, c, pg.idx, props[0])
        # 关于…第033号提案协办意见的函; 对…第8206号提案的协办意见; 对…第045号建议会办工作的意见
        lm = re.search(r"(协办|会办)意见的?函|号(?:提案|建议|议案)?的?(协办|会办)(?:工作的?)?意见", c[:200])
        if lm:  # the letter itself says the unit's role
            props[0].offer("role", lm.group(1) or lm.group(2), "opinion_letter")
    _aggregate_statuses(c, props)
    _section_statuses(pg.tm.norm, props)
    _section_roles(c, props)
    _roles_by_elimination(c, props, pg)
    classes = handling.class_statuses(c)
    for p in props:
        # 办理结果为乙类: the letter means what the report defines it to mean,
        # whatever else the item's narrative mentions (剩余1条已列入计划)
        if p.category and classes.get(p.category):
            p.offer("status", classes[p.category], "class_defined", p.category + "类")
    if len(props) == 1:
        _letter_class(c, props[0], classes)
        if pg.reply:
            _result_field(c, props[0])
        if props[0].status is None and pg.reply:
            _letter_outcome(c, props[0])  # (a news story about one proposal tells its story, not its outcome)
    m = _ALL_CLOSED.search(c)
    if m:
        # 已完成议提案办理答复工作, 全部按时办结: the items of the kinds it covers were
        # closed (weak, and last in precedence: any stated outcome wins)
        covered = _covered_kinds(c, m)
        for p in props:
            if covered is None or p.kind is None or p.kind in covered:
                p.offer("status", "closed", "catch_all", m.group())


def _covered_kinds(c: str, m: re.Match) -> set[str] | None:
    """The kinds an aggregate statement is about (None: every kind).
    157件议提案均全部按时办复, where 议提案 was defined as 人大代表建议和政协
    委员提案, covers suggestions and proposals, not the 议案/建议案 the unit
    handled besides; an undefined 议提案 covers them all."""
    rx, table = handling.kind_rx()
    hits = list(rx.finditer(c[max(0, m.start() - 14):m.end()]))
    if not hits:
        return None
    word = hits[-1].group()
    d = re.search(r"([^,,。;;()()]{2,30})[((]以下简称“?" + re.escape(word) + r"”?[))]", c)
    defined = handling.kind_of(d.group(1)) if d else None
    if defined:
        kind = defined[0]
    elif word == "议提案":
        return None
    else:
        kind = table[word]
    return {"建议", "提案"} if kind == "建议提案" else {kind}


_RESULT_CLASS = re.compile(r"(?:办理结果为|结果为|列为|确定为|属于?)\s*([A-Da-d甲乙丙丁])\s*类")
# a results page's labelled field (办理类型⏎B; 办复类别:B类): the label says the letter is a class
_LABELLED_CLASS = re.compile(r"(?:办理类型|办理类别|办复类别|答复类别|结果类别)[::]?\s*([A-Da-d甲乙丙丁])(?![A-Za-z])")
_HEADING = re.compile(rf"^\s*(?:[{_CN}]+、|[(（][{_CN}\d]+[)）]|\d+[.、])(?P<head>[^\n]{{0,40}})", re.M)


# A results list as a table (办理结果公开): header words name the columns.
_CELL_SPLIT = re.compile(r"\t+|\s*[|｜]\s*")
_COLUMNS = {
    "number": re.compile(r"^(?!.*(?:序号|文号))(?:.*(?:编号|建议号|提案号|议案号|案号))"),
    "title": re.compile(r"标题|题目|案由|名称"),
    "role": re.compile(r"承办方式|办理方式|承办类型|主协办|办理类型"),
    "status": re.compile(r"办理结果|答复类别|结果类别|办理情况"),
}
_ROLE_CELL = re.compile(r"^(主办|会办|协办|分办|领办)(?:单位|件)?$")
_NUMBER_CELL = re.compile(r"^第?\s*(\d{1,8})\s*号?$")


def _table_rows(tm: TextMap, c: str, idx: list[int], sessions: list, found: dict, order: list) -> None:
    """Rows of a results table: the role and status columns fill the row's
    proposal; a number column without 号 (2024003 | 关于…的建议 | …) names a
    proposal of its own."""
    import bisect

    norm = tm.norm
    header: dict[str, int] | None = None
    pos = 0
    for line in norm.split("\n"):
        start, pos = pos, pos + len(line) + 1
        cells = [(m.start(), m.end()) for m in re.finditer(r"[^\t|｜]+", line)]
        cells = [(a + len(line[a:b]) - len(line[a:b].lstrip()), b - (len(line[a:b]) - len(line[a:b].rstrip())))
                 for a, b in cells if line[a:b].strip()]
        if len(cells) < 3 or not _CELL_SPLIT.search(line):
            header = None
            continue
        texts = [line[a:b] for a, b in cells]
        cols = {name: next((k for k, t in enumerate(texts) if rx.search(t)), None) for name, rx in _COLUMNS.items()}
        if cols["title"] is not None and (cols["number"] is not None or cols["status"] is not None):
            header = {k: v for k, v in cols.items() if v is not None}
            kind_word = re.search(_KIND, texts[header["number"]]) if "number" in header else None
            header_kind = kind_word.group(1) if kind_word else None
            continue
        if header is None or len(texts) < len(header):
            continue
        title = texts[header["title"]] if header["title"] < len(texts) else ""
        km = re.search(_KIND + "$", title)
        kind = km.group(1) if km else header_kind
        nm = _NUMBER_CELL.match(texts[header["number"]]) if "number" in header else None
        if not nm or kind is None:
            continue
        key = (kind, nm.group(1))
        role_m = _ROLE_CELL.match(texts[header["role"]]) if "role" in header else None
        status, status_text = (handling.canonical_status(texts[header["status"]]) if "status" in header
                               else (None, None))
        p = found.get(key)
        if p is None:
            a, b = cells[header["number"]]
            ns, ne = start + a, start + b
            src_s, src_e = tm.to_source(ns, ne)
            cs = bisect.bisect_left(idx, ns)
            body = "政协" if kind in ("提案", "建议案") else "人大"
            named = [x for x in sessions if x[1] <= cs and ("政协" in x[3]) == (body == "政协")]
            p = _ProposalDraft(nm.group(1), kind, body, named[-1][2] if named else None, None, False,
                               src_s, src_e, tm.source[src_s:src_e], cs, bisect.bisect_left(idx, ne))
            p.offer("title", title if title.startswith("关于") else None, "table_cell")
            found[key] = p
            order.append(key)
        p.offer("role", role_m.group(1) if role_m else None, "table_cell")
        p.offer("status", status, "table_cell", status_text)


def _item_stop(seg: str) -> int | None:
    """Where an item's own words end: a ; or a bracket closing one opened
    before the item ((第12号)…), not one the item opens itself ((市、区))."""
    depth = 0
    for i, ch in enumerate(seg):
        if ch in "((":
            depth += 1
        elif ch in "))":
            if depth == 0:
                return i
            depth -= 1
        elif ch in ";;":
            return i
    return None


def _section_statuses(norm: str, props: list[_ProposalDraft]) -> None:
    """A section headed by one proposal (（二）市人大2号议案…办理情况) states
    that proposal's status in its body (…均有序落实)."""
    heads = list(_HEADING.finditer(norm))
    for k, h in enumerate(heads):
        nums = re.findall(r"(\d+)\s*号", h.group("head"))
        if len(nums) != 1:
            continue
        body = norm[h.end(): heads[k + 1].start() if k + 1 < len(heads) else h.end() + 400][:400]
        status, text = handling.canonical_status(body)
        if status is None:
            continue
        kinds = re.findall(_KIND, h.group("head"))
        for p in props:
            if p.number == nums[0] and p.status is None and (not kinds or p.kind == kinds[0]):
                p.offer("status", status, "section_body", text)


# A reply letter names what it answers in its acknowledgement: 您提出的《关于…的建议》
# 收悉; 您所提的关于…的建议已收悉; 关于“黨馬線…提升”的建議收悉; “盘活…问题”的提案收悉;
# …提出的《关于…的提案》,交我局研究办理,现答复如下; 《关于…的建议》(第033号提案)协办意见函告如下
_ACK_END = r"[^。]{0,30}?(?:收悉|答复如下|答覆如下|回复如下|回覆如下|函复如下|函告如下|如下(?:协办|会办)?意见|转由我|交由我|交我|交[^,,。]{1,12}?办理)"
_ACK = re.compile(rf"(?:(?:提出|所提|提交|领衔)(?:了)?的?(?P<about>{_ABOUT})?)?"
                  # (《关于…的建议(第24号建议)收悉: a title mark left open before the number)
                  rf"(?:(?P<q>[《“\"])(?P<t>[^》”\"]{{4,80}}?)(?:[》”\"]|(?=[((]第?\d))(?P<k>的?{_KIND_WRITTEN})?"
                  rf"|(?<=[提所交的出])(?P<u>{_ABOUT}[^。;《》“]{{2,80}}?的?{_KIND_WRITTEN}))"
                  + _ACK_END)


# 您提出的关于做好垃圾分类推动绿色发展的建议,我局在工作中予以充分的吸收: addressed to its author,
# the item is named without an acknowledgement (the named groups are _ACK's)
_YOU_RAISED = re.compile(rf"(?:您|你)们?[^。,,;]{{0,30}}?提出的(?P<q>)(?P<t>)(?P<u>{_ABOUT}[^。;,,《》“]{{2,80}}?的?{_KIND_WRITTEN})"
                         r"(?=[,,。;;])")


def _letter_class(c: str, p: _ProposalDraft, classes: dict[str, str]) -> None:
    """A letter about one item states its class anywhere (本建议办理结果为A类, or
    the one class letter it names): kept as written, and its status where the
    letter defines the letter."""
    if p.category is None:
        cm = _RESULT_CLASS.search(c, p.cend) or _LABELLED_CLASS.search(c)
        # (A类:所提问题已经解决或基本解决) over the greeting: the one class a letter names is its own
        named = {m.group(1) for m in re.finditer(r"(?<![A-Za-z])([A-Da-d甲乙丙丁])\s*类", c)}
        p.category = cm.group(1) if cm else (named.pop() if len(named) == 1 else None)
    if p.category and classes.get(p.category):
        p.offer("status", classes[p.category], "class_defined", p.category + "类")


# 办理结果:解决或采纳; 答复类别:正在解决: a letter's page field that states its outcome in words
# (办理结果:(A类) is a class letter: _letter_class)
_RESULT_FIELD = re.compile(r"(?:办理结果|答复结果|办理类别|答复类别|结果类别)[::]?[\[(（【]?([^\[\]()（）【】,,。;;:：]{2,10})")


# (the compact view runs the field on into the greeting: 办理结果:解决或采纳仇忠伟委员:)
_SOLVED_OR_ADOPTED = re.compile(r"已?(?:解决|采纳)(?:或|和|、)已?(?:解决|采纳)|已?(?:解决|采纳)$")


def _acknowledged_at(c: str) -> int:
    """Where a reply's acknowledgement words (收悉, 现答复如下…) stand last in the compact view; -1 if none."""
    return max(c.find(w) for w in genre.ACK_WORDS)


def _result_field(c: str, p: _ProposalDraft) -> None:
    """A reply letter's field that says its outcome in status words, before the letter speaks."""
    ack = _acknowledged_at(c)
    m = _RESULT_FIELD.search(c, 0, ack if ack > 0 else 600)
    status, wording = handling.canonical_status(m.group(1)) if m else (None, None)
    sm = _SOLVED_OR_ADOPTED.match(m.group(1)) if m and status is None else None
    if sm:  # (not among the status words: 列入计划解决或采纳 in a report's sentence is a plan)
        status, wording = "resolved", sm.group()
    if status and status != "closed":
        p.offer("status", status, "result_field", wording)


def _letter_outcome(c: str, p: _ProposalDraft) -> None:
    """A reply letter about one item says in its body what became of it: the
    handling vocabulary and the outcome cues of handling.yaml `letter_outcomes`
    after the acknowledgement (现答复如下), each read in its clause. The outcome
    named most wins; between equals, the one named last (a reply ends on its
    result); a plan with work under way is in progress; refusals alone are a no."""
    ack = _acknowledged_at(c)
    # (a refusal's reasons may be background or another body's: 近几年来上级安排的资金远远不能满足)
    body = max(ack, p.cend)
    found = _outcome_hits(c, body)
    found = [h for h in found if not _REQUEST.search(c, *bounds(c, h[0], h[0] + 1, SEGMENT))]
    hits = [h for h in found if h[1] == "reference_weak" or _answers(c, body, h[0])]
    if not hits:
        return
    if all(st == "reference_weak" for _, st, _ in found):
        # answered no, and no class letter says otherwise (暂无…先例; 不属于…管辖); a C or D class,
        # the letters most places give a no, does not (岳经建交字[2016]13号C类 …不属于我局职责)
        if p.category is None or p.category.upper() in ("C", "D", "丙", "丁"):
            p.offer("reading", "reference", "refusal_only", hits[-1][2])
        return
    if all(st == "reference_weak" for _, st, _ in hits):
        return  # what the letter did is background or another body's: its answer to the item unread
    result = max(pos for pos, st, _ in hits if st != "reference_weak")
    # 难以扩建…已列入规划: a difficulty the letter explains on its way to what will be done is no
    # answer (but a refusal under an earlier point, 1、…不能列入…;2、…, answers that point)
    hits = [(pos, "reference" if st == "reference_weak" else st, w) for pos, st, w in hits
            if st != "reference_weak" or pos > result or _POINT.search(c, pos, result)]
    count: dict[str, int] = {}
    last: dict[str, tuple[int, str]] = {}
    for pos, status, wording in hits:
        count[status] = count.get(status, 0) + 1
        last[status] = (pos, wording)
    if "reference" in count and len(count) > 1 and count["reference"] * 2 >= sum(count.values()):
        return  # refused in part and done in part (不建议安装减速带…将协调施划网状线): the letter says no one outcome
    best = max(count, key=lambda st: (count[st], last[st][0]))
    if best == "planned" and "in_progress" in count:
        best = "in_progress"  # GOLD.md §4: work under way on a plan is in progress (已上报…待项目批准后)
    p.offer("reading", best, "reply_letter_body", last[best][1])


# 近年来,全县累计…; …推行殡葬改革以来,全县七乡镇均已建成…: what the unit or the place has
# done in general, told as background before the answer
# (今年以来 is this year's work, often the answer itself: 今年以来…目前正在推进投标实施)
_BACKGROUND = re.compile(r"近年来|近几年来?|多年来|历年来|(?<!今年)(?<!本年)以来|全(?:国|省|市|州|县|区|镇|乡)[^,,。;;]{0,8}?(?:均|累计)")
# 目前省医保局正在制定…; 国家发改委已经…: another body's work, told as what lies beyond the unit
_OTHER_BODY = re.compile(r"^(?:目前|现在|同时|另外|此外)?[,,]?(?:国家|省|自治区|上级|中央)[^,,。;;我]{0,12}?"
                         r"(?:部|委|厅|局|办|政府|公司)(?:也|还|都|已|正|在|将|于|目前)")
# 现已经开始新建,恳请县人大给予支持缺口资金6万元: the suggestion's own plea, restated, is no outcome
_REQUEST = re.compile(r"恳请|呼吁")
# what marks words as about the item answered: 该路段, 此事, 您提出的, 你们反映的, 所提, 上述, 本建议
_ITEM_REF = re.compile(r"该|此(?:事|项|处|路|段|问题|建议|提案)|您|你们?|上述|所提|所反映|提出的|本(?:建议|提案|议案)|这一(?:问题|建议|提案)")


def _answers(c: str, body: int, pos: int) -> bool:
    """Whether a cue can answer the item: not another body's work in its
    clause (目前省医保局正在制定…), nor background its segment tells before it
    in general (…以来,全县七乡镇均已建成…), unless those words name the item
    (该路段, 您提出的). (The title's own words do not: background is about the
    item's topic too.)"""
    ca, cb = bounds(c, pos, pos + 1, CLAUSE)
    if _OTHER_BODY.search(c[ca:cb]) and not _ITEM_REF.search(c[ca:cb]):
        return False
    sa, sb = bounds(c, pos, pos + 1, SEGMENT)
    sa = max(sa, body)  # (not the acknowledgement's 您提出的 before the body)
    if not _BACKGROUND.search(c, sa, pos):
        return True
    return _ITEM_REF.search(c, sa, sb) is not None


# 。2、今年…; ;二是…; (三)…: the next point of a letter that answers point by point
_POINT = re.compile(r"[。;;:]\s*(?:[一二三四五六七八九十]是|[0-9一二三四五六七八九十]{1,2}[、.．]|[((][0-9一二三四五六七八九十]{1,2}[))]"
                    r"|关于(?:你们|您|你)?(?:所?提出?的)?[^,,。;;]{0,16}?(?:问题|方面|建议)[,,])")  # 关于你们提出的交通问题,
# 请市政府…纳入统筹规划; 争取早日列入计划实施; 建议…列入: a plan asked for or hoped for, not made
_NOT_OURS = re.compile(r"请|争取|建议|希望|力争")
# “加大分类指导,有序推进”方面的建议: the suggestion's own words, quoted, are no outcome
_QUOTED = re.compile(r"“[^”“]{0,60}”")
# 农业农村局将在2023年开始实施的…项目中: work that will start is a plan
_FUTURE = re.compile(r"将|拟|计划|准备")


def _outcome_hits(c: str, start: int) -> list[tuple[int, str, str]]:
    """(position, status, wording) of the outcome cues after `start`, in text
    order: the longest of overlapping cues (纳入…正在实施的…计划 is a plan),
    none inside quotation marks, each read in its clause."""
    rx, table = handling.status_rx()  # 列入计划, 条件限制, 已经解决
    found = [(m.start(), m.end(), table[m.group()], m.group()) for m in rx.finditer(c, start)
             if table[m.group()] != "closed"]
    for status, orx in handling.letter_outcome_rx().items():
        found += [(m.start(), m.end(), status, m.group()) for m in orx.finditer(c, start)]
    quoted = [m.span() for m in _QUOTED.finditer(c, start)]
    kept: list[tuple[int, int, str, str]] = []
    for a, b, st, w in sorted(found, key=lambda h: h[0] - h[1]):  # longest first
        if not any(a < y and x < b for x, y, _, _ in kept) and not any(x < a < y for x, y in quoted):
            kept.append((a, b, st, w))
    read = [(a, _in_clause(c, a, st, w), w) for a, b, st, w in sorted(kept)]
    return [h for h in read if h[1] is not None]


def _in_clause(c: str, pos: int, status: str, wording: str) -> str | None:
    """A cue's status as its clause reads it: a preparatory step done (初步设计已经完成)
    is work under way; work that will start (将在2023年开始实施) is a plan; a plan
    asked of another (请市政府…纳入统筹规划) or striven for (争取早日列入计划) is
    none (None)."""
    a, b = bounds(c, pos, pos + len(wording), CLAUSE)
    if status == "planned" and _NOT_OURS.search(c, max(a, pos - 20), pos):
        return None
    if wording.endswith("中") and re.search(r"在[^,,。;;]{0,10}$", c[a:pos]):
        return None  # 因近几年在公墓建设中,资金缺口较大: in the course of, said of the past
    if status == "resolved" and handling.preparatory_rx().search(c, a, b):
        return "in_progress"
    if status == "in_progress" and not wording.startswith(("将继续", "继续")) and _FUTURE.search(c, max(a, pos - 12), pos):
        return "planned"
    return status


# 关于对维修温县‘四好公路’一号路的建议: a quotation that is a whole title
_TITLE_LIKE_QUOTE = re.compile(rf"{_ABOUT}\S{{2,76}}?的?{_KIND_WRITTEN}")


def _join_outside(tm: TextMap, idx: list[int], m: re.Match, title: str) -> str:
    """GOLD.md §7.17: the marks around a name go, and what stands right outside them is joined on — a leading
    关于 (关于“X”的建议, 关于《X的建议》的提案) and a trailing 的建议/的提案/建议 where the name inside has no such
    ending (《关于X》的提案, “X”的提案); a name already complete (《…的建议》建议收悉) takes nothing after it."""
    ends_in_kind = re.search(rf"{_KIND_WRITTEN}$", title) is not None
    if m.group("about") and (m.group("k") or ends_in_kind):
        title = _as_written(tm, idx, *m.span("about")) + title
    if m.group("k") and not ends_in_kind:
        title += _as_written(tm, idx, *m.span("k"))
    return title


def _letter_subject(tm: TextMap, c: str, idx: list[int], p: _ProposalDraft) -> None:
    """The title a reply letter gives its one item where it acknowledges it:
    a quoted title as written inside its marks; 关于“X”的建议 joined as
    关于X的建议; an unquoted 关于…的建议 as it stands."""
    m = _ACK.search(c) or _YOU_RAISED.search(c)
    if not m or (m.group("q") and m.group("q") != "《" and not re.match(r"提出|所提|提交|领衔", m.group())
                 and not _TITLE_LIKE_QUOTE.fullmatch(m.group("t") or "")):
        return  # a quotation from the suggestion (“建议进一步调整…”) is no title (“关于…的建议”已收悉 is one)
    if m.group("u"):
        # 关于加快农村教师周转房建设”的提案: a closing mark without its opening one goes
        title = re.sub(rf"[”\"](?=的?{_KIND_WRITTEN}$)", "", _as_written(tm, idx, *m.span("u")))
    else:
        ts, te = m.span("t")
        if m.group("q") == "《" and c[te:te + 1] != "》":
            # 《关于提升永嘉“红美人”柑橘产业政策扶持的建议》: quotation marks inside the title's own marks
            close = c.find("》", te, te + 80)
            if close > 0 and "《" not in c[te:close]:
                te = close
        title = _join_outside(tm, idx, m, _as_written(tm, idx, ts, te))
    # 关于“关于加强…的建议”: a doubled 关于 keeps one (GOLD.md §7.17)
    title = re.sub(rf"^{_ABOUT}(?={_ABOUT})", "", title)
    p.offer("title", title, "letter_subject")


def _same_item(found: dict, order: list, guessed: set, key: tuple, kind_stated: bool) -> tuple:
    """One number, one item, whatever its title calls it: 政协…第19号提案的答复 then
    《关于…的建议》(第19号); 《关于…的建议》(134号) then 第134号提案 (the stated
    kind replaces the one read off the title)."""
    if key in found:
        return key
    # (第091号建议 and 第 91号建议 on one page: one item, numbered as first written)
    other = next((f for f in order if f[1].lstrip("0") == key[1].lstrip("0")), None)
    if other is None:
        return key
    if not kind_stated or other[0] == key[0]:
        return other
    if other in guessed:
        p = found.pop(other)
        p.kind = key[0]
        found[key] = p
        order[order.index(other)] = key
        guessed.discard(other)
    return key


def _navigation_spans(norm: str, idx: list[int]) -> list[tuple[int, int]]:
    """Compact spans of a page's links to other pages (上一条:…第9号提案的答复):
    the items they name are other pages' items."""
    import bisect

    words = "|".join(map(re.escape, handling.vocab()["navigation_lines"]))
    return [(bisect.bisect_left(idx, m.start()), bisect.bisect_left(idx, m.end()))
            for m in re.finditer(rf"^[ \t]*(?:{words})[ \t]*[::][^\n]*", norm, re.M)]


def _para_end(idx: list[int], norm: str, ci: int) -> int:
    """The compact offset where the paragraph holding compact offset ``ci`` ends."""
    import bisect

    nl = norm.find("\n", idx[ci] if ci < len(idx) else len(norm))
    return len(idx) if nl < 0 else bisect.bisect_left(idx, nl)


def _as_written(tm: TextMap, idx: list[int], cs: int, ce: int, spaces: bool = True) -> str:
    """The source text of a compact span, without line breaks and glosses; in a title a
    space inside a line stays one space, as written (关于规范校内午托管理 取缔…的建议), a
    line break with the spaces around it goes (a title wrapped over two lines). A session's
    name keeps no space (区 人大十八届四次会议 in a table's cell is 区人大…)."""
    from pipeline.textmap import strip_glosses

    s, e = tm.to_source(idx[cs], idx[ce - 1] + 1)
    text = re.sub(r"\s*\n\s*" if spaces else r"\s+", "", strip_glosses(tm.source[s:e]))
    return re.sub(r"\s+", " ", text).strip()


_ROLE_HEADING = re.compile(rf"(?:[{_CN}]{{1,4}}、|[(（][{_CN}]{{1,4}}[)）])[^。:]{{0,30}}?[(（]?(主办|会办|协办|分办)件[)）]?")


def _section_roles(c: str, props: list[_ProposalDraft]) -> None:
    """二、主要建议提案办理情况(主办件): the items of that section share its role."""
    heads = list(re.finditer(rf"(?:^|(?<=[。\s]))(?:[{_CN}]+、)", c))
    for m in _ROLE_HEADING.finditer(c):
        nxt = next((h.start() for h in heads if h.start() > m.end()), len(c))
        for p in props:
            if p.role is None and m.end() <= p.cstart < nxt:
                p.offer("role", m.group(1), "section_heading")


def _num_span(c: str, m: re.Match, num: str) -> tuple[int, int]:
    i = c.find(num, m.start() + 1)
    j = c.find("号", i)
    return i, (j + 1 if 0 <= j - i <= len(num) + 1 else i + len(num))


def _role(c: str, a: int, b: int, s: int, e: int) -> tuple[str | None, str | None]:
    """会办市人大1号议案; (1号议案为会办,2号议案为主办); …,均作为会办单位;
    由我委主办. Returns (role, the rule id that found it)."""
    m = _OWN_ROLE.search(c[e:b]) or _OWN_ROLE.search(c[a:s])
    if m:
        return m.group(1) or m.group(2), "own_unit"
    m = _ROLE_BEFORE.search(c[max(a, s - 16):s])
    if m:
        role = m.group(1) or m.group(2)
        return ("会办" if role == "共办" else role), "role_before"  # 共办, handled jointly: 会办
    m = re.search(r"(?:均作为|作为)(主办|会办|协办|分办|领办)", c[a:s])
    if m:
        return m.group(1), "as_role"
    tail = c[e:b]
    m = re.match(r"^[^,;。]*?(?:为|作为)(主办|会办|协办|分办|领办)", tail)
    if m:
        return m.group(1), "sentence_as_role"
    m = re.search(r"(?:均作为|作为|由我\S{0,2})(主办|会办|协办|分办|领办)", tail[:200])
    if m:
        return m.group(1), "sentence_as_role"
    # …(第86号)收悉。该提案由我局主办 / 本件提案由我局主办: the next sentence of a reply letter
    m = re.search(r"^[^。]{0,40}。?" + _THIS_ITEM_ROLE.pattern, c[e:e + 120])
    if m:
        return m.group(1), "this_item_next_sentence"
    # 由区长领办: the government's head leads it (由我委主办 is caught above)
    if re.search(r"由[^,,。;;]{0,10}?领办", tail[:60]):
        return "领办", "led_by"
    # 我厅已向主办部委报送协办意见: the unit sent its opinion as 协办/会办
    m = re.search(r"(?:报送|提交|反馈|提出)(?:了)?(会办|协办)意见", tail[:120])
    if m:
        return m.group(1), "opinion_sent"
    # 我局牵头出台…: the unit takes the lead (会同, "together with", is left
    # alone: annotators read 我局会同各县区 both ways)
    if re.search(r"我[局委厅办处室]\S{0,2}?牵头", tail[:80]):
        return "主办", "takes_lead"
    # 关于协助办理市政协六届四次会议第2024067号提案的答复: the reply says how it handled the item
    m = _HANDLED_AS.search(c, max(0, s - 30), s)
    if m:
        return "协办", "handled_as"
    return None, None


# 关于协助办理…会议第N号; 配合办理第N号: handled as an assisting unit, said right before the item's
# session and number (协助办理 is no role word elsewhere: …关于协助办理…的函 cited in a report)
_HANDLED_AS = re.compile(r"(?:协助办理|配合办理)[^,,。;;]{0,22}?(?:会议)?第?$")


_THIS_ITEM_ROLE = re.compile(r"(?:该|本)件?(?:建议案|建议|提案|议案|件)?由我\S{0,3}?(主办|会办|协办|分办|领办)")
# 代表建议14件(主办12件,协办2件): the unit's own split of one kind
_ROLE_SPLIT = re.compile(r"(建议案|议案|建议|提案)[^,,。;;((]{0,6}?\d+件[((]"
                         r"(主办|会办|协办|分办)(\d+)件[,,、;;](主办|会办|协办|分办)(\d+)件[))]")


# a results page's fields: 办理方式⏎分办; 主办单位: 高青县常家镇人民政府 (协办单位: left empty)
_MODE_FIELD = re.compile(r"(?:办理方式|承办方式|办理类型)\s*[::]?\s*(主办|协办|会办|分办)")
# 主办单位:某某区人民政府 版权所有; 主办:某县人民政府 承办:某县人民政府办公室 地址:…: the site's sponsor
_SITE_FOOTER = re.compile(r"版权|地址|邮编|备案|网站|ICP|技术支持|承办[::]")
_UNIT_FIELD = re.compile(r"(主办|协办|会办)(?:单位)?\s*[::][ \t\u3000]*([^\s::]*)")


def _field_role(norm: str) -> str | None:
    """A reply letter's page fields say its role: the 办理方式 field, or a 主办单位
    field that names a unit where no 协办/会办 field does."""
    ack = genre.ACK.search(norm)
    head = norm[:ack.start() if ack else 1500]  # before the letter speaks
    m = _MODE_FIELD.search(head)
    if m:
        return m.group(1)
    named = {f.group(1) for f in _UNIT_FIELD.finditer(head)
             if len(f.group(2)) >= 2 and not re.match(r"答复|日期|时间|联系|电话", f.group(2))
             and not _SITE_FOOTER.search(head[f.start():].split("\n", 1)[0])}
    return "主办" if named == {"主办"} else None


def _roles_by_elimination(c: str, props: list[_ProposalDraft], pg: _Page) -> None:
    """A list of one kind where the unit states its split (主办12件,协办2件)
    and marks only the items of one role ((协办)): the unmarked ones have the
    other role, when the counts say so. A report with one item states its
    role once, anywhere (该建议由我局主办)."""
    if len(props) == 1 and props[0].role is None:
        m = _THIS_ITEM_ROLE.search(c)
        if m:
            props[0].offer("role", m.group(1), "single_item_role")
        elif pg.reply:
            role = _field_role(pg.tm.norm)
            if role:
                props[0].offer("role", role, "letter_field")
    for m in _ROLE_SPLIT.finditer(c):
        kind, split = m.group(1), {m.group(2): int(m.group(3)), m.group(4): int(m.group(5))}
        items = [p for p in props if p.kind == kind]
        unmarked = [p for p in items if p.role is None]
        marked = {r: sum(1 for p in items if p.role == r) for r in split}
        for r, n in split.items():
            other = next(x for x in split if x != r)
            if unmarked and len(unmarked) == n and marked[other] == split[other] and marked[r] == 0:
                for p in unmarked:
                    p.offer("role", r, "elimination")
                break


# in the compact view (no line breaks): a topic line follows 。, : or ;
_TOPIC_LINE = re.compile(rf"(?:^|(?<=[。:;]))\s*(?:\d+[.、]|[(（][{_CN}\d]+[)）]|[{_CN}]+、)([^。;\n]{{4,60}}?)(?:问题)?[。;]")
# (a match starts only where a number starts, and a count has at most 8 digits: a run of
# digits before 件 costs linear time, not quadratic)
_AGG = re.compile(r"(?<![\d一二三四五六七八九十两])(\d{1,8}|[一二三四五六七八九十两]{1,8})件[^。;:]{0,12}?(已落实|已解决|已办结|已采纳|基本解决|正在落实|积极落实中|落实中|正在办理|列入计划)[^。;:]{0,6}[::]")
_REST = re.compile(r"其余(\d+|[一二三四五六七八九十两]+)件[^。;;]{0,20}?(已落实|已解决|积极落实中|正在落实|落实中|正在办理|列入计划|已办结|抓紧落实|正在抓紧)")


def _aggregate_statuses(c: str, props: list[_ProposalDraft]) -> None:
    """`截至目前,3件已落实:` then topic lines `1.提高…问题。` matched to
    proposal titles (rapidfuzz on the normalized text, one to one);
    `其余3件建议提案均在积极落实中` gives the rest that status."""
    from rapidfuzz import fuzz

    titled = [p for p in props if p.title]

    assigned: set[int] = set()
    for m in _AGG.finditer(c):
        status, text = handling.canonical_status(m.group(2))
        n = _count(m.group(1))
        if status is None or n is None:
            continue
        end_block = c.find("其余", m.end())
        block = c[m.end(): end_block if end_block > 0 else m.end() + 4000]
        topics = [t.group(1) for t in _TOPIC_LINE.finditer(block)]
        pairs = []
        for ti, t in enumerate(topics):
            for pi, p in enumerate(titled):
                if pi in assigned:
                    continue
                core = re.sub(r"^关于|的?(建议|提案|议案|建议案)$", "", p.title)
                pairs.append((fuzz.ratio(t, core), ti, pi))
        pairs.sort(reverse=True)
        used_t: set[int] = set()
        got = 0
        for score, ti, pi in pairs:
            if got >= n or score < 60 or ti in used_t or pi in assigned:
                continue
            used_t.add(ti)
            assigned.add(pi)
            titled[pi].offer("status", status, "aggregate_topic_list", text)
            got += 1
    _topic_statuses(c, props)
    _rest_statuses(c, props, titled)


# 涉及垃圾治理的2件提案所提问题均已解决; 涉及户外广告和夜间照明的2件提案已列入2023年工作计划
_TOPIC_AGG = re.compile(r"涉及([^,,。;;的]{2,24})的(\d+|[一二三四五六七八九十两]+)件(建议提案|建议|提案|议案)?([^。;;,,]{0,30})")


def _kind_ok(p: _ProposalDraft, word: str | None) -> bool:
    return not word or word == "建议提案" or p.kind in (None, word)


def _topic_statuses(c: str, props: list[_ProposalDraft]) -> None:
    """N items named by their topic get the status stated for them: each
    topic phrase (户外广告, 夜间照明) is looked for in the titles, its words
    (jieba) where the phrase itself is not there; the N best-covered open
    items of that kind take the status."""
    from extractors.labels import tokenizer

    for m in _TOPIC_AGG.finditer(c):
        status, text = handling.canonical_status(m.group(4))
        n = _count(m.group(2))
        if status is None or not n:
            continue
        phrases = [x for x in re.split(r"[和、及与]", m.group(1)) if len(x) >= 2]
        words = [[w for w in tokenizer().lcut(x) if len(w) >= 2] or [x] for x in phrases]
        scored = []
        for p in props:
            if p.status is not None or not p.title or not _kind_ok(p, m.group(3)) or p.cstart > m.start():
                continue
            hits = sum(1 for x, ws in zip(phrases, words) if x in p.title or any(w in p.title for w in ws))
            if hits:
                scored.append((hits, sum(w in p.title for ws in words for w in ws), p))
        scored.sort(key=lambda t: (-t[0], -t[1]))
        if len(scored) >= n and (len(scored) == n or scored[n - 1][:2] != scored[n][:2]):
            for _, _, p in scored[:n]:
                p.offer("status", status, "topic_phrase", text)


def _rest_statuses(c: str, props: list[_ProposalDraft], titled: list[_ProposalDraft]) -> None:
    """其余5件建议正在办理中: the items of that kind still without a status,
    when there are exactly that many; 其余3件建议提案均在积极落实中 after a
    list of solved topics: the titled items left."""
    for m in _REST.finditer(c):
        status, text = handling.canonical_status(c[m.start(2):m.end(2) + 6])
        if status is None:
            continue
        km = re.match(r"(建议提案|议提案|建议|提案|议案)", c[m.start(1) + len(m.group(1)) + 1:])
        word = {"议提案": "建议提案"}.get(km.group(1), km.group(1)) if km else None
        open_ = [p for p in props if p.status is None and _kind_ok(p, word) and p.cstart < m.start()]
        if len(open_) == _count(m.group(1)):
            for p in open_:
                p.offer("status", status, "rest_of_kind", text)
            continue
        for p in titled:
            if p.status is None and _kind_ok(p, word):
                p.offer("status", status, "rest_of_kind", text)


def _count(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    from .numerals import chinese_to_int

    return chinese_to_int(s)
