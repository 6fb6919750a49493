"""Batch ingest: inputs → documents and errors tables in OUT/.

Every input file ends in exactly one of the two tables; a re-run adds only
files it has not seen.
"""
from __future__ import annotations

import glob
import os
import re
import time
from dataclasses import dataclass, field
from typing import Iterable

from . import dataset, manifest as _manifest
from .document import IngestError

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
    seconds: float = 0.0
    derived_refreshed: bool = False  # series and proposal_links rebuilt (they existed before)
    # documents found to be the same report as another (documents.duplicate_of): source, first one's source
    duplicates: list[tuple[str, str]] = field(default_factory=list)


def collect(paths: list[str], unreadable: dict[str, str] | None = None) -> list[str]:
    """Files named, files under folders (recursive), and glob matches; in a
    stable order, each once. A folder that cannot be listed is in the list
    too (it becomes an error row), its reason in ``unreadable``."""
    out: list[str] = []
    seen: set[str] = set()
    unreadable = {} if unreadable is None else unreadable

    def cannot_list(e: OSError):
        folder = e.filename if isinstance(e.filename, str) else str(e.filename)
        unreadable[os.path.realpath(folder)] = f"cannot list the folder: {e.strerror or e}"
        add(folder)

    def add(p: str):
        key = os.path.normpath(os.path.abspath(p))
        if key not in seen:
            seen.add(key)
            out.append(os.path.normpath(p))

    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p, onerror=cannot_list):
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
                    for f in collect([m], unreadable):
                        add(f)
        else:
            add(p)  # reported as an error row: a path the user named that is not there
    return out


def _error_row(source: str, e: IngestError, doc_id: str | None = None) -> dict:
    return {"source": source, "doc_id": doc_id, "stage": e.stage, "error": e.error, "message": e.message}


EXTRACTED = ("indicators", "metrics", "proposals", "sentences")  # drawn from documents; written before them
CHUNK_TABLES = (*EXTRACTED, "errors", "documents")
DERIVED = ("series", "proposal_links")  # built by `jyta compare` from the tables above
STAGING = ".staging"
SIGNATURES = "signatures"  # a chunk's dedupe signatures (pipeline.dedupe), beside its tables, before its documents
CHUNK_DOCS = 200


CHUNK_BYTES = 32 * 2**20  # a batch of large files (PDFs) is cut sooner: what a worker holds stays bounded


_CHUNK = re.compile(r"^chunk-(?:([0-9a-f]+)-)?(\d{6})\.(\w+)\.parquet$")


class _Staging:
    """Results written as they come, a chunk of documents at a time:
    OUT/.staging/chunk-<run>-000007.<table>.parquet, the chunk's documents
    file last. Every name carries its run's id, so that a worker outliving
    a killed run (a Dask task, a process not yet gone) can only ever write
    that run's chunks, never one of this run's. A chunk complete when a run
    starts (a killed run's: the lock says no run is alive) counts as done, so
    a killed run started again goes on where it stopped; an incomplete one is
    dropped, and a chunk of another run that appears later is never merged.
    finish() merges this run's chunks and the ones it took over."""

    def __init__(self, out: str):
        self.dir = os.path.join(out, STAGING)
        os.makedirs(self.dir, exist_ok=True)
        self.run = f"{time.time_ns():016x}{os.getpid() % 0x10000:04x}"  # sorts after every earlier run
        self.resumed = self._complete(drop_incomplete=True)
        self.chunks = list(self.resumed)
        self.next = 0

    def _path(self, key: tuple[str, str], name: str) -> str:
        run, k = key
        return os.path.join(self.dir, f"chunk-{run}-{k}.{name}.parquet" if run else f"chunk-{k}.{name}.parquet")

    def _complete(self, drop_incomplete: bool = False) -> list[tuple[str, str]]:
        """The chunks with every file there (documents, written last, included),
        in the order they were written."""
        found: dict[tuple[str, str], set[str]] = {}
        for f in os.listdir(self.dir):
            m = _CHUNK.match(f)
            if m:
                found.setdefault((m[1] or "", m[2]), set()).add(m[3])
            elif drop_incomplete and f.endswith(".tmp"):
                os.unlink(os.path.join(self.dir, f))
        done = sorted(k for k, names in found.items() if set(CHUNK_TABLES) <= names)
        if drop_incomplete:
            for key in set(found) - set(done):  # cut off before its documents: as if never written
                for name in found[key]:
                    os.unlink(self._path(key, name))
        return done

    def rows(self, name: str, columns: list[str] | None = None) -> Iterable[dict]:
        import pyarrow.parquet as pq

        for key in self.chunks:
            # one file: read as a file (read_table would go through pyarrow.dataset, 0.06 s to import)
            yield from pq.ParquetFile(self._path(key, name)).read(columns=columns).to_pylist()

    def reserve(self) -> str:
        """The next chunk's path prefix; a worker writes its files."""
        k = self.next
        self.next += 1
        return os.path.join(self.dir, f"chunk-{self.run}-{k:06d}")

    def refresh(self) -> None:
        """The chunks to merge: those taken over at the start and this run's own."""
        own = [key for key in self._complete() if key[0] == self.run]
        self.chunks = self.resumed + own

    def paths(self, name: str) -> list[str]:
        return [self._path(key, name) for key in self.chunks]

    def remove(self) -> None:
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


