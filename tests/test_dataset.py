import os

import pytest

from pipeline import dataset

from conftest import ROOT


def test_docs_are_generated_from_the_schema():
    with open(os.path.join(ROOT, "docs", "dataset.md"), encoding="utf-8") as fh:
        assert fh.read().strip() == dataset.describe().strip(), "run: python -m pipeline.dataset > docs/dataset.md"


def test_schema_violations_are_caught(tmp_path):
    good = {"source": "a.pdf", "doc_id": None, "stage": "read", "error": "corrupt", "message": "damaged"}
    dataset.write_rows(str(tmp_path), "errors", [good])
    for bad in ({**good, "stage": "somewhere"}, {**good, "message": None}, {**good, "extra": 1}):
        with pytest.raises(dataset.SchemaError):
            dataset.write_rows(str(tmp_path), "errors", [bad])
    assert dataset.read_rows(str(tmp_path), "errors") == [good]  # the bad writes left the table as it was


def test_bad_spans_are_caught():
    with pytest.raises(dataset.SchemaError):
        dataset.validate("proposals", [{"doc_id": "x", "number": "1", "is_key": False, "start": 5, "end": 5,
                                        "surface": "", "rule": "proposal"}])
