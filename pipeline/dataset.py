"""The dataset on disk: Parquet tables in OUT/, written atomically.

Re-running an ingest adds nothing: a document is keyed by ``doc_id`` (from
its bytes), an error by its ``source`` path.
"""
from __future__ import annotations

import os
import tempfile

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"

DOCUMENTS = pa.schema([
    ("doc_id", pa.string()),
    ("source", pa.string()),
    ("format", pa.string()),
    ("encoding", pa.string()),
    ("title", pa.string()),
    ("title_source", pa.string()),
    ("region", pa.string()),
    ("region_source", pa.string()),
    ("year", pa.int32()),
    ("year_source", pa.string()),
    ("year_inferred", pa.bool_()),
    ("published", pa.string()),
    ("published_source", pa.string()),
    ("publisher", pa.string()),
    ("page_title", pa.string()),
    ("source_url", pa.string()),
    ("n_chars", pa.int64()),
    ("n_pages", pa.int32()),
    ("page_starts", pa.list_(pa.int64())),
    ("n_tables", pa.int32()),
    ("warnings", pa.list_(pa.string())),
    ("text", pa.large_string()),
])

ERRORS = pa.schema([
    ("source", pa.string()),
    ("doc_id", pa.string()),
    ("stage", pa.string()),
    ("error", pa.string()),
    ("message", pa.string()),
])

VALUE = pa.decimal128(30, 6)  # exact base-unit values: 32000000, 94.6

INDICATORS = pa.schema([
    ("doc_id", pa.string()),
    ("value", VALUE),
    ("value_max", VALUE),
    ("unit", pa.string()),
    ("kind", pa.string()),
    ("qualifier", pa.string()),
    ("role", pa.string()),
    ("ref_year", pa.int32()),
    ("label", pa.string()),
    ("section", pa.string()),
    ("proposal_number", pa.string()),
    ("start", pa.int64()),
    ("end", pa.int64()),
    ("surface", pa.string()),
    ("sentence", pa.string()),
    ("page", pa.int32()),
    ("rule", pa.string()),
])

METRICS = pa.schema([
    ("doc_id", pa.string()),
    ("metric", pa.string()),
    ("value", VALUE),
    ("unit", pa.string()),
    ("kind", pa.string()),
    ("body", pa.string()),
    ("level", pa.string()),
    ("role", pa.string()),
    ("category", pa.string()),
    ("status", pa.string()),
    ("topic", pa.string()),
    ("channel", pa.string()),
    ("group", pa.string()),
    ("is_key", pa.bool_()),
    ("ref_year", pa.int32()),
    ("start", pa.int64()),
    ("end", pa.int64()),
    ("surface", pa.string()),
    ("rule", pa.string()),
])

PROPOSALS = pa.schema([
    ("doc_id", pa.string()),
    ("number", pa.string()),
    ("kind", pa.string()),
    ("body", pa.string()),
    ("session", pa.string()),
    ("title", pa.string()),
    ("role", pa.string()),
    ("status", pa.string()),
    ("status_text", pa.string()),
    ("category", pa.string()),
    ("is_key", pa.bool_()),
    ("start", pa.int64()),
    ("end", pa.int64()),
    ("surface", pa.string()),
    ("rule", pa.string()),
])

TABLES = {"documents": DOCUMENTS, "proposals": PROPOSALS, "errors": ERRORS, "indicators": INDICATORS, "metrics": METRICS}


def table_path(out: str, name: str) -> str:
    return os.path.join(out, f"{name}.parquet")


def read_rows(out: str, name: str) -> list[dict]:
    path = table_path(out, name)
    if not os.path.exists(path):
        return []
    return pq.read_table(path, schema=TABLES[name]).to_pylist()


def write_rows(out: str, name: str, rows: list[dict]) -> None:
    """Write a whole table atomically: a reader sees the old file or the new
    one, never half of one."""
    from . import __version__

    os.makedirs(out, exist_ok=True)
    schema = TABLES[name].with_metadata({
        "jyta.schema_version": SCHEMA_VERSION,
        "jyta.version": __version__,
        "jyta.table": name,
    })
    table = pa.Table.from_pylist(rows, schema=schema)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=out)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, table_path(out, name))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

