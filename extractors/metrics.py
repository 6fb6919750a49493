"""The report's aggregate facts about proposal handling (GOLD.md §3): counts,
shares, rates and handling units, with the scope the text states.

Built on the quantities of the document: a metric is a quantity read in its
context. Scope fields are filled only from the text; a sub-count introduced
by 其中 or in brackets inherits the scope of its total in the same sentence.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from . import handling
from .context import CLAUSE, SEGMENT, bounds
from .records import Metric, frozen_map, totals_sum
from .resolve import check_declared, lending

SCOPE = ("kind", "body", "level", "role", "category", "status", "topic", "channel", "group", "is_key", "ref_year")
_BRACKETS = re.compile(r"[((][^()()]{0,60}[))]")
# (not 城市建设类建议, 社区建议: 城市, 超市, 社区, 小区… are no level words)
_NOT_LEVEL = "[城超门都地社小景园街片辖郊矿山]"
_LEVEL = re.compile(r"(?<!" + _NOT_LEVEL + r")(全国|省|自治区|市|州|区|县|旗)"
                    r"(?=[^,,。;;]{0,14}?(人大|政协|两会|“两会”|代表|委员|建议|提案|议案))")
_SESSION_LEVEL = re.compile(r"(全国|省|自治区|市|州|区|县|旗)(人大|政协)?[一二三四五六七八九十]+届")
# (“A”类建议458件: the letter in quotation marks)
_CATEGORY = re.compile(r"([A-Da-d甲乙丙丁])[”\"’]?(?:类?、[“\"‘]?([A-Da-d甲乙丙丁])[”\"’]?)?\s*类")
# 财政经济方面25件; 属道路交通类21件; 涉及发展规划、项目建设和综合经济类工作占比最大,有206件
_TOPIC = re.compile(r"(?:是|为|其中|涉及|包括)?([\u4e00-\u9fff、和及与]{2,30}?)(方面|类|领域)(?:的|工作)?"
                    # 经济建设方面提案212件: the kind may stand between the topic and its count
                    # 经济建设方面立案158件: or what became of the topic's items
                    r"(?:建议提案|建议|提案|议案)?(?:占比最[大高多]|最多)?[,,]?(?:有|共|计|占比?|立案|达|为)?$")
# 其中涉及财经工交48件,农林水利27件,城建城管16件: a run of topics after 涉及, each before its count
# (涉及民生领域的247件 is _TOPIC_INVOLVES's: an item with 的 is not a bare topic)
_TOPIC_RUN = re.compile(r"涉及(?:[\u4e00-\u9fff、]{2,16}?\d+件[,,、])*((?:(?!的)[\u4e00-\u9fff、]){2,16})$")
# …;城乡建设与基础设施的提案13件;民生保障与公共服务的提案19件: a list item that names its topic
_TOPIC_ITEM_OF = re.compile(r"(?:^|[;;])\s*([\u4e00-\u9fff、与和及]{2,16}?)(?:方面|类|领域)?的(?:建议提案|提案|建议|议案)$")
_NOT_TOPIC = re.compile(r"提出|收到|提交|立案|办理|审查|承办|交办|(?<!公)共|其中|全部|委员|代表|重点|集体|联名|个人")
_TOPIC_INVOLVES = re.compile(r"涉及([^,,;;。的]{2,20})的(?:最多|较多|最少)?[,,]?(?:共|有)?$")
# an enumerated line that names its topic: 1、通组公路16件
_TOPIC_ITEM = re.compile(r"(?:^|\n)\s*(?:\d+|[一二三四五六七八九十]+)[、.．]\s*([\u4e00-\u9fff]{2,12}?)(?:方面|类)?$")
# 关于增进民生福祉的提案最多,共155件; 涉及“三农”提案486件; 围绕促进经济持续健康发展等方面提出提案2301件:
# a topic the report marks as one (关于/涉及/围绕 before it), then the kind, then the count
_TOPIC_MARKED = re.compile(r"(?:关于|涉及|围绕|有关)([^,,。;;:\d]{2,24}?)等?(?:方面|领域|类)?的?(?:提出|收到|提交)?(?:相关)?"
                           r"(?:建议提案|提案|建议|议案)(?:最多|较多)?[,,]?(?:共|有|计)?$"
                           # 围绕经济方面,为推进实体经济发展出谋划策提出提案92件: the topic heads the clause
                           r"|围绕([^,,。;;:\d]{1,12}?)方面[,,][^,,。;;:\d]{0,30}?提出(?:建议提案|提案|建议|议案)$")
# 有关部门反映的建议268件: 有关 naming who, not what
_NOT_ABOUT = re.compile(r"部门|单位|反映")
# 经济建设方面,提出提案161件: a topic heading its own clause, then what was proposed about it
_TOPIC_CLAUSE = re.compile(r"(?:^|[。;;\n,,])\s*([\u4e00-\u9fff“”、和及与]{2,20}?)(?:方面|领域)[,,]\s*"
                           r"(?:提出|收到|提交|共有?)?(?:建议提案|提案|建议|议案)$")
_UNIT_WORDS = re.compile(r"单位|部门|承办单位|主办单位")
# 交由78家单位承办; 组织6个市(州)政府及46个省直有关部门(单位)办理
_HANDLERS = re.compile(r"^[^,,。;;]{0,12}?(单位|部门|政府|机关)")
_CHANGE = re.compile(r"(提升|提高|上升|增加|增长|降|下降|减少|降低)(至|到)[^,,;;。]{0,8}$"
                     # 满意率99.1%,高于2020年的98.0%: the same rate, another year
                     r"|(?:高于|低于|好于|超过|较|比|相比|对比)(?:\d{4}年|上年|去年|上一年|前一年)(?:同期)?的?$")
_PROPOSAL_WORDS = re.compile(r"建议|提案|议案|办复|承办|办理|件")
# 有2件代表建议; 27件人大代表建议和政协委员提案 — a kind right after the number
_GLUED_KIND = re.compile(r"^(?:[^,,。;;、\d件]{0,8}的)?(?:[市区县省州]?(?:人大|政协)?(?:代表|委员)?)(?:建议案|议案|建议提案|议提案|建议|提案)"
                         r"(?:(?:和|与|及|、)(?:[市区县省州]?(?:人大|政协)?(?:代表|委员)?)(?:建议|提案))?")
_LIST_ROLE = re.compile(r"^[^,,]{0,3}[,,]?\s*均(?:为|由|作为)\S{0,8}?(主办|会办|协办|分办|独办|领办)")
_ROLE_SUBJECT = re.compile(r"(主办|会办|协办|分办|领办)的(?:建议提案|建议|提案|议案|议提案)")
_GROWTH = re.compile(r"(同比|比上年|较上年)?(增长|增加|提高|下降|降低|减少|上升)了?$")
_SHARE = re.compile(r"占|比例")
_KEY = re.compile(r"重点(建议|提案|议案|办理)")
# 36件市政协常委、党派团体、政协专委会督办的重点提案: the count's noun phrase ends in a key item
_KEY_AFTER = re.compile(r"[^,,;;。]{0,30}?的重点(?:建议提案|建议|提案|议案)")
# 社会保障和社会管理类各9件, B类和C类回复各一件: one number stated for each member
_EACH = re.compile(r"各(?:有|为|是|回复|答复|办理|占比?|占总数的)?$")
_EACH_CATEGORIES = re.compile(r"([A-Da-d甲乙丙丁])类?((?:[、和及与][A-Da-d甲乙丙丁]类?)+)")
_EACH_TOPICS = re.compile(r"([\u4e00-\u9fff]{2,10}?)((?:[、和及与][\u4e00-\u9fff]{2,10}?)+)(?:方面|类|领域)(?:的|问题)?$")
_HANDLING_WORDS = re.compile(r"建议|提案|议案|承办|办理|交办|答复|办复")
_UNITS_JUDGED = re.compile(r"约谈|通报|批评|先进|表彰|评为|扣分|问责")


def _clause(norm: str, i: int, j: int) -> str:
    return norm[slice(*bounds(norm, i, j, CLAUSE))]


_UNIT_TOTAL = re.compile(r"我[局委区县市办厅处]共?计?(?:承办|办理|收到|接收|牵头办理)")


@dataclass
class _MetricDraft:
    """A metric while it is read: its scope grows and its links are set clause
    by clause; `extract` freezes it into a records.Metric."""
    metric: str
    value: object
    unit: str
    start: int
    end: int
    surface: str
    scope: dict = field(default_factory=dict)
    nstart: int = 0
    parent: "_MetricDraft | None" = None  # the total this sub-count or share belongs to
    # 建议1件,提案3件,其中,独办件4件: a 其中 after several totals breaks down their sum
    totals: list = field(default_factory=list)  # those totals themselves (its parent is only the last)
    unit_total: bool = False  # the reporting unit's own total: 我局共承办人大代表建议7件
    each: list = field(default_factory=list)  # 社会保障和社会管理类各9件: the members it is stated for
    # which rule decided the metric's name (`metric`) and each scope field: the dataset's `rule` column
    rules: dict = field(default_factory=dict)

    @property
    def totals_sum(self):
        return totals_sum(self.totals)


def _strip_brackets(s: str) -> str:
    return _BRACKETS.sub(lambda m: " " * len(m.group()), s)


def _kind_body(seg: str) -> dict:
    """Kind and body from a stretch of text; both 建议 and 提案 → 建议提案."""
    # The kind nearest the number, unless it closes a pair
    # (人大代表建议和政协委员提案 → 建议提案; 283件建议提案中,代表建议134件 → 建议)
    found = handling.kind_of(seg)
    if not found:
        return {}
    kind, pos, word = found
    out: dict = {"kind": kind}
    if kind == "建议提案":
        return out
    ctx = seg[max(0, pos - 8):pos + len(word)]
    if "政协" in ctx or "委员" in ctx:
        out["body"] = "政协"
    elif "人大" in ctx or "代表" in ctx:
        out["body"] = "人大"
    return out


def _level(prefix: str) -> str | None:
    m = None
    for m in _SESSION_LEVEL.finditer(prefix):
        pass
    last_session = m
    m2 = None
    for m2 in _LEVEL.finditer(prefix):
        pass
    cands = [x for x in (last_session, m2) if x is not None]
    if not cands:
        return None
    best = max(cands, key=lambda x: x.start())
    lv = best.group(1)
    return "省" if lv == "自治区" else lv


# 全市, 本县, 市直部门, 县级领导, 银川市政府, 区委, 市住建局: a level as a word or in a name (GOLD.md §7.1);
# not 城市, 超市, 门市, 都市, 地区, 社区, 小区, 景区, 园区 (consolidation 2)
_LEVEL_WORD = re.compile(r"(?:(?<=[全本我各])|(?<!" + _NOT_LEVEL + r"))(省|市|州|区|县)"
                         r"(?=直|级|委|政府|人大|政协|两会|代表|委员|领导|属|[\u4e00-\u9fff]{1,5}?[局厅])|(?<=[全本])(省|市|州|区|县)")


@dataclass(frozen=True)
class _Sentence:
    """What one sentence states for every count in it (GOLD.md §7.1), read
    once per sentence: a run-on sentence of thousands of counts stays linear."""
    level: str | None  # the one level it names (全国, 省, 市, 州, 区, 县 as a word or in a name)
    bodies: frozenset  # the bodies it names (人大/代表 → 人大, 政协/委员 → 政协)
    named: frozenset  # the bodies it names by name (人大, 政协), not only by their members
    filed: bool  # its items are the filed ones (立案提案中, 占立案总数的)
    submitted: bool  # its items are the submitted ones (在征集的提案中)


def _sentence(doc: "_Doc", a: int, b: int) -> _Sentence:
    got = doc.sentences.get((a, b))
    if got is None:
        text = doc.norm[a:b]
        levels = {m.group(1) or m.group(2) for rx in (_SESSION_LEVEL, _LEVEL, _LEVEL_WORD) for m in rx.finditer(text)}
        levels = {"省" if x == "自治区" else x for x in levels}
        words = re.findall(r"政协|委员|人大|代表", text)
        bodies = frozenset("政协" if w in ("政协", "委员") else "人大" for w in words)
        got = _Sentence(levels.pop() if len(levels) == 1 else None, bodies, frozenset(words) & {"人大", "政协"},
                        _FILED_FRAME.search(text) is not None, _SUBMITTED_FRAME.search(text) is not None)
        doc.sentences[(a, b)] = got
    return got


def _sentence_body(sentence: _Sentence, kind: str | None, clause: str) -> str | None:
    """The body a sentence names for a count (GOLD.md §7.1: 人大, 代表, 政协,
    委员): the one it names, or where it names both (人大代表建议和政协委员提案
    共计27件,其中建议18件、提案9件), the one whose items the count's kind is.
    Members named elsewhere in the sentence do not make a count of the other
    body's kind theirs: a 建议 count in a sentence whose only body word is 委员
    (…已向委员作出解释) gets none; but 镇代表提出的18件提案 (the members in the
    count's own clause) and 镇人大代表提案 (the congress named) are a town congress's."""
    bodies = sentence.bodies
    own = {"提案": "政协", "建议案": "政协", "建议": "人大", "议案": "人大"}.get(kind or "")
    if len(bodies) == 1:
        body = next(iter(bodies))
        members = "委员" if body == "政协" else "代表"
        return body if own in (None, body) or body in sentence.named or members in clause else None
    return own if own in bodies else None


def _role(seg: str) -> str | None:
    rx, table = handling.role_rx()
    found = [m for m in rx.finditer(seg) if not seg.startswith("单位", m.end())]
    return table[found[-1].group()] if found else None


def _channel(seg: str) -> str | None:
    """The channel named nearest the end of seg: …会议期间提出的214件,闭会期间提出的37件."""
    best, pos = None, -1
    for ch, words in handling.vocab()["channels"].items():
        for w in words:
            i = seg.rfind(w)
            if i > pos:
                best, pos = ch, i
    return best


def _group(seg: str) -> str | None:
    """A named subgroup right before the count: 集体提案25件, 委员个人和联名提案67件,
    其中“满意”690件, (含7月交办5件)."""
    m = (re.search(r"“([^“”]{1,8})”\s*$", seg) or re.search(r"含([^,,、;;()()]{2,8}?)\s*$", seg)
         # 表示满意的352件、基本满意的35件; 其中满意189件
         or re.search(r"(满意和基本满意|满意或基本满意|比较满意|很满意|不满意|基本满意|满意)的?\s*$", seg))
    if m:
        return m.group(1)
    gm = _groups_rx().search(seg)
    return (gm.group(1) or gm.group(3)) + (gm.group(2) or gm.group(4) or "") if gm else None


# 委员提案304件,集体提案41件: 委员 names a group of proposers only against the others
_SUBMITTERS = re.compile(r"集体|党派|團體|团体|界别|界別|组织|專門委員會|专门委员会")
# a report that states a filed count (经审查立案286件, 立案提案623件)
_FILED = re.compile(r"(?<!不予)(?<!未)立案\S{0,4}?\d+件")


@lru_cache(maxsize=1)
def _filing_rx() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: g for g, ws in handling.vocab()["filing_groups"].items() for w in ws}
    return re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True)))), table


def filing_group(seg: str, filed: bool) -> str | None:
    """GOLD.md §6.1: where a report gives the number submitted and the number
    filed, each count names its group by the last filing word before it.

    >>> filing_group("共提交提案", True), filing_group("经审查,立案", True)
    ('提交', '立案')
    >>> filing_group("未立案的", True), filing_group("共提出建议", False)
    ('不予立案', None)

    Only the count's own clause speaks (…等提出提案;政治类提案281件: no group).
    >>> filing_group("提出提案;政治类提案", True)
    """
    rx, table = _filing_rx()
    hits = list(rx.finditer(re.split(r"[;;。]", seg)[-1]))
    if not hits:
        return None
    g = table[hits[-1].group()]
    return None if g == "提交" and not filed else g


@lru_cache(maxsize=1)
def _groups_rx() -> re.Pattern:
    """集体提案, 委员个人和联名提案, 内容重复的建议: the named groups of handling.yaml,
    in their order (the first listed wins where two could match)."""
    words = "|".join(("(?<!政协)(?<!政協)" if w.startswith("委员") else "") + re.escape(w)
                     for w in handling.vocab()["groups"])
    # 委员个人或联名提案; 委员个人提交100件, 委员联名提交68件: a members' group with its verb and no
    # kind word (not 代表10人以上联名提出的议案: ten co-signers make a motion, not a group)
    # (委员个人和委员联名提案255件; 委员和委员联名提案337件: the pair named in full)
    return re.compile(rf"({words})((?:和|及|或)(?:委员)?联名)?的?(?:提案|建议)"
                      rf"|(委员个人|委员联名)((?:和|及|或)(?:委员)?联名)?(?:提交|提出)")


@lru_cache(maxsize=1)
def _role_after_rx() -> re.Pattern:
    """A role stated after the number: …均作为会办单位, 由我委主办."""
    rx, _ = handling.role_rx()
    return re.compile(r"(?:作为|为|由我\S{0,3})(" + rx.pattern + ")")


def _role_of(before: str, after: str, metric: str) -> str | None:
    """The nearest role word before the number (共承办…6件, 主办12件), else
    one that follows it (2件代表建议交由我区办理,均作为会办单位)."""
    rx, table = handling.role_rx()
    # only this clause's role: …均为会办件;区十一届人大五次会议代表建议118件
    b = re.split(r"[;;。]", _strip_brackets(before))[-1]
    hits = [m for m in rx.finditer(b)
            if metric == "handling_units" or not b.startswith("单位", m.end()) or m.group() != "承办"]
    if hits:
        return table[hits[-1].group()]
    if metric == "handling_units":
        return None  # 交由65家单位承办: the units are handling, no role stated
    # After the number only a stated role counts (…交由我区办理,均作为会办单位),
    # not the first role of a bracket that lists sub-counts (337件(主办146件…)).
    m = _role_after_rx().search(re.split(r"[;;。((]", after, 1)[0][:30])
    return table[m.group(1)] if m else None


def _topic(before: str, prefix: str = "") -> str | None:
    run = _TOPIC_RUN.search(prefix[-80:])
    if run and not handling.kind_rx()[0].search(run.group(1)):
        return _clean_topic(run.group(1))
    item = _TOPIC_ITEM_OF.search(before)
    if item and not _NOT_TOPIC.search(item.group(1)):
        return _clean_topic(item.group(1))
    b = _strip_brackets(before)[-34:]
    im = _TOPIC_INVOLVES.search(b) or _TOPIC_ITEM.search(before[-20:])
    if im:  # (涉及民生领域的247件: the topic as the report names it, 领域 and all)
        return re.sub(r"(?:方面|类)$", "", _clean_topic(im.group(1)) if im.re is _TOPIC_ITEM else im.group(1))
        # 涉及洱海保护治理的37件; 涉及民生领域的247件; 1、通组公路16件
    other = re.search(r"(?:^|[;;,,。])\s*(其[他它])(?:建议提案|建议|提案|议案)?\s*$", b)
    if other:
        return other.group(1)  # …社会保障类14件;其他12件 / 其它提案9件: the rest of a topic breakdown
    tm = _TOPIC.search(b)
    if not tm or _CATEGORY.search(tm.group(0)) or handling.kind_rx()[0].search(tm.group(1)):
        mk = _TOPIC_MARKED.search(b) or _TOPIC_CLAUSE.search(b)
        if not mk:
            return None
        topic = mk.group(1) or mk.group(2)
        return _clean_topic(topic) if not _NOT_TOPIC.search(topic) and not _NOT_ABOUT.search(topic) else None
    topic = _clean_topic(re.split(r"[,,:;;]", tm.group(1))[-1])
    return topic if len(topic) >= 2 else None


def _clean_topic(topic: str) -> str:
    # 一是规划建设类, 属道路交通方面, 占比最高的是…类, 其次是…类
    topic = re.sub(r"^.*?(?:[一二三四五六七八九十]是|其次是|最高的是|的是|属于|属|其中|涉及|主要|包括)", "", topic)
    # 围绕经济发展方面提出提案58件; 在促进经济稳增长…方面,提出提案374件: the frame around the topic
    topic = re.sub(r"^(?:围绕|在|关于|聚焦|针对)(?=[\u4e00-\u9fff]{2,})", "", topic)
    topic = re.sub(r"(?:方面|领域)?(?:提出|提交|收到)(?:的)?(?:提案|建议)$", "", topic)
    topic = re.sub(r"^[、和及与]*(?:有关|关于)(?=[\u4e00-\u9fff]{2,})", "", topic)  # 、关于文化建设方面的提案
    # 教育、卫生、文化等社会事业: the examples name the topic's members, not the topic
    topic = re.sub(r"^.*等(?=[\u4e00-\u9fff]{2,})", "", topic)
    return re.sub(r"等?(?:方面|类|领域)?$", "", topic.lstrip("、和及与"))  # 社会法制、民生保障等方面


def _each_members(before: str) -> list[dict]:
    """The members a number is stated for, each: B类和C类回复各一件 → B, C;
    社会保障和社会管理类各9件 → two topics. Empty where no 各 closes the clause."""
    clause = re.split(r"[,,;;。:]", _strip_brackets(before))[-1].strip()
    em = _EACH.search(clause)
    if not em:
        return []
    head = clause[:em.start()].rstrip()
    cm = None
    for cm in _EACH_CATEGORIES.finditer(head):
        pass
    if cm and cm.end() >= len(head) - 4:
        return [{"category": x} for x in [cm.group(1)] + re.findall(r"[A-Da-d甲乙丙丁]", cm.group(2))]
    tm = _EACH_TOPICS.search(head)
    if tm:
        parts = [_clean_topic(tm.group(1))] + re.split(r"[、和及与]", tm.group(2))[1:]
        if all(len(x) >= 2 for x in parts):
            return [{"topic": x} for x in parts]
    return []


# the next count or share of a clause (…7667件 4014件已解决; …6件,无法办理1件): its words are its own
_NEXT_COUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:件|%|个|家|条)")


def _scope(before: str, after: str, sentence_prefix: str, metric: str, own_status: bool = True,
           clause_after: str | None = None) -> dict:
    """Scope fields the text states around one number (`clause_after`: the words after it to
    the end of its clause, past other numbers: 6件议案…已列入省人大常委会五年立法规划)."""
    sc: dict = {}
    b = _strip_brackets(before)
    # A kind word right after the number (有2件代表建议), not one of the next item (、政协提案共108件).
    near_after = re.split(r"[,,;;。:、(())]", after, 1)[0][:16]
    glued = _GLUED_KIND.match(near_after)
    sc.update(_kind_body(glued.group(0)) if glued else _kind_body(b))
    lv = _level(_strip_brackets(sentence_prefix))
    if lv:
        sc["level"] = lv
    role, role_level = _role(before, after, sentence_prefix, metric, near_after)
    if role_level:
        sc["level"] = role_level
    if role:
        sc["role"] = role
    cm = None
    # A类(所提问题已经解决或基本解决)168件: the letter stands before its definition
    for cm in _CATEGORY.finditer(re.sub(r"\s+", "", b)[-12:] + " " + before[-16:]):
        pass
    if cm:
        sc["category"] = cm.group(1) + (f"、{cm.group(2)}" if cm.group(2) else "")
    status = _own_status(before, after, clause_after) if own_status else None
    if status:
        sc["status"] = status
    topic = _topic(before, sentence_prefix)
    if topic:
        sc["topic"] = topic
    ch = _channel(_strip_brackets(sentence_prefix)[-40:]) or _channel(near_after)
    if ch:
        sc["channel"] = ch
    g = _group(before[-16:]) or _group(b[-16:] + near_after)
    if g and ch and any(w in g for w in handling.vocab()["channels"][ch]):
        g = None  # (含平字建议提案6件): the subgroup is the channel
    if g:
        sc["group"] = g
    if _KEY.search(b[-16:] + near_after) or _KEY_AFTER.match(after):
        sc["is_key"] = True
    return sc


_CTX_SENTENCE = ("kind", "body", "level", "role", "channel")
_CTX_DOCUMENT = ("kind",)


def _role(before: str, after: str, sentence_prefix: str, metric: str, near_after: str) -> tuple[str | None, str | None]:
    """(role, level) of the items one number counts; level only where the role word names it (省级主办件)."""
    level = None
    role = _role_of(before, after, metric)
    gm = re.match(r"(?:([省市区县州])级)?(主办|会办|协办|分办)件", near_after)
    if role is None and gm:
        role = gm.group(2)  # 对115件省级主办件, 79件主办件已全部办结
        if gm.group(1):
            level = gm.group(1)
    if role is None:
        # 主办的建议提案沟通率达到100%…已经解决或基本解决182件: the sentence's subject
        m = _ROLE_SUBJECT.search(sentence_prefix)
        role = m.group(1) if m else None
    if role is None:
        # 从主办件办理结果看,…A类68件: the sentence is about one role's items
        fm = re.findall(r"(主办|会办|协办|分办)件", re.split(r"[;;]", _strip_brackets(sentence_prefix))[-1])
        role = fm[-1] if fm and len(set(fm)) == 1 else None
    if role is None and metric == "count" and re.search(r"收到[^,,。;;]{0,40}交办", _strip_brackets(before)):
        role = "承办"  # 共收到区人大常委会、区政协交办的…214件: received to handle
    return role, level


def _own_status(before: str, after: str, clause_after: str | None) -> str | None:
    """The status a number's own words give it, nearest first."""
    # the status nearest the number: 778件建议已全部办理完毕,其中所提问题已解决…的232件
    status, _ = handling.canonical_status(re.split(r"[,,;;:]", before)[-1][-40:])
    if status is None:
        # 3件,2件已办结,1件正在办理: the words glued after the number are its own, before the clause before
        tail = after if clause_after is None else clause_after
        # (20件因条件限制,有待逐步解决或留作参考: no other number follows, so the whole predicate speaks;
        # 7667件 4014件已解决: the next number's words are its own)
        pred = re.split(r"[;;。]", tail, 1)[0]
        nxt = _NEXT_COUNT.search(pred)
        glued = re.split(r"[,,:、]", pred[:nxt.start()], 1)[0] if nxt else pred
        status, _ = handling.canonical_status(glued[:30])
    if status is None:
        # (not across a semicolon: …1件暂无法办理;…代表建议16件 is the other list's)
        status, _ = handling.canonical_status(re.split(r"[;;。]", before)[-1][-40:])
    if status is None:
        # after the number, up to a breakdown: 300件,其中已经解决…(A类)180件 is not a status of the 300
        status, _ = handling.canonical_status(re.split(r"[;;。]|其中", after, 1)[0][:40])
    return status


def _doc_kind(norm: str, quantities: list) -> dict:
    """The kind the report's counts are about, where it is one: 提案 in a
    report on proposals only, 建议提案 where both are counted."""
    kinds = set()
    for q in quantities:
        if q.unit != "件":
            continue
        m = _GLUED_KIND.match(norm[q.nend:q.nend + 20])
        seg = m.group(0) if m else norm[max(0, q.nstart - 12):q.nstart]
        kb = _kind_body(seg)
        if kb.get("kind"):
            kinds.add(kb["kind"])
    kinds.discard("议案")
    kinds.discard("建议案")
    if not kinds:
        return {}
    if kinds == {"建议"}:
        return {"kind": "建议", "body": "人大"}
    if kinds == {"提案"}:
        return {"kind": "提案", "body": "政协"}
    return {"kind": "建议提案"}


@dataclass
class _Doc:
    """What every number of one document is read against."""
    norm: str
    qs: list  # quantities in text order
    doc_ctx: dict
    classes: dict
    filed: bool
    resp: dict
    sentences: dict = field(default_factory=dict)  # (start, end) → _Sentence, read once


@dataclass
class _Flow:
    """The scope that flows from number to number within a sentence."""
    sent_key: int | None = None
    sent_ctx: dict = field(default_factory=dict)
    last_count: "_MetricDraft | None" = None
    total: "_MetricDraft | None" = None  # the count a 其中 list breaks down
    totals: list = field(default_factory=list)  # the totals of the sentence before its 其中
    in_sub: bool = False
    # a 其中 sentence after a full stop: its parts belong to the total before, but
    # inherit none of its scope (GOLD.md §7.1)
    across: bool = False
    # {value: filing group} of the document's counts so far (共收到提案363件 → {363: 提交}): a later
    # sentence framed by 在这363件提案中 counts within that group
    filing_totals: dict = field(default_factory=dict)


@dataclass
class _Window:
    """One number's place: its sentence [a, b) and the words around it."""
    a: int
    b: int
    before: str
    after: str
    prefix: str
    name_rule: str = ""  # the rule that named the metric


def _since(rules: dict, sc: dict, snap: dict, rule: str) -> None:
    """Record `rule` for every scope field set or changed since `snap`."""
    for k, v in sc.items():
        if snap.get(k) != v:
            rules[k] = rule

def extract(norm: str, quantities: list) -> list[Metric]:
    """Metrics of a document from its quantities (extractors.quantities), as
    frozen records whose parent and totals are records of the same list.

    Scope flows the way reports write it: a count that names its kind sets
    the context of the counts after it in its sentence (kind, body, level,
    role, channel); counts that name no kind take the document's kind where
    the report counts one kind only (or 建议提案 where it counts both);
    a share takes the scope of the count it follows.
    """
    qs = sorted(quantities, key=lambda q: q.nstart)
    doc = _Doc(norm, qs, _doc_kind(norm, quantities), handling.class_statuses(norm),
               bool(_FILED.search(norm)), _respectively(norm, qs))
    out: list[_MetricDraft] = []
    flow = _Flow()
    for i, q in enumerate(qs):
        w = _window(doc, flow, i, q)
        names, done = _names(doc, flow, q, w, out)
        if done or not names:
            continue
        if _restated(doc, q, w, names, out):
            continue
        if names[0] not in ("count", "share", "handling_units"):
            sc = _rate_scope({"ref_year": q.ref_year} if q.ref_year else {}, w.before, w.prefix)
            out.extend(_MetricDraft(name, q.value, q.unit, q.start, q.end, q.surface, dict(sc), q.nstart,
                                    rules={"metric": w.name_rule, **{k: "rate_phrase" for k in sc}})
                       for name in names)
            continue
        _count_or_share(doc, flow, i, q, w, names, out)
    _parts_of_several_totals(out)
    out.extend(_all_closed(doc, out))
    for m in out:
        check_declared("metric.name", [m.rules.get("metric", "")])
        check_declared("metric.scope", [r for k, r in m.rules.items() if k != "metric"])
    return _freeze(out)


def _freeze(drafts: list[_MetricDraft]) -> list[Metric]:
    """The records, in the drafts' order; a link (parent, totals) is frozen
    before the record that points at it, so it points at a record of the list."""
    made: dict[int, Metric] = {}

    def frozen(d: _MetricDraft) -> Metric:
        if id(d) not in made:  # (a parent comes before its parts in the list; this holds either way)
            made[id(d)] = Metric(
                d.metric, d.value, d.unit, d.start, d.end, d.surface, frozen_map(d.scope), d.nstart,
                parent=None if d.parent is None else frozen(d.parent), totals=tuple(frozen(t) for t in d.totals),
                unit_total=d.unit_total, each=tuple(frozen_map(x) for x in d.each), rules=frozen_map(d.rules))
        return made[id(d)]

    return [frozen(d) for d in drafts]


# 105件提案已全部按期答复; 建议8754件,提案4868件,…均已按时办结; 38件建议提案办理任务全部完成
_ALL_CLOSED = re.compile(r"(?:均|全部|都)(?:已经?|已)?(?:在规定的?(?:时间|时限|期限)内|按时|按期|如期)?"
                         r"(?:办结|办复|答复|回复|办理完毕|办理完成|答复完毕|办复完毕)"
                         r"|办理(?:任务|工作)?(?:已经?)?全部完成")


def _all_closed(doc: _Doc, out: list) -> list:
    """GOLD.md §7.12: where a sentence says all of its stated counts were
    closed, each total before those words is also a count with status closed
    (the 其中-parts, counts with their own outcome and the submitted of a
    submitted-and-filed pair are not: 收到提案497件,立案468件,已全部办复)."""
    # found once for the document, each count a binary search (linear on a run-on sentence)
    said = [x.start() for x in _ALL_CLOSED.finditer(doc.norm)]
    breakdowns = [x.start() for x in re.finditer("其中", doc.norm)]
    extra = []
    for m in out:
        if (m.metric != "count" or m.parent is not None or {"status", "category"} & set(m.scope)
                or m.scope.get("group") == "提交"):
            continue
        k = bisect.bisect_left(said, m.nstart)
        if k == len(said) or said[k] >= bounds(doc.norm, m.nstart, m.nstart)[1]:
            continue
        j = bisect.bisect_left(breakdowns, m.nstart)
        if j == len(breakdowns) or breakdowns[j] >= said[k]:  # no 其中 between the count and the words
            extra.append(replace(m, scope={**m.scope, "status": "closed"}, parent=None,
                                 rules={**m.rules, "status": "all_closed"}))
    return extra


def _window(doc: _Doc, flow: _Flow, i: int, q) -> _Window:
    """The number's sentence and the words between it and its neighbours; a
    new sentence resets the flow (a 其中 sentence breaks down the one before)."""
    norm, qs = doc.norm, doc.qs
    a, b = bounds(norm, q.nstart, q.nend)
    if a != flow.sent_key and flow.sent_key is not None and flow.total is not None and re.match(r"\s*其中", norm[a:b]):
        # …共承办126件,比2017年的118件增加8件。其中,人大代表建议58件: the breakdown
        # is of the total of the sentence before
        flow.sent_key, flow.in_sub, flow.across, flow.sent_ctx = a, True, True, {}
    if a != flow.sent_key:
        # only a class breakdown already under way carries on
        carried = ({k: flow.sent_ctx[k] for k in ("kind", "body") if k in flow.sent_ctx}
                   if flow.sent_key is not None and _CATEGORY.search(norm[flow.sent_key:a]) else {})
        flow.sent_key, flow.sent_ctx, flow.last_count, flow.total, flow.in_sub, flow.totals = a, {}, None, None, False, []
        flow.across = False
        sentence = norm[a:b]
        if carried and _CATEGORY.search(sentence) and not handling.kind_rx()[0].search(sentence):
            # 8件人大表建议…(A类)1件。正在解决…(B类)7件: a class breakdown runs on
            # into the next sentence, still about the same kind
            flow.sent_ctx = carried
    # (the sentence before the number, up to _PREFIX characters: a run-on sentence of thousands of
    # numbers would otherwise cost quadratic time)
    return _Window(a, b, norm[_prev_end(qs, i, a):q.nstart], norm[q.nend:min(_next_start(qs, i), b)],
                   norm[max(a, q.nstart - _PREFIX):q.nstart])


def _prev_end(qs: list, i: int, a: int) -> int:
    """Where the number before qs[i] ends, within the sentence from `a` (quantities
    are sorted and do not nest: the nearest one that ends before it; a look at
    the neighbours, never the whole list, so a long run of numbers stays linear)."""
    j = i - 1
    while j >= 0 and qs[j].nend > qs[i].nstart:
        j -= 1
    return qs[j].nend if j >= 0 and qs[j].nend >= a else a


def _next_start(qs: list, i: int) -> int:
    j = i + 1
    while j < len(qs) and qs[j].nstart < qs[i].nend:
        j += 1
    return qs[j].nstart if j < len(qs) else 1 << 62


def _names(doc: _Doc, flow: _Flow, q, w: _Window, out: list) -> tuple[list[str], bool]:
    """The metrics a number states, by its unit and the words before it.
    Returns (names, done): done when the number was recorded here already
    (a satisfied share, a rate restated for another year)."""
    norm, unit, before, after = doc.norm, q.unit, w.before, w.after
    if unit == "件":
        # 比上年增加136件 is a change, not a count of proposals
        w.name_rule = "count_unit"
        return ([] if _other_items(before, after) or _GROWTH.search(before) else ["count"]), False
    if unit in ("家", "个"):
        if (_UNIT_WORDS.search(before[-8:]) or _HANDLERS.match(after)) and _HANDLING_WORDS.search(norm[w.a:w.b]) \
                and not _UNITS_JUDGED.search(_clause(norm, q.nstart, q.nend)):
            # not: 所属67家二级事业单位…政务公开事项 (units, handling nothing); 对进展缓慢的
            # 11家单位进行了约谈 (units judged, not the units that handled them)
            w.name_rule = "handling_units"
            return ["handling_units"], False
        return [], False
    if unit != "%":
        return [], False
    names = _rates(before) or _activity_rates(before) or (["satisfaction_rate"] if re.match(r"\s*(的)?满意", after) else [])
    w.name_rule = "rate_word" if names else ""
    changed_from = None
    if not names and _CHANGE.search(before):
        # 由2017年占办复总数的48.9%提升至2018年的71%: the same share, later
        changed_from = next((x for x in reversed(out) if x.nstart >= w.a and x.unit == "%"), None)
        if changed_from is not None:
            names, w.name_rule = [changed_from.metric], "restated_for_another_year"
    if not names and (_SHARE.search(before[-12:]) or _SHARE.search(w.prefix)) and (
            flow.last_count is not None or _PROPOSAL_WORDS.search(w.prefix)
            or re.search(r"(?:类|方面|领域)(?:的)?占比?$", before)) and not _GROWTH.search(before):
        names, w.name_rule = ["share"], "share_word"  # 经济发展类占34.2%: a topic's share, its count unstated
    sm = re.search(r"(基本)?满意的?(?:占|为)$", before) if names == ["share"] else None
    if sm and "不满意" not in before[-6:]:
        # 表示满意的占91.2%, 表示基本满意的占8.8%: the satisfied's share is the rate
        out.append(_MetricDraft("basic_satisfaction_rate" if sm.group(1) else "satisfaction_rate", q.value, unit,
                                q.start, q.end, q.surface, {"ref_year": q.ref_year} if q.ref_year else {}, q.nstart,
                                rules={"metric": "satisfied_share", "ref_year": "quantity_year"}))
        return names, True
    if changed_from is not None:
        sc = {k: v for k, v in changed_from.scope.items() if k != "ref_year"}
        if q.ref_year:
            sc["ref_year"] = q.ref_year
        out.append(_MetricDraft(names[0], q.value, unit, q.start, q.end, q.surface, sc, q.nstart,
                                parent=changed_from.parent,
                                rules={"metric": w.name_rule, **{k: "restated" for k in sc}}))
        return names, True
    return names, False


def _restated(doc: _Doc, q, w: _Window, names: list[str], out: list) -> bool:
    """总量737件,比上年的601件: the same count, another year — recorded here."""
    ch = _CHANGE.search(w.before) if names == ["count"] else None
    if ch is None or ch.group(1):
        return False
    prev = next((x for x in reversed(out) if x.nstart >= w.a and x.metric == "count"), None)
    if prev is None:
        return False
    sc = {k: v for k, v in prev.scope.items() if k not in ("ref_year", "status")}
    if q.ref_year:
        sc["ref_year"] = q.ref_year
    out.append(_MetricDraft("count", q.value, q.unit, q.start, q.end, q.surface, sc, q.nstart, parent=prev.parent,
                            rules={"metric": "restated_for_another_year", **{k: "restated" for k in sc}}))
    return True


# ,平时提案 / 、委员联名提案: the next member of a list of counts, with no verb of its own
_LIST_NEXT = re.compile(r"^件?\s*[,,、]\s*[^,,、。;;:\d]{0,10}$")
_LIST_VERBS = re.compile(r"办|交|转|审|答|复|解决|落实|采纳|满意|占|其中|分别")


def _continues_filing_list(last, before: str) -> bool:
    """Whether a count is the next member of a list whose last count has a filing group."""
    return (last is not None and last.rules.get("group") == "filing_group" and _LIST_NEXT.match(before) is not None
            and not _filing_rx()[0].search(before) and not _LIST_VERBS.search(before))


# 立案提案中,经济建设方面提案39件; …占立案总数的39%; 在征集的提案中; 共收到的925件提案中:
# a sentence that says its items are the filed (or the submitted) ones (GOLD.md §7.19)
_FILED_FRAME = re.compile(r"(?:立案|所立)(?:的)?(?:\d+件)?(?:提案|建议)?中|占(?:本次)?立案(?:提案)?(?:总数|的)")
_SUBMITTED_FRAME = re.compile(r"(?:征集|收到|提交)的(?:\d+件)?(?:提案|建议)中")


# 在这363件提案中; 在這363件提案中: a sentence framed by a total counted before
_TOTAL_FRAME = re.compile(r"在(?:这|這|该|該|上述)?(\d+)件(?:提案|建议|建議)中")
_TOPIC_FRAME = re.compile(r"^(?:其中)?[,,]?\s*[\u4e00-\u9fff]{0,4}?(?:围绕|关于|涉及|聚焦)")  # (提案者围绕…)


def _filing(doc: _Doc, flow: _Flow, w: _Window, sc: dict, rules: dict) -> None:
    """A count's filing group (GOLD.md §6.1): the filing word before it, the
    list it continues, or the frame of its sentence (立案提案中,经济建设方面
    提案39件, GOLD.md §7.19)."""
    before = w.before
    g = filing_group(before[-12:], doc.filed)
    if g == "提交" and ("topic" in sc and "提出" in before[-12:] or _TOPIC_FRAME.search(_clause(before, len(before), len(before)).strip())):
        # 经济建设方面,提出提案161件; 围绕…等问题提交提案41件: a topic's count, not the submitted total
        g = None
    if g:
        sc["group"], rules["group"] = g, "filing_group"
    elif _continues_filing_list(flow.last_count, before):
        # 共提交大会提案950件,平时提案24件: the next count of the list was submitted too
        sc["group"], rules["group"] = flow.last_count.scope["group"], "filing_group"
    elif _sentence(doc, w.a, w.b).filed:
        sc["group"], rules["group"] = "立案", "filing_frame"
    elif doc.filed and _sentence(doc, w.a, w.b).submitted:
        sc["group"], rules["group"] = "提交", "filing_frame"
    elif (fm := _TOTAL_FRAME.search(doc.norm, w.a, w.b)) and int(fm.group(1)) in flow.filing_totals:
        # 共收到提案363件…。在这363件提案中,社会领域的提案154件: within the total's group
        sc["group"], rules["group"] = flow.filing_totals[int(fm.group(1))], "filing_frame"


def _count_or_share(doc: _Doc, flow: _Flow, i: int, q, w: _Window, names: list[str], out: list) -> None:
    norm, before = doc.norm, w.before
    sc = _scope(before, w.after, w.prefix, names[0],
                own_status=not (names[0] == "share" and flow.last_count is not None),
                clause_after=norm[q.nend:w.b])
    rules = {"metric": w.name_rule, **{k: "own_words" for k in sc}}
    if sc.get("group") == "委员" and not _SUBMITTERS.search(norm[w.a:w.b]):
        del sc["group"]  # 代表建议27件,委员提案31件: members' proposals as a kind, not against groups'
    if names[0] == "count" and "group" not in sc:
        _filing(doc, flow, w, sc, rules)
    if names[0] == "count" and sc.get("group") in ("提交", "立案") and q.value == int(q.value):
        flow.filing_totals.setdefault(int(q.value), sc["group"])
    if q.ref_year:
        sc["ref_year"], rules["ref_year"] = q.ref_year, "quantity_year"
    if re.search(r"[;;]", before) and ("kind" in sc or re.search(r"共|合计|总计", before)):
        flow.in_sub, flow.totals = False, []  # a new total of the sentence: 17件,其中…;市政协…共计13件
    if "其中" in before:
        flow.in_sub = True
    bracketed = _in_brackets(norm, w.a, q.nstart)
    if names[0] == "share" and flow.last_count is not None:
        snap = dict(sc)
        shared = _share_of_count(doc, flow, w, names, sc)
        if shared[0] != names:  # the satisfied's share is the satisfaction rate
            rules = {"metric": "satisfied_share"}
        names, sc = shared
        _since(rules, sc, snap, "share_of_count")
    else:
        _inherit(doc, flow, w, names, sc, bracketed, rules)
    snap = dict(sc)
    _member_scope(doc, flow, i, w, names, sc)
    _since(rules, sc, snap, "list_or_member")
    m = _MetricDraft(names[0], q.value, q.unit, q.start, q.end, q.surface, sc, q.nstart, rules=rules)
    _link(doc, flow, w, m, names, sc, bracketed, out)
    out.append(m)
    if names[0] == "count":
        snap = dict(sc)
        _list_predicate(doc, i, q, w, sc)
        _since(rules, sc, snap, "list_predicate")
    members = (_each_members(before) if names[0] == "count" else
               flow.last_count.each if names[0] == "share" and flow.last_count is not None
               and _EACH.search(re.split(r"[,,;;。:]", before)[-1].strip()) else [])
    if len(members) > 1:
        _state_for_each(m, members, doc.classes, out)
    if names[0] == "count":
        if not bracketed:
            flow.last_count = m
        if not flow.in_sub and not bracketed:
            flow.total = m
            flow.totals.append(m)


def _share_of_count(doc: _Doc, flow: _Flow, w: _Window, names: list[str], sc: dict) -> tuple[list[str], dict]:
    """A share takes the scope of the count it follows; “满意”690件,占91.4%: a
    share of the satisfied is the satisfaction rate."""
    last = flow.last_count
    for k, v in last.scope.items():
        if k != "ref_year":
            sc.setdefault(k, v)
    lc_before = doc.norm[max(w.a, last.nstart - 8):last.nstart]
    if "基本满意" in lc_before:
        return ["basic_satisfaction_rate"], {}
    if "满意" in lc_before and "不满意" not in lc_before:
        return ["satisfaction_rate"], {}
    return names, sc


def _inherit(doc: _Doc, flow: _Flow, w: _Window, names: list[str], sc: dict, bracketed: bool, rules: dict) -> None:
    """A count's scope from its total (GOLD.md §3: sub-counts inherit it), its
    sentence and its document; a count that names its kind sets the sentence's."""
    if names[0] == "count" and "kind" not in sc and re.search(r"共计|合计|总计|总量|总数|共$", w.before) and len(
            {x.scope.get("kind") for x in flow.totals} - {None}) > 1:
        sc["kind"], rules["kind"] = "建议提案", "joined_total"  # 代表建议205件和委员提案176件,共计381件
        sc.pop("body", None)
    explicit_kind = "kind" in sc
    parent = flow.last_count if bracketed else (flow.total if flow.in_sub else None)
    if parent is None or names[0] != "count" or not (bracketed or not flow.across):
        parent = None
    for rule in lending("metric.scope"):  # the order declared in precedence.yaml
        src, keys = _LENDERS[rule](doc, flow, w, sc, parent)
        _fill(sc, rules, src, keys, rule)
    if names[0] == "count" and explicit_kind and not flow.in_sub and not bracketed:
        flow.sent_ctx = {k: sc[k] for k in _CTX_SENTENCE if k in sc}
    elif names[0] == "share" and explicit_kind:
        # 人大代表建议…(A类)…48.9%;…(C类)…33.7%: the kind holds for the sentence
        flow.sent_ctx.update({k: sc[k] for k in ("kind", "body") if k in sc})


def _from_total(doc, flow, w, sc, parent) -> tuple[dict, tuple]:
    """A sub-count's total (其中…, brackets) lends its scope within the sentence (GOLD.md §3)."""
    if parent is None:
        return {}, ()
    return parent.scope, _lent(sc, parent.scope, _CTX_SENTENCE + ("category", "status", "group"))


def _from_sentence_context(doc, flow, w, sc, parent) -> tuple[dict, tuple]:
    """The last count that named its kind in the sentence lends kind, body, level, role, channel."""
    return flow.sent_ctx, _lent(sc, flow.sent_ctx, _CTX_SENTENCE)


def _from_document_kind(doc, flow, w, sc, parent) -> tuple[dict, tuple]:
    """A report that counts one kind only lends that kind."""
    return doc.doc_ctx, _CTX_DOCUMENT


def _from_sentence_level(doc, flow, w, sc, parent) -> tuple[dict, tuple]:
    level = _sentence(doc, w.a, w.b).level
    return ({"level": level}, ("level",)) if level else ({}, ())


def _from_sentence_body(doc, flow, w, sc, parent) -> tuple[dict, tuple]:
    body = _sentence_body(_sentence(doc, w.a, w.b), sc.get("kind"), _clause(w.before, len(w.before), len(w.before)))
    return ({"body": body}, ("body",)) if body else ({}, ())


# the lending rules of precedence.yaml metric.scope, each a source of fields and the fields it may lend
_LENDERS = {"sub_count_of_total": _from_total, "sentence_context": _from_sentence_context,
            "document_kind": _from_document_kind, "sentence_level": _from_sentence_level,
            "sentence_body": _from_sentence_body}


def _lent(sc: dict, src: dict, keys: tuple) -> tuple:
    """The fields a total or the sentence may lend a count: not the body where
    the count names another kind (…委员提案36件,其中建议21件: the 建议 are not
    the 政协's)."""
    if sc.get("kind") in (None, src.get("kind")):
        return keys
    return tuple(k for k in keys if k != "body")


def _fill(sc: dict, rules: dict, src: dict, keys, rule: str) -> None:
    """Fields of `src` the scope does not state yet, each recorded with `rule`."""
    for k in keys:
        if k in src and k not in sc:
            sc[k], rules[k] = src[k], rule


def _member_scope(doc: _Doc, flow: _Flow, i: int, w: _Window, names: list[str], sc: dict) -> None:
    """A list shares its verb's role; a 分别 member replaces what was inherited;
    suggestions and proposals together have no one body; joined classes."""
    norm, last = doc.norm, flow.last_count
    if (names == ["count"] and last is not None and re.match(r"\s*、", w.before)
            and not handling.role_rx()[0].search(w.before) and last.nstart >= w.a
            and handling.role_rx()[0].search(norm[max(w.a, last.nstart - 40):last.nstart])):
        # 协办…代表建议6件、全国政协…提案3件: a list after its verb shares the verb's role
        sc["role"] = last.scope.get("role", sc.get("role"))
    if i in doc.resp:
        # the member named for this number replaces what was inherited
        mb = doc.resp[i]
        for k in ("status", "group", "topic", "category") + (("kind", "body") if "kind" in mb else ()):
            sc.pop(k, None)
        sc.update(mb)
    if sc.get("kind") == "建议提案":
        sc.pop("body", None)
    if sc.get("category") and "status" not in sc:
        # A类为所提问题已经解决 … 其中,A类76件; B类、C类共127件: the joined classes
        st = handling.joint_status(sc["category"].split("、"), doc.classes)
        if st:
            sc["status"] = st


def _link(doc: _Doc, flow: _Flow, w: _Window, m: _MetricDraft, names: list[str], sc: dict, bracketed: bool,
          out: list) -> None:
    """What the consistency checks need: the unit's own total, a share's count,
    a sub-count's total (or the sum of the totals a 其中 breaks down)."""
    if names[0] == "count" and not flow.in_sub and not bracketed and _UNIT_TOTAL.search(w.prefix):
        kind = sc.get("kind")
        m.unit_total = kind is not None and not any(
            x.scope.get("kind") == kind and x.unit_total for x in out if x.nstart >= w.a)
    if names[0] == "share":
        m.parent = flow.last_count
    elif names[0] == "count" and (bracketed or flow.in_sub):
        m.parent = flow.last_count if bracketed else flow.total
        if not bracketed and len(flow.totals) > 1:
            m.totals = list(flow.totals)


# a predicate said of every member (均为主办件, 全部办结), and members joined as one list (建议6件、提案11件)
_DISTRIBUTIVE = re.compile(r"均|都|全部|皆|一律|分别")
_LISTED = re.compile(r"[^;;。]*[、和及与][^;;。]*")  # (…1件提案,以及6件来信: 以及 joins across the comma)


_MAX_LIST = 30
_PREFIX = 400


def _list_predicate(doc: _Doc, i: int, q, w: _Window, sc: dict) -> None:
    """提出的6件建议、1件提案…进行集中面复; …建议21件、…提案17件,均为会办件: the
    predicate after a list of counts holds for each of them. The list runs over
    the counts that follow; its predicate ends where another kind of number
    starts (…3件全部办结,办结率100%)."""
    norm, qs = doc.norm, doc.qs
    seg_end = min(bounds(norm, q.nend, q.nend, SEGMENT)[1], w.b)
    later = []
    for x in qs[i + 1:i + 1 + _MAX_LIST]:  # (a list is a few members, not a run of thousands)
        if x.nstart >= seg_end or x.unit != "件":
            break
        later.append(x)
    k = i + 1 + len(later)  # the next number (sorted: the nearest), if it stands before the segment's end
    stop = qs[k].nstart if k < len(qs) and qs[k].nstart < seg_end else seg_end
    tail = norm[(later[-1].nend if later else q.nend):stop]
    if later and not _DISTRIBUTIVE.search(tail) and not _LISTED.fullmatch(norm[q.nend:later[0].nstart]):
        return  # 提建议428件,426件办理完毕: the predicate is the last count's own, not the list's
    if "status" not in sc:
        st, _ = handling.canonical_status(tail)
        if st:
            sc["status"] = st
    rm = _LIST_ROLE.search(tail[:30])
    if rm and sc.get("role") in (None, "承办"):
        sc["role"] = handling.role_rx()[1][rm.group(1)]


# 代表建议和委员提案中的A类件分别为161件和206件; …留作参考的分别为96件、58件、19件和8件
_RESPECTIVELY = re.compile(r"分别(?:为|是|有|承办|办理|达到?|占(?:各自)?(?:总数|总量)?的?)?\s*$")
_ORG = re.compile(r"^(.*?(?:局|委员会|委|办公室|办|厅|中心|公司|政府|街道|镇|乡))")


def _member(item: str) -> dict:
    """What one member of a 分别 list names: a kind, a status, a class, a
    handling unit or a topic."""
    kb = _kind_body(item)
    if kb and handling.kind_rx()[0].fullmatch(re.sub(r"^(?:市|区|县|省|州)?(?:人大|政协)?(?:代表|委员)?", "", item)
                                             or item) or (kb and len(item) <= 8):
        return kb
    cm = _CATEGORY.search(item)
    st, _ = handling.canonical_status(item)
    if st:
        return {"status": st, **({"category": cm.group(1)} if cm else {})}
    if cm:
        return {"category": cm.group(1)}
    om = _ORG.match(item)
    if om and len(om.group(1)) <= 12:
        return {"group": om.group(1)}
    tm = re.match(r"^(.{2,12}?)(?:类|方面|领域)$", item)
    if tm:
        return {"topic": tm.group(1)}
    return {}


def _respectively(norm: str, qs: list) -> dict[int, dict]:
    """Numbers stated 分别 (respectively) for the members of a list before
    them: the i-th number takes the i-th member's scope. Shares that follow
    the same way (分别占53.0%、32.0%…) take the same members."""
    out: dict[int, dict] = {}
    last: tuple[int, list[dict]] | None = None
    i = 0
    while i < len(qs):
        q = qs[i]
        a = bounds(norm, q.nstart, q.nend, SEGMENT)[0]
        pre = norm[max(a, q.nstart - _PREFIX):q.nstart]
        m = _RESPECTIVELY.search(pre)
        if not m or q.unit not in ("件", "%", "家", "个"):
            i += 1
            continue
        run = [i]
        while run[-1] + 1 < len(qs) and qs[run[-1] + 1].unit == q.unit and re.fullmatch(
                r"\s*[、,,和及与]\s*", norm[qs[run[-1]].nend:qs[run[-1] + 1].nstart]):
            run.append(run[-1] + 1)
        clauses = [x for x in re.split(r"[,,:]", _strip_brackets(pre[:m.start()])) if x.strip()]
        subject = clauses[-1].strip() if clauses else ""
        common: dict = {}
        if "中的" in subject:
            subject, rest = subject.rsplit("中的", 1)
            cm = _CATEGORY.search(rest)
            common = {"category": cm.group(1)} if cm else {}
        subject = re.sub(r"的$", "", subject)
        items = [x for x in re.split(r"[、和及与]", subject) if x]
        members = [_member(x) for x in items] if len(items) == len(run) > 1 else []
        if members and all(members):
            seen: dict[str, int] = {}
            for mb in members:
                if "status" in mb:
                    seen[mb["status"]] = seen.get(mb["status"], 0) + 1
            for x, mb in zip(items, members):
                if seen.get(mb.get("status"), 0) > 1:
                    mb["group"] = x  # 因条件限制暂不能解决 / 留作参考: one status, two named groups
            members = [{**common, **mb} for mb in members]
            last = (a, members)
        elif last is not None and last[0] == a and len(last[1]) == len(run):
            members = last[1]
        else:
            i += 1
            continue
        for k, j in zip(range(len(run)), run):
            out[j] = members[k]
        i = run[-1] + 1
    return out


def _state_for_each(m: _MetricDraft, members: list[dict], classes: dict, out: list[_MetricDraft]) -> None:
    """One number stated for each member: m takes the first member, a copy
    on the same evidence is added for each other one."""
    from_class = "category" in m.scope and classes.get(m.scope["category"]) == m.scope.get("status")
    base = dict(m.scope)
    m.each = members
    for j, mem in enumerate(members):
        sc = {**base, **mem}
        if "category" in mem and from_class:
            sc.pop("status", None)
            if classes.get(mem["category"]):
                sc["status"] = classes[mem["category"]]
        rules = {**m.rules, **{k: "each_member" for k in mem}}
        if j == 0:
            m.scope, m.rules = sc, rules
        else:
            out.append(_MetricDraft(m.metric, m.value, m.unit, m.start, m.end, m.surface, sc, m.nstart,
                                    parent=m.parent, each=members, rules=rules))


def _parts_of_several_totals(out: list[_MetricDraft]) -> None:
    """建议1件,提案3件,其中独办件4件,协办件0件: parts that add up to the sum of
    several totals of different kinds are of both kinds, not of the last."""
    groups: dict[int, list[_MetricDraft]] = {}
    for m in out:
        if m.metric == "count" and m.parent is not None and m.totals_sum is not None:
            groups.setdefault(id(m.parent), []).append(m)
    for parts in groups.values():
        if len({t.scope.get("kind") for t in parts[0].totals} - {None}) < 2:
            continue  # 委员提案787件,党派提案101件…。其中经济建设方面提案341件: totals of one kind
        # 其中主办41件、会办18件,重点提案2件: the role split is the one that adds up
        for subset in (parts, [p for p in parts if p.scope.get("role") not in (None, p.parent.scope.get("role"))]):
            if subset and sum(p.value for p in subset) == parts[0].totals_sum != parts[0].parent.value:
                for p in subset:
                    p.scope["kind"], p.rules["kind"] = "建议提案", "parts_of_totals"
                    p.scope.pop("body", None)
                    p.rules.pop("body", None)
                break


@lru_cache(maxsize=1)
def _other_items_rx() -> tuple[re.Pattern, re.Pattern]:
    words = "|".join(map(re.escape, handling.vocab()["other_items"]))
    return re.compile(rf"(?:{words})\s*$"), re.compile(rf"^\s*(?:{words})")


def _other_items(before: str, after: str) -> bool:
    """7件 of 办理答复政府信息公开申请7件 / 受理来信7件 counts something else."""
    end_rx, start_rx = _other_items_rx()
    return bool(end_rx.search(before) or start_rx.match(after))


def _in_brackets(norm: str, a: int, i: int) -> bool:
    seg = norm[max(a, i - _PREFIX):i]
    return seg.count("(") + seg.count("(") > seg.count(")") + seg.count(")")


def _rates(before: str) -> list[str]:
    """Rate names that a number closes: 办复率、满意率均达100% → two.
    满意率和基本满意率 together is one satisfied share (GOLD.md §3)."""
    seg = re.split(r"[,,;;。:]", before)[-1]
    table = handling.vocab()["rates"]
    first = handling.rate_rx().search(seg)
    if first and _other_items(seg[:first.start()], ""):
        return []  # 诉求按时办结率: a rate of something else than proposals
    names = [table[m.group()] for m in handling.rate_rx().finditer(seg)]
    if "satisfaction_rate" in names and "basic_satisfaction_rate" in names:
        names = [n for n in names if n != "basic_satisfaction_rate"]
    seen = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return seen


def _activity_rates(before: str) -> list[str]:
    """沟通见面、办理答复两个百分之百 → contact_rate, reply_rate."""
    m = re.search(r"([^,,;;。:]{2,30}?)[两三四五]个$", before)
    if not m:
        return []
    table = handling.vocab()["rate_activities"]
    names = []
    for part in re.split(r"[、和及与]", m.group(1)):
        hit = next((table[w] for w in table if w in part), None)
        if hit and hit not in names:
            names.append(hit)
    return names


def _rate_scope(sc: dict, before: str, sentence_prefix: str = "") -> dict:
    """A rate carries a kind only where the kind word stands by its name
    (建议回复率100%), a role where its sentence is about one role's items
    (79件主办件已全部办结,沟通率100%)."""
    out = {k: v for k, v in sc.items() if k in ("ref_year",)}
    fm = re.findall(r"(主办|会办|协办|分办)件", re.split(r"[;;]", _strip_brackets(sentence_prefix))[-1])
    if fm and len(set(fm)) == 1:
        out["role"] = fm[-1]
    seg = re.split(r"[,,;;。:]", before)[-1]
    m = handling.rate_rx().search(seg)
    if m:
        lead = seg[max(0, m.start() - 4):m.start()]
        kb = _kind_body(lead)
        if not kb and lead.endswith("代表"):
            kb = {"kind": "建议", "body": "人大"}  # 代表满意率97.3%
        elif not kb and lead.endswith("委员"):
            kb = {"kind": "提案", "body": "政协"}  # 委员满意率98.5%
        out.update({k: v for k, v in kb.items() if k in ("kind", "body")})
        rm = _ROLE_SUBJECT.search(seg[max(0, m.start() - 12):m.start()])
        if rm and rm.end() == m.start():
            out["role"] = rm.group(1)  # 主办的建议提案沟通率达到100%
        if _KEY.search(seg[:m.start()]):
            out["is_key"] = True  # 12件市级领导领衔督办的重点提案办复率…均达到100% (GOLD.md §7.2)
        gm = _SUPERVISED.search(seg[:m.start()])
        if gm:
            out["group"] = gm.group(1)  # 已督办提案办结率96%: the rate of the supervised items
    return out


# 12件市级领导领衔督办的重点提案办复率; 已督办提案办结率: the supervised items a rate is of
_SUPERVISED = re.compile(r"(?:\d+件)?([\u4e00-\u9fff]{0,10}督办)的?(?:重点)?(?:建议提案|提案|建议|议案)$")

