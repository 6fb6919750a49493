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
from .dataset import DatasetError  # noqa: F401  (raised here; callers catch it from store)

DB_NAME = "jyta.duckdb"
FORMATS = ("csv", "jsonl", "xlsx", "spacy")
# what an analysis of any table needs of its document: exported beside every doc id
DOC_FIELDS = ("region", "year", "title")
DERIVED = ("series", "proposal_links")  # built by `jyta compare`
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included


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


def _sql_literal(pattern: str) -> str:
    """A path as a quoted SQL string DuckDB's readers take literally: a
    folder may be named bob's [2023] or a*b?, and DuckDB globs every path it
    reads (so * ? [ become one-character classes) — a view takes no parameters."""
    escaped = re.sub(r"([*?\[])", r"[\1]", pattern)
    return "'" + escaped.replace("'", "''") + "'"


def _source(out: str, name: str) -> str:
    """DuckDB's reader for a table: one file, or a year-partitioned folder."""
    path = os.path.abspath(dataset.location(out, name)).replace("\\", "/")
    if not os.path.isdir(path):
        return f"read_parquet({_sql_literal(path)})"
    return f"read_parquet({_sql_literal(path)[:-1]}/**/*.parquet', hive_partitioning = true)"


def _create_views(con, out: str) -> dict[str, str]:
    """A view per table; a table DuckDB cannot open gets none, so the others
    still answer. Returns those left out: table → why."""
    import duckdb

    left_out = {}
    for name in _present(out):
        try:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {_source(out, name)}")
        except duckdb.Error as e:
            problem = dataset.table_problem(out, name)
            left_out[name] = str(dataset.DamagedTable(out, *problem)) if problem else _first_line(e)
    return left_out


def _first_line(e: Exception) -> str:
    return next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)


def connect(out: str):
    """An in-memory DuckDB with one view per Parquet table of ``out``:
    always the current files, wherever the folder has moved. A path without
    a dataset is refused (an empty database would answer with DuckDB's own
    catalog tables)."""
    import duckdb

    require(out)
    con = duckdb.connect()
    _create_views(con, out)
    return con


def write_database(out: str) -> str:
    """OUT/jyta.duckdb for tools that open a DuckDB file: one view per Parquet
    table (absolute paths), replaced atomically after each ingest and
    compare. Views, not copies: the Parquet files are the dataset, and
    copying them would cost memory and disk in proportion to the archive.
    After moving OUT, `jyta ingest` or `jyta compare` on it writes them again."""
    import shutil

    import duckdb

    # built in a folder of our own, then copied beside the tables: DuckDB cuts
    # a database path at a '?' (a folder named a?b would get a.wal?b/…); under
    # the writers' lock (a writer starting deletes the temp files it finds)
    with dataset.exclusive(out), tempfile.TemporaryDirectory(prefix="jyta-db-") as work:
        built = os.path.join(work, DB_NAME)
        # one thread: the file holds views only, and starting DuckDB's thread pool
        # cost more than the views took (a tenth of a one-file ingest's own work)
        con = duckdb.connect(built, config={"threads": 1})
        try:
            _create_views(con, out)
        finally:
            con.close()
        tmp = os.path.join(out, f".jyta.{os.urandom(6).hex()}.duckdb.tmp")
        try:
            shutil.copyfile(built, tmp)  # a new file: the mode the umask allows
            os.replace(tmp, os.path.join(out, DB_NAME))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
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
        if missing[1] in dataset.TABLES and dataset.exists(out, missing[1]):
            problem = dataset.table_problem(out, missing[1])  # there, but DuckDB could not open it
            if problem:
                raise dataset.DamagedTable(out, *problem) from None
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
    ids = _id_columns(name)
    for batch in dataset.iter_table(out, name):
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


FORMULA_START = ("=", "+", "-", "@")  # what Excel and LibreOffice read as the start of a formula


