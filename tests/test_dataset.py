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


def test_query_export_and_database(tmp_path):
    import duckdb
    import pandas as pd

    from pipeline.batch import ingest
    from pipeline.store import DB_NAME, export, query

    from conftest import make_inputs

    src = make_inputs(tmp_path, ("001", "005", "019"))
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    counts = {t: len(dataset.read_rows(out, t)) for t in ("documents", "proposals", "metrics", "indicators")}
    assert all(counts.values())
    df = query(out, "SELECT count(*) AS n FROM indicators WHERE unit = '人次'")
    assert df["n"][0] >= 3
    con = duckdb.connect(os.path.join(out, DB_NAME), read_only=True)
    assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts} == counts
    con.close()
    dest = str(tmp_path / "exp")
    export(out, "csv", dest)
    export(out, "jsonl", dest)
    export(out, "xlsx", dest)
    for t, n in counts.items():
        csv = pd.read_csv(os.path.join(dest, f"{t}.csv"), encoding="utf-8-sig")
        jl = pd.read_json(os.path.join(dest, f"{t}.jsonl"), lines=True)
        xl = pd.read_excel(os.path.join(dest, "jyta.xlsx"), sheet_name=t)
        via_duckdb = duckdb.connect().execute(f"SELECT count(*) FROM read_csv_auto('{os.path.join(dest, t + '.csv')}')").fetchone()[0]
        assert len(csv) == len(jl) == len(xl) == via_duckdb == n
    with open(os.path.join(dest, "metrics.csv"), "rb") as fh:
        head = fh.read(3)
    assert head == b"\xef\xbb\xbf"  # BOM: Excel on Chinese Windows reads UTF-8
    m = pd.read_csv(os.path.join(dest, "metrics.csv"), encoding="utf-8-sig", dtype=str)
    assert "58.07" in set(m["value"]) and "6" in set(m["value"])


def test_large_tables_are_partitioned_by_year(tmp_path, monkeypatch):
    from pipeline.batch import ingest
    from pipeline.store import query

    from conftest import corpus_text, make_inputs

    src = make_inputs(tmp_path, ("001", "019", "028"))
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    before = {t: sorted(map(str, dataset.read_rows(out, t))) for t in dataset.PARTITIONABLE}
    monkeypatch.setattr(dataset, "PARTITION_ROWS", 5)
    (src / "005.txt").write_text(corpus_text("005"), encoding="utf-8")
    ingest([str(src)], out)
    assert os.path.isdir(os.path.join(out, "indicators", "year=2022"))
    assert not os.path.exists(os.path.join(out, "indicators.parquet"))
    for t in dataset.PARTITIONABLE:
        rows = sorted(map(str, dataset.read_rows(out, t)))
        assert set(before[t]) <= set(rows)
    n = len(dataset.read_rows(out, "indicators"))
    assert query(out, "SELECT count(*) AS n FROM indicators")["n"][0] == n
    s = ingest([str(src)], out)  # a re-run reads the partitioned tables back and adds nothing
    assert s.added == 0 and len(dataset.read_rows(out, "indicators")) == n
