"""Issue 18: what was changed for speed gives what the slower code gave."""
import glob
import os
import random

import pytest
import yaml

from pipeline import dataset
from pipeline.yamlload import safe_load

from conftest import ROOT


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "extractors", "resources", "*.yaml"))
                                        + glob.glob(os.path.join(ROOT, "pipeline", "resources", "*.yaml"))
                                        + [os.path.join(ROOT, "corpus", "sets.yaml")]),
                         ids=os.path.basename)
def test_rule_files_read_as_pyyaml_reads_them(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert safe_load(text) == yaml.safe_load(text)


def test_compact_drops_exactly_what_isspace_calls_whitespace():
    from extractors.proposals import compact

    def reference(norm):
        kept = [(i, c) for i, c in enumerate(norm) if not c.isspace()]
        return "".join(c for _, c in kept), [i for i, _ in kept]

    rng = random.Random(18)
    alphabet = " \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\u200b第12号ab中"
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert compact(s) == reference(s), repr(s)


@pytest.mark.parametrize("row, message", [
    ({"extra": 1}, "unknown columns ['extra']"),
    ({"message": None}, "message is required"),
    ({"stage": "somewhere"}, "stage='somewhere' not in"),
])
def test_validate_names_the_first_fault_of_a_row(row, message):
    good = {"source": "a.pdf", "doc_id": None, "stage": "read", "error": "corrupt", "message": "damaged"}
    dataset.validate("errors", [good])
    with pytest.raises(dataset.SchemaError, match="errors row 1: " + message.replace("[", r"\[").replace("]", r"\]")):
        dataset.validate("errors", [good, {**good, **row}])


def test_validate_catches_an_empty_span():
    row = {"doc_id": "x", "number": "1", "is_key": False, "start": 5, "end": 5, "surface": "", "rule": "proposal"}
    with pytest.raises(dataset.SchemaError, match="bad span 5–5"):
        dataset.validate("proposals", [row])