def _csv_cell(v):
    """A value for a flat file: lists as JSON, numbers as written (6, 58.07,
    2021 — not 6.0 or 2021.0), missing as empty; text that would start a
    formula (a title `=HYPERLINK(…)`, `-5%` as written) gets a leading `'`,
    so a spreadsheet shows it and never runs it."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (Integral, Decimal, float)):
        return number_text(v)
    if isinstance(v, (list, tuple)):
        return json.dumps(_jsonable(v), ensure_ascii=False)
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
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


# --- jyta doctor ----------------------------------------------------------------------------------------------------

# the evidence spans of each table: (doc id column, start, end, surface), checked as text[start:end] == surface
SPANS = {
    "indicators": [("doc_id", "start", "end", "surface")],
    "metrics": [("doc_id", "start", "end", "surface")],
    "proposals": [("doc_id", "start", "end", "surface")],
    "sentences": [("doc_id", "start", "end", "text")],
    "series": [("doc_id", "start", "end", "surface")],
    "proposal_links": [("from_doc_id", "from_start", "from_end", "from_surface"), ("to_doc_id", "start", "end", "surface")],
}
REBUILT = ("indicators", "metrics", "proposals", "documents")  # what the derived tables are built from


class Finding:
    """What the doctor found about one file: ok (with its rows), a note, or damage."""

    def __init__(self, file: str, status: str, message: str, repairable: bool = False):
        self.file, self.status, self.message, self.repairable = file, status, message, repairable

    def __repr__(self) -> str:
        return f"Finding({self.file!r}, {self.status!r}, {self.message!r})"


def check(out: str, sample: int | None = None) -> list[Finding]:
    """Every table of ``out`` verified: its files readable with the declared
    columns, its rows counted, every row's document in documents, and its
    evidence spans text[start:end] == surface (all rows, or ``sample`` rows
    of each table); the database file, the caches, a run cut off. Damage is
    status "damaged", repairable where `repair` can rebuild it."""
    require(out)
    found = _check_run(out)
    readable = []
    for name in dataset.TABLES:
        f = _check_table(out, name)
        if f is not None:
            found.append(f)
            readable += [name] if f.status == "ok" else []
    found += _check_missing(out, readable)
    if "documents" in readable:
        found += _check_rows(out, readable, sample)
    found += _check_side_files(out, readable)
    return found


def _rel(out: str, path: str) -> str:
    return os.path.relpath(path, out)


def _writer_running(out: str) -> bool:
    """Whether a writer holds OUT's lock now (its staged files are no litter)."""
    path = os.path.join(out, dataset.LOCK)
    if not os.path.exists(path):
        return False
    try:
        import fcntl
    except ImportError:
        return False
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def _check_run(out: str) -> list[Finding]:
    if _writer_running(out):
        return [Finding(dataset.LOCK, "note", "a writer (an ingest, a compare) is running: the tables are checked "
                        "as it last committed them")]
    found = []
    if os.path.exists(os.path.join(out, dataset.JOURNAL)):
        ok = dataset._read_journal(out) is not None
        found.append(Finding(dataset.JOURNAL, "damaged" if not ok else "note",
                             "a run was killed while switching its tables in; readers see its new version, the next "
                             "ingest or --repair finishes it" if ok else "not a commit record; --repair removes it",
                             repairable=True))
    left = dataset.leftovers(out)
    if left:
        found.append(Finding(left[0], "note", f"{len(left)} temp files of killed runs; the next ingest or --repair "
                             "deletes them", repairable=True))
    staging = os.path.join(out, ".staging")
    if os.path.isdir(staging) and os.listdir(staging):
        found.append(Finding(".staging/", "note", "chunks of an ingest that was killed: the next ingest merges "
                             "the complete ones"))
    return found


def _check_table(out: str, name: str) -> Finding | None:
    path = dataset.location(out, name)
    if path is None:
        return None
    problem = dataset.table_problem(out, name)
    if problem:
        return Finding(_rel(out, problem[0]), "damaged", f"cannot be read: {problem[1]}", name in DERIVED)
    try:
        rows = sum(b.num_rows for b in dataset.iter_table(out, name, batch_size=8192))
    except dataset.DamagedTable as e:
        return Finding(_rel(out, e.path), "damaged", f"cannot be read: {e.reason}", name in DERIVED)
    return Finding(_rel(out, path), "ok", f"{rows} rows")


