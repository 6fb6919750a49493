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


# Evaluation sets besides the corpus, each with its own floors (the key in
# tests/floors.json): a second annotator's synthetic reports, and a third
# annotator's set first used held out (see each README).
EXTRA_SETS = {"synthetic": os.path.join(HERE, "synthetic"), "heldout": os.path.join(HERE, "heldout")}


def gold_digest() -> str:
    h = hashlib.sha256()
    for gold in [os.path.join(CORPUS, "gold")] + [os.path.join(d, "gold") for d in EXTRA_SETS.values()]:
        for name in sorted(os.listdir(gold)):
            with open(os.path.join(gold, name), "rb") as fh:
                h.update(name.encode() + b"\0" + fh.read())
    return h.hexdigest()


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("gate") / "out")
    ingest([os.path.join(CORPUS, "raw")], out)
    return out


@pytest.fixture(scope="module")
def report(out):
    return evaluate(out, os.path.join(CORPUS, "gold"))


def floors():
    with open(FLOORS, encoding="utf-8") as fh:
        return json.load(fh)


def scores(report) -> dict[str, dict[str, float]]:
    """Every gated score, by table: what tests/floors.json pins."""
    ind = report["indicators"]
    met = report["metrics"]
    prop = report["proposals"]
    return {
        "proposals": {"precision": prop["precision"], "recall": prop["recall"], "f1": prop["f1"],
                      **{f: v["accuracy"] for f, v in prop["fields"].items()}},
        "metrics": {"precision": met["precision"], "recall": met["recall"], "f1": met["f1"],
                    "value_only_f1": met["lenient"]["f1"]},
        "documents": {f: v["accuracy"] for f, v in report["documents"]["fields"].items()},
        "indicators": {"precision": ind["precision"], "recall": ind["recall"], "f1": ind["f1"],
                       **{f: v["accuracy"] for f, v in ind["fields"].items()}},
    }


def test_every_row_points_at_its_surface(out):
    """text[start:end] == surface on every extracted row of the corpus."""
    from pipeline.dataset import read_rows

    texts = {d["doc_id"]: d["text"] for d in read_rows(out, "documents")}
    for table in ("indicators", "metrics", "proposals"):
        rows = read_rows(out, table)
        assert rows
        for r in rows:
            assert texts[r["doc_id"]][r["start"]:r["end"]] == r["surface"], (table, r)


def test_every_gold_file_has_a_document(report):
    d = report["documents"]
    assert d["n_matched"] == d["n_gold"] > 0


GATED = [(t, f) for t, fs in floors().items() if isinstance(fs, dict) and t not in EXTRA_SETS for f in fs]


@pytest.mark.parametrize("table,field", GATED, ids=[f"{t}.{f}" for t, f in GATED])
def test_floor(report, table, field):
    got = scores(report)[table][field]
    floor = floors()[table][field]
    if table == "documents":
        issues = [m for m in report["misses"] if m["field"] == field]
    elif table == "metrics":
        issues = report["metric_issues"]
    elif table == "proposals":
        issues = report["proposal_issues"]
    else:
        issues = [i for i in report["indicator_issues"] if field in ("precision", "recall", "f1") or i["kind"] == f"wrong_{field}"]
    assert got is not None and got >= floor, f"{table}.{field} = {got:.3f} fell below the floor {floor}: {issues[:30]}"


@pytest.fixture(scope="module")
def extra_reports(tmp_path_factory):
    reports = {}
    for name, folder in EXTRA_SETS.items():
        out = str(tmp_path_factory.mktemp(name) / "out")
        ingest([os.path.join(folder, "raw")], out)
        reports[name] = evaluate(out, os.path.join(folder, "gold"))
    return reports


EXTRA_GATED = [(s, t, f) for s in EXTRA_SETS for t, fs in floors().get(s, {}).items() for f in fs]


@pytest.mark.parametrize("evalset,table,field", EXTRA_GATED, ids=[f"{s}.{t}.{f}" for s, t, f in EXTRA_GATED])
def test_extra_set_floor(extra_reports, evalset, table, field):
    got = scores(extra_reports[evalset])[table][field]
    floor = floors()[evalset][table][field]
    assert got is not None and got >= floor, f"{evalset} {table}.{field} = {got:.3f} fell below the floor {floor}"


def test_gold_digest_is_pinned():
    assert floors().get("gold_digest") == gold_digest(), (
        "corpus/gold changed: review the gold edit, then update gold_digest in tests/floors.json "
        "(python tests/raise_floors.py --gold-changed)")