def ingest(paths: list[str], out: str, manifest_path: str | None = None, max_bytes: int | None = None,
           workers: int | None = None, scheduler: str | None = None, progress: bool = False,
           chunk_docs: int = CHUNK_DOCS) -> Summary:
    """Read ``paths`` into the dataset in ``out``.

    Files are known by their real path: the same file named another way
    (relative or absolute, through a link) is the same input. A file whose
    bytes changed replaces its document and every row drawn from it.
    ``workers``: local processes (default: every core for a batch worth it,
    else this process); ``scheduler``: a Dask scheduler address instead.
    Results are written in chunks as they come; a run that is killed and
    started again finishes the job with nothing lost and nothing twice.
    A file that takes longer than 60 s or more than 2048 MiB to be read and
    extracted (workers.file_limits: JYTA_FILE_SECONDS, JYTA_FILE_MEMORY_MB)
    is an error row, stage `timeout` or `memory`, and the batch goes on.
    """
    from .readers import MAX_BYTES
    from .workers import file_limits

    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    limits = file_limits()  # decided here, carried by the tasks: the same wherever they run
    man = _manifest.load(manifest_path) if manifest_path else None
    out = os.path.abspath(out)  # workers elsewhere (Dask) write their chunks here
    os.makedirs(out, exist_ok=True)
    with dataset.exclusive(out):
        dataset.recover(out)  # a commit a killed run left is finished, its temp files go
        try:
            dataset.check_readable(out)
        except dataset.DamagedTable as e:
            raise dataset.DatasetError(f"not merging into a dataset that cannot be read, nothing was changed: "
                                       f"{e}") from None
        unreadable: dict[str, str] = {}
        files = collect(paths, unreadable)
        return _ingest(files, out, man, max_bytes, workers, scheduler, progress, chunk_docs, unreadable, limits)


