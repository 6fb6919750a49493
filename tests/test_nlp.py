"""The text as NLP users need it: the sentences table, spaCy Docs of the
annotated reports, the DocBin and token exports, and spaCy kept out of ingest."""
import json
import os
import re
import subprocess
import sys

import pytest

from pipeline import dataset, nlp
from pipeline.batch import ingest
from pipeline.cli import main

from conftest import CORPUS, ROOT, corpus_text, make_inputs

SAMPLE = "一、办理情况\n今年共承办建议提案6件,满意率100%,办复率达98.5%。第0125号建议已办结。"


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory):
    """The bundled corpus (corpus/raw) as a dataset."""
    out = str(tmp_path_factory.mktemp("corpus") / "out")
    ingest([os.path.join(CORPUS, "raw")], out)
    return out


def rows_by_doc(out: str) -> dict[str, dict[str, list[dict]]]:
    """Each document's rows of every table, as link.records() groups them."""
    docs = {d["doc_id"]: {"documents": [d]} for d in dataset.read_rows(out, "documents")}
    for t in nlp.RECORD_TABLES:
        for d in docs.values():
            d[t] = []
        for r in dataset.read_rows(out, t):
            docs[r["doc_id"]][t].append(r)
    return docs


# -- the sentences table ---------------------------------------------------

def test_sentences_are_the_extractors_sentences_in_source_offsets(corpus_out):
    from extractors import context

    by_doc = rows_by_doc(corpus_out)
    assert sum(len(d["sentences"]) for d in by_doc.values()) > 500
    for recs in by_doc.values():
        text = recs["documents"][0]["text"]
        ctx = context.build(text)
        want = [(s.n, *ctx.source_span(s.start, s.end), s.section) for s in ctx.sentences]
        got = [(r["n"], r["start"], r["end"], r["section"]) for r in recs["sentences"]]
        assert got == want
        for r in recs["sentences"]:
            assert text[r["start"]:r["end"]] == r["text"] and r["year"] == recs["documents"][0]["year"]


def test_sentences_table_is_partitioned_reread_and_never_doubled(tmp_path, monkeypatch):
    from pipeline.store import query

    src = make_inputs(tmp_path, ("001", "019"))
    out = str(tmp_path / "out")
    monkeypatch.setattr(dataset, "PARTITION_ROWS", 5)
    ingest([str(src)], out)
    rows = sorted(map(str, dataset.read_rows(out, "sentences")))
    assert os.path.isdir(os.path.join(out, "sentences", "year=2022"))
    assert query(out, "SELECT count(*) AS n FROM sentences")["n"][0] == len(rows)
    assert ingest([str(src)], out).added == 0
    assert sorted(map(str, dataset.read_rows(out, "sentences"))) == rows
    (src / "001.txt").write_text(corpus_text("001") + "\n另有补充说明一句。", encoding="utf-8")
    ingest([str(src)], out)  # a changed file: its sentences replaced, the others kept once
    after = dataset.read_rows(out, "sentences")
    assert len(after) == len(rows) + 1 and after[-1]["text"] == "另有补充说明一句。"


def test_a_dataset_from_before_the_sentences_table_gets_it_on_the_next_ingest(tmp_path):
    src = make_inputs(tmp_path, ("001", "019"))
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    rows = sorted(map(str, dataset.read_rows(out, "sentences")))
    dataset.remove(out, "sentences")  # as a dataset written by an older jyta
    assert not dataset.exists(out, "sentences")
    assert ingest([str(src)], out).added == 0
    assert sorted(map(str, dataset.read_rows(out, "sentences"))) == rows


def test_sentences_reach_every_export_format(tmp_path):
    import pandas as pd

    src = make_inputs(tmp_path, ("001",))
    out, dest = str(tmp_path / "out"), str(tmp_path / "exp")
    ingest([str(src)], out)
    n = len(dataset.read_rows(out, "sentences"))
    for fmt in ("csv", "jsonl", "xlsx"):
        assert main(["export", out, "--format", fmt, "-o", dest]) == 0
    assert len(pd.read_csv(os.path.join(dest, "sentences.csv"), encoding="utf-8-sig")) == n
    assert len(pd.read_json(os.path.join(dest, "sentences.jsonl"), lines=True)) == n
    assert len(pd.read_excel(os.path.join(dest, "jyta.xlsx"), sheet_name="sentences")) == n


# -- spaCy Docs --------------------------------------------------------------

def test_tokens_keep_the_projects_terms_whole():
    import jyta

    doc = jyta.nlp(SAMPLE)
    assert doc.text == SAMPLE
    assert {"满意率", "办复率", "建议提案"} <= {t.text for t in doc}


