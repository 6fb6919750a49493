"""The dataset on disk: Parquet tables in OUT/, written atomically.

Re-running an ingest adds nothing: a document is keyed by ``doc_id`` (from
its bytes), an error by its ``source`` path.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from functools import lru_cache

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"

STR, INT, BOOL = pa.string(), pa.int64(), pa.bool_()
VALUE = pa.decimal128(30, 6)  # exact base-unit values: 32000000, 94.6
STATUSES = ("resolved", "in_progress", "planned", "reference", "closed")
KINDS = ("建议", "提案", "议案", "建议案", "建议提案")

# The dataset's schema, declared once: pyarrow schemas, write-time checks and
# docs/dataset.md all come from these rows.
# (column, type, required, allowed values or None, meaning, example)
COLUMNS: dict[str, list[tuple]] = {
    "documents": [
        ("doc_id", STR, True, None, "stable id: first 16 hex digits of the SHA-256 of the file's bytes", "9f766221bf5e611c"),
        ("source", STR, True, None, "the input path as given", "corpus/raw/001.txt"),
        ("format", STR, True, ("text", "html", "pdf", "docx"), "format read from the bytes", "html"),
        ("encoding", STR, False, None, "text encoding (text and html)", "gb18030"),
        ("title", STR, False, None, "the report's own title as written", "宝坻区2022年度…自评报告"),
        ("title_source", STR, False, ("text", "manifest"), "where title came from", "text"),
        ("region", STR, False, None, "administrative chain of the reporting unit's place", "天津市宝坻区"),
        ("region_source", STR, False, ("text", "manifest", "url"),
         "where region came from (url: the source address, from the manifest or a sidecar NAME.json)", "text"),
        ("year", pa.int32(), False, None, "handling year the report is about", "2022"),
        ("year_source", STR, False, ("text", "manifest"), "where year came from", "text"),
        ("year_inferred", BOOL, True, None, "year taken from the publication date only", "false"),
        ("year_basis", STR, False, None, "the rule that decided the year (extractors/resources/precedence.yaml "
         "document.year, in its order: results_year, title_year, title_session, delivery_line, reply_letter_date, "
         "session_looking_back, opening_year, session_held, deadline, main_session, national_session, "
         "finished_figures, compared_years, published_early, published) or manifest", "title_year"),
        ("published", STR, False, None, "publication date YYYY-MM-DD", "2022-11-30"),
        ("published_source", STR, False, ("text", "manifest"), "where published came from", "text"),
        ("publisher", STR, False, None, "the 来源/发布单位 field", "区政府办公室"),
        ("genre", STR, False, ("reply_letter", "news", "cppcc_report", "gov_report_npc", "self_evaluation"),
         "what kind of text it is, from its own words (extractors/genre.py); null where it says too little",
         "reply_letter"),
        ("page_title", STR, False, None, "the web page's <title>", "…_宝坻区人民政府"),
        ("source_url", STR, False, None, "from the manifest, or `source_url` of a sidecar NAME.json beside the file",
         "https://…"),
        ("n_chars", INT, True, None, "characters of text", "4156"),
        ("n_pages", pa.int32(), False, None, "pages (PDF)", "4"),
        ("page_starts", pa.list_(INT), False, None, "offset in text where each page starts (PDF)", "[0, 1170, 2599]"),
        ("n_tables", pa.int32(), True, None, "tables kept as tables", "1"),
        ("warnings", pa.list_(STR), True, None, "numbers that do not add up, not-a-report, reader notes",
         "[\"sum_mismatch: …\"]"),
        ("duplicate_of", STR, False, None, "the same report is already in the dataset under another file (its PDF "
         "and its web page, a re-hosted or Traditional-character copy: near-duplicate text with the same numbers, "
         "pipeline/dedupe.py): doc_id of the first one — the one that was in the dataset first, else the earliest "
         "by source path. Its rows are kept; series and proposal_links count the report once", "9f766221bf5e611c"),
        ("text", pa.large_string(), True, None, "the document text every offset points into", "…"),
    ],
    "errors": [
        ("source", STR, True, None, "the input path as given", "in/scan.pdf"),
        ("doc_id", STR, False, None, "id of the bytes, where they could be read", "84fd36a40ca7b60f"),
        ("stage", STR, True, ("open", "sniff", "decode", "read", "parse", "dedupe", "extract", "timeout",
                              "memory"),
         "where it failed (timeout, memory: reading and extracting the file took longer, or more memory, than the "
         "per-file limit)", "read"),
        ("error", STR, True, None, "stable error code", "no_text_layer"),
        ("message", STR, True, None, "what happened and what to do", "scanned PDF: … (OCR it first)"),
    ],
    "indicators": [
        ("doc_id", STR, True, None, "document", "9f766221bf5e611c"),
        ("year", pa.int32(), False, None, "the document's handling year (the partition key of large tables)", "2022"),
        ("value", VALUE, True, None, "value in base units (multiplier applied)", "32000000"),
        ("value_max", VALUE, False, None, "upper end of a range", "50000"),
        ("unit", STR, True, None, "unit without multiplier", "人次"),
        ("kind", STR, True, ("count", "measure", "money", "percent", "time"), "kind of unit", "count"),
        ("qualifier", STR, True, ("exact", "approx", "at_least", "at_most", "range"), "qualifier", "at_least"),
        ("role", STR, False, ("target",), "target for goals and plans", "target"),
        ("ref_year", pa.int32(), False, None, "another year the text ties the value to", "2021"),
        ("label", STR, False, None, "what is measured (jieba tokens before/after)", "全员核酸筛查"),
        ("section", STR, False, None, "heading path", "二、主要做法/(三)加强指导督办/1."),
        ("proposal_number", STR, False, None, "number of the proposal the section is about", "0125"),
        ("start", INT, True, None, "offset in documents.text", "612"),
        ("end", INT, True, None, "end offset (exclusive)", "620"),
        ("surface", STR, True, None, "text[start:end]", "3200万余人次"),
        ("sentence", STR, True, None, "the sentence around it", "…共计筛查3200万余人次,…"),
        ("page", pa.int32(), False, None, "page (PDF)", "2"),
        ("rule", STR, True, None, "extractor that produced the row", "quantity"),
    ],
    "proposals": [
        ("doc_id", STR, True, None, "document", "9f766221bf5e611c"),
        ("year", pa.int32(), False, None, "the document's handling year (the partition key of large tables)", "2022"),
        ("number", STR, True, None, "number as written, leading zeros kept", "0125"),
        ("kind", STR, False, KINDS[:4], "建议/提案/议案/建议案", "建议"),
        ("body", STR, False, ("人大", "政协"), "人大 or 政协", "人大"),
        ("session", STR, False, None, "session as written", "市十七届人大六次会议"),
        ("title", STR, False, None, "关于…的建议/提案 as written", "关于推进京津冀交通协同发展的建议"),
        ("role", STR, False, ("主办", "会办", "协办", "分办", "领办"), "the reporting unit's role", "会办"),
        ("status", STR, False, STATUSES, "canonical status (GOLD.md §4)", "resolved"),
        ("status_text", STR, False, None, "the wording the status came from", "已落实"),
        ("reading", STR, False, STATUSES[:4], "a reply letter's body read for its outcome where no rule states a "
         "status: evidence to check, not a status (right about half the time on letters nobody tuned on)",
         "in_progress"),
        ("reading_text", STR, False, None, "the wording the reading came from", "正在进行招标"),
        ("category", STR, False, None, "handling class as written", "A"),
        ("is_key", BOOL, True, None, "marked 重点", "false"),
        ("start", INT, True, None, "offset of the first numbered mention", "178"),
        ("end", INT, True, None, "end offset (exclusive)", "185"),
        ("surface", STR, True, None, "text[start:end]", "第0125号"),
        ("rule", STR, True, None, "the rule that decided each decided field (extractors/resources/precedence.yaml); `number` when none did", "status=item_words;role=own_unit;title=title_after"),
    ],
    "metrics": [
        ("doc_id", STR, True, None, "document", "9f766221bf5e611c"),
        ("year", pa.int32(), False, None, "the document's handling year (the partition key of large tables)", "2022"),
        ("metric", STR, True, ("count", "share", "reply_rate", "completion_rate", "on_time_rate", "satisfaction_rate",
                               "basic_satisfaction_rate", "contact_rate", "adoption_rate", "filing_rate",
                               "handling_units"), "canonical metric (GOLD.md §3)", "share"),
        ("value", VALUE, True, None, "the number", "58.07"),
        ("unit", STR, True, None, "unit", "%"),
        ("kind", STR, False, KINDS, "scope: kind", "建议"),
        ("body", STR, False, ("人大", "政协"), "scope: body", "人大"),
        ("level", STR, False, None, "scope: 全国/省/市/州/区/县", "市"),
        ("role", STR, False, None, "scope: role", "主办"),
        ("category", STR, False, None, "scope: handling class as written", "A"),
        ("status", STR, False, STATUSES, "scope: canonical status", "resolved"),
        ("topic", STR, False, None, "scope: topic", "财政经济"),
        ("channel", STR, False, ("大会", "闭会", "平时"), "scope: during / between sessions", "大会"),
        ("group", STR, False, None, "scope: other named subgroup", "集体"),
        ("is_key", BOOL, False, None, "scope: 重点", "true"),
        ("ref_year", pa.int32(), False, None, "another year than the report's", "2021"),
        ("start", INT, True, None, "offset in documents.text", "1402"),
        ("end", INT, True, None, "end offset (exclusive)", "1408"),
        ("surface", STR, True, None, "text[start:end]", "58.07%"),
        ("rule", STR, True, None, "the rule that named the metric and decided each scope field (own_words, sub_count_of_total, sentence_context, sentence_level, sentence_body, document_kind, share_of_count, filing_group, filing_frame, list_predicate, rate_phrase, …)", "metric=count_unit;kind=own_words;level=sentence_level"),
    ],
    "sentences": [
        ("doc_id", STR, True, None, "document", "9f766221bf5e611c"),
        ("year", pa.int32(), False, None, "the document's handling year (the partition key of large tables)", "2022"),
        ("n", pa.int32(), True, None, "0-based order in the document", "12"),
        ("start", INT, True, None, "offset in documents.text", "1380"),
        ("end", INT, True, None, "end offset (exclusive)", "1409"),
        ("section", STR, False, None, "heading path over it; null before the first heading",
         "一、承办情况/(二)办理结果"),
        ("text", STR, True, None, "documents.text[start:end]: one sentence as the extractors see one (text between "
         "。！？!? or a line break; extractors/context.py), as written", "共承办建议6件,已全部办结。"),
    ],
    # Derived tables (pipeline/compare.py): rebuilt from the tables above after
    # each ingest and by `jyta compare`.
    "series": [
        ("series_id", STR, True, None, "one series: region + measure + scope (+ unit for indicators)", "3f0c…"),
        ("region", STR, True, None, "canonical administrative chain the documents are about", "湖北省武汉市"),
        ("region_code", STR, False, None, "adcode of the region, where one is known", "420100"),
        ("series_type", STR, True, ("metric", "indicator"), "a report metric or a numeric indicator", "metric"),
        ("measure", STR, True, None, "canonical metric, or the indicator's label", "satisfaction_rate"),
        ("scope", STR, False, None, "the metric's scope fields, k=v;… (category stands for its status)",
         "kind=建议;category=A"),
        ("unit", STR, True, None, "unit", "%"),
        ("year", pa.int32(), True, None, "the year the value is about", "2021"),
        ("year_basis", STR, True, ("text", "published", "session", "ref_year"),
         "where the year came from: the document's year as stated, its publication date, a session of a term "
         "another document ties to a year, or a year the text gives the value", "session"),
        ("value_type", STR, True, ("level", "change"), "a value, or a change the text states (较上年提高2个百分点)",
         "level"),
        ("value", VALUE, True, None, "the value (a change: signed)", "97.3"),
        ("change_abs", VALUE, False, None, "value minus the previous year's value in the series", "0.9"),
        ("change_rel", pa.float64(), False, None, "change_abs / previous value", "0.0093"),
        ("conflict", BOOL, True, None, "another document of the same reporting unit states a different value "
                                      "for this year", "false"),
        ("link_score", pa.float64(), False, None, "indicators: label similarity to the series (0–100)", "91.7"),
        ("doc_id", STR, True, None, "document the value comes from", "9f766221bf5e611c"),
        ("reporting_unit", STR, False, None, "the organ that reports, from the title or 来源", "民政局"),
        ("start", INT, True, None, "offset in documents.text", "1402"),
        ("end", INT, True, None, "end offset (exclusive)", "1408"),
        ("surface", STR, True, None, "text[start:end]", "97.3%"),
    ],
    "proposal_links": [
        ("region", STR, True, None, "canonical region of both documents", "山东省青岛市"),
        ("score", pa.float64(), True, None, "title similarity 0–100: rapidfuzz on the normalized titles "
                                            "(characters, and jieba content words)", "88.9"),
        ("recurring", BOOL, True, None, "score at or above the recurring threshold: the same problem raised again",
         "true"),
        ("from_doc_id", STR, True, None, "earlier document", "9f766221bf5e611c"),
        ("from_year", pa.int32(), True, None, "its year", "2021"),
        ("from_number", STR, True, None, "proposal number as written", "0125"),
        ("from_kind", STR, False, KINDS[:4], "its kind (a problem may come back as another kind)", "建议"),
        ("from_title", STR, True, None, "title", "关于…的建议"),
        ("from_start", INT, True, None, "offset of the earlier proposal in its documents.text", "178"),
        ("from_end", INT, True, None, "end offset (exclusive)", "185"),
        ("from_surface", STR, True, None, "its text[from_start:from_end]", "第0125号"),
        ("to_doc_id", STR, True, None, "later document", "1c0ffee2bf5e611c"),
        ("to_year", pa.int32(), True, None, "its year", "2022"),
        ("to_number", STR, True, None, "proposal number as written", "0031"),
        ("to_kind", STR, False, KINDS[:4], "its kind", "提案"),
        ("to_title", STR, True, None, "title", "关于…的建议"),
        ("start", INT, True, None, "offset of the later proposal in its documents.text", "212"),
        ("end", INT, True, None, "end offset (exclusive)", "219"),
        ("surface", STR, True, None, "its text[start:end]", "第0031号"),
    ],
}

TABLES = {name: pa.schema([pa.field(c[0], c[1], nullable=not c[2]) for c in cols]) for name, cols in COLUMNS.items()}


class DatasetError(Exception):
    """A mistake in what the caller gave (a dataset folder, a table, a
    destination, an empty query), or a dataset that cannot be read: the
    message says it in one line."""


class DamagedTable(DatasetError):
    """A file of the dataset that cannot be read, or does not hold its table."""

    def __init__(self, out: str, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path} cannot be read ({reason}); `jyta doctor {out}` checks every table")


class SchemaError(ValueError):
    """A row that breaks the declared schema: a bug, never a file shipped."""


def validate(name: str, rows: list[dict]) -> None:
    """Known columns only, required values present, allowed values only,
    non-empty spans (that a span points at its surface is checked on every
    corpus row by tests/test_accuracy_gate.py)."""
    names, required, allowed = _rules(name)
    for i, r in enumerate(rows):
        # the checks in one pass over the row; a row that fails is explained by _explain
        if (not names.issuperset(r) or any(r.get(c) is None for c in required)
                or any(r.get(c) is not None and r[c] not in vals for c, vals in allowed)
                or ("start" in r and not (0 <= r["start"] < r["end"]))):
            _explain(name, i, r)


@lru_cache(maxsize=None)
def _rules(name: str) -> tuple[frozenset, tuple, tuple]:
    """A table's column names, required columns and (column, allowed values),
    worked out once: validate() runs on every row of every document."""
    cols = COLUMNS[name]
    return (frozenset(c[0] for c in cols), tuple(c[0] for c in cols if c[2]),
            tuple((c[0], c[3]) for c in cols if c[3] is not None))


def _explain(name: str, i: int, r: dict) -> None:
    """The SchemaError of a row that fails validate(), naming the first fault."""
    cols = COLUMNS[name]
    extra = set(r) - {c[0] for c in cols}
    if extra:
        raise SchemaError(f"{name} row {i}: unknown columns {sorted(extra)}")
    for col, _, required, allowed, *_ in cols:
        v = r.get(col)
        if v is None:
            if required:
                raise SchemaError(f"{name} row {i}: {col} is required")
            continue
        if allowed is not None and v not in allowed:
            raise SchemaError(f"{name} row {i}: {col}={v!r} not in {allowed}")
    if "start" in r and not (0 <= r["start"] < r["end"]):
        raise SchemaError(f"{name} row {i}: bad span {r['start']}–{r['end']}")


def describe() -> str:
    """docs/dataset.md, generated from COLUMNS (tests check it is current)."""
    out = ["# The jyta dataset", "",
           f"Schema version {SCHEMA_VERSION}. Generated from `pipeline/dataset.py` — edit the schema there and run",
           "`python -m pipeline.dataset > docs/dataset.md`.", "",
           "Every table is a Parquet file `OUT/<table>.parquet`; the file metadata holds `jyta.schema_version`",
           "and `jyta.version`. Offsets are half-open `[start, end)` into `documents.text` of the same `doc_id`,",
           "and `text[start:end] == surface` holds on every row.", ""]
    for name, cols in COLUMNS.items():
        out += [f"## {name}", "", "| column | type | required | values | meaning | example |", "|---|---|---|---|---|---|"]
        for col, typ, required, allowed, meaning, example in cols:
            vals = ", ".join(allowed) if allowed else ""
            out.append(f"| `{col}` | {typ} | {'yes' if required else 'null allowed'} | {vals} | {meaning} | {example} |")
        out.append("")
    return "\n".join(out)


# A table with more rows than this is written as a folder partitioned by
# year (OUT/indicators/year=2022/…parquet): a province's archive over years
# stays readable one year at a time.
PARTITION_ROWS = 1_000_000
PARTITIONABLE = ("indicators", "metrics", "proposals", "sentences")

# One writer at a time (OUT/.jyta.lock), and every change to the tables is a
# transaction: the new version of each table it writes is staged beside the
# old one (OUT/.<table>.<tx>-<n>.parquet, or .d for a partitioned folder),
# then the commit record OUT/.jyta-commit.json is put in place with one
# os.replace — the moment the new dataset exists — and the staged files are
# renamed over the old ones; the record goes last. Until it goes, readers
# take a table from its staged file, so they see the old dataset or the new
# one whatever moment a writer is killed; the next writer finishes the
# renames of a record it finds and deletes whatever a killed one left.
LOCK = ".jyta.lock"
JOURNAL = ".jyta-commit.json"
_NAMES = "|".join(TABLES)
_LEFTOVER = re.compile(
    rf"^\.(?:{_NAMES})\.[0-9a-f]+(?:-\d+)?\.(?:parquet|d|old|tmp|parquet\.tmp)$"  # staged, set aside, older temps
    rf"|^(?:{_NAMES})\.old$"  # a partitioned folder set aside by an older jyta
    r"|^\.jyta\..+\.duckdb\.tmp(?:\.wal)?$|^\.jyta-commit\.json\..+\.tmp$|^compare\.json\.tmp$|^\.dedupe\.parquet\.tmp$")
_local = threading.local()  # per thread: the locks held and the transactions open (a service has many threads)


def table_path(out: str, name: str) -> str:
    return os.path.join(out, f"{name}.parquet")


def partition_dir(out: str, name: str) -> str:
    return os.path.join(out, name)


def location(out: str, name: str) -> str | None:
    """Where the table's current version is — its file, its year-partitioned
    folder, the version this thread's open transaction staged, or the staged
    version a commit record names until it is renamed in — or None."""
    tx = _active(out)
    if tx is not None and name in tx.staged:
        return tx.staged[name]
    pending = _pending(out)
    if name in pending:
        if pending[name] is None:
            return None
        staged = os.path.join(out, pending[name])
        if os.path.exists(staged):
            return staged
    if os.path.isfile(table_path(out, name)):
        return table_path(out, name)
    if os.path.isdir(partition_dir(out, name)):
        return partition_dir(out, name)
    return None


def exists(out: str, name: str) -> bool:
    return location(out, name) is not None


def _open(path: str, name: str):
    import pyarrow.dataset as pads

    if os.path.isdir(path):
        return pads.dataset(path, format="parquet", partitioning="hive", schema=TABLES[name])
    return pads.dataset(path, format="parquet", schema=TABLES[name])


def arrow_dataset(out: str, name: str):
    """The table's current version (as `location` finds it) as a pyarrow dataset,
    for a query engine to scan."""
    return _open(location(out, name) or partition_dir(out, name), name)


def _reason(e: Exception) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _read(out: str, name: str, fn, retry: bool = True):
    path = location(out, name)
    if path is None:
        return []
    try:
        return fn(_open(path, name))
    except FileNotFoundError:
        if retry:  # a commit renamed the staged file in meanwhile: the table is where it now is
            return _read(out, name, fn, retry=False)
        raise
    except (pa.ArrowException, OSError) as e:
        raise DamagedTable(out, path, _reason(e)) from None


def read_rows(out: str, name: str) -> list[dict]:
    return _read(out, name, lambda data: data.to_table().to_pylist())


def write_rows(out: str, name: str, rows: list[dict]) -> None:
    """Write a whole table atomically: a reader sees the old file or the new
    one, never half of one."""
    validate(name, rows)
    stream_rows(out, name, to_table(name, rows).to_batches())


def columns_of(out: str, name: str, columns: list[str]) -> list[dict]:
    """Only some columns of a table (documents without their text: what a
    batch needs to know of what is already there)."""
    return _read(out, name, lambda data: data.to_table(columns=columns).to_pylist())


def iter_batches(path: str, name: str, batch_size: int = 2048, out: str | None = None, **scan):
    """Record batches of a table file or a year-partitioned folder, one at a
    time (``scan``: columns, filter). A file that cannot be read is named."""
    try:
        direct = _direct(path, name, scan)
        if direct is not None:
            columns = scan.get("columns")
            for b in direct.iter_batches(batch_size=batch_size, columns=columns, use_threads=scan.get("use_threads", True)):
                yield b.select(columns) if columns else b
            return
        yield from _open(path, name).to_batches(batch_size=batch_size, **scan)
    except (pa.ArrowException, OSError) as e:
        raise DamagedTable(out or os.path.dirname(path), path, _reason(e)) from None


def _direct(path: str, name: str, scan: dict):
    """The file as a plain Parquet reader, where no dataset scan is needed: one
    file of exactly the table's schema (a staged chunk, a table this version
    wrote), read whole or by columns. pyarrow.dataset costs its import (0.06 s
    of a one-file ingest) and a scan's threads."""
    if set(scan) - {"columns", "use_threads"} or not os.path.isfile(path):
        return None
    pf = pq.ParquetFile(path)
    return pf if pf.schema_arrow.equals(TABLES[name], check_metadata=False) else None


