"""Query and export the dataset: a DuckDB database beside the Parquet
tables, SQL from the command line, and files other tools open directly."""
from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from decimal import Decimal
from numbers import Integral

from . import dataset

DB_NAME = "jyta.duckdb"
FORMATS = ("csv", "jsonl", "xlsx", "spacy")
# what an analysis of any table needs of its document: exported beside every doc id
DOC_FIELDS = ("region", "year", "title")
DERIVED = ("series", "proposal_links")  # built by `jyta compare`
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included


class DatasetError(Exception):
    """A mistake in what the caller gave (a dataset folder, a table, a
    destination, an empty query): the message says it in one line."""


def _present(out: str) -> list[str]:
    return [n for n in dataset.TABLES if dataset.exists(out, n)]


def is_dataset(out: str) -> bool:
    """Every ingest writes documents or errors (an input ends in one of them)."""
    return os.path.isdir(out) and (dataset.exists(out, "documents") or dataset.exists(out, "errors"))


def require(out: str) -> None:
    """Refuse a path that holds no dataset, before anything is read or written there."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise DatasetError(f"{out} is a file, not a dataset folder")
    if not is_dataset(out):
        raise DatasetError(f"no dataset at {out} (run `jyta ingest … -o {out}` first)")


def _sql_path(path: str) -> str:
    # a folder may be named bob's reports: quoted as an SQL string
    return os.path.abspath(path).replace("\\", "/").replace("'", "''")


def _source(out: str, name: str) -> str:
    """DuckDB's reader for a table: one file, or a year-partitioned folder."""
    path = dataset.table_path(out, name)
    if os.path.exists(path):
        return f"read_parquet('{_sql_path(path)}')"
    folder = _sql_path(dataset.partition_dir(out, name))
    return f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"


def connect(out: str):
    """An in-memory DuckDB with one view per Parquet table of ``out``:
    always the current files, wherever the folder has moved. A path without
    a dataset is refused (an empty database would answer with DuckDB's own
    catalog tables)."""
    import duckdb

    require(out)
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


def _execute(con, out: str, sql: str):
    """Run SQL; a table the dataset does not have is named with the ones it has
    (DuckDB would suggest one of its own catalog tables)."""
    import duckdb

    if not sql.strip():  # DuckDB answers an empty statement with no result at all
        raise DatasetError("no SQL to run (e.g. \"SELECT region, year FROM documents\")")
    try:
        return con.execute(sql)
    except duckdb.CatalogException as e:
        missing = re.search(r"Table with name (.+?) does not exist", str(e))
        if not missing:
            raise
        have = _present(out)
        hint = "" if set(DERIVED) <= set(have) else f" (series and proposal_links: run `jyta compare {out}`)"
        raise DatasetError(f"no table {missing[1]} in {out}; its tables: {', '.join(have)}{hint}") from None


def query(out: str, sql: str):
    """Run SQL over the dataset; returns a pandas DataFrame."""
    con = connect(out)
    try:
        return _execute(con, out, sql).df()
    finally:
        con.close()


def query_rows(out: str, sql: str, limit: int | None = None) -> tuple[list[str], list[tuple]]:
    """Run SQL over the dataset; the column names and at most ``limit`` rows
    as Python values (ints stay ints, exact decimals Decimal, NULL None)."""
    con = connect(out)
    try:
        rel = _execute(con, out, sql)
        columns = [d[0] for d in rel.description or []]
        return columns, (rel.fetchall() if limit is None else rel.fetchmany(limit))
    finally:
        con.close()


def number_text(v) -> str:
    """A number as people write it: 6.0 → 6, Decimal('58.070000') → 58.07."""
    if isinstance(v, Integral):
        return str(int(v))
    if isinstance(v, Decimal):
        d = v.normalize()
        return format(d.quantize(Decimal(1)) if d == d.to_integral_value() else d, "f")
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


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
    reads it), JSON Lines, or one XLSX workbook, typed as in the dataset
    (years as 2021, numbers as numbers). Every table but documents carries,
    beside each doc id, that document's region, year and title
    (doc_region, doc_year, doc_title; from_doc_… and to_doc_… in
    proposal_links); or the documents as one spaCy DocBin (pipeline/nlp.py).
    ``tokens``: JSON Lines sentences carry their jieba tokens. Returns the
    files written."""
    require(out)
    if fmt == "spacy":
        from .nlp import export_docbin

        return [export_docbin(out, dest)]
    if tokens:
        _check_tokens(out, fmt, tables)
    if fmt not in FORMATS:
        raise DatasetError(f"unknown format {fmt!r} ({', '.join(FORMATS)})")
    names = _export_names(out, tables)
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise DatasetError(f"{dest} is a file; the export needs a folder")
    os.makedirs(dest, exist_ok=True)
    docs = {d["doc_id"]: d for d in dataset.columns_of(out, "documents", ["doc_id", *DOC_FIELDS])}
    if fmt == "xlsx":
        return [_write_xlsx(out, names, docs, os.path.join(dest, "jyta.xlsx"))]
    if fmt == "csv":
        return [_write_csv(out, n, docs, os.path.join(dest, f"{n}.csv")) for n in names]
    return [_write_jsonl(out, n, docs, os.path.join(dest, f"{n}.jsonl"), tokens) for n in names]


def _export_names(out: str, tables: list[str] | None) -> list[str]:
    have = _present(out)
    if not tables:
        return have
    unknown = [t for t in tables if t not in dataset.TABLES]
    if unknown:
        raise DatasetError(f"no table {unknown[0]}; the tables: {', '.join(dataset.TABLES)}")
    absent = [t for t in tables if t not in have]
    if absent:
        hint = f" (run `jyta compare {out}` first)" if absent[0] in DERIVED else ""
        raise DatasetError(f"{out} has no {absent[0]} table{hint}; it has: {', '.join(have)}")
    return [n for n in have if n in tables]


def _id_columns(name: str) -> list[str]:
    """doc_id, or from_doc_id and to_doc_id: the columns a document's fields join on."""
    return [] if name == "documents" else [c[0] for c in dataset.COLUMNS[name] if c[0].endswith("doc_id")]