def test_a_doc_holds_the_records_as_spans_entities_and_sentences():
    import jyta

    doc = jyta.nlp(SAMPLE)
    assert [(s.text, s.label_) for s in doc.spans["metrics"]] == [
        ("6件", "metric:count"), ("100%", "metric:satisfaction_rate"), ("98.5%", "metric:reply_rate")]
    assert [(s.text, s.label_) for s in doc.spans["proposals"]] == [("第0125号建议", "proposal:status=closed")]
    assert {s.label_ for s in doc.spans["indicators"]} == {"indicator:count", "indicator:percent"}
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [("第0125号建议", "PROPOSAL", "0125")]
    assert [s.text.strip() for s in doc.sents] == ["一、办理情况", "今年共承办建议提案6件,满意率100%,办复率达98.5%。",
                                                   "第0125号建议已办结。"]
    rec = doc._.jyta
    assert rec["proposals"][0]["status"] == "closed" and rec["metrics"][2]["value"] == 98.5
    assert rec["sentences"][1]["section"] == "一、办理情况" and "text" not in rec["document"]
    span = doc.spans["metrics"][1]
    table, i = span.id_.split("/")
    assert rec[table][int(i)]["metric"] == "satisfaction_rate" and rec["unplaced"] == []


def test_every_row_of_the_corpus_has_a_span_over_its_offsets(corpus_out):
    """Every proposals/metrics/indicators row of corpus/raw: a span whose
    characters cover [start, end); a proposal number left out of doc.ents is
    listed in unplaced, never lost."""
    n = 0
    for recs in rows_by_doc(corpus_out).values():
        doc = nlp.to_doc(recs)
        assert doc.text == recs["documents"][0]["text"]
        assert all(u["in"] == "ents" and u["reason"] == "overlaps_entity" for u in doc._.jyta["unplaced"])
        for table in nlp.SPAN_TABLES:
            spans = {s.id_: s for s in doc.spans[table]}
            assert len(spans) == len(recs[table])
            for i, r in enumerate(recs[table]):
                s = spans[f"{table}/{i}"]
                assert s.start_char <= r["start"] and r["end"] <= s.end_char and s.label_ == nlp._label(table, r)
                n += 1
        in_ents = {e.id_ for e in doc.ents}
        left_out = {f"proposals/{u['index']}" for u in doc._.jyta["unplaced"]}
        assert in_ents | left_out == {f"proposals/{i}" for i in range(len(recs["proposals"]))}
    assert n > 900  # every row of the 45 texts


def test_an_offset_no_token_reaches_is_listed_not_dropped():
    from pipeline.document import Document
    from pipeline.link import records

    recs = records(Document(doc_id="x", source="<t>", format="text", text="满意率 100%。"))
    bad = {**recs["metrics"][0], "start": 3}  # the space after 满意率: inside a token's trailing whitespace
    doc = nlp.to_doc({**recs, "metrics": [bad]})
    assert len(doc.spans["metrics"]) == 0
    assert doc._.jyta["unplaced"] == [{"table": "metrics", "index": 0, "start": 3, "end": bad["end"], "in": "spans",
                                       "reason": "unaligned"}]


def test_a_document_row_alone_is_extracted_again(corpus_out):
    import pipeline

    recs = next(iter(rows_by_doc(corpus_out).values()))
    from_row = pipeline.to_doc(recs["documents"][0])
    from_rows = nlp.to_doc(recs)
    for table in nlp.SPAN_TABLES:
        assert [(s.start_char, s.end_char, s.label_) for s in from_row.spans[table]] == \
               [(s.start_char, s.end_char, s.label_) for s in from_rows.spans[table]]
    assert from_row._.jyta["document"] == from_rows._.jyta["document"]
    given = {**recs["documents"][0], "year": 2019, "year_source": "manifest"}  # a year the user gave at ingest
    assert {r["year"] for r in pipeline.to_doc(given)._.jyta["metrics"]} == {2019}
    with pytest.raises(ValueError):
        nlp.to_doc({"title": "no text"})


# -- exports ----------------------------------------------------------------

FRESH = """
import json, sys
import spacy
from spacy.tokens import DocBin
docs = list(DocBin().from_disk(sys.argv[1]).get_docs(spacy.blank("zh").vocab))
out = {}
for d in docs:
    rec = d.user_data[("._.", "jyta", None, None)]
    out[rec["document"]["doc_id"]] = {
        "spans": {k: sorted([s.start_char, s.end_char, s.label_, s.id_] for s in g) for k, g in d.spans.items()},
        "ents": sorted([e.start_char, e.end_char, e.kb_id_] for e in d.ents), "n_sents": len(list(d.sents)),
        "n_proposals": len(rec["proposals"]), "text": d.text}
out["_project_modules"] = sorted(m for m in sys.modules if m.split(".")[0] in ("pipeline", "extractors", "jyta"))
print(json.dumps(out, ensure_ascii=False))
"""