def iter_table(out: str, name: str, batch_size: int = 2048, **scan):
    """Record batches of a table's current version (nothing if it has none)."""
    path = location(out, name)
    if path is not None:
        yield from iter_batches(path, name, batch_size, out, **scan)


# --- damage -------------------------------------------------------------------------------------------------------

def _compatible(have: pa.DataType, want: pa.DataType) -> bool:
    if have == want or pa.types.is_null(have):
        return True
    for kind in (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal, pa.types.is_boolean):
        if kind(have) and kind(want):
            return True
    if (pa.types.is_string(have) or pa.types.is_large_string(have)) and (
            pa.types.is_string(want) or pa.types.is_large_string(want)):
        return True
    if pa.types.is_list(have) and pa.types.is_list(want):
        return _compatible(have.value_type, want.value_type)
    return False


def schema_problem(schema: pa.Schema, name: str) -> str | None:
    """Why a file's columns cannot hold the table (a required column missing,
    a column of another type), or None. Columns a later jyta added may be
    missing: they read as nulls."""
    for col, typ, required, *_ in COLUMNS[name]:
        i = schema.get_field_index(col)
        if i < 0:
            if required and not (col == "year" and name in PARTITIONABLE):
                return f"no column {col}"
        elif not _compatible(schema.field(i).type, typ):
            return f"column {col} is {schema.field(i).type}, not {typ}"
    return None


