"""Batch ingest: inputs → documents and errors tables in OUT/.

Every input file ends in exactly one of the two tables; a re-run adds only
files it has not seen.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

from . import dataset, manifest as _manifest
from .document import IngestError, doc_id_for
from .link import records

# Files in a folder that are not reports: sidecars, data, code, our own output.
SKIP_EXTENSIONS = {
    ".json", ".yaml", ".yml", ".csv", ".tsv", ".md", ".js", ".css", ".map", ".parquet", ".duckdb",
    ".py", ".pyc", ".sh", ".log", ".tmp", ".wal", ".lock",
}


@dataclass
class Summary:
    inputs: int = 0
    added: int = 0
    errors: int = 0
    skipped: int = 0
    error_rows: list[dict] = field(default_factory=list)


def collect(paths: list[str]) -> list[str]:
    """Files named, files under folders (recursive), and glob matches; in a
    stable order, each once."""
    out: list[str] = []
    seen: set[str] = set()

    def add(p: str):
        key = os.path.normpath(os.path.abspath(p))
        if key not in seen:
            seen.add(key)
            out.append(os.path.normpath(p))

    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.startswith(".") or os.path.splitext(f)[1].lower() in SKIP_EXTENSIONS:
                        continue
                    add(os.path.join(root, f))
        elif os.path.exists(p):
            add(p)
        elif glob.has_magic(p):
            for m in sorted(glob.glob(p, recursive=True)):
                if os.path.isfile(m):
                    add(m)
                elif os.path.isdir(m):
                    for f in collect([m]):
                        add(f)
        else:
            add(p)  # reported as an error row: a path the user named that is not there
    return out


def _error_row(source: str, e: IngestError, doc_id: str | None = None) -> dict:
    return {"source": source, "doc_id": doc_id, "stage": e.stage, "error": e.error, "message": e.message}


def ingest(paths: list[str], out: str, manifest_path: str | None = None, max_bytes: int | None = None,
           progress=None) -> Summary:
    from .ingest import MAX_BYTES, load_bytes, read_bytes

    max_bytes = max_bytes or MAX_BYTES
    man = _manifest.load(manifest_path) if manifest_path else None
    tables = {name: dataset.read_rows(out, name) for name in dataset.TABLES if name != "errors"}
    docs = tables["documents"]
    errors = {r["source"]: r for r in dataset.read_rows(out, "errors")}
    by_id = {d["doc_id"]: d for d in docs}
    summary = Summary()
    files = collect(paths)
    summary.inputs = len(files)
    for i, path in enumerate(files):
        if progress:
            progress(i, len(files), path)
        try:
            data = load_bytes(path, max_bytes)
        except IngestError as e:
            errors[path] = _error_row(path, e)
            summary.errors += 1
            continue
        did = doc_id_for(data)
        if did in by_id:
            errors.pop(path, None)
            if os.path.normpath(by_id[did]["source"]) != path:
                errors[path] = _error_row(path, IngestError(
                    "duplicate", f"same bytes as {by_id[did]['source']} (doc_id {did})", stage="dedupe"), did)
            summary.skipped += 1
            continue
        try:
            doc = read_bytes(data, source=path)
            recs = records(doc, manifest_row=_manifest.lookup(man, path))
        except IngestError as e:
            errors[path] = _error_row(path, e, did)
            summary.errors += 1
            continue
        except Exception as e:  # an extractor bug must cost one file, not the batch
            errors[path] = _error_row(path, IngestError("internal", f"{type(e).__name__}: {e}", stage="extract"), did)
            summary.errors += 1
            continue
        errors.pop(path, None)
        by_id[did] = recs["documents"][0]
        for name, rows in recs.items():
            tables[name].extend(rows)
        summary.added += 1
    dataset.write_rows(out, "documents", sorted(docs, key=lambda r: (r["source"], r["doc_id"])))
    order = {d["doc_id"]: i for i, d in enumerate(sorted(docs, key=lambda r: (r["source"], r["doc_id"])))}
    for name, rows in tables.items():
        if name != "documents":
            dataset.write_rows(out, name, sorted(rows, key=lambda r: (order.get(r["doc_id"], -1), r["start"], r["end"])))
    dataset.write_rows(out, "errors", sorted(errors.values(), key=lambda r: r["source"]))
    from .store import write_database

    write_database(out)
    summary.error_rows = sorted(errors.values(), key=lambda r: r["source"])
    return summary

