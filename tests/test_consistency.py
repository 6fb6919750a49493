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


def test_a_share_after_two_totals_is_of_the_total_it_fits():
    # the false 1360.00%: the 其中 was paired with the sentence's last total (会办5件), not 69件
    assert warnings_of("今年承办建议69件,会办5件。其中已办结68件,占98.6%。") == []
    w = warnings_of("今年承办建议69件,会办5件。其中已办结68件,占88.6%。")
    assert len(w) == 1 and w[0].startswith("share_mismatch") and "of 69件" in w[0] and "98.55%" in w[0]


def test_a_share_of_the_sum_of_the_totals():
    # dev 495: 建议49件、提案66件。其中…74件,占64.25% (of 115)
    text = ("县政府系统共承办人大代表建议49件、政协委员提案66件。其中,已解决或正在解决的74件,占{}%;"
            "因政策、资金等因素暂不能办理的8件,占6.95%。")
    assert warnings_of(text.format("64.25")) == []
    w = warnings_of(text.format("54.25"))
    assert len(w) == 1 and "74件" in w[0] and "of 49件@14+66件@24" in w[0] and "64.35%" in w[0]


def test_a_breakdown_of_a_breakdown():
    # corpus 067: 建议856件,其中…778件。其中,…206件,占26.5% (of 778)
    text = ("代表共提出建议856件,其中归属省政府系统组织办理的建议778件,占建议总数的91%。"
            "其中,涉及发展规划、项目建设和综合经济类工作占比最大,有206件,占{}%。")
    assert warnings_of(text.format("26.5")) == []
    w = warnings_of(text.format("36.5"))
    assert len(w) == 1 and "206件" in w[0] and "of 856件" in w[0]


def test_a_second_share_after_a_count_is_of_another_number():
    # …委员提案400件,占80%,提出提案的委员230人,占委员总数的60.5%: the 60.5% is of the 人, not the 件
    assert warnings_of("共收到提案500件,其中委员提案400件,占80%,提出提案的委员230人,占委员总数的60.5%。") == []
    w = warnings_of("共收到提案500件,其中委员提案400件,占70%,提出提案的委员230人,占委员总数的60.5%。")
    assert len(w) == 1 and "70%" in w[0] and "80.00%" in w[0]


def test_one_class_is_not_a_part_of_another():
    # heldout 201: (A类)338件,…,其中代表建议152件、委员提案186件;(B类)231件,占37.44% (of the 617 handled)
    text = ("已办复613件。从办理结果看,所提问题已经解决或基本解决的(A类)338件,占承办总数的54.78%,"
            "其中代表建议152件、委员提案186件;正在解决或列入计划逐步解决的(B类)231件,占37.44%;"
            "因政策、财力等条件限制暂时难以解决的(C类)48件,占7.78%。")
    assert warnings_of(text) == []


def test_the_units_totals_stated_twice():
    # corpus 032: 基本情况 says 建议11件, 吸收采纳情况 says 建议7件
    w = warnings_of(corpus_text("032"))
    assert any(x.startswith("conflicting_totals") and "11件" in x and "7件" in x for x in w)


@pytest.mark.parametrize("n", ["001", "005", "015", "027", "031", "034", "038", "049", "067"])
def test_consistent_reports_raise_no_warning(n):
    assert warnings_of(corpus_text(n)) == []
