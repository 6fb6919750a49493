"""The order in which a metric's open scope fields are lent (a total, the
sentence, the document) is data: precedence.yaml metric.scope `lending`."""
import pytest

from extractors import metrics, quantities, resolve
from pipeline.textmap import build


def _scopes(text: str) -> dict:
    tm = build(text)
    return {str(m.value): dict(m.scope) for m in metrics.extract(tm.norm, quantities.extract(text, tm=tm))}


def test_every_lending_rule_has_a_lender_and_every_lender_is_declared():
    assert set(resolve.lending("metric.scope")) == set(metrics._LENDERS)


def test_the_declared_order_decides(monkeypatch):
    text = "今年共承办人大代表建议100件,其中已办结90件。"
    assert _scopes(text)["90"].get("kind") == "建议"  # lent by its total
    monkeypatch.setattr(metrics, "lending", lambda key: ())
    assert "kind" not in _scopes(text)["90"]  # nothing lends it when no lender is declared


def test_a_lending_rule_without_a_card_fails_at_once(monkeypatch):
    cards = dict(resolve.cards())
    cards["metric.scope"] = {**cards["metric.scope"], "lending": ["no_such_rule"]}
    monkeypatch.setattr(resolve, "cards", lambda: cards)
    resolve.lending.cache_clear()
    try:
        with pytest.raises(KeyError, match="no_such_rule"):
            resolve.lending("metric.scope")
    finally:
        resolve.lending.cache_clear()
        resolve.declared.cache_clear()
