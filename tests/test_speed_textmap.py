"""Issue 18: the normalized view is built with fewer steps per character
(the runs of spaces found first, the identity offsets copied from one
array); what it finds and maps is what the regular expression and the
per-character offsets gave."""
import random
from array import array

from pipeline import textmap

ALPHABET = list("市政協會议 \u00a0\u3000ab12２０%％，。\n\t|⺀⿕㐀丽①…")


def _texts(n: int, seed: int):
    rnd = random.Random(seed)
    for _ in range(n):
        yield "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 30)))


def test_stray_spaces_are_the_regular_expressions_matches():
    for text in _texts(20000, 1):
        assert textmap._stray_spaces(text) == [m.span() for m in textmap._STRAY_SPACE.finditer(text)], repr(text)


def test_offsets_of_unchanged_text_map_each_character_to_itself():
    for text in _texts(2000, 2):
        tm = textmap.build(text)
        for i, (s, e) in enumerate(zip(tm.starts, tm.ends)):
            assert 0 <= s < e <= len(text)
        plain = textmap.build("".join(c for c in text if c in "市政議ab12"))  # nothing to drop or normalize
        assert plain.starts == array("i", range(len(plain.source)))
        assert plain.ends == array("i", range(1, len(plain.source) + 1))


def test_a_longer_text_grows_the_identity_offsets():
    short = textmap.build("会议" * 10)
    long = textmap.build("会议" * 5000)
    assert list(short.starts) == list(range(20)) and list(long.ends) == list(range(1, 10001))
