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


def test_each_item_keeps_its_own_title():
    text = "《关于A事项的提案》(第12号)\n《关于B事项的提案》(第13号)"
    assert [(p.number, p.title) for p in extract(build(text))] == [("12", "关于A事项的提案"), ("13", "关于B事项的提案")]


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("第号12《》关于的建议提案()（）、和\n 市政协人大届次会议一二")), max_size=60))
def test_never_raises_and_spans_hold(text):
    for p in extract(build(text)):
        assert text[p.start:p.end] == p.surface
