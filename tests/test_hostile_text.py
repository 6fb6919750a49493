"""Hostile texts: shapes no report has, long enough that a quadratic scan in an
extractor would take minutes (20k 一 before 件 took 17 s, a run-on sentence
of 24,000 counts 16 s, a line of 48k characters 6.6 s in the title finder).
Each must be read in about linear time: a generous bound only a quadratic
regression exceeds."""
import time

import pytest

from pipeline import link
from pipeline.document import Document

N = 120_000  # characters

SHAPES = {
    "digits": "今年共承办建议6件。" + "1" * N + "件",
    "numerals": "今年共承办建议6件。" + "一" * N + "件",
    "percent": "满意率" + "9" * N + "%",
    "angles": "今年共承办建议6件。" + "<" * N,
    "counts_one_sentence": "今年共承办建议6件" + ",1件" * (N // 3),
    "number_list": "第1号" + "、2号" * (N // 3) + "建议",
    "brackets": "(" * N + "6件",
    "years_one_line": "2021年" * (N // 5),
    "newlines": "建议\n" * (N // 3) + "6件",
    "sessions": "市十一届人大一次会议" * (N // 10),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_hostile_text_is_read_in_linear_time(shape):
    link.records(Document("warm", "warm", "text", "今年共承办建议6件。"))  # dictionaries loaded
    t = time.monotonic()
    rec = link.records(Document("x", "x", "text", SHAPES[shape]))
    assert time.monotonic() - t < 60, shape  # linear: a few seconds; quadratic: many minutes
    for table in ("indicators", "metrics", "proposals"):
        for r in rec[table]:
            assert SHAPES[shape][r["start"]:r["end"]] == r["surface"]


def test_a_text_of_too_many_numbers_reads_the_first_and_says_so(monkeypatch):
    monkeypatch.setattr(link, "MAX_QUANTITIES", 50)
    rec = link.records(Document("x", "x", "text", "今年共承办建议6件" + ",1件" * 200))
    assert len(rec["indicators"]) == 50
    assert any(w.startswith("too_many_numbers: 201 numbers") for w in rec["documents"][0]["warnings"])


def test_a_file_past_the_per_file_time_limit_gets_an_error_row_and_the_batch_goes_on(tmp_path, monkeypatch):
    """Issue 16: a file that takes longer than the per-file limit is an error row
    (stage timeout) and the other files of the batch are read."""
    from pipeline import dataset, workers
    from pipeline.batch import ingest

    def slow_records(doc, manifest_row=None):
        if "慢" in doc.text:
            time.sleep(5)
        return real(doc, manifest_row=manifest_row)

    real = link.records
    real(Document("warm", "warm", "text", "今年共承办建议6件。"))  # dictionaries loaded before the clock runs
    monkeypatch.setattr(link, "records", slow_records)
    monkeypatch.setattr(workers, "FILE_SECONDS", 0.5)
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("今年共承办建议6件,满意率100%。", encoding="utf-8")
    (src / "slow.txt").write_text("慢:今年共承办提案3件。", encoding="utf-8")
    out = str(tmp_path / "out")
    ingest([str(src)], out, workers=1)
    errors = dataset.read_rows(out, "errors")
    assert [(e["stage"], e["error"]) for e in errors] == [("timeout", "timeout")]
    assert errors[0]["source"].endswith("slow.txt")
    assert [d["source"][-5:] for d in dataset.read_rows(out, "documents")] == ["a.txt"]
