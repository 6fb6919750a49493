"""Value parsers: small pure functions from numeral strings to Decimal.

Finding a span and resolving its value are separate steps; these functions
only resolve.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5,
          "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_DIGIT) + "".join(_SMALL) + "".join(_BIG)
_DIGITS_ONLY = "".join(c for c in _DIGIT if c not in "零〇○")


def chinese_to_int(s: str) -> int | None:
    """Chinese numeral → int; None if ``s`` is not one.

    >>> [chinese_to_int(x) for x in ("二十一", "十", "两", "一百零五", "三千二百万", "二〇二二", "百")]
    [21, 10, 2, 105, 32000000, 2022, None]
    >>> [chinese_to_int(x) for x in ("十四五", "七八", "二三十", "三五")]
    [None, None, None, None]
    """
    if not s or any(c not in CHINESE_NUMERAL_CHARS for c in s):
        return None
    if not any(c in _DIGIT or c in "十拾" for c in s):
        return None  # 百, 千, 万 alone are words (百家, 千家万户), not numbers
    if all(c in _DIGIT for c in s) and len(s) > 1:
        if not any(c in "〇零○" for c in s):
            return None  # 七八个, 三五年: an approximate range, not a number
        return int("".join(str(_DIGIT[c]) for c in s))  # 二〇二二: digit by digit
    if re.search(f"[{_DIGITS_ONLY}]{{2}}", s):
        return None  # 十四五, 二三十: digits side by side without a unit between
    total, section, num = 0, 0, 0
    for c in s:
        if c in _DIGIT:
            num = _DIGIT[c]
        elif c in _SMALL:
            section += (num or 1) * _SMALL[c]
            num = 0
        else:
            section += num
            total = (total + section) * _BIG[c] if _BIG[c] > 10_000 else total + section * _BIG[c]
            section, num = 0, 0
    return total + section + num


def parse_number(s: str) -> Decimal | None:
    """Arabic (with thousands separators), Chinese, or mixed (1.2万).

    >>> [str(parse_number(x)) for x in ("15,000", "94.6", "二十一", "1.2万", "3千")]
    ['15000', '94.6', '21', '12000', '3000']
    """
    s = s.strip().replace(",", "").replace(" ", "")
    if not s:
        return None
    mult = Decimal(1)
    i = len(s)
    while i > 0 and s[i - 1] in "万亿千百" and any(ch.isdigit() for ch in s[: i - 1]):
        i -= 1
    if i < len(s):
        for c in s[i:]:
            mult *= {"万": 10_000, "亿": 100_000_000, "千": 1000, "百": 100}[c]
        s = s[:i]
    try:
        return normalize_decimal(Decimal(s) * mult)
    except InvalidOperation:
        v = chinese_to_int(s)
        return normalize_decimal(Decimal(v) * mult) if v is not None else None


def normalize_decimal(d: Decimal) -> Decimal:
    """Drop trailing zeros without scientific notation: 32000000, 94.6.

    >>> str(normalize_decimal(Decimal("3.20E+7"))), str(normalize_decimal(Decimal("94.60")))
    ('32000000', '94.6')
    """
    d = d.normalize()
    if d == d.to_integral():
        return d.quantize(Decimal(1))
    return d
