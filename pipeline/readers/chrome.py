"""Drop lines of site chrome from text extracted out of web pages."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..textmap import build
from ..yamlload import safe_load

_KEEP = re.compile(r"发布(时间|日期)|公开日期|成文日期|来源\s*[::]")


@lru_cache(maxsize=1)
def _rules() -> tuple[int, re.Pattern, re.Pattern]:
    data = safe_load(resources.files("pipeline.resources").joinpath("boilerplate.yaml").read_text("utf-8"))

    def alt(rows):
        return re.compile("|".join(f"(?:{r['pattern']})" for r in rows))

    return int(data["max_len"]), alt(data["patterns"]), alt(data["inline"])


def is_chrome(line: str) -> bool:
    """True for a line of site chrome.

    >>> is_chrome("字号 大 中 小"), is_chrome("【打印】【关闭】")
    (True, True)
    >>> is_chrome("今年,我区共承办建议提案6件,均作为会办单位。")
    False
    >>> is_chrome("来源:区政府办公室 发布时间:2022-11-30 14:35 字号:大 中 小")
    False
    """
    s = line.strip()
    if not s:
        return False
    # Match on the normalized view: mirrors serve Traditional, full-width chrome (字體大小:打印).
    s = build(s).norm
    max_len, rx, _ = _rules()
    if len(s) > max_len or _KEEP.search(s):
        return False
    return rx.search(s) is not None


def clean_info_line(line: str) -> str:
    """Remove widgets sharing a line with the date fields.

    >>> clean_info_line("来源:区政府办公室 发布时间:2022-11-30 14:35 字号 大 中 小")
    '来源:区政府办公室 发布时间:2022-11-30 14:35'
    """
    if not _KEEP.search(line):
        return line
    return _rules()[2].sub("", line).rstrip()


def strip_chrome(lines: list[str]) -> list[str]:
    return [clean_info_line(ln) for ln in lines if not is_chrome(ln)]
