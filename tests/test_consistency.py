import pytest

from extractors import consistency, metrics, quantities
from pipeline.textmap import build

from conftest import corpus_text


def warnings_of(text: str) -> list[str]:
    tm = build(text)
    return consistency.check(metrics.extract(tm.norm, quantities.extract(text, tm=tm)))


def test_parts_that_add_up_are_silent():
    assert warnings_of("今年,我区共承办人大代表建议、政协委员提案6件,其中代表建议2件、委员提案4件。") == []


def test_parts_exceeding_the_total_are_flagged():
    w = warnings_of("今年,我区共承办人大代表建议、政协委员提案6件,其中代表建议2件、委员提案5件。")
    assert len(w) == 1 and w[0].startswith("sum_mismatch") and "2件" in w[0] and "5件" in w[0] and "6件" in w[0]


def test_a_partial_list_is_not_a_slip():
    assert warnings_of("我局共承办建议提案20件,其中主办5件、协办3件。") == []


def test_parts_of_several_totals():
    # 建议1件,提案3件,其中独办件4件: the 其中 breaks down the sum of both (corpus 056)
    assert warnings_of("我局共承办区七届人大四次会议代表建议1件,区政协六届四次会议提案3件,其中,独办件4件,协办件0件。") == []


def test_share_against_its_count():
    ok = "共承办代表建议93件,其中已经解决或基本解决的(A类)54件,占承办总数的58.07%。"
    bad = "共承办代表建议93件,其中已经解决或基本解决的(A类)54件,占承办总数的48.07%。"
    assert warnings_of(ok) == []
    w = warnings_of(bad)
    assert len(w) == 1 and w[0].startswith("share_mismatch") and "58.06" in w[0]


def test_the_units_totals_stated_twice():
    # corpus 032: 基本情况 says 建议11件, 吸收采纳情况 says 建议7件
    w = warnings_of(corpus_text("032"))
    assert any(x.startswith("conflicting_totals") and "11件" in x and "7件" in x for x in w)


@pytest.mark.parametrize("n", ["001", "005", "015", "027", "031", "034", "038", "049"])
def test_consistent_reports_raise_no_warning(n):
    assert warnings_of(corpus_text(n)) == []