def _ingest(files: list[str], out: str, man, max_bytes: int, workers, scheduler, progress: bool,
            chunk_docs: int, unreadable: dict[str, str], limits: tuple[float, float]) -> Summary:
    from . import workers as W
    from .document import doc_id_for
    from .readers import load_bytes
    from .progress import Progress

    staging = _Staging(out)
    # what the dataset holds: doc_id and source of each document (never the texts)
    base = dataset.columns_of(out, "documents", ["doc_id", "source"])
    staged = list(staging.rows("documents", ["doc_id", "source"]))
    by_source = {os.path.realpath(d["source"]): d["doc_id"] for d in base + staged}
    by_id = {d["doc_id"]: d["source"] for d in base + staged}
    # what a manifest or sidecar may change on documents already in (compared, so a re-run changes nothing)
    meta_cols = ["doc_id", "source_url", "region", "region_source", "year", "year_source", "year_inferred", "year_basis",
                 "published", "published_source"]
    base_meta = {d["doc_id"]: d for d in dataset.columns_of(out, "documents", meta_cols)}
    errors = {os.path.realpath(r["source"]): r for r in dataset.read_rows(out, "errors")}
    for key, r in list(errors.items()):
        if r["error"] == "unreadable_folder" and key not in unreadable and os.path.isdir(key):
            del errors[key]  # listed this time: its files are inputs now
    for r in staging.rows("errors"):
        errors[os.path.realpath(r["source"])] = r
    for d in staged:
        errors.pop(os.path.realpath(d["source"]), None)
    manifest_updates: dict[str, dict] = {}
    replaced: set[str] = set()  # old documents of files whose bytes changed, whatever became of the new bytes
    added: list[str] = []
    summary = Summary()
    summary.inputs = len(files)
    if scheduler is None and workers is None:
        workers = W.default_workers() if len(files) >= 32 else 1
    parallel = scheduler is not None or (workers or 1) > 1
    # small batches while there are few files, so that every worker gets some (not smaller toward the
    # end: every chunk costs the merge memory, more than the workers' wait for the last one costs time)
    size = max(1, min(chunk_docs, len(files) // (4 * (workers or 2)))) if parallel else chunk_docs
    bar = Progress(len(files), enabled=progress)

    def error(path: str, row: dict) -> None:
        errors[os.path.realpath(path)] = row
        summary.errors += 1
        bar.update(error=True)

    def batches():
        """Decide each file here, in input order: unreadable, unchanged,
        a duplicate, or to extract; the ones to extract go out in batches."""
        tasks: list[W.Task] = []
        held = 0
        for path in files:
            key = os.path.realpath(path)
            if key in unreadable:
                error(path, _error_row(path, IngestError("unreadable_folder", unreadable[key], stage="open")))
                continue
            try:
                data = load_bytes(path, max_bytes)
            except IngestError as e:
                error(path, _error_row(path, e))
                continue
            did = doc_id_for(data)
            if by_source.get(key) == did:
                errors.pop(key, None)
                known = _manifest.known(man, path)
                if known and did in base_meta:
                    from .link import apply_manifest

                    row = dict(base_meta[did])
                    apply_manifest(row, known)
                    if row != base_meta[did]:
                        manifest_updates[did] = known  # a manifest given on a later run still applies
                summary.skipped += 1
                bar.update()
                continue
            if by_source.get(key) not in (None, did):
                replaced.add(by_source[key])  # changed bytes: the old document goes even if the new ones fail
            if did in by_id and os.path.realpath(by_id[did]) != key:
                error(path, _error_row(path, IngestError(
                    "duplicate", f"same bytes as {by_id[did]} (doc_id {did})", stage="dedupe"), did))
                continue
            old = by_source.get(key)
            if old is not None:
                by_id.pop(old, None)  # the file changed: its old document goes at the merge
            by_id[did], by_source[key] = path, did
            tasks.append(W.Task(path, data, did, _manifest.known(man, path), limits))
            held += len(data)
            if len(tasks) >= size or held >= CHUNK_BYTES:
                yield W.Batch(tasks, staging.reserve())
                tasks, held = [], 0
        if tasks:
            yield W.Batch(tasks, staging.reserve())

    results = W.run_dask(batches(), scheduler) if scheduler else W.run_local(batches(), workers or 1)
    try:
        for outcomes in results:
            for o in outcomes:
                if o.error is not None:
                    error(o.path, o.error)
                else:
                    errors.pop(os.path.realpath(o.path), None)
                    added.append(o.path)
                    summary.added += 1
                    bar.update()
    finally:
        bar.close()
    staging.refresh()
    staged = list(staging.rows("documents", ["doc_id", "source"]))
    staged_ids = {d["doc_id"] for d in staged}
    lost = [p for p in added if by_source.get(os.path.realpath(p)) not in staged_ids]
    if lost:
        # a worker wrote its chunk where this process cannot see it (OUT not shared with a Dask worker?)
        raise RuntimeError(f"{len(lost)} extracted documents are missing from {staging.dir} (first: {lost[0]}); "
                           "with --scheduler, OUT must be the same path on every worker")
    derived = [name for name in DERIVED if dataset.exists(out, name)]
    # one transaction: readers see the dataset as it was or with all of this in, whenever the run is killed
    try:
        with dataset.transaction(out):
            changed, summary.duplicates = _merge(out, staging, staged, manifest_updates, replaced)
            changed = _backfill_sentences(out) or changed
            dataset.write_rows(out, "errors", sorted(errors.values(), key=lambda r: r["source"]))
            if changed and derived:
                # built from the tables just changed: rebuilt as `jyta compare` last built them,
                # so series and proposal links never go stale or vanish
                from . import compare

                compare.refresh(out)
    except dataset.DamagedTable as e:  # a page the footer check could not see
        raise dataset.DatasetError(f"the merge stopped on a file it cannot read, nothing was changed "
                                   f"(the extracted files wait in {staging.dir}): {e}") from None
    staging.remove()  # after the commit: a run killed before it merges the chunks again
    summary.derived_refreshed = bool(changed and derived)
    from .store import write_database

    write_database(out)
    summary.error_rows = sorted(errors.values(), key=lambda r: r["source"])
    summary.seconds = bar.elapsed
    return summary


def _backfill_sentences(out: str) -> bool:
    """A dataset written before the sentences table existed gets it from the
    documents' stored texts (the documents already in are not read again)."""
    if not dataset.exists(out, "documents") or dataset.exists(out, "sentences"):
        return False
    import pyarrow as pa

    from extractors import context

    from .document import Document
    from .link import sentence_rows

    def batches():
        for b in dataset.iter_table(out, "documents"):
            rows = []
            for d in b.select(["doc_id", "year", "text"]).to_pylist():
                doc = Document(d["doc_id"], "", "text", d["text"])
                rows += sentence_rows(doc, d["year"], context.build(d["text"]))
            yield pa.RecordBatch.from_pylist(rows, schema=dataset.TABLES["sentences"])

    dataset.stream_rows(out, "sentences", batches())
    return True


def _merge(out: str, staging: _Staging, staged: list[dict], manifest_updates: dict[str, dict],
           replaced: set[str]) -> tuple[bool, list[tuple[str, str]]]:
    """The tables with the staged chunks in, one batch at a time, extracted
    rows first and documents last. What goes: a base document replaced by a
    staged one (same doc_id or source), one whose file changed (``replaced``),
    and a staged document superseded by a later chunk's version of the same
    file (it changed between a killed run and its resumption); ``staged``:
    doc_id and source of the staged documents, in chunk order. A merge cut
    off half-way is redone from the chunks without doubling anything: rows of
    staged documents are always taken from the chunks. Documents that are
    the same report as another get ``duplicate_of`` (pipeline/dedupe.py).
    Returns whether any table changed, and the copies newly found
    (source, the first one's source)."""
    import pyarrow as pa

    from .link import apply_manifest

    latest: dict[str, str] = {}
    for d in staged:  # chunk order: the last version of a file wins
        latest[os.path.realpath(d["source"])] = d["doc_id"]
    keep_staged = set(latest.values())
    superseded = {d["doc_id"] for d in staged} - keep_staged
    base = dataset.columns_of(out, "documents", ["doc_id", "source", "duplicate_of"])
    gone = {d["doc_id"] for d in base if os.path.realpath(d["source"]) in latest} | set(replaced)
    drop = gone | keep_staged | superseded  # from the base tables: staged rows come from the chunks
    marks, found, save = _duplicates(out, staging, base, [d for d in staged if d["doc_id"] in keep_staged], drop)
    news = bool(staged or manifest_updates or replaced)
    if not news and marks is None:
        dataset.after_commit(out, save)
        return False, []

    def filtered(b, ids: set[str]):
        keep = [d not in ids for d in b.column("doc_id").to_pylist()]
        return b if all(keep) else b.filter(pa.array(keep))

    def marked(b):
        if marks is None or not b.num_rows:
            return b
        col = pa.array([marks.get(d) for d in b.column("doc_id").to_pylist()], type=pa.string())
        return b.set_column(b.schema.get_field_index("duplicate_of"), "duplicate_of", col)

    def batches(name: str):
        if dataset.exists(out, name):
            for b in dataset.iter_table(out, name):
                b = filtered(b, drop)
                if name == "documents" and manifest_updates:
                    rows = b.to_pylist()
                    for r in rows:
                        if r["doc_id"] in manifest_updates:
                            apply_manifest(r, manifest_updates[r["doc_id"]])
                    b = pa.RecordBatch.from_pylist(rows, schema=dataset.TABLES[name])
                yield marked(b) if name == "documents" else b
        for path in staging.paths(name):
            for b in dataset.iter_batches(path, name, out=out, use_threads=False):
                b = filtered(b, superseded)
                yield marked(b) if name == "documents" else b

    for name in (*EXTRACTED, "documents") if news else ("documents",):
        dataset.stream_rows(out, name, batches(name))
    # once the documents are in place: a merge cut off before them decides again
    dataset.after_commit(out, save)
    return True, found


def _duplicates(out: str, staging: _Staging, base: list[dict], staged: list[dict], drop: set[str]):
    """duplicate_of of every document the dataset will hold (None where no
    mark changes and nothing is staged), the copies newly found (source, the
    first one's source), and a function that saves the signatures for the
    next ingest — once the documents are written."""
    from . import dedupe

    in_base = {d["doc_id"]: d.get("duplicate_of") for d in base}
    docs = {d["doc_id"]: dedupe.Doc(d["doc_id"], d["source"], d.get("duplicate_of"), True)
            for d in base if d["doc_id"] not in drop}
    for d in staged:  # in the table already where a merge was cut off after the documents
        docs[d["doc_id"]] = dedupe.Doc(d["doc_id"], d["source"], in_base.get(d["doc_id"]), d["doc_id"] in in_base)
    cache, current = dedupe.load_cache(out)
    fresh: dict[str, list[int]] = {}
    briefs: dict[str, tuple] = {}
    pool: dict[str, str] = {}
    for path in staging.paths(SIGNATURES):  # a chunk of an earlier version may have none: its texts are read
        sigs, of_this_version = dedupe.load_signatures(path)
        if of_this_version:
            fresh.update(sigs)
            briefs.update(dedupe.load_briefs(path, pool))
    res = dedupe.decide(list(docs.values()), cache, current, _texts(out, staging, set(in_base)), fresh, briefs)
    source = {i: d.source for i, d in docs.items()}
    found = [(source[i], source[first]) for i, first in res.found]
    changed = any(res.marks[i] != d.duplicate_of for i, d in docs.items())

    def save():
        if set(cache) != set(res.sigs) or not current:
            dedupe.save_cache(out, res.sigs)

    return (res.marks if changed or staged else None), found, save


def _texts(out: str, staging: _Staging, in_base: set[str]):
    """(doc_id, text) of some documents, from the documents table (``in_base``:
    its doc_ids, so that it is read only for those) and the staged chunks,
    each chunk read only for the documents it holds (dedupe asks a block of
    documents at a time)."""
    where: dict[str, str] = {}  # a staged doc_id → the first chunk that holds it
    base = dataset.location(out, "documents")

    def locate():
        for path in staging.paths("documents"):
            for b in dataset.iter_batches(path, "documents", out=out, columns=["doc_id"], use_threads=False):
                for doc_id in b.column("doc_id").to_pylist():
                    where.setdefault(doc_id, path)

    def read(path: str, ids: set[str]):
        import pyarrow.compute as pc

        # a staged chunk is one small file: read whole, on this thread (a filtered, threaded scan of each
        # of them, block after block, kept megabytes per chunk in the process)
        scan = {"filter": pc.field("doc_id").isin(sorted(ids))} if path == base else {"use_threads": False}
        for b in dataset.iter_batches(path, "documents", out=out, columns=["doc_id", "text"], **scan):
            for doc_id, text in zip(b.column("doc_id").to_pylist(), b.column("text").to_pylist()):
                if doc_id in ids:
                    ids.discard(doc_id)
                    yield doc_id, text

    def texts(ids: set[str]):
        left = set(ids)
        if base and left & in_base:
            for doc_id, text in read(base, left & in_base):
                left.discard(doc_id)
                yield doc_id, text
        if left and not where:
            locate()
        by_path: dict[str, set[str]] = {}
        for doc_id in left:
            if doc_id in where:
                by_path.setdefault(where[doc_id], set()).add(doc_id)
        for path in staging.paths("documents"):
            if path in by_path:
                yield from read(path, by_path[path])

    return texts
