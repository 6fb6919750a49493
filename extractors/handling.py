"""Shared vocabulary of proposal handling: kinds, bodies, levels, roles,
statuses (GOLD.md §2–4), loaded from resources/handling.yaml."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=1)
def vocab() -> dict:
    return yaml.safe_load(resources.files("extractors.resources").joinpath("handling.yaml").read_text("utf-8"))


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
def role_rx() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: r for r, ws in vocab()["roles"].items() for w in ws}
    return re.compile(_alt(table)), table


@lru_cache(maxsize=1)
def kind_rx() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: k for k, ws in vocab()["kinds"].items() for w in ws}
    # 会议提案 is a 提案 put to a 会议, not a 议提案 (建议提案): words that
    # start with 议 may not follow 会.
    alts = [("(?<!会)" if w.startswith("议") else "") + re.escape(w) for w in sorted(table, key=len, reverse=True)]
    return re.compile("|".join(alts)), table


_REPLIED = re.compile(r"办复(?=建议|提案|议案|议提案|代表|委员|[^率工\u4e00-\u9fff]|$)")
_UNDER_WAY = re.compile(r"正在[\u4e00-\u9fff]{0,4}?(推进|建设|施工|实施|落实|解决|办理|开展)|(推进|落实|实施)中")


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
    found += [(m.group(), "in_progress") for m in _UNDER_WAY.finditer(text)
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
