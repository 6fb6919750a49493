"""Query and export the dataset: a DuckDB database beside the Parquet
tables, SQL from the command line, and files other tools open directly."""
from __future__ import annotations

import json
import os
import tempfile
from decimal import Decimal

from . import dataset

DB_NAME = "jyta.duckdb"


def _present(out: str) -> list[str]:
    return [n for n in dataset.TABLES if dataset.exists(out, n)]


def _source(out: str, name: str) -> str:
    """DuckDB's reader for a table: one file, or a year-partitioned folder."""
    path = dataset.table_path(out, name)
    if os.path.exists(path):
        return f"read_parquet('{os.path.abspath(path)}')".replace("\\", "/")
    folder = os.path.abspath(dataset.partition_dir(out, name))
    return f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"


def connect(out: str):
    """An in-memory DuckDB with one view per Parquet table of ``out``:
    always the current files, wherever the folder has moved."""
    import duckdb

    con = duckdb.connect()
    for name in _present(out):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM {_source(out, name)}")
    return con


def write_database(out: str) -> str:
    """OUT/jyta.duckdb for tools that open a DuckDB file: one view per Parquet
    table (absolute paths), replaced atomically after each ingest and
    compare. Views, not copies: the Parquet files are the dataset, and
    copying them would cost memory and disk in proportion to the archive.
    After moving OUT, `jyta ingest` or `jyta compare` on it writes them again."""
    import duckdb

    fd, tmp = tempfile.mkstemp(prefix=".jyta.", suffix=".duckdb.tmp", dir=out)
    os.close(fd)
    os.unlink(tmp)  # DuckDB creates the file itself
    try:
        con = duckdb.connect(tmp)
        try:
            for name in _present(out):
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM {_source(out, name)}")
        finally:
            con.close()
        os.replace(tmp, os.path.join(out, DB_NAME))
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return os.path.join(out, DB_NAME)


def query(out: str, sql: str):
    """Run SQL over the dataset; returns a pandas DataFrame."""
    con = connect(out)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _jsonable(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "tolist"):
        return _jsonable(v.tolist())
    return v


def export(out: str, fmt: str, dest: str, tables: list[str] | None = None, tokens: bool = False) -> list[str]:
    """Write each table as CSV (UTF-8 with BOM, so Excel on Chinese Windows
    reads it), JSON Lines, or one XLSX workbook; or the documents as one
    spaCy DocBin (pipeline/nlp.py). ``tokens``: JSON Lines sentences carry
    their jieba tokens. Returns the files written."""
    import pandas as pd

    if fmt == "spacy":
        from .nlp import export_docbin

        return [export_docbin(out, dest)]
    if tokens:
        _check_tokens(out, fmt, tables)

    os.makedirs(dest, exist_ok=True)
    names = [n for n in _present(out) if not tables or n in tables]
    written = []

    def frame(n):
        return pd.DataFrame(dataset.read_rows(out, n), columns=[c[0] for c in dataset.COLUMNS[n]])

    if fmt == "csv":
        for n in names:
            path = os.path.join(dest, f"{n}.csv")
            frame(n).map(_cell).to_csv(path, index=False, encoding="utf-8-sig")
            written.append(path)
    elif fmt == "jsonl":
        for n in names:
            path = os.path.join(dest, f"{n}.jsonl")
            with open(path, "w", encoding="utf-8") as fh:
                for row in _rows(out, n, tokens):
                    fh.write(json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
            written.append(path)
    elif fmt == "xlsx":
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def xl(v):
            # Excel cells hold at most 32767 characters (the document text is
            # cut there) and no control characters (PDF text carries \f, \x0b)
            v = _cell(v)
            return ILLEGAL_CHARACTERS_RE.sub("", v)[:32767] if isinstance(v, str) else v

        path = os.path.join(dest, "jyta.xlsx")
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            for n in names:
                frame(n).map(xl).to_excel(xw, sheet_name=n, index=False)
        written.append(path)
    else:
        raise ValueError(f"unknown format {fmt!r} (csv, jsonl, xlsx, spacy)")
    return written


def _rows(out: str, name: str, tokens: bool):
    rows = dataset.read_rows(out, name)
    if tokens and name == "sentences":
        from .nlp import with_tokens

        return with_tokens(rows)
    return rows


def _check_tokens(out: str, fmt: str, tables: list[str] | None) -> None:
    if fmt != "jsonl":
        raise ValueError("--tokens goes with --format jsonl (tokens of each sentence)")
    if tables and "sentences" not in tables:
        raise ValueError("--tokens writes sentences.jsonl: add sentences to --tables")
    if not dataset.exists(out, "sentences"):
        raise ValueError(f"no sentences table in {out}: it was made before jyta wrote one; "
                         "ingest the files into a new folder")


def _cell(v):
    """A value for a flat file: lists as JSON, exact decimals as written
    (6, 58.07 — not 6.0 from a column pandas made float)."""
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
        return json.dumps(_jsonable(v), ensure_ascii=False)
    if isinstance(v, Decimal):
        d = v.normalize()
        return format(d.quantize(Decimal(1)) if d == d.to_integral_value() else d, "f")
    return v
