import pytest
from hypothesis import given, settings, strategies as st

from pipeline.textmap import build, strip_glosses

from conftest import corpus_text


def test_traditional_pinyin_fullwidth_spaces():
    src = "市六屆人大二次會(huì)議交由市政府系統(tǒng)辦理，共９３件；2022 年度"
    tm = build(src)
    assert tm.norm == "市六届人大二次会议交由市政府系统办理,共93件;2022年度"
    i = tm.norm.index("会议")
    s, e = tm.to_source(i, i + 2)
    assert src[s:e] == "會(huì)議"
    j = tm.norm.index("93件")
    s, e = tm.to_source(j, j + 3)
    assert src[s:e] == "９３件"


def test_kangxi_radicals_become_ideographs():
    # U+2F08 KANGXI RADICAL MAN, U+2F24 KANGXI RADICAL BIG: mirrors swap them in
    assert build("\u2f08\u2f24代表").norm == "人大代表"


def test_source_is_never_rewritten():
    src = corpus_text("005")
    tm = build(src)
    assert tm.source is src
    assert "(huì)" not in tm.norm and "議" not in tm.norm


def test_strip_glosses_keeps_characters():
    assert strip_glosses("政協(xié)提案\n辦理") == "政協提案辦理"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("會議(huì)ǎ 　２,，年度建议\n一a0")) | st.characters(), max_size=60))
def test_map_is_monotone_and_in_bounds(s):
    tm = build(s)
    assert len(tm.starts) == len(tm.norm) == len(tm.ends)
    prev = 0
    for a, b in zip(tm.starts, tm.ends):
        assert 0 <= a < b <= len(s)
        assert a >= prev
        prev = a
    for i in range(len(tm.norm) + 1):
        for j in range(i, min(len(tm.norm), i + 3) + 1):
            a, b = tm.to_source(i, j)
            assert 0 <= a <= b <= len(s)


def _reference_build(text):
    """The plain per-character definition of the view, to check the fast one."""
    import unicodedata

    from pipeline.textmap import _dropped_spans, to_simplified

    chars, starts, ends = [], [], []
    drops = _dropped_spans(text)
    drops = [d for k, d in enumerate(drops) if k == 0 or d[0] >= drops[k - 1][1]]
    di, i = 0, 0
    while i < len(text):
        if di < len(drops) and drops[di][0] <= i:
            ds, de, gloss = drops[di]
            di += 1
            if de > i:
                if gloss and ends:
                    ends[-1] = de
                i = de
            continue
        for c in unicodedata.normalize("NFKC", text[i]):
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
        i += 1
    return to_simplified("".join(chars)), starts, ends


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("會議(huì)ǎ 　２,，年度建议\n一a0⼈①ｆ")) | st.characters(max_codepoint=0xFFFF), max_size=50))
def test_fast_view_equals_the_per_character_definition(s):
    tm = build(s)
    norm, starts, ends = _reference_build(s)
    assert (tm.norm, list(tm.starts), list(tm.ends)) == (norm, starts, ends)


@pytest.mark.parametrize("src, norm, word, surface", [
    # a mirror that writes 會(huì )議: the session must still read as 会议 (十屆全國人大四次會議)
    ("十屆全國人大四次會(huì )議期間", "十届全国人大四次会议期间", "会议", "會(huì )議"),
    # a mirror that repeats its toneless glosses and puts one before a stop (dev 602):
    # the view reads 2024年, and 会办件4件 so the year and the counts are found
    ("2024年(nian),区人大建(jian)议(yi)会办(ban)(ban)(ban)件(jian)(jian)4件(jian)(其中4个主(zhu)办件(jian))",
     "2024年,区人大建议会办件4件(其中4个主办件)", "件4", "件(jian)(jian)4"),
])
def test_glosses_are_dropped_and_map_back(src, norm, word, surface):
    tm = build(src)
    assert tm.norm == norm
    s, e = tm.to_source(tm.norm.index(word), tm.norm.index(word) + len(word))
    assert src[s:e] == surface


def test_a_word_in_brackets_is_no_gloss():
    # not pinyin, or followed by Latin letters: kept as written
    for src in ("附件(doc),", "委员会(CPPCC),", "项目(an)abc"):
        assert build(src).norm == src
