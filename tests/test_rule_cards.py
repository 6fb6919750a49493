"""Rule cards (extractors/resources/precedence.yaml): every example and
counter-example runs as a golden case, so a card whose examples fail is a
failing test."""
from decimal import Decimal

import pytest

from extractors import metadata, metrics, proposals, quantities, resolve
from pipeline.textmap import build

CARDS = resolve.cards()
EXAMPLES, COUNTERS = [], []
for key, card in CARDS.items():
    record, fld = key.split(".")
    for rule in card["rules"]:
        EXAMPLES += [(record, fld, rule["id"], ex) for ex in rule.get("examples") or []]
        COUNTERS += [(record, fld, rule["id"], ex) for ex in rule.get("counter_examples") or []]


def _metric_decisions(ex: dict) -> list[tuple]:
    """(value, deciding rule) of the example's field on every metric of its name and value."""
    tm = build(ex["text"])
    found = metrics.extract(tm.norm, quantities.extract(ex["text"], doc_year=ex.get("year"), tm=tm))
    hits = [m for m in found if m.metric == ex["metric"] and Decimal(str(m.value)) == Decimal(str(ex["value"]))]
    assert hits, f"no {ex['metric']} {ex['value']} in {ex['text']!r}"
    fld = ex["field"]
    return [(m.metric if fld == "metric" else m.scope.get(fld), m.rules.get(fld)) for m in hits]


def _decided(record: str, fld: str, ex: dict) -> tuple:
    """(value, deciding rule) of the field for the example's record."""
    if record == "document":
        md = metadata.extract(ex["text"])
        return getattr(md, fld).value, getattr(md, f"{fld}_basis")
    found = [p for p in proposals.extract(build(ex["text"])) if p.number == ex["number"]]
    assert found, f"no proposal {ex['number']} in {ex['text']!r}"
    return getattr(found[0], fld), resolve.rule_of(found[0].rule, fld)


@pytest.mark.parametrize("record,fld,rule,ex", EXAMPLES, ids=[f"{r}.{f}.{i}" for r, f, i, _ in EXAMPLES])
def test_example(record, fld, rule, ex):
    if record == "metric":
        assert (ex["expect"], rule) in _metric_decisions(ex)
        return
    assert _decided(record, fld, ex) == (ex["value"], rule)


@pytest.mark.parametrize("record,fld,rule,ex", COUNTERS, ids=[f"{r}.{f}.{i}" for r, f, i, _ in COUNTERS])
def test_counter_example(record, fld, rule, ex):
    if record == "metric":
        assert rule not in [r for _, r in _metric_decisions(ex)], ex["why"]
        return
    assert _decided(record, fld, ex)[1] != rule, ex["why"]


def test_every_rule_has_an_example():
    for key, card in CARDS.items():
        for rule in card["rules"]:
            assert rule.get("examples"), f"{key} {rule['id']} has no example"


def test_undeclared_rules_fail_at_once():
    d = resolve.Decisions("proposal")
    with pytest.raises(KeyError, match="not declared"):
        d.offer("status", "resolved", "my_new_rule")
    with pytest.raises(KeyError, match="not declared"):
        resolve.check_declared("metric.scope", ["own_words", "my_new_rule"])


def test_weak_value_gives_way_and_losers_are_kept():
    d = resolve.Decisions("proposal")
    d.offer("status", "closed", "item_words", "已办结")
    d.offer("status", "resolved", "aggregate_topic_list", "已落实")
    assert d.value("status") == "resolved" and d.rules(["status"]) == "status=aggregate_topic_list"
    assert len(d.cands) == 2
