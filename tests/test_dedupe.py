"""documents.duplicate_of: the same report under another file is marked
with the first one's doc_id and counted once; distinct reports that share a
template are not marked.

Copies are made from real dev texts the ways reports are really copied: the
web page with site chrome, the PDF, a re-hosting site's copy (its own header
and footer lines, the original's header gone), a Traditional-character
mirror. Counter-examples are real: the dev set's series of one unit across
years and its reply letters, and two made from the template of one: next
year's report with this year's wording, the office's reply on another
proposal."""
from __future__ import annotations

import glob
import json
import os
import re

import pytest

import fixtures as fx
from pipeline import dataset, dedupe
from pipeline.batch import ingest
from pipeline.readers import read_bytes

DEV = os.path.join(os.path.dirname(os.path.dirname(__file__)), "corpus", "sets", "dev", "raw")


def dev(n: str) -> str:
    with open(os.path.join(DEV, f"{n}.txt"), encoding="utf-8") as fh:
        return fh.read()


def sidecar(n: str) -> dict:
    with open(os.path.join(DEV, f"{n}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def rehosted(text: str) -> str:
    """Another site's copy: the original site's header (its first short
    lines) gone, the new site's breadcrumb, info line, footer and links to
    related news around it."""
    lines = text.splitlines()
    while lines and (len(lines[0].strip()) <= 4 or re.search(r">|欢迎访问", lines[0])):
        lines.pop(0)
    head = ["首页 > 新闻中心 > 正文", "来源:香港商报网  发布时间:2023-03-02 09:15  编辑:王敏", "【字号 大 中 小】"]
    tail = ["责任编辑:李华", "【打印本页】【关闭窗口】", "相关新闻", "·全市两会胜利闭幕", "·我市召开政协提案办理工作会议"]
    return "\n".join(head + lines + tail)


def next_year(text: str) -> str:
    """Next year's report written from this year's: the same words, the
    years one later and every other figure changed."""
    return re.sub(r"\d+", lambda m: str(int(m.group()) + (1 if re.fullmatch(r"20[0-3]\d", m.group()) else 3)), text)


def other_reply(text: str) -> str:
    """The same office's reply on another suggestion: the same letter with
    the suggestion's number and title changed."""
    t = re.sub(r"第(\d+)号", lambda m: f"第{int(m.group(1)) + 1}号", text)
    return re.sub(r"《关于[^》]*的(建议|提案)》", r"《关于加快城区停车场建设的\1》", t)


def prepared(data: bytes, name: str) -> dedupe.Prepared:
    return dedupe.prepare(read_bytes(data, source=name).text)


def by_name(out: str) -> dict[str, dict]:
    return {os.path.basename(d["source"]): d for d in dataset.read_rows(out, "documents")}


# --- the comparison ------------------------------------------------------------

COPIED = ("537", "557", "601", "440", "457", "550")  # reply letters, a self-evaluation, news, a Traditional mirror


@pytest.mark.parametrize("n", COPIED)
def test_copies_of_a_real_report_are_the_same_report(n):
    text = dev(n)
    first = prepared(text.encode("utf-8"), "a.txt")
    copies = {
        "web page": (fx.page_from_text(text), "b.html"),
        "Traditional": (traditional(text).encode("utf-8"), "c.txt"),
        "re-hosted": (rehosted(text).encode("utf-8"), "d.txt"),
        "re-hosted Traditional web page": (fx.page_from_text(traditional(rehosted(text))), "e.html"),
    }
    for what, (data, name) in copies.items():
        assert dedupe.same_report(first, prepared(data, name)), what


@pytest.mark.parametrize("n", ("537", "557", "601", "604", "440", "457"))
def test_a_report_written_from_the_same_template_is_another_report(n):
    from rapidfuzz.distance import LCSseq

    a = dedupe.prepare(dev(n))
    for what, b in (("next year", dedupe.prepare(next_year(dev(n)))),
                    ("another reply", dedupe.prepare(other_reply(dev(n))))):
        if b.numbers == a.numbers:
            continue  # no suggestion number in this text: nothing changed
        # the words are nearly all the same: only the numbers tell them apart
        assert LCSseq.similarity(a.norm, b.norm) >= 0.9 * len(a.norm), what
        assert not dedupe.same_report(a, b), what


def _pairs_of(groups: dict[str, list[str]]):
    for ns in groups.values():
        for i, a in enumerate(ns):
            for b in ns[i + 1:]:
                yield a, b


def test_real_reports_of_one_unit_and_real_reply_letters_are_not_the_same_report():
    names = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(DEV, "*.json")))
    groups: dict[str, list[str]] = {"临沂市文化和旅游局 2021/2024": ["601", "604"]}
    for n in names:
        sc = sidecar(n)
        if sc.get("series_unit"):
            groups.setdefault(sc["series_unit"], []).append(n)
        if sc.get("genre") == "reply_letter":
            groups.setdefault("reply letters", []).append(n)
    pairs = list(_pairs_of(groups))
    assert len(pairs) > 1500  # every pair of the 57 letters, and the series
    prep = {n: dedupe.prepare(dev(n)) for n in {x for p in pairs for x in p}}
    assert [(a, b) for a, b in pairs if dedupe.same_report(prep[a], prep[b])] == []


