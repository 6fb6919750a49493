"""The extractors return frozen records (extractors/records.py): nothing that
reads them can change what a rule decided, and their links point at records
of the same list."""
import dataclasses

import pytest

from extractors import metadata, metrics, proposals, quantities, records
from pipeline.textmap import build

# 建议1件,提案3件,其中独办件4件: the parts break down the sum of two totals (corpus 056)
SEVERAL_TOTALS = "我局共承办区七届人大四次会议代表建议1件,区政协六届四次会议提案3件,其中,独办件4件,协办件0件。"
SHARE = "共承办代表建议93件,其中已经解决或基本解决的(A类)54件,占承办总数的58.07%。"
EACH = "社会保障和社会管理类各9件。"
# the item's own words and the catch-all both offer a status: the catch-all loses
PROPOSAL = "我局承办的第12号提案已经解决。我局承办的提案全部按时办结。"
REPORT = "某市教育局2023年建议提案办理工作总结\n发布日期:2024-01-05\n今年我局共承办建议12件。"


def _metrics(text: str) -> list:
    tm = build(text)
    return metrics.extract(tm.norm, quantities.extract(text, tm=tm))


def _one(found: list, surface: str):
    return next(m for m in found if m.surface == surface)


def _cannot_set(rec, name: str, value) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(rec, name, value)


def test_a_quantity_is_frozen():
    q = quantities.extract(SHARE)[0]
    assert isinstance(q, records.Quantity)
    _cannot_set(q, "value", 1)
    _cannot_set(q, "role", "target")


def test_a_metric_is_frozen_with_read_only_scope_and_rules():
    m = _one(_metrics(SHARE), "54件")
    assert isinstance(m, records.Metric)
    _cannot_set(m, "value", 1)
    _cannot_set(m, "parent", None)
    with pytest.raises(TypeError):
        m.scope["status"] = "closed"
    with pytest.raises(TypeError):
        m.rules["status"] = "all_closed"
    assert m.scope["status"] == "resolved" and m.rules["status"] == "own_words"


def test_a_metrics_members_are_read_only():
    m = _metrics(EACH)[0]
    assert [dict(x) for x in m.each] == [{"topic": "社会保障"}, {"topic": "社会管理"}]
    with pytest.raises(TypeError):
        m.each[0]["topic"] = "其他"
    with pytest.raises(AttributeError):
        m.each.append({})


def test_metric_links_point_at_records_of_the_list():
    found = _metrics(SHARE)
    count, share, total = _one(found, "54件"), _one(found, "58.07%"), _one(found, "93件")
    assert share.parent is count and count.parent is total
    assert isinstance(total, records.Metric) and total.parent is None


def test_the_totals_a_breakdown_sums_are_records_of_the_list():
    found = _metrics(SEVERAL_TOTALS)
    part = _one(found, "4件")
    assert isinstance(part.totals, tuple) and len(part.totals) == 2
    assert all(any(t is x for x in found) for t in part.totals) and part.parent is part.totals[-1]
    assert part.totals_sum == 4 and part.scope["kind"] == "建议提案"
    assert part.rule == "metric=count_unit;level=own_words;role=own_words;kind=parts_of_totals"  # the rule that decided 建议提案


def test_a_proposal_is_frozen_and_keeps_winners_and_losers():
    [p] = proposals.extract(build(PROPOSAL))
    assert isinstance(p, records.Proposal)
    _cannot_set(p, "status", "closed")
    _cannot_set(p, "session", "x")
    assert (p.status, p.status_text, p.rule) == ("resolved", "已经解决", "status=item_words")
    assert dict(p.winners) == {"status": records.Candidate("status", "resolved", "item_words", "已经解决")}
    assert p.losers == (records.Candidate("status", "closed", "catch_all", "全部按时办结"),)
    with pytest.raises(TypeError):
        p.winners["status"] = p.losers[0]
    _cannot_set(p.losers[0], "value", "resolved")


def test_metadata_and_its_fields_are_frozen():
    md = metadata.extract(REPORT)
    assert isinstance(md, records.Metadata) and isinstance(md.title, records.Field)
    assert md.values()["published"] == "2024-01-05" and md.year.value == 2023
    _cannot_set(md, "year", records.Field(2024))
    _cannot_set(md.title, "value", "another title")


def test_records_survive_pickling_and_deep_copies():
    import copy
    import pickle

    found = _metrics(SHARE)
    for got in (pickle.loads(pickle.dumps(found)), copy.deepcopy(found)):
        assert got == found
        count, share = _one(got, "54件"), _one(got, "58.07%")
        assert share.parent is count and count.parent is _one(got, "93件")  # links stay links
        with pytest.raises(TypeError):
            count.scope["status"] = "closed"
    props = proposals.extract(build(PROPOSAL))
    assert pickle.loads(pickle.dumps(props)) == props
    md = metadata.extract(REPORT)
    assert pickle.loads(pickle.dumps(md)) == md