def test_docbin_export_reads_back_in_a_fresh_process(corpus_out, tmp_path):
    dest = str(tmp_path / "spacy")
    assert main(["export", corpus_out, "--format", "spacy", "-o", dest]) == 0
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    res = subprocess.run([sys.executable, "-c", FRESH, os.path.join(dest, "jyta.spacy")], capture_output=True,
                         text=True, cwd=str(tmp_path), env=env, check=True)
    got = json.loads(res.stdout)
    assert got.pop("_project_modules") == []
    by_doc = rows_by_doc(corpus_out)
    assert set(got) == set(by_doc)
    for doc_id, recs in by_doc.items():
        g = got[doc_id]
        assert g["text"] == recs["documents"][0]["text"] and g["n_proposals"] == len(recs["proposals"])
        assert g["n_sents"] == len(recs["sentences"])
        for table in nlp.SPAN_TABLES:
            assert len(g["spans"][table]) == len(recs[table])
            for a, b, label, sid in g["spans"][table]:
                r = recs[table][int(sid.split("/")[1])]
                assert a <= r["start"] and r["end"] <= b and label == nlp._label(table, r)
        numbers = sorted(p["number"] for p in recs["proposals"])
        assert set(e[2] for e in g["ents"]) <= set(numbers) and len(g["ents"]) <= len(numbers)


def test_jsonl_tokens_of_each_sentence(tmp_path):
    src = make_inputs(tmp_path, ("001", "011"))
    out, dest = str(tmp_path / "out"), str(tmp_path / "exp")
    ingest([str(src)], out)
    texts = {d["doc_id"]: d["text"] for d in dataset.read_rows(out, "documents")}
    assert main(["export", out, "--format", "jsonl", "--tokens", "--tables", "sentences", "-o", dest]) == 0
    with open(os.path.join(dest, "sentences.jsonl"), encoding="utf-8") as fh:
        lines = [json.loads(x) for x in fh]
    assert len(lines) == len(dataset.read_rows(out, "sentences"))
    assert set(lines[0]) == {"doc_id", "doc_region", "doc_year", "doc_title", "year", "n", "start", "end", "section", "text",
                             "tokens"}  # (every table but documents carries its document's region, year and title)
    words = set()
    for s in lines:
        assert "".join(t[0] for t in s["tokens"]) == re.sub(r"\s", "", s["text"])
        for tok, a, b in s["tokens"]:
            assert texts[s["doc_id"]][a:b] == tok and s["start"] <= a < b <= s["end"]
            words.add(tok)
    assert {"满意率", "建议提案"} <= words


@pytest.mark.parametrize("argv, says", [
    (["--format", "csv", "--tokens"], "--tokens goes with --format jsonl"),
    (["--format", "jsonl", "--tokens", "--tables", "metrics"], "add sentences to --tables"),
])
def test_tokens_with_the_wrong_flags_is_one_line(tmp_path, capsys, argv, says):
    src = make_inputs(tmp_path, ("001",))
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    assert main(["export", out, *argv, "-o", str(tmp_path / "exp")]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["--format", "spacy"], ["--format", "jsonl", "--tokens"]])
def test_export_without_a_dataset_is_one_line(tmp_path, capsys, argv):
    assert main(["export", str(tmp_path / "nothing"), *argv, "-o", str(tmp_path / "exp")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jyta: error: no dataset") and err.count("\n") == 1


# -- spaCy stays out of ingest ----------------------------------------------------

def test_ingest_does_not_import_spacy(tmp_path):
    src = make_inputs(tmp_path, ("001",))
    code = ("import sys\nfrom pipeline.cli import main\n"
            f"assert main(['ingest', {str(src)!r}, '-o', {str(tmp_path / 'out')!r}, '-q']) == 0\n"
            "import pipeline, jyta\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                         env={**os.environ, "PYTHONPATH": ROOT})
    assert res.stdout.strip().splitlines()[-1] == "[]"


# -- README ----------------------------------------------------------------------

def readme_section() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    return text.split("## For NLP users", 1)[1].split("\n## ", 1)[0]


def test_readme_nlp_examples_run(tmp_path, monkeypatch, capsys):
    """The section's commands and Python blocks, in order, in a fresh folder."""
    section = readme_section()
    monkeypatch.chdir(tmp_path)
    make_inputs(tmp_path, ("001", "005"))
    assert main(["ingest", "in", "-o", "dataset", "-q"]) == 0
    blocks = re.findall(r"```(sh|python)\n(.*?)```", section, re.S)
    assert [k for k, _ in blocks].count("python") >= 2
    for kind, code in blocks:
        if kind == "sh":
            for line in code.strip().splitlines():
                assert line.startswith("jyta ")
                assert main(line.split()[1:]) == 0
        else:
            exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    for comment in re.findall(r"# → (.+)", section):
        assert comment.strip() in printed