def test_no_report_of_the_dev_set_is_marked():
    """The dev set's distinct real texts (checked for duplicates when collected): none is a copy."""
    rows = [{"doc_id": os.path.basename(p)[:-4], "text": open(p, encoding="utf-8").read()}
            for p in sorted(glob.glob(os.path.join(DEV, "*.txt")))]
    docs = [dedupe.Doc(r["doc_id"], r["doc_id"], None, False) for r in rows]
    res = dedupe.decide(docs, {}, True, dedupe.texts_from(rows))
    assert len(rows) > 200 and len(res.marks) == len(rows) and not any(res.marks.values())


def test_candidates_come_from_shared_bands_not_from_all_pairs(monkeypatch):
    """Each text is compared with the few that share a band, not with every other."""
    rows = []
    for p in sorted(glob.glob(os.path.join(DEV, "*.txt"))):
        text = open(p, encoding="utf-8").read()
        n = os.path.basename(p)[:-4]
        rows += [{"doc_id": n, "text": text}, {"doc_id": n + "t", "text": traditional(rehosted(text))}]
        if next_year(text) != text:  # (one text has its figures masked: ****年)
            rows.append({"doc_id": n + "y", "text": next_year(text)})
    calls = []
    real = dedupe.same_report
    monkeypatch.setattr(dedupe, "same_report", lambda a, b: calls.append(1) or real(a, b))
    docs = [dedupe.Doc(r["doc_id"], r["doc_id"], None, False) for r in rows]
    res = dedupe.decide(docs, {}, True, dedupe.texts_from(rows))
    assert len(calls) < 3 * len(rows)  # all pairs: 200,000
    copies = {i: m for i, m in res.marks.items() if m}
    assert len(copies) >= 0.97 * 212 and all(i == m + "t" for i, m in copies.items())


# --- the dataset ---------------------------------------------------------------

def _copies_folder(tmp_path, n="601"):
    src = tmp_path / "in"
    src.mkdir()
    text = dev(n)
    (src / "b.txt").write_text(text, encoding="utf-8")
    (src / "c.html").write_bytes(fx.page_from_text(rehosted(text)))
    (src / "d.txt").write_text(traditional(text), encoding="utf-8")
    (src / "e.pdf").write_bytes(fx.pdf_bytes(fx.paragraphs(text)))
    (src / "f.txt").write_text(dev("604"), encoding="utf-8")  # the same unit's report of another year
    return src


def test_ingest_marks_each_copy_with_the_first_and_says_how_many(tmp_path, capsys):
    from pipeline.cli import main

    src = _copies_folder(tmp_path)
    out = str(tmp_path / "out")
    assert main(["ingest", str(src), "-o", out, "-q"]) == 0
    docs = by_name(out)
    first = docs["b.txt"]["doc_id"]
    assert {n: d["duplicate_of"] for n, d in docs.items()} == {
        "b.txt": None, "c.html": first, "d.txt": first, "e.pdf": first, "f.txt": None}
    printed = capsys.readouterr().out
    assert "3 near-duplicates" in printed and f"{src / 'e.pdf'} = {src / 'b.txt'}" in printed
    # their rows stay: the evidence of each copy
    assert {r["doc_id"] for r in dataset.read_rows(out, "metrics")} >= {d["doc_id"] for d in docs.values()} - {
        docs["f.txt"]["doc_id"]}


def test_the_first_does_not_depend_on_input_order_or_workers(tmp_path):
    src = _copies_folder(tmp_path)
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    ingest([str(src)], one, workers=1)
    files = sorted(glob.glob(str(src / "*")), reverse=True)
    ingest(files, two, workers=2, chunk_docs=1)
    marks = lambda out: {n: d["duplicate_of"] for n, d in by_name(out).items()}  # noqa: E731
    assert marks(one) == marks(two)


