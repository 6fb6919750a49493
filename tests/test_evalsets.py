"""Evaluation sets: one registry, one loader, every gold file valid, scores by genre."""
import json
import os
import subprocess
import sys

import pytest

from pipeline import evalsets, goldcheck
from pipeline.evaluate import evaluate, flat_scores, format_genre_table

from conftest import ROOT
from test_evaluate import make

SETS = [s for s in evalsets.load_sets().values() if s.exists()]


def test_registry_names_every_set_folder():
    """No evaluation set lives outside the registry (one home)."""
    on_disk = {os.path.join(evalsets.CORPUS, "sets", d) for d in os.listdir(os.path.join(evalsets.CORPUS, "sets"))}
    assert on_disk <= {s.root for s in SETS}
    assert evalsets.get("sample").raw == os.path.join(evalsets.CORPUS, "raw")
    with pytest.raises(evalsets.UnknownSet, match="known: sample"):
        evalsets.get("nosuch")


@pytest.mark.parametrize("s", SETS, ids=[s.name for s in SETS])
def test_every_gold_file_is_valid(s):
    """Shape, allowed values, every surface at its occurrence, sidecars complete."""
    assert goldcheck.check_set(s.root) == []


@pytest.mark.parametrize("gold,problem", [
    ({"document": {"year": 2022, "published": "2022-13-01"}}, "published must be YYYY-MM-DD"),
    ({"proposals": [{"number": "12", "kind": "建议", "surface": "第12号", "occurrence": 1}]}, "is not in the text"),
    ({"proposals": [{"number": "0125", "kind": "议题", "surface": "第0125号", "occurrence": 1}]}, "kind '议题'"),
    ({"metrics": [{"metric": "count", "value": 6, "unit": "件", "status": "done", "surface": "6件"}]}, "status 'done'"),
    ({"metrics": [{"metric": "ratio", "value": 6, "unit": "件", "surface": "6件"}]}, "metric 'ratio'"),
    ({"indicators": [{"surface": "6件", "value": 6, "qualifier": "exact"}]}, "unit is missing"),
    ({"indicators": [{"surface": "6件", "value": 6, "unit": "件", "qualifier": "range"}]}, "value_max"),
    ({"indicators": [{"surface": "6件", "value": 6, "unit": "件"}, {"surface": "6件", "value": 6, "unit": "件"}]},
     "listed twice"),
])
def test_goldcheck_finds(gold, problem):
    text = "今年共承办建议6件,第0125号建议已落实。"
    full = {"doc": "001", "document": {}, "proposals": [], "metrics": [], "indicators": []} | gold
    found = goldcheck.problems_in(full, text, "001")
    assert any(problem in p for p in found), found


def test_goldcheck_script_runs_without_the_project(tmp_path):
    """Annotators run it as a plain script on a set folder."""
    (tmp_path / "raw").mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "raw" / "A01.txt").write_text("共6件", encoding="utf-8")
    (tmp_path / "gold" / "A01.json").write_text(json.dumps(
        {"doc": "A01", "document": {}, "proposals": [], "metrics": [],
         "indicators": [{"surface": "7件", "value": 7, "unit": "件"}]}), encoding="utf-8")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "pipeline", "goldcheck.py"), str(tmp_path)],
                       capture_output=True, text=True, cwd=tmp_path, env={"PATH": os.environ["PATH"]})
    assert r.returncode == 1 and "'7件' occurrence 1 is not in the text" in r.stdout


def test_scores_by_genre(tmp_path):
    rep = make(tmp_path, {"document": {"title": "t", "year": 2022},
                          "indicators": [{"surface": "6件", "value": 6, "unit": "件"}]},
               {"indicators": []})
    rep = evaluate(str(tmp_path / "out"), str(tmp_path / "gold"), {"001": "reply_letter"})
    assert list(rep["by_genre"]) == ["reply_letter"]
    part = flat_scores(rep["by_genre"]["reply_letter"])
    assert part["documents"]["year"] == 1.0 and part["indicators"]["recall"] == 0.0
    assert part["proposals"]["f1"] is None  # nothing to score is not a zero
    table = format_genre_table(rep)
    assert "reply_letter" in table.splitlines()[0] and "documents.year" in table


def test_cli_evaluate_a_set_by_name():
    r = subprocess.run([sys.executable, "-m", "pipeline", "evaluate", "--set", "synthetic"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "by genre" in r.stdout and "metrics (value only)" in r.stdout


@pytest.mark.parametrize("args,msg", [
    (["evaluate", "--set", "nosuch"], "no evaluation set 'nosuch'"),
    (["evaluate", "nowhere", "--gold", "corpus/gold"], "no dataset at nowhere"),
    (["evaluate", "nowhere"], "needs --gold DIR or --set NAME"),
])
def test_cli_evaluate_mistakes(args, msg):
    r = subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and msg in r.stderr and "Traceback" not in r.stderr


def test_genre_read_from_the_text_agrees_with_the_collectors():
    """documents.genre on the real dev set: right where it says something, and
    says something for most texts (it abstains rather than guess)."""
    from extractors.genre import classify
    from pipeline.textmap import build

    dev = evalsets.get("dev")
    genres = dev.genres()
    said = right = 0
    for key, want in genres.items():
        with open(os.path.join(dev.raw, f"{key}.txt"), encoding="utf-8") as fh:
            got = classify(build(fh.read()).norm)
        said += got is not None
        right += got == want
    assert right / said >= 0.9 and said / len(genres) >= 0.7, (right, said, len(genres))
