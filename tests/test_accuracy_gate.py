"""The accuracy gate: ingest every gated evaluation set (corpus/sets.yaml),
score it against its gold, and fail when a score falls below the floor pinned
in tests/floors.json under the set's name (and, where pinned, its genre's)."""
import hashlib
import json
import os

import pytest

from pipeline import evalsets
from pipeline.batch import ingest
from pipeline.evaluate import evaluate, flat_scores

from conftest import HERE

FLOORS = os.path.join(HERE, "floors.json")
GATED = {s.name: s for s in evalsets.gated()}


def gold_digest() -> str:
    """One hash over every gated set's gold: an edited gold file shows up in review."""
    h = hashlib.sha256()
    for s in GATED.values():
        for name in sorted(os.listdir(s.gold)):
            with open(os.path.join(s.gold, name), "rb") as fh:
                h.update(f"{s.name}/{name}".encode() + b"\0" + fh.read())
    return h.hexdigest()


def floors():
    with open(FLOORS, encoding="utf-8") as fh:
        return json.load(fh)


def score_set(s, out: str) -> dict:
    ingest([s.raw], out)
    return evaluate(out, s.gold, s.genres())


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    outs, reps = {}, {}
    for name, s in GATED.items():
        outs[name] = str(tmp_path_factory.mktemp(name) / "out")
        reps[name] = score_set(s, outs[name])
    return outs, reps


def test_every_row_points_at_its_surface(reports):
    """text[start:end] == surface (a sentence's text) on every extracted row of every gated set."""
    from pipeline.dataset import read_rows

    for out in reports[0].values():
        texts = {d["doc_id"]: d["text"] for d in read_rows(out, "documents")}
        for table in ("indicators", "metrics", "proposals", "sentences"):
            rows = read_rows(out, table)
            assert rows, table
            for r in rows:
                surface = r["text"] if table == "sentences" else r["surface"]
                assert texts[r["doc_id"]][r["start"]:r["end"]] == surface, (table, r)


@pytest.mark.parametrize("name", list(GATED))
def test_every_gold_file_has_a_document(reports, name):
    d = reports[1][name]["documents"]
    assert d["n_matched"] == d["n_gold"] > 0


def pinned():
    """(set, genre or None, table, field, floor) for every floor in floors.json."""
    rows = []
    for name in GATED:
        fl = floors().get(name, {})
        for table, fields in fl.items():
            if table == "by_genre":
                continue
            rows += [(name, None, table, f, v) for f, v in fields.items()]
        for genre, tables in fl.get("by_genre", {}).items():
            rows += [(name, genre, t, f, v) for t, fs in tables.items() for f, v in fs.items()]
    return rows


def _issues(rep: dict, table: str, field: str) -> list:
    if table == "documents":
        return [m for m in rep["misses"] if m["field"] == field]
    if table in ("metrics", "proposals"):
        return rep[f"{table[:-1]}_issues"]
    return [i for i in rep["indicator_issues"]
            if field in ("precision", "recall", "f1") or i["kind"] == f"wrong_{field}"]


PINNED = pinned()


@pytest.mark.parametrize("name,genre,table,field,floor", PINNED,
                         ids=[f"{s}.{g + '.' if g else ''}{t}.{f}" for s, g, t, f, _ in PINNED])
def test_floor(reports, name, genre, table, field, floor):
    rep = reports[1][name]
    part = rep if genre is None else rep["by_genre"].get(genre)
    assert part is not None, f"{name}: no gold documents of genre {genre!r} any more"
    got = flat_scores(part)[table][field]
    if got is None or got < floor:
        issues = "\n  ".join(str(i)[:200] for i in _issues(rep, table, field)[:12])
        pytest.fail(f"{name} {genre or ''} {table}.{field} = {got} fell below the floor {floor}; "
                    f"first issues (jyta evaluate --set {name} --json F for all):\n  {issues}", pytrace=False)


def test_every_gated_set_has_floors():
    assert PINNED and {s for s, *_ in PINNED} == set(GATED)


def test_gold_digest_is_pinned():
    assert floors().get("gold_digest") == gold_digest(), (
        "a gated set's gold changed: review the gold edit, then update gold_digest in tests/floors.json "
        "(python tests/raise_floors.py --gold-changed)")
