"""Shared vocabulary of proposal handling: kinds, bodies, levels, roles,
statuses (GOLD.md §2–4), loaded from resources/handling.yaml."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from pipeline.yamlload import safe_load


@lru_cache(maxsize=1)
def vocab() -> dict:
    return safe_load(resources.files("extractors.resources").joinpath("handling.yaml").read_text("utf-8"))


def _alt(words) -> str:
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))


@lru_cache(maxsize=1)
def rate_rx() -> re.Pattern:
    return re.compile(_alt(vocab()["rates"]))


@lru_cache(maxsize=1)
def status_rx() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: s for s, ws in vocab()["statuses"].items() for w in ws}
    return re.compile(_alt(table)), table


@lru_cache(maxsize=1)
def letter_outcome_rx() -> dict[str, re.Pattern]:
    """status → one pattern of the outcome cues a reply letter's body uses."""
    return {st: re.compile("|".join(f"(?:{p})" for p in pats)) for st, pats in vocab()["letter_outcomes"].items()
            if isinstance(pats, list)}


@lru_cache(maxsize=1)
def preparatory_rx() -> re.Pattern:
    """The steps on the way to a result (设计, 可行性研究, 招标…): letter_outcomes.preparatory_steps."""
    return re.compile(vocab()["letter_outcomes"]["preparatory_steps"])


@lru_cache(maxsize=1)
def role_rx() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: r for r, ws in vocab()["roles"].items() for w in ws}
    return re.compile(_alt(table)), table


@lru_cache(maxsize=1)
def kind_rx() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: k for k, ws in vocab()["kinds"].items() for w in ws}
    # 会议提案 is a 提案 put to a 会议, not a 议提案 (建议提案): words that
    # start with 议 may not follow 会.
    # 所提意见和建议得到解决, 转为意见建议: opinions and suggestions in general, not deputies' 建议
    # (代表建议 keeps its kind: only 意见 right before marks the generic phrase)
    # (提案所提建议已经解决或采纳的: the proposals' contents, not deputies' 建议; but 政协委员所提建议5件
    # are members' suggestions)
    alts = [("(?<!会)" if w.startswith("议") else "(?<!意见)(?<!意见和)(?<!意见、)(?<!提案所提)(?<!提案所提的)(?<!议案所提)"
             if w.startswith("建议") else "")
            + re.escape(w) for w in sorted(table, key=len, reverse=True)]
    return re.compile("|".join(alts)), table


def kind_of(seg: str) -> tuple[str, int, str] | None:
    """(kind, position, word) of the kind word nearest the end of seg; a pair
    counts as both: 人大代表建议和政协委员提案 → 建议提案."""
    rx, table = kind_rx()
    found = [(m.start(), table[m.group()], m.group()) for m in rx.finditer(seg)]
    if not found:
        return None
    pos, kind, word = found[-1]
    if kind != "建议提案" and len(found) > 1:
        ppos, pkind, pword = found[-2]
        other = {"建议": "提案", "提案": "建议"}.get(kind)
        if pkind == other and re.fullmatch(r"(?:[和与及、][^,,。;;\d件]{0,24})?", seg[ppos + len(pword):pos]):
            return "建议提案", pos, word
    return kind, pos, word


# (拟出台相关政策予以解决: a solution planned)
_PLANNED = re.compile(r"列入[^,,。;;:：]{0,16}?(?:计划|规划)|拟[^,,。;;:：]{0,12}?予以解决")
# (提案办结31件: closed, the verb right before its count; not 办结率)
_REPLIED = re.compile(r"办复(?=建议|提案|议案|议提案|代表|委员|[^率工\u4e00-\u9fff]|$)|办结(?=\s*\d)"
                      r"|(?:均|都)按(?:规定|期|时)?[^,,。;;\d]{0,4}?(?:办结|办复)(?!率)")  # 均按规定办结
_UNDER_WAY = re.compile(r"正在[\u4e00-\u9fff]{0,4}?(推进|建设|施工|实施|落实|解决|办理|开展)|(推进|落实|实施|建设)中"
                         r"|(?:已|均已)(?:全面)?(?:启动|开工|动工)")


