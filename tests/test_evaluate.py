"""`jyta evaluate` on hand-made gold/prediction pairs with known scores."""
import json
import os

import pytest

from pipeline import dataset
from pipeline.evaluate import evaluate

TEXT = "今年共承办建议6件,其中主办2件、会办4件,办复率、满意率均达100%。第0125号建议已落实,约35万条。"


def make(tmp_path, gold: dict, preds: dict):
    out = str(tmp_path / "out")
    doc = {"doc_id": "d1", "source": "in/001.txt", "format": "text", "year_inferred": False, "n_chars": len(TEXT),
           "n_tables": 0, "warnings": [], "text": TEXT, "title": "t", "region": "天津市宝坻区", "year": 2022}
    dataset.write_rows(out, "documents", [doc])
    for table, rows in preds.items():
        dataset.write_rows(out, table, [{"doc_id": "d1", "rule": "test", **r} for r in rows])
    gdir = tmp_path / "gold"
    gdir.mkdir()
    (gdir / "001.json").write_text(json.dumps({"doc": "001", **gold}, ensure_ascii=False), encoding="utf-8")
    return evaluate(out, str(gdir))


def span(surface, occ=1):
    i = -1
    for _ in range(occ):
        i = TEXT.index(surface, i + 1)
    return {"start": i, "end": i + len(surface), "surface": surface}


def ind(surface, value, unit, occ=1, **kw):
    from decimal import Decimal

    return {**span(surface, occ), "value": Decimal(str(value)), "unit": unit, "kind": "count",
            "qualifier": kw.pop("qualifier", "exact"), "sentence": "s", **kw}


def test_indicators_precision_recall_and_qualifier(tmp_path):
    gold = {"document": {"title": "t", "region": "宝坻区", "year": 2022, "published": None}, "indicators": [
        {"surface": "6件", "value": 6, "unit": "件", "qualifier": "exact", "occurrence": 1},
        {"surface": "2件", "value": 2, "unit": "件", "qualifier": "exact", "occurrence": 1},
        {"surface": "4件", "value": 4, "unit": "件", "qualifier": "exact", "occurrence": 1},
        {"surface": "约35万条", "value": 350000, "unit": "条", "qualifier": "approx", "occurrence": 1},
    ]}
    preds = {"indicators": [ind("6件", 6, "件"), ind("2件", 2, "件"), ind("4件", 40, "件"),  # wrong value
                            ind("约35万条", 350000, "条", qualifier="exact"),  # wrong qualifier
                            ind("100%", 100, "%")]}  # false hit
    rep = make(tmp_path, gold, preds)
    i = rep["indicators"]
    assert (i["tp"], i["pred"], i["gold"]) == (3, 5, 4)
    assert i["precision"] == pytest.approx(3 / 5) and i["recall"] == pytest.approx(3 / 4)
    assert i["fields"]["qualifier"]["accuracy"] == pytest.approx(2 / 3)
    kinds = sorted(x["kind"] for x in rep["indicator_issues"])
    # 4件 predicted as 40: one miss that names the wrong prediction; 100%: a false hit
    assert kinds == ["false_hit", "miss", "wrong_qualifier"]
    d = rep["documents"]["fields"]
    assert d["region"]["accuracy"] == 1.0  # 天津市宝坻区 contains 宝坻区
    assert d["published"]["accuracy"] == 1.0 and d["year"]["accuracy"] == 1.0


def test_metrics_facts_and_scope(tmp_path):
    from decimal import Decimal

    gold = {"document": {}, "metrics": [
        {"metric": "count", "value": 6, "unit": "件", "kind": "建议", "surface": "6件", "occurrence": 1},
        {"metric": "count", "value": 2, "unit": "件", "kind": "建议", "role": "主办", "surface": "2件", "occurrence": 1},
        {"metric": "reply_rate", "value": 100, "unit": "%", "surface": "100%", "occurrence": 1},
        {"metric": "satisfaction_rate", "value": 100, "unit": "%", "surface": "100%", "occurrence": 1},
    ]}

    def met(metric, value, surface, **scope):
        return {**span(surface), "metric": metric, "value": Decimal(value), "unit": "件", **scope}

    preds = {"metrics": [met("count", 6, "6件", kind="建议", level="区"),  # extra scope field: fine
                         met("count", 6, "6件", kind="建议", level="区"),  # the same fact again: counted once
                         met("count", 2, "2件", kind="建议", role="会办"),  # wrong scope
                         met("reply_rate", 100, "100%"), met("satisfaction_rate", 100, "100%")]}
    m = make(tmp_path, gold, preds)["metrics"]
    assert (m["pred"], m["gold"], m["tp"]) == (4, 4, 3)
    assert m["precision"] == pytest.approx(3 / 4) and m["recall"] == pytest.approx(3 / 4)
    assert m["lenient"]["recall"] == 1.0
    # the one scope disagreement is the role: leaving it out scores the 2件 fact, leaving any other out does not
    assert m["without_field"]["role"] == 1.0
    assert m["without_field"]["kind"] == pytest.approx(m["f1"]) and m["without_field"]["group"] == pytest.approx(m["f1"])