def _export_columns(name: str) -> list[str]:
    cols = []
    for c in (c[0] for c in dataset.COLUMNS[name]):
        cols.append(c)
        if c in _id_columns(name):
            cols += [f"{c[:-len('id')]}{f}" for f in DOC_FIELDS]
    return cols


def _export_rows(out: str, name: str, docs: dict):
    """The table's rows, a batch at a time, each with its documents' fields."""
    path = dataset.table_path(out, name)
    path = path if os.path.exists(path) else dataset.partition_dir(out, name)
    ids = _id_columns(name)
    for batch in dataset.iter_batches(path, name):
        for row in batch.to_pylist():
            for c in ids:
                doc = docs.get(row[c]) or {}
                row.update({f"{c[:-len('id')]}{f}": doc.get(f) for f in DOC_FIELDS})
            yield row


def _write_csv(out: str, name: str, docs: dict, path: str) -> str:
    cols = _export_columns(name)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for row in _export_rows(out, name, docs):
            w.writerow([_csv_cell(row[c]) for c in cols])
    return path


def _check_tokens(out: str, fmt: str, tables: list[str] | None) -> None:
    if fmt != "jsonl":
        raise DatasetError("--tokens goes with --format jsonl (tokens of each sentence)")
    if tables and "sentences" not in tables:
        raise DatasetError("--tokens writes sentences.jsonl: add sentences to --tables")
    if not dataset.exists(out, "sentences"):
        raise DatasetError(f"no sentences table in {out}: it was made before jyta wrote one; "
                         "ingest the files into a new folder")


def _csv_cell(v):
    """A value for a flat file: lists as JSON, numbers as written (6, 58.07,
    2021 — not 6.0 or 2021.0), missing as empty."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (Integral, Decimal, float)):
        return number_text(v)
    if isinstance(v, (list, tuple)):
        return json.dumps(_jsonable(v), ensure_ascii=False)
    return v


def _write_jsonl(out: str, name: str, docs: dict, path: str, tokens: bool = False) -> str:
    cols = _export_columns(name)
    rows = _export_rows(out, name, docs)
    if tokens and name == "sentences":
        from .nlp import with_tokens

        rows, cols = with_tokens(rows), cols + ["tokens"]
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({c: _jsonable(row[c]) for c in cols}, ensure_ascii=False) + "\n")
    return path


def _write_xlsx(out: str, names: list[str], docs: dict, path: str) -> str:
    """One sheet per table (a table past Excel's row limit goes on in
    name_2, name_3 …), numbers as numbers so Excel sums them. Written row by
    row (openpyxl's write-only mode): memory does not grow with the table."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for n in names:
        cols = _export_columns(n)
        sheet, rows, part = None, XLSX_MAX_ROWS, 0
        for row in _export_rows(out, n, docs):
            if rows == XLSX_MAX_ROWS:
                part += 1
                sheet = wb.create_sheet(n if part == 1 else f"{n}_{part}")
                sheet.append(cols)
                rows = 1
            sheet.append([_xlsx_cell(sheet, row[c]) for c in cols])
            rows += 1
        if sheet is None:  # an empty table still gets its sheet and header
            wb.create_sheet(n).append(cols)
    wb.save(path)
    return path


def _xlsx_cell(sheet, v):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, (list, tuple)):
        v = json.dumps(_jsonable(v), ensure_ascii=False)
    if not isinstance(v, str):
        return v
    # Excel cells hold at most 32767 characters (the document text is cut
    # there) and no control characters (PDF text carries \f, \x0b)
    v = ILLEGAL_CHARACTERS_RE.sub("", v)[:32767]
    if v.startswith("="):  # text, never a formula Excel would run
        cell = WriteOnlyCell(sheet, value=v)
        cell.data_type = "s"
        return cell
    return v
