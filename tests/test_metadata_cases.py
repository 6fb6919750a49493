import os
import re

import pytest
import yaml

from extractors.metadata import _CN_ZEROS, extract

from conftest import HERE

with open(os.path.join(HERE, "cases", "metadata.yaml"), encoding="utf-8") as fh:
    CASES = yaml.safe_load(fh)


def _params():
    for i, c in enumerate(CASES):
        marks = [pytest.mark.xfail(reason=c["xfail"], strict=True)] if c.get("xfail") else []
        yield pytest.param(c, id=f"case{i}", marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_metadata_case(case):
    got = extract(case["text"]).values()
    assert {k: got[k] for k in case["expect"]} == case["expect"]


@pytest.mark.parametrize("case", [c for c in CASES if not c.get("xfail")])
def test_evidence_points_into_the_text(case):
    md = extract(case["text"])
    for name in ("title", "region", "year", "published", "publisher"):
        f = getattr(md, name)
        if f.value is None or f.start is None:
            continue
        assert 0 <= f.start < f.end <= len(case["text"])
        surface = case["text"][f.start:f.end]
        if name == "title":
            assert surface.replace("\n", "") == f.value
        if name == "year" and md.year_basis in ("title_session", "main_session", "national_session"):
            assert "届" in surface and "次" in surface  # the session that dates the report
        elif name == "year":  # 2022…, or a date in Chinese numerals (二00七年五月十四日)
            assert (surface.startswith(str(f.value)[:2]) or re.match(rf"[{_CN_ZEROS}一二三四五六七八九]{{4}}年", surface)
                    or re.match(r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}", surface))  # a page date written day first