def _check_missing(out: str, readable: list[str]) -> list[Finding]:
    found = []
    if dataset.exists(out, "documents"):
        for name in ("indicators", "metrics", "proposals"):
            if not dataset.exists(out, name):
                found.append(Finding(_rel(out, dataset.table_path(out, name)), "damaged",
                                     "missing: the documents' rows of this table are gone"))
        if not dataset.exists(out, "sentences"):
            found.append(Finding(_rel(out, dataset.table_path(out, "sentences")), "note",
                                 "not written yet (a dataset of an earlier jyta): the next ingest writes it"))
    if os.path.exists(os.path.join(out, "compare.json")):
        for name in DERIVED:
            if not dataset.exists(out, name):
                found.append(Finding(_rel(out, dataset.table_path(out, name)), "damaged",
                                     "missing, though `jyta compare` built it", repairable=True))
    return found


def _check_rows(out: str, readable: list[str], sample: int | None) -> list[Finding]:
    """Rows against their documents, with DuckDB over the readable tables."""
    import duckdb

    con = duckdb.connect()
    found = []
    try:
        for name in readable:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {_source(out, name)}")
        path = _rel(out, dataset.location(out, "documents"))
        twice = con.execute("SELECT count(*) FROM (SELECT doc_id FROM documents GROUP BY doc_id "
                            "HAVING count(*) > 1)").fetchone()[0]
        if twice:
            found.append(Finding(path, "damaged", f"{twice} doc_ids on more than one document"))
        for name in readable:
            found += _row_findings(con, out, name, sample)
    finally:
        con.close()
    return found


def _row_findings(con, out: str, name: str, sample: int | None) -> list[Finding]:
    rows = f"(SELECT * FROM {name} USING SAMPLE {int(sample)} ROWS)" if sample else name
    path = _rel(out, dataset.location(out, name))
    found = []
    if name == "documents":
        n = con.execute("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL AND duplicate_of NOT IN "
                        "(SELECT doc_id FROM documents)").fetchone()[0]
        if n:
            found.append(Finding(path, "damaged", f"{n} documents marked duplicate_of a document that is not there"))
        return found
    for doc, start, end, surface in SPANS.get(name, []):
        orphans = con.execute(f"SELECT count(*), min({doc}) FROM {name} t WHERE {doc} NOT IN "
                              "(SELECT doc_id FROM documents)").fetchone()
        if orphans[0]:
            found.append(Finding(path, "damaged", f"{orphans[0]} rows whose {doc} is no document (first: "
                                 f"{orphans[1]}); --repair " + ("rebuilds the table" if name in DERIVED
                                                                else "deletes them"), repairable=True))
        bad = con.execute(
            f'SELECT count(*), min(t.{doc}) FROM {rows} t JOIN documents d '
            f'ON d.doc_id = t.{doc} WHERE substring(d.text, t."{start}" + 1, t."{end}" - t."{start}") '
            f'IS DISTINCT FROM t."{surface}"').fetchone()
        if bad[0]:
            found.append(Finding(path, "damaged", f"{bad[0]} rows whose {surface} is not text[{start}:{end}] "
                                 f"of their document (first in document {bad[1]})"
                                 + ("; --repair rebuilds the table" if name in DERIVED else ""),
                                 repairable=name in DERIVED))
    return found


def _check_side_files(out: str, readable: list[str]) -> list[Finding]:
    found = []
    db = os.path.join(out, DB_NAME)
    stale = _database_problem(out, db, readable)
    if stale:
        found.append(Finding(DB_NAME, "damaged", f"{stale}; --repair writes it again", repairable=True))
    cache = os.path.join(out, ".dedupe.parquet")
    if os.path.exists(cache):
        import pyarrow.parquet as pq

        try:
            pq.read_table(cache)
        except Exception as e:  # noqa: BLE001 — any failure to read the cache is damage to report
            found.append(Finding(".dedupe.parquet", "damaged", f"cannot be read ({dataset._reason(e)}); a cache: "
                                 "--repair deletes it and the next ingest computes it again", repairable=True))
    settings = os.path.join(out, "compare.json")
    if os.path.exists(settings) and _settings_problem(settings):
        found.append(Finding("compare.json", "damaged", f"{_settings_problem(settings)}; --repair writes "
                             "the default options of `jyta compare`", repairable=True))
    return found