def file_problem(path: str, name: str) -> str | None:
    """Why one Parquet file is not a readable piece of the table, from its
    footer and schema (the pages are read by whoever reads them), or None."""
    try:
        schema = pq.ParquetFile(path).schema_arrow
    except (pa.ArrowException, OSError) as e:
        return _reason(e)
    return schema_problem(schema, name)


def table_files(path: str) -> list[str]:
    """The Parquet files of a table file or folder."""
    if not os.path.isdir(path):
        return [path]
    return sorted(os.path.join(root, f) for root, _, files in os.walk(path) for f in files if f.endswith(".parquet"))


def table_problem(out: str, name: str) -> tuple[str, str] | None:
    """(the file, why) where the table's current version cannot be read."""
    path = location(out, name)
    if path is None:
        return None
    files = table_files(path)
    if not files:
        return path, "a table folder without Parquet files"
    for f in files:
        problem = file_problem(f, name)
        if problem:
            return f, problem
    return None


def check_readable(out: str) -> None:
    """Raise DamagedTable for the first table whose files cannot be read, or a
    commit record that is no commit record."""
    if os.path.exists(os.path.join(out, JOURNAL)) and _read_journal(out) is None:
        raise DamagedTable(out, os.path.join(out, JOURNAL), "not a commit record")
    for name in TABLES:
        problem = table_problem(out, name)
        if problem:
            raise DamagedTable(out, *problem)