def test_proposals_numbers_and_fields(tmp_path):
    gold = {"document": {}, "proposals": [
        {"number": "0125", "kind": "建议", "status": "resolved", "surface": "第0125号", "occurrence": 1},
        {"number": "0126", "kind": "建议", "status": None, "surface": "第0125号", "occurrence": 1},
    ]}
    preds = {"proposals": [{**span("第0125号"), "number": "0125", "kind": "建议", "status": "closed", "is_key": False}]}
    p = make(tmp_path, gold, preds)["proposals"]
    assert (p["tp"], p["pred"], p["gold"]) == (1, 1, 2)
    assert p["precision"] == 1.0 and p["recall"] == 0.5
    assert p["fields"]["kind"]["accuracy"] == 1.0 and p["fields"]["status"]["accuracy"] == 0.0


def test_titles_compare_without_mirror_glosses():
    """GOLD.md §7.4: gold keeps 政協(xié) as written; the pipeline's value has no gloss."""
    from pipeline.evaluate import field_match

    assert field_match("title", "五年來廈門市政協(xié)提案100%辦復", "五年來廈門市政協提案100%辦復")
    assert not field_match("title", "五年來廈門市政協提案", "五年來廈門市提案")
    assert not field_match("year", 2021, 2022)


def test_metric_rules_are_scored_against_facts_of_the_same_value(tmp_path):
    """`--by-rule` for metrics: a field agrees, differs from, or is left out of the gold fact."""
    from pipeline.evaluate import metric_rules

    gold = {"001": {"metrics": [{"metric": "count", "value": 6, "unit": "件", "kind": "建议"}]}}
    docs = {"001": {"doc_id": "d1"}}
    rows = [{"metric": "count", "value": 6, "kind": "建议", "level": "区",
             "rule": "metric=count_unit;kind=own_words;level=document_level"},
            {"metric": "count", "value": 6, "kind": "提案", "rule": "metric=count_unit;kind=sentence_context"}]
    t = metric_rules(gold, docs, {"d1": rows})
    assert t["kind=own_words"]["agree"] == 1 and t["kind=sentence_context"]["differ"] == 1
    assert t["level=document_level"]["unstated"] == 1 and t["metric=count_unit"]["decided"] == 2


def test_the_year_is_scored_by_the_rule_that_decided_it():
    """`--by-rule` for documents: each year_basis with how often it was right (`none`: no rule decided)."""
    from pipeline.evaluate import format_rule_table, score_documents

    gold = {"a": {"document": {"year": 2021}}, "b": {"document": {"year": 2020}}, "c": {"document": {"year": None}}}
    docs = {"a": {"year": 2021, "year_basis": "title_year"}, "b": {"year": 2021, "year_basis": "published"},
            "c": {"year": None, "year_basis": None}}
    rep, _ = score_documents(gold, docs)
    assert rep["by_rule"] == {"year=title_year": {"decided": 1, "correct": 1},
                              "year=published": {"decided": 1, "correct": 0},
                              "year=none": {"decided": 1, "correct": 1}}
    table = format_rule_table({"documents": rep})
    assert "year=published" in table and "documents: field=rule" in table


def test_regions_compare_as_divisions():
    """GOLD.md §1: a region matches when one contains the other — read as the divisions the names resolve to,
    so a short form and the full name of one county agree, and two places never do."""
    from pipeline.evaluate import field_match

    assert field_match("region", "辽宁省阜新市阜新县", "辽宁省阜新市阜新蒙古族自治县")
    assert field_match("region", "天津市宝坻区", "宝坻区")
    assert not field_match("region", "辽宁省阜新市", "辽宁省大连市")
    assert not field_match("region", "辽宁省阜新市阜新县", "辽宁省阜新市彰武县")
