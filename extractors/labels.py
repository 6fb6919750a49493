"""What a number measures: its label, from the words around it in its clause.

`组织开展48轮次全员核酸筛查` → 全员核酸筛查 (the noun the measure word counts);
`全人群接种率达94.6%` → 全人群接种率 (the subject before a linking verb).
Labels make cross-year series possible, so the same wording must give the
same label: they are built from jieba tokens with the project's domain
dictionary, and nothing else.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

# Words between a label and its number that are not part of the label.
_LINKS = {"达", "达到", "为", "是", "共", "共计", "总计", "合计", "累计", "约", "近", "超过", "突破", "有", "了",
          "计", "占", "的", "其中", "分别", "均", "各", "共有", "全部", "完成", "实现", "已", "已达", "提高",
          "提升", "增加", "减少", "下降", "增长", "至", "到", "由", "从", "和", "与", "及", "等", "年", "以上",
          "在", "对", "将", "并", "又", "还", "也", "就", "都", "所", "被", "把", "向", "给", "比", "较"}
_PUNCT = re.compile(r"[\s,,。;;::、!!??()()“”\"《》【】\[\]]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def tokenizer():
    """One jieba Tokenizer per process, with the domain dictionary."""
    import logging

    jieba = _import_jieba()
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    path = resources.files("extractors.resources").joinpath("userdict.txt")
    with resources.as_file(path) as p:
        tk.load_userdict(str(p))
    return tk


def _import_jieba():
    """jieba, imported without pkg_resources where nothing has imported it yet:
    jieba only asks it where its own data files lie, and opens them from its
    folder without it (the same files, the same tokens); importing it costs
    0.2 s of every start of the CLI and of every worker. (An import of
    pkg_resources by another thread in that instant would fail: the ingest
    workers and the service build the tokenizer when they start.)"""
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import pkg_resources` raises ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


def _clean_tokens(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t.strip() and _CJK.search(t)]


def label(before: str, after: str) -> str | None:
    """The label of a number from the clause text before and after it.

    >>> label("组织开展", "全员核酸筛查")
    '全员核酸筛查'
    >>> label("全区小站稻种植面积", ",占全市")
    '小站稻种植面积'
    >>> label("全人群接种率达", "(目标")
    '全人群接种率'
    """
    # After the unit: the noun it counts, up to the clause end; before the
    # number: the end of its clause. One jieba call for both: a comma
    # between them is a boundary jieba never crosses.
    tail = _PUNCT.split(after, 1)[0][:12]
    head = _PUNCT.split(before)[-1][-16:]
    toks = tokenizer().lcut(head + "," + tail) if head or tail else [","]
    cut = toks.index(",")
    before_toks, after_toks = _clean_tokens(toks[:cut]), _clean_tokens(toks[cut + 1:])
    while before_toks and before_toks[-1] in _LINKS:
        before_toks.pop()
    if after_toks and after_toks[0] not in _LINKS and len(after_toks[0]) >= 2:
        return "".join(after_toks[:2]) if len("".join(after_toks[:2])) <= 8 else after_toks[0]
    if not before_toks:
        return None
    # The trailing noun phrase: up to three tokens, stopping at a verb-like link.
    words: list[str] = []
    for t in reversed(before_toks):
        if t in _LINKS or len(words) >= 3:
            break
        words.insert(0, t)
    # Scope words (全区, 全市, 我局) are context, not what is measured.
    while len(words) > 1 and re.fullmatch(r"(全|我|本|各)[区市县省局委州镇]", words[0]):
        words.pop(0)
    return "".join(words) or None