# --- one writer, transactions -------------------------------------------------------------------------------------

def _key(out: str) -> str:
    return os.path.realpath(out)


def _state(attr: str) -> dict:
    if not hasattr(_local, attr):
        setattr(_local, attr, {})
    return getattr(_local, attr)


@contextmanager
def exclusive(out: str):
    """One writer at a time on a dataset folder (a CLI ingest, a compare, the
    service's store, another process): an exclusive lock on OUT/.jyta.lock,
    waited for. Reentrant within a thread (an ingest rebuilds the derived
    tables as `jyta compare` does); another thread waits like another process."""
    held, key = _state("held"), _key(out)
    if key in held:
        yield
        return
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, LOCK), "a+") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except ImportError:  # not on POSIX: no lock
            pass
        held[key] = True
        try:
            yield
        finally:
            del held[key]  # closing the file releases the lock


class Transaction:
    def __init__(self, out: str):
        self.out = out
        self.id = uuid.uuid4().hex[:16]
        self.staged: dict[str, str | None] = {}  # table → its new version's path, None: removed
        self.after: list = []  # what is done once the new dataset is in place
        self.committed = False
        self._n = 0

    def new_path(self, name: str, folder: bool = False) -> str:
        self._n += 1
        return os.path.join(self.out, f".{name}.{self.id}-{self._n}.{'d' if folder else 'parquet'}")

    def stage(self, name: str, path: str | None) -> None:
        old = self.staged.get(name)
        self.staged[name] = path
        if old and old != path:
            _remove_path(old)


