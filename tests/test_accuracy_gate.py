"""The accuracy gate: ingest the bundled corpus, score it against its gold,
and fail when a score falls below the floor pinned in tests/floors.json."""
import hashlib
import json
import os

import pytest

from pipeline.batch import ingest
from pipeline.evaluate import evaluate

from conftest import CORPUS, HERE

FLOORS = os.path.join(HERE, "floors.json")


def gold_digest() -> str:
    h = hashlib.sha256()
    gold = os.path.join(CORPUS, "gold")
    for name in sorted(os.listdir(gold)):
        with open(os.path.join(gold, name), "rb") as fh:
            h.update(name.encode() + b"\0" + fh.read())
    return h.hexdigest()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("gate") / "out")
    ingest([os.path.join(CORPUS, "raw")], out)
    return evaluate(out, os.path.join(CORPUS, "gold"))


def test_every_gold_file_has_a_document(report):
    d = report["documents"]
    assert d["n_matched"] == d["n_gold"] > 0


@pytest.mark.parametrize("field", ["title", "region", "year", "published"])
def test_document_field_floor(report, field):
    with open(FLOORS, encoding="utf-8") as fh:
        floors = json.load(fh)
    acc = report["documents"]["fields"][field]["accuracy"]
    floor = floors["documents"][field]
    misses = [m for m in report["misses"] if m["field"] == field]
    assert acc >= floor, f"document.{field} accuracy {acc:.3f} fell below the floor {floor}: {misses}"


def test_gold_digest_is_pinned():
    with open(FLOORS, encoding="utf-8") as fh:
        floors = json.load(fh)
    assert floors.get("gold_digest") == gold_digest(), (
        "corpus/gold changed: review the gold edit, then update gold_digest in tests/floors.json "
        "(python tests/raise_floors.py --gold-changed)")
