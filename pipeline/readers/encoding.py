"""Decode text bytes: UTF-8 (with or without BOM), UTF-16, GBK/GB18030, Big5.

General-purpose detectors (charset-normalizer, chardet) guess wrong on short
Chinese texts — measured on this corpus, charset-normalizer misread 100 of
270 GBK/Big5 snippets (as Big5, cp949, UTF-16 or nothing). The candidates
here are few and known, so we decide between them directly: a strict UTF-8
decode almost never succeeds on GBK or Big5 bytes, and between GB18030 and
Big5 the wrong decoding turns text into rare characters, so we keep the
decoding whose characters are the most common (in GB2312 after
Traditional→Simplified).
"""
from __future__ import annotations

import codecs
from functools import lru_cache

from ..document import IngestError
from ..textmap import to_simplified

# GB2312 and GBK are subsets of GB18030: a page that declares gb2312 but
# uses GBK-only characters (镕, 堃) decodes without loss.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "euc-cn": "gb18030", "cp936": "gb18030", "big5-hkscs": "big5hkscs",
    "utf8": "utf-8", "unicode": "utf-8",
}


def canonical(name: str | None) -> str | None:
    if not name:
        return None
    n = name.strip().strip("\"'").lower()
    n = _ALIASES.get(n, n)
    try:
        name = codecs.lookup(n).name
        b"a".decode(name, "ignore")  # a codec, but not bytes → text (base64, rot13, zlib): no charset
    except (LookupError, UnicodeError):
        return None
    return name


@lru_cache(maxsize=65536)
def _common(ch: str) -> bool:
    if ch.isascii():
        return True
    try:
        to_simplified(ch).encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _score(text: str) -> float:
    sample = text[:20000]
    non_ascii = [c for c in sample if not c.isascii() and not c.isspace()]
    if not non_ascii:
        return 1.0
    return sum(map(_common, non_ascii)) / len(non_ascii)


def _strict(data: bytes, enc: str) -> str | None:
    """Decode strictly, forgiving one cut character at the very end (files
    saved from truncated downloads)."""
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3:
            return data[: e.start].decode(enc, errors="strict") if e.start else ""
        return None
    except UnicodeError:  # a codec that decodes nothing ('undefined')
        return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``.

    >>> decode("建议提案办理情况".encode("gbk"))[1]
    'gb18030'
    >>> decode("建議提案辦理情況".encode("big5"))[1]
    'big5'
    >>> decode(b"\\xef\\xbb\\xbf" + "报告".encode())
    ('报告', 'utf-8-sig')
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(enc, errors="replace"), enc
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if bad and bad <= max(3, len(lenient) // 2000) and _score(lenient) > 0.9:
        # UTF-8 with a stray byte or two (a cut download, a pasted symbol):
        # GBK or Big5 bytes read as UTF-8 break everywhere, not in one place.
        return lenient, "utf-8"
    candidates = ["gb18030", "big5"]
    declared = canonical(declared)
    if declared and declared not in candidates and declared != "utf-8":
        candidates.insert(0, declared)
    best: tuple[float, str, str] | None = None
    for enc in candidates:
        t = _strict(data, enc)
        if t is None:
            continue
        s = _score(t)
        if best is None or s > best[0] + 1e-9:
            best = (s, t, enc)
    if best is None or best[0] < 0.9:
        from .sniff import _utf16_without_bom

        enc16 = _utf16_without_bom(data)
        if enc16:
            return data[: len(data) - len(data) % 2].decode(enc16, errors="replace"), enc16
    if best is None or best[0] < 0.5:
        # Not Chinese in a Chinese encoding: let a general detector name the
        # encoding (UTF-16 without BOM, Shift-JIS, Latin-1…), so the error
        # says what the file is rather than "unreadable".
        from charset_normalizer import from_bytes

        guess = from_bytes(data[:200_000]).best()
        if guess is not None and guess.encoding not in ("gb18030", "big5", "utf_8"):
            text = str(guess)
            if text.strip():
                return text, guess.encoding
    if best is None:
        # No candidate decodes cleanly: keep what GB18030 gives, marked.
        text = data.decode("gb18030", errors="replace")
        if text.count("\ufffd") > max(10, len(text) // 20):
            raise IngestError("encoding", "bytes are not valid UTF-8, GB18030 or Big5 text", stage="decode")
        return text, "gb18030"
    if best[0] < 0.5:
        raise IngestError(
            "encoding",
            f"text decodes only to rare characters (best guess {best[2]}, {best[0]:.0%} common): "
            "wrong or unsupported encoding",
            stage="decode",
        )
    return best[1], best[2]