def _active(out: str) -> Transaction | None:
    txs = getattr(_local, "txs", None)
    return txs.get(_key(out)) if txs else None


@contextmanager
def transaction(out: str):
    """Every table written or removed inside is switched in at the end, all at
    once; an exception (or a kill) before that leaves the dataset as it was.
    Inside, this thread reads the new versions it wrote. Nested: one
    transaction. Holds the lock; a commit a killed writer left is finished first."""
    txs, key = _state("txs"), _key(out)
    if key in txs:
        yield txs[key]
        return
    with exclusive(out):
        recover(out)
        tx = txs[key] = Transaction(out)
        try:
            yield tx
            _commit(tx)
        except BaseException:
            if not tx.committed:
                for path in tx.staged.values():
                    if path:
                        _remove_path(path)
            raise
        finally:
            del txs[key]
        for fn in tx.after:
            fn()


def after_commit(out: str, fn) -> None:
    """Run ``fn`` once the open transaction's tables are in place (now if none is open)."""
    tx = _active(out)
    if tx is None:
        fn()
    else:
        tx.after.append(fn)


def _commit(tx: Transaction) -> None:
    if not tx.staged:
        return
    tables = {name: os.path.basename(p) if p else None for name, p in tx.staged.items()}
    tmp = os.path.join(tx.out, f"{JOURNAL}.{tx.id}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"tx": tx.id, "tables": tables}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, os.path.join(tx.out, JOURNAL))  # the commit
    tx.committed = True
    _apply(tx.out, tables)
    os.unlink(os.path.join(tx.out, JOURNAL))


def _read_journal(out: str) -> dict | None:
    try:
        with open(os.path.join(out, JOURNAL), encoding="utf-8") as fh:
            record = json.load(fh)
        tables = record["tables"]
        if isinstance(tables, dict) and all(t in TABLES and (p is None or isinstance(p, str) and "/" not in p)
                                            for t, p in tables.items()):
            return tables
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _pending(out: str) -> dict:
    if not os.path.exists(os.path.join(out, JOURNAL)):
        return {}
    return _read_journal(out) or {}


def _apply(out: str, tables: dict[str, str | None]) -> None:
    """Rename each staged version over its table; done again after a kill, it
    does what is left."""
    for name, staged in tables.items():
        file, folder = table_path(out, name), partition_dir(out, name)
        src = os.path.join(out, staged) if staged else None
        if src and os.path.exists(src):
            if staged.endswith(".d"):
                _unlink(file)  # readers take the staged folder until it is renamed in
                _set_aside(out, name, folder)
                os.replace(src, folder)
            else:
                os.replace(src, file)
        if staged is None or staged.endswith(".parquet"):
            _set_aside(out, name, folder)  # the table's other form goes
        if staged is None:
            _unlink(file)


def recover(out: str) -> bool:
    """Finish a commit a killed writer left, then delete what killed writers
    left behind: staged versions never committed, temp files of merges,
    of the database and of the settings. Call with the lock held. Returns
    whether a commit was finished."""
    if not os.path.isdir(out):
        return False
    finished = False
    if os.path.exists(os.path.join(out, JOURNAL)):
        tables = _read_journal(out)
        if tables is None:
            raise DamagedTable(out, os.path.join(out, JOURNAL), "not a commit record; "
                               "`jyta doctor --repair` removes it")
        _apply(out, tables)
        os.unlink(os.path.join(out, JOURNAL))
        finished = True
    for entry in leftovers(out):
        _remove_path(os.path.join(out, entry))
    return finished


def leftovers(out: str) -> list[str]:
    """Names in OUT that killed writers left (and a live transaction's staged files)."""
    return sorted(e for e in os.listdir(out) if _LEFTOVER.match(e))


def _unlink(path: str) -> None:
    if os.path.isfile(path) or os.path.islink(path):
        os.unlink(path)


def _set_aside(out: str, name: str, folder: str) -> None:
    """A folder leaves its name at once (a rename), then is deleted."""
    if os.path.isdir(folder):
        aside = os.path.join(out, f".{name}.{uuid.uuid4().hex}.old")
        os.replace(folder, aside)
        shutil.rmtree(aside, ignore_errors=True)


def _remove_path(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.unlink(path)


def stream_rows(out: str, name: str, batches) -> int:
    """Write a table from record batches as they come (never the whole table
    in memory) as a new version, switched in when the transaction commits
    (its own if none is open); a table past PARTITION_ROWS becomes a
    year-partitioned folder. Returns the number of rows."""
    from . import __version__

    schema = TABLES[name].with_metadata({
        "jyta.schema_version": SCHEMA_VERSION, "jyta.version": __version__, "jyta.table": name})
    with transaction(out) as tx:
        path = tx.new_path(name)
        n = 0
        try:
            with pq.ParquetWriter(path, schema) as writer:
                for b in batches:
                    if b.num_rows:
                        t = pa.Table.from_batches([b])
                        # a cast only where the types differ (an old file's): it imports pyarrow.compute
                        writer.write_table(t if t.schema.equals(schema, check_metadata=False) else t.cast(schema))
                        n += b.num_rows
            if name in PARTITIONABLE and n > PARTITION_ROWS:
                folder = tx.new_path(name, folder=True)
                try:
                    _write_partitioned(folder, pq.ParquetFile(path).iter_batches(), schema)
                finally:
                    os.unlink(path)
                path = folder
        except BaseException:
            _remove_path(path)
            raise
        tx.stage(name, path)
    return n


class _NoPandas:
    """An import finder that says pandas is not there."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not imported for converting lists", name="pandas")
        return None


def arrow_without_pandas() -> None:
    """For a process of ours that hands pyarrow Python lists only (the CLI's
    ingest, its worker processes): pyarrow's first conversion of a list
    imports pandas to tell pandas objects apart (0.2 s, a seventh of a
    one-file ingest). Told here that pandas is not there, it converts lists
    as before; asked for pandas later (to_pandas), it imports it then."""
    import sys

    if "pandas" in sys.modules:
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])  # pyarrow looks for pandas once per process: here
    finally:
        sys.meta_path.remove(finder)


def to_table(name: str, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=TABLES[name])


def write_file(path: str, name: str, rows: list[dict]) -> None:
    """One table's rows into one file (a staged chunk), atomically. The rows
    were validated where they were made (pipeline.workers.process)."""
    tmp = path + ".tmp"
    pq.write_table(to_table(name, rows), tmp)
    os.replace(tmp, path)


def remove(out: str, name: str) -> None:
    with transaction(out) as tx:
        tx.stage(name, None)


def _write_partitioned(folder: str, batches, schema) -> None:
    """The table as a year-partitioned folder (0777 less the umask, like any
    folder: mkdtemp's would be 0700)."""
    import pyarrow.dataset as pads

    os.mkdir(folder)
    try:
        pads.write_dataset(pa.RecordBatchReader.from_batches(schema, batches), folder, format="parquet",
                           partitioning=["year"], partitioning_flavor="hive",
                           existing_data_behavior="overwrite_or_ignore")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


if __name__ == "__main__":
    print(describe())