def test_a_report_already_in_the_dataset_stays_first_and_a_rerun_changes_nothing(tmp_path, capsys):
    from pipeline.cli import main

    src = tmp_path / "in"
    src.mkdir()
    text = dev("537")
    (src / "z.txt").write_text(text, encoding="utf-8")
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    (src / "a.html").write_bytes(fx.page_from_text(rehosted(text)))  # earlier by path, later in the dataset
    s = ingest([str(src)], out)
    docs = by_name(out)
    assert docs["a.html"]["duplicate_of"] == docs["z.txt"]["doc_id"] and docs["z.txt"]["duplicate_of"] is None
    assert s.duplicates == [(str(src / "a.html"), str(src / "z.txt"))]
    before = {f: os.path.getmtime(os.path.join(out, f)) for f in ("documents.parquet", dedupe.CACHE)}
    main(["ingest", str(src), "-o", out, "-q"])
    assert "near-duplicates" not in capsys.readouterr().out
    assert {f: os.path.getmtime(os.path.join(out, f)) for f in before} == before


def test_when_the_first_leaves_its_copies_point_to_the_next(tmp_path):
    src = _copies_folder(tmp_path)
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    (src / "b.txt").write_text(dev("537"), encoding="utf-8")  # the file now holds another report
    s = ingest([str(src)], out)
    docs = by_name(out)
    first = docs["c.html"]["doc_id"]  # the earliest of the copies left
    assert {n: d["duplicate_of"] for n, d in docs.items()} == {
        "b.txt": None, "c.html": None, "d.txt": first, "e.pdf": first, "f.txt": None}
    ids = {d["doc_id"] for d in docs.values()}
    assert all(d["duplicate_of"] in ids for d in docs.values() if d["duplicate_of"])
    assert sorted(os.path.basename(a) for a, _ in s.duplicates) == ["d.txt", "e.pdf"]
    (src / "b.txt").write_text(dev("601"), encoding="utf-8")  # back: now a copy of the one in the dataset
    ingest([str(src)], out)
    assert by_name(out)["b.txt"]["duplicate_of"] == first


def test_a_dataset_written_before_the_check_is_checked_on_the_next_ingest(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = _copies_folder(tmp_path)
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    path = dataset.table_path(out, "documents")
    old = pq.read_table(path)
    pq.write_table(old.drop_columns(["duplicate_of"]), path)  # as an earlier version wrote it
    os.unlink(os.path.join(out, dedupe.CACHE))
    s = ingest([str(src)], out)
    assert len(s.duplicates) == 3
    assert pq.read_table(path).column("duplicate_of").to_pylist() == old.column("duplicate_of").to_pylist()
    assert pa.types.is_string(pq.read_table(path).schema.field("duplicate_of").type)


def test_series_and_proposal_links_count_a_report_once(tmp_path):
    """One city's reports 2019–2023 (corpus/sets/heldout 201–205: series and
    proposals raised again), two of them also collected as copies: the
    derived tables are those of the reports alone."""
    import shutil

    from pipeline import compare, evalsets

    src = tmp_path / "in"
    src.mkdir()
    for n in range(201, 206):
        shutil.copy(os.path.join(evalsets.get("heldout").raw, f"{n}.txt"), src / f"{n}.txt")
    alone = str(tmp_path / "alone")
    ingest([str(src)], alone)
    (src / "copy-of-202.html").write_bytes(fx.page_from_text(traditional(rehosted((src / "202.txt").read_text("utf-8")))))
    (src / "copy-of-204.txt").write_text(rehosted((src / "204.txt").read_text("utf-8")), encoding="utf-8")
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    assert sum(1 for d in dataset.read_rows(out, "documents") if d["duplicate_of"]) == 2
    got, want = compare.build(out), compare.build(alone)
    assert want["series"] and want["proposal_links"]
    assert got == want


def test_a_copy_lends_the_first_what_it_lacks():
    """The first file says nothing of its place; the copy's address gave it:
    the report still counts, once, under the first one's doc_id."""
    from pipeline import compare

    first = {"doc_id": "a", "source": "a.txt", "duplicate_of": None, "region": None, "year": 2021,
             "year_inferred": False, "title": None, "publisher": None}
    copy = {**first, "doc_id": "b", "source": "b.html", "duplicate_of": "a", "region": "山东省临沂市",
            "title": "临沂市文化和旅游局2021年人大建议(政协提案)办理总体情况"}
    assert compare.counted_once([first, copy]) == [{**first, "region": "山东省临沂市", "title": copy["title"]}]


def test_a_stored_upload_is_marked_like_an_ingested_file(tmp_path):
    pytest.importorskip("fastapi")
    from pipeline.service import extract_bytes

    out = str(tmp_path / "out")
    text = dev("557")
    extract_bytes(text.encode("utf-8"), "reply.txt", out, store=True)
    extract_bytes(fx.page_from_text(traditional(text)), "reply.html", out, store=True)
    docs = dataset.read_rows(out, "documents")
    assert sorted(d["duplicate_of"] is None for d in docs) == [False, True]
