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
from .link import apply_manifest, records

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
    """Read ``paths`` into the dataset in ``out``.

    Files are known by their real path: the same file named another way
    (relative or absolute, through a link) is the same input. A file whose
    bytes changed replaces its document and every row drawn from it.
    """
    from .ingest import MAX_BYTES, load_bytes, read_bytes

    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    man = _manifest.load(manifest_path) if manifest_path else None
    tables = {name: dataset.read_rows(out, name) for name in dataset.TABLES if name != "errors"}
    errors = {os.path.realpath(r["source"]): r for r in dataset.read_rows(out, "errors")}
    by_id = {d["doc_id"]: d for d in tables["documents"]}
    by_source = {os.path.realpath(d["source"]): d for d in tables["documents"]}
    dropped: set[str] = set()
    summary = Summary()
    files = collect(paths)
    summary.inputs = len(files)
    for i, path in enumerate(files):
        if progress:
            progress(i, len(files), path)
        key = os.path.realpath(path)
        try:
            data = load_bytes(path, max_bytes)
        except IngestError as e:
            errors[key] = _error_row(path, e)
            summary.errors += 1
            continue
        did = doc_id_for(data)
        known = by_source.get(key)
        if known is not None and known["doc_id"] == did:
            errors.pop(key, None)
            apply_manifest(known, _manifest.known(man, path))  # a manifest given on a later run still applies
            summary.skipped += 1
            continue
        if known is not None:
            # the file changed since the last run: its old document and rows go
            dropped.add(known["doc_id"])
            del by_id[known["doc_id"]], by_source[key]
        if did in by_id:
            errors[key] = _error_row(path, IngestError(
                "duplicate", f"same bytes as {by_id[did]['source']} (doc_id {did})", stage="dedupe"), did)
            summary.errors += 1
            continue
        try:
            doc = read_bytes(data, source=path)
            recs = records(doc, manifest_row=_manifest.known(man, path))
            for name, rows in recs.items():
                dataset.validate(name, rows)  # a schema bug costs this file, not the batch
        except IngestError as e:
            errors[key] = _error_row(path, e, did)
            summary.errors += 1
            continue
        except Exception as e:  # an extractor bug must cost one file, not the batch
            errors[key] = _error_row(path, IngestError("internal", f"{type(e).__name__}: {e}", stage="extract"), did)
            summary.errors += 1
            continue
        errors.pop(key, None)
        by_id[did] = by_source[key] = recs["documents"][0]
        for name, rows in recs.items():
            tables[name].extend(rows)
        summary.added += 1
    if dropped:
        tables = {n: [r for r in rows if r["doc_id"] not in dropped] for n, rows in tables.items()}
    docs = sorted(tables["documents"], key=lambda r: (r["source"], r["doc_id"]))
    order = {d["doc_id"]: i for i, d in enumerate(docs)}
    # Rows drawn from documents first, the documents last: a run stopped in
    # between leaves no document whose rows are missing (a re-run would skip it).
    for name, rows in tables.items():
        if name != "documents":
            dataset.write_rows(out, name, sorted(rows, key=lambda r: (order.get(r["doc_id"], -1), r["start"], r["end"])))
    dataset.write_rows(out, "documents", docs)
    dataset.write_rows(out, "errors", sorted(errors.values(), key=lambda r: r["source"]))
    from . import compare
    from .store import write_database

    compare.write(out)  # the derived tables follow the documents they come from

    write_database(out)
    summary.error_rows = sorted(errors.values(), key=lambda r: r["source"])
    return summary