def canonical_status(text: str) -> tuple[str | None, str | None]:
    """(canonical status, wording) of a phrase, by GOLD.md §4's rules: a
    class joining in_progress and planned is in_progress; one joining
    resolved with anything else has no status.

    >>> canonical_status("正在解决或列入计划逐步解决的")
    ('in_progress', '正在解决')
    >>> canonical_status("基本落实或计划落实")[0] is None
    True
    >>> canonical_status("已经解决或基本解决的")
    ('resolved', '已经解决')
    >>> canonical_status("已办理完毕,所提问题基本解决")
    ('resolved', '基本解决')
    """
    rx, table = status_rx()
    found = [(m.group(), table[m.group()]) for m in rx.finditer(text)]
    # 正在加紧建设, 正在持续推进: work under way, in words the table cannot list;
    # 办复建议提案152件: replied, outcome not stated
    for m in _UNDER_WAY.finditer(text):
        over = [(w, k) for w, k in found if m.group() in w or w in m.group()]
        plans_inside = bool(over) and all(k == "planned" and w in m.group() for w, k in over)
        if plans_inside:
            found = [x for x in found if x not in over]  # 正在逐步解决: under way, not the plan inside it
        if not over or plans_inside:
            found.append((m.group(), "in_progress"))
    # 已列入2023年工作计划, 列入全区卫生健康事业发展规划: put into a plan
    found += [(m.group(), "planned") for m in _PLANNED.finditer(text)
              if not any(m.group() in w or w in m.group() for w, _ in found)]
    found += [(m.group(), "closed") for m in _REPLIED.finditer(text)
              if not any(m.group() in w or w in m.group() for w, _ in found)]
    if not found:
        # 基本落实 / 计划落实 are not in the table alone: they mean resolved/planned
        if "落实" in text and "计划" in text and "基本" in text:
            return None, text
        return None, None
    kinds = {k for _, k in found}
    if len(kinds) > 1 and "closed" in kinds:
        # 已办理完毕,所提问题基本解决: closed means "outcome not stated"; an outcome wins
        found = [(w, k) for w, k in found if k != "closed"]
        kinds.discard("closed")
    if kinds == {"resolved"}:
        return "resolved", found[0][0]
    if "resolved" in kinds:
        return None, found[0][0]
    if kinds <= {"in_progress", "planned"}:
        s = "in_progress" if "in_progress" in kinds else "planned"
        return s, next(w for w, k in found if k == s)
    if len(kinds) == 1:
        return found[0][1], found[0][0]
    return None, found[0][0]


_CLASS_DEF = re.compile(r"([A-Da-d甲乙丙丁])\s*类\s*[((]([^()()]{2,60})[))]")
_CLASS_AFTER = re.compile(r"[((]\s*([A-Da-d甲乙丙丁])\s*类\s*[))]")
_CLASS_IS = re.compile(r"([A-Da-d甲乙丙丁])\s*类(?:为|是|指)([^,,;;。]{2,40})")
# (A类:所提问题已经解决或基本解决): a letter's legend of its class
_CLASS_COLON = re.compile(r"([A-Da-d甲乙丙丁])\s*类\s*[::]\s*([^,,;;。()()\n]{2,40})")
# 已经解决或基本解决的A类件367件: the clause before 的 defines the letter
_CLASS_OF = re.compile(r"的\s*([A-Da-d甲乙丙丁])\s*类")


def class_statuses(text: str) -> dict[str, str]:
    """What each handling class means in this report, from the definition
    written beside its letter. GOLD.md §4: only the report's own definition
    counts; the first definition of a letter wins.

    >>> class_statuses("A类(已解决或基本解决)17件;正在解决或列入计划的(B类)9件;C类为留作参考")
    {'A': 'resolved', 'B': 'in_progress', 'C': 'reference'}
    >>> class_statuses("已经解决或基本解决的A类件367件;因条件限制暂不能解决、留作参考的C类件37件")
    {'A': 'resolved', 'C': 'reference'}
    """
    out: dict[str, str] = {}
    found = [(m.group(1), m.group(2)) for m in _CLASS_DEF.finditer(text)]  # A类(已解决或基本解决)
    # 已经解决或基本解决的(A类): the clause before the bracket defines it
    found += [(m.group(1), re.split(r"[,,;;。:]", text[max(0, m.start() - 60):m.start()])[-1])
              for m in _CLASS_AFTER.finditer(text)]
    found += [(m.group(1), m.group(2)) for m in _CLASS_IS.finditer(text)]  # A类为所提问题已经解决
    found += [(m.group(1), m.group(2)) for m in _CLASS_COLON.finditer(text)]  # A类:所提问题已经解决
    found += [(m.group(1), re.split(r"[,,;;。:()()]", text[max(0, m.start() - 40):m.start()])[-1])
              for m in _CLASS_OF.finditer(text)]
    for letter, definition in found:
        st, _ = canonical_status(definition)
        if st:
            out.setdefault(letter, st)
    return out


def joint_status(letters: list[str], classes: dict[str, str]) -> str | None:
    """The status of several classes counted together (B类、C类共127件), by
    GOLD.md §4's rule for joined statuses."""
    sts = {classes.get(x) for x in letters}
    if None in sts:
        return None
    if len(sts) == 1:
        return sts.pop()
    if sts == {"in_progress", "planned"}:
        return "in_progress"
    return None
