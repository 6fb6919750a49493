import os

import pytest
import yaml

from extractors.proposals import extract
from pipeline.textmap import build

from conftest import HERE

with open(os.path.join(HERE, "cases", "proposals.yaml"), encoding="utf-8") as fh:
    CASES = yaml.safe_load(fh)


@pytest.mark.parametrize("case", CASES, ids=[c.get("exclusion") or f"case{i}" for i, c in enumerate(CASES)])
def test_proposal_case(case):
    text = case["text"]
    got = extract(build(text))
    assert [p.number for p in got] == [e["number"] for e in case["expect"]]
    for p, e in zip(got, case["expect"]):
        for k, v in e.items():
            assert getattr(p, k) == v, (p.number, k)
        assert text[p.start:p.end] == p.surface
