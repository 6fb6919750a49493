"""What kind of text a document is (the genres of the evaluation sets'
sidecars), read from its own words, so that users can filter and the
extractors can apply a genre's grammar:

- `reply_letter` — a reply to one numbered suggestion or proposal (…第12号建议的答复; …收悉,现答复如下);
- `news` — a story about handling (记者…获悉; 本报讯; …日电);
- `cppcc_report` — a CPPCC committee's report on its proposal work (政协…提案工作情况的报告);
- `gov_report_npc` — a government's report on the suggestions it handled (人民政府关于…建议…办理情况的报告);
- `self_evaluation` — a unit's own summary (自评报告, 工作总结, 办理总体情况, 我局/我委…共承办);
- None where the text says too little (an empty field beats a guessed one).

>>> classify("关于对市五届人大一次会议第89号建议的答复\\n您所提的建议已收悉,现答复如下:")
'reply_letter'
>>> classify("本报讯(记者 王明)记者从市政协获悉,今年共收到提案350件。")
'news'
>>> classify("某某局2023年建议提案办理工作总结\\n今年我局共承办建议12件。")
'self_evaluation'
"""
from __future__ import annotations

import re

_RULES = (
    # 现答复如下; 第55号提案的\n答复; (134号)的答复; 协办意见的函
    ("reply_letter", re.compile(r"(?:答复|答覆|函复)如下|\d+号[^。\n]{0,40}?(?:的)?\s*(?:答\s*复|答覆|回复|复函)"
                                r"|(?:建议|提案|议案)(?:办理)?(?:的)?(?:答复|答覆|回复|复函)(?:函)?\s*$|(?:协办|会办)意见的?函", re.M)),
    ("news", re.compile(r"记者|本报讯|讯[(（]|[^\d]\d{1,2}月\d{1,2}日(?:电|讯)|通讯员|新华社|新闻网")),
    # 常务委员会关于提案工作情况的报告; 向大会报告…以来提案工作情况; 关于提案审查情况的报告
    ("cppcc_report", re.compile(r"提案工作情况的?报告|提案工作报告|提案审查情况的报告|向大会报告[^。\n]{0,20}?提案")),
    ("gov_report_npc", re.compile(r"(?:人民政府|政府)关于[^。\n]{0,40}?(?:建议|提案)[^。\n]{0,20}?办理(?:工作)?情况的报告"
                                  r"|代表建议[^。\n]{0,12}?办理(?:工作)?情况的报告|人民政府[^。\n]{0,20}?代表建议办理工作")),
    ("self_evaluation", re.compile(r"自评报告|工作总结|办理(?:工作)?总体情况|我[局委办厅处中心街镇区县][^。]{0,6}?共(?:承办|办理|收到)")),
)


# a reply letter acknowledges what it answers and says it answers it (…收悉,现答复如下)
_REPLY_BODY = re.compile(r"收悉[^。]{0,40}?(?:答复|答覆|函复|回复)如下")
# the words with which a letter starts to speak: before them are its page's fields and its greeting
ACK_WORDS = ("收悉", "答复如下", "答覆如下", "函复如下")
ACK = re.compile("|".join(ACK_WORDS))


def is_reply_letter(norm: str, title: str | None = None) -> bool:
    """The one test of 'a reply to a numbered item' every extractor shares: a
    title that ends as a reply (…第12号建议的答复, 复函, 协办意见的函; the
    first lines where no title is known), a body that acknowledges and
    answers (…收悉,现答复如下), or the reply wording of `reply_letter` above.

    >>> is_reply_letter("您提出的建议收悉,现将办理情况答复如下:")
    True
    >>> is_reply_letter("关于第12号建议办理情况的报告", "关于第12号建议办理情况的报告")
    False
    """
    from .metadata import _vocab

    heads = [title] if title else [x for x in norm[:300].split("\n") if x.strip()][:3]
    if any(re.search(_vocab()["reply_title"], re.sub(r"[\s()（）]+$", "", h)) for h in heads):
        return True
    return bool(_REPLY_BODY.search(norm[:3000]) or _RULES[0][1].search(norm[:1500]))


def classify(text: str, title: str | None = None) -> str | None:
    """The first genre whose wording the text's head shows."""
    if is_reply_letter(text, title):
        return "reply_letter"
    head = text[:1500]
    for genre, rx in _RULES[1:]:
        if rx.search(head):
            return genre
    return None
