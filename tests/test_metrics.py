"""Golden cases of the metrics extractor (tests/cases/metrics.yaml)."""
import os
from decimal import Decimal

import pytest
import yaml

from extractors import metrics, quantities
from pipeline.textmap import build

from conftest import HERE

with open(os.path.join(HERE, "cases", "metrics.yaml"), encoding="utf-8") as fh:
    CASES = yaml.safe_load(fh)


def extract(text: str, year: int | None = None) -> list:
    tm = build(text)
    return metrics.extract(tm.norm, quantities.extract(text, doc_year=year, tm=tm))


def _fits(m, want: dict) -> bool:
    if m.metric != want["metric"] or Decimal(str(m.value)) != Decimal(str(want["value"])):
        return False
    return all(m.scope.get(k) == v for k, v in want.items() if k not in ("metric", "value"))


def _case(c):
    marks = [pytest.mark.xfail(reason=c["xfail"], strict=True)] if c.get("xfail") else []
    return pytest.param(c, marks=marks)


@pytest.mark.parametrize("case", [_case(c) for c in CASES], ids=[f"case{i}" for i in range(len(CASES))])
def test_metric_case(case):
    text = case["text"]
    got = extract(text, case.get("year"))
    for m in got:
        assert text[m.start:m.end] == m.surface
    for want in case.get("expect", []):
        near = [(m.metric, m.value, m.scope) for m in got if m.metric == want["metric"]]
        assert any(_fits(m, want) for m in got), (want, near)
    for name, value in case.get("absent", []):
        assert not any(m.metric == name and Decimal(str(m.value)) == Decimal(str(value)) for m in got), (name, value)
    for name, value, field in case.get("absent_scope", []):  # the fact is there, without that scope field
        hits = [m for m in got if m.metric == name and Decimal(str(m.value)) == Decimal(str(value))]
        assert hits and not any(field in m.scope for m in hits), (name, value, field, [m.scope for m in hits])
