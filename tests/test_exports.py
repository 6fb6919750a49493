"""What an analyst gets: exports typed as the dataset (read back with the csv
module, openpyxl and json), each table with its documents' region, year and
title; console tables with missing values and numbers printed one way; table
files that follow the umask."""
import csv
import json
import os
import stat

import pytest

from pipeline import dataset
from pipeline.cli import main

from conftest import make_inputs

DOC_FIELDS = ["doc_region", "doc_year", "doc_title"]


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    """001 (宝坻区, 2022) and 019 (a 2022 city report) with 004, whose year the
    text does not give: a null year among whole ones."""
    from pipeline import compare
    from pipeline.batch import ingest

    tmp = tmp_path_factory.mktemp("ds")
    out = str(tmp / "ds")
    ingest([str(make_inputs(tmp, ("001", "004", "005", "019")))], out)
    compare.write(out)
    return out


@pytest.fixture(scope="module")
def docs(ds):
    return {d["doc_id"]: d for d in dataset.read_rows(ds, "documents")}


@pytest.fixture(scope="module")
def exported(ds, tmp_path_factory):
    from pipeline.store import export

    dest = str(tmp_path_factory.mktemp("exp"))
    for fmt in ("csv", "jsonl", "xlsx"):
        export(ds, fmt, dest)
    return dest