def _database_problem(out: str, db: str, readable: list[str]) -> str | None:
    import duckdb

    if not os.path.exists(db):
        return "missing"
    try:
        con = duckdb.connect(db, read_only=True)
    except duckdb.Error as e:
        return f"cannot be opened ({_first_line(e)})"
    try:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        for name in readable:
            if name not in views:
                return f"has no view of {name}"
            try:
                con.execute(f"SELECT * FROM {name} LIMIT 0")
            except duckdb.Error as e:
                return f"its view of {name} does not read this folder's table ({_first_line(e)})"
            sql = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = ?", [name]).fetchone()[0]
            path = os.path.abspath(dataset.location(out, name)).replace("\\", "/")
            if _sql_literal(path)[:-1] not in sql:
                return f"its view of {name} reads another folder's table (the dataset was moved?)"
    finally:
        con.close()
    return None


def _settings_problem(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            kw = json.load(fh)
    except (OSError, ValueError) as e:
        return f"cannot be read ({dataset._reason(e)})"
    return None if isinstance(kw, dict) else "not the options of `jyta compare`"


def repair(out: str) -> list[str]:
    """What `jyta doctor --repair` can do without the source files: finish or
    clear a run cut off, delete damaged caches and temp files, delete rows
    whose document is gone, rebuild series and proposal_links from the tables
    (pipeline.compare) and the database file. Returns what it did, one line
    each; damage to the extracted tables themselves needs the sources again."""
    from . import compare

    require(out)
    done = []
    with dataset.exclusive(out):
        journal = os.path.join(out, dataset.JOURNAL)
        if os.path.exists(journal) and dataset._read_journal(out) is None:
            os.unlink(journal)
            done.append(f"removed {dataset.JOURNAL} (not a commit record)")
        left = len(dataset.leftovers(out))
        if dataset.recover(out):
            done.append("finished switching in the tables of a run killed during its commit")
        if left:
            done.append(f"deleted {left} temp files of killed runs")
        for f in _check_side_files(out, []):
            if f.file in (".dedupe.parquet", "compare.json"):
                os.unlink(os.path.join(out, f.file))
                done.append(f"deleted {f.file} ({f.message.split(';')[0]})")
        base_ok = all(dataset.exists(out, n) and not dataset.table_problem(out, n) for n in REBUILT)
        built = any(dataset.exists(out, n) for n in DERIVED) or os.path.exists(os.path.join(out, "compare.json"))
        with dataset.transaction(out):
            if dataset.exists(out, "documents") and not dataset.table_problem(out, "documents"):
                done += _drop_orphans(out)
            if base_ok and built:
                n = compare.refresh(out)
                done.append(f"rebuilt series ({n['series']} rows) and proposal_links ({n['proposal_links']} rows)")
            elif built:
                lost = next(n for n in REBUILT if not dataset.exists(out, n) or dataset.table_problem(out, n))
                done.append(f"series and proposal_links not rebuilt: they are built from {lost}, which "
                            "cannot be read")
        write_database(out)
        done.append(f"wrote {DB_NAME}")
    return done


def _drop_orphans(out: str) -> list[str]:
    """Rows of the extracted tables whose document is not in documents (a run
    of an earlier jyta stopped half-way) are deleted."""
    import pyarrow as pa

    ids = {d["doc_id"] for d in dataset.columns_of(out, "documents", ["doc_id"])}
    done = []
    for name in ("indicators", "metrics", "proposals", "sentences"):
        if not dataset.exists(out, name) or dataset.table_problem(out, name):
            continue
        orphans = sum(sum(d not in ids for d in b.column("doc_id").to_pylist())
                      for b in dataset.iter_table(out, name, columns=["doc_id"]))
        if not orphans:
            continue

        def kept(name=name):
            for b in dataset.iter_table(out, name):
                yield b.filter(pa.array([d in ids for d in b.column("doc_id").to_pylist()]))

        dataset.stream_rows(out, name, kept())
        done.append(f"deleted {orphans} rows of {name} whose document is gone")
    return done