def read_csv(dest, name):
    with open(os.path.join(dest, f"{name}.csv"), encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_jsonl(dest, name):
    with open(os.path.join(dest, f"{name}.jsonl"), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_the_fixture_has_a_missing_year(docs):
    assert None in {d["year"] for d in docs.values()} and 2022 in {d["year"] for d in docs.values()}


def test_csv_years_and_counts_are_written_as_integers(exported, docs):
    years = {r["doc_id"]: r["year"] for r in read_csv(exported, "documents")}
    assert years == {i: "" if d["year"] is None else str(d["year"]) for i, d in docs.items()}
    metrics = read_csv(exported, "metrics")
    values = {r["value"] for r in metrics}
    assert "6" in values and "58.07" in values and not any(v.endswith(".0") for v in values)
    for name in ("metrics", "indicators", "proposals", "series"):
        for r in read_csv(exported, name):
            assert not r["year"].endswith(".0") and not r["doc_year"].endswith(".0"), (name, r)


def test_every_table_but_documents_carries_its_documents_fields(exported, docs):
    for name in ("errors", "indicators", "proposals", "metrics", "series"):
        with open(os.path.join(exported, f"{name}.csv"), encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh))
        i = header.index("doc_id")
        assert header[i + 1:i + 4] == DOC_FIELDS, (name, header)
    for r in read_csv(exported, "metrics") + read_csv(exported, "indicators"):
        d = docs[r["doc_id"]]
        assert (r["doc_region"], r["doc_title"]) == (d["region"] or "", d["title"] or "")
        assert r["doc_year"] == ("" if d["year"] is None else str(d["year"]))
    with open(os.path.join(exported, "proposal_links.csv"), encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert {"from_doc_region", "from_doc_year", "from_doc_title", "to_doc_region", "to_doc_year",
            "to_doc_title"} <= set(header)
    assert "doc_region" not in next(iter(read_csv(exported, "documents")))


def test_xlsx_numbers_are_numbers(exported, docs):
    from openpyxl import load_workbook

    wb = load_workbook(os.path.join(exported, "jyta.xlsx"), read_only=True)
    sheet = wb["metrics"]
    rows = sheet.iter_rows(values_only=False)
    header = [c.value for c in next(rows)]
    col = {name: i for i, name in enumerate(header)}
    cells = list(rows)
    assert cells and all(r[col["value"]].data_type == "n" for r in cells)
    values = [r[col["value"]].value for r in cells]
    assert all(isinstance(v, (int, float)) for v in values) and 6 in values and 58.07 in values
    assert sum(values) > 0  # what an analyst does with them
    for r in cells:
        d = docs[r[col["doc_id"]].value]
        assert r[col["doc_region"]].value == d["region"] and r[col["doc_title"]].value == d["title"]
        assert r[col["doc_year"]].value == d["year"] and r[col["year"]].value == d["year"]
        assert isinstance(r[col["start"]].value, int) and isinstance(r[col["is_key"]].value, (bool, type(None)))
    documents = list(wb["documents"].iter_rows(values_only=True))
    year = documents[0].index("year")
    assert {r[year] for r in documents[1:]} == {d["year"] for d in docs.values()}


def test_jsonl_is_typed_the_same(exported, docs):
    for r in read_jsonl(exported, "metrics"):
        d = docs[r["doc_id"]]
        assert isinstance(r["value"], (int, float)) and not isinstance(r["value"], bool)
        assert r["doc_year"] == d["year"] and r["doc_region"] == d["region"] and r["doc_title"] == d["title"]
    assert {r["year"] for r in read_jsonl(exported, "documents")} == {d["year"] for d in docs.values()}
    assert 6 in {r["value"] for r in read_jsonl(exported, "metrics")}


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path):
    from openpyxl import load_workbook

    from pipeline.store import export

    out = str(tmp_path / "out")
    dataset.write_rows(out, "errors", [{"source": "=HYPERLINK(\"x\")", "doc_id": None, "stage": "open",
                                        "error": "unreadable", "message": "gone"}])
    path = export(out, "xlsx", str(tmp_path / "exp"))[0]
    cell = load_workbook(path)["errors"]["A2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"x\")"


def test_query_prints_missing_values_one_way_and_whole_numbers_as_integers(capsys, ds):
    sql = ("SELECT * FROM (VALUES (146.0::DOUBLE, NULL::INTEGER, 58.07::DECIMAL(30, 6), 'a'), "
           "(NULL::DOUBLE, 2021, 6::DECIMAL(30, 6), NULL)) t(d, i, v, s)")
    assert main(["query", ds, sql]) == 0
    shown = capsys.readouterr().out
    assert "NaN" not in shown and "<NA>" not in shown and "None" not in shown and "nan" not in shown
    assert "146" in shown and "146.0" not in shown and "58.07" in shown and "2021" in shown
    assert "2021.0" not in shown and "6.0" not in shown.replace("146.0", "")
    lines = shown.splitlines()
    assert lines[1].split() == ["146", "58.07", "a"] and lines[2].split() == ["2021", "6"]


def test_query_on_real_tables(capsys, ds):
    assert main(["query", ds, "SELECT d.region, d.year, m.value, m.ref_year FROM metrics m "
                              "JOIN documents d USING (doc_id) ORDER BY d.year NULLS FIRST"]) == 0
    shown = capsys.readouterr().out
    assert "NaN" not in shown and "<NA>" not in shown and ".0 " not in shown + " "


def test_query_says_when_it_stops_at_max_rows(capsys, ds):
    assert main(["query", ds, "SELECT range AS n FROM range(5)", "--max-rows", "3"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert [s.strip() for s in shown[:4]] == ["n", "0", "1", "2"] and "--max-rows" in shown[4]


def test_compare_cells_with_two_values_read_as_counts():
    import pandas as pd

    from pipeline.cli import series_table

    rows = [{"region": "九江市", "measure": "count", "scope": "kind=建议", "year": 2022, "value": v,
             "conflict": False} for v in (5.0, 29.0)]
    table = series_table(pd.DataFrame(rows))
    assert "5/29" in table and "5.0" not in table


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640)])
def test_tables_follow_the_umask(tmp_path, monkeypatch, umask, mode):
    from pipeline.batch import ingest
    from pipeline.store import DB_NAME

    old = os.umask(umask)
    try:
        out = str(tmp_path / "out")
        ingest([str(make_inputs(tmp_path, ("001", "019")))], out)
        for name in ("documents", "errors", "metrics", "indicators", "proposals"):
            assert stat.S_IMODE(os.stat(dataset.table_path(out, name)).st_mode) == mode, name
        assert stat.S_IMODE(os.stat(os.path.join(out, DB_NAME)).st_mode) == mode
        monkeypatch.setattr(dataset, "PARTITION_ROWS", 5)  # a year-partitioned folder: 0777 less the umask
        rows = dataset.read_rows(out, "indicators")
        dataset.write_rows(out, "indicators", rows)
        folder = dataset.partition_dir(out, "indicators")
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o777 & ~umask
        for root, dirs, files in os.walk(folder):
            for f in files:
                assert stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode) == mode
    finally:
        os.umask(old)
