"""Where the files of a batch are read and extracted: in this process, in a
pool of local worker processes, or on a Dask cluster — the same function
everywhere, results handed back in input order so that every way of running
writes the same dataset.

Each worker process imports the extractors once and builds its own jieba
tokenizer with the domain dictionary (extractors.labels.tokenizer is cached
per process); nothing is shared between processes but the task arguments
and the results.
"""
from __future__ import annotations

import os
import signal
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator


@dataclass
class Task:
    path: str
    data: bytes  # read once, by the process that decided the file needs extracting
    doc_id: str
    manifest_row: dict


@dataclass
class Batch:
    tasks: list[Task]
    chunk: str  # where the batch's rows go: OUT/.staging/chunk-000007 (+ .<table>.parquet)


@dataclass
class Outcome:
    path: str
    doc_id: str
    error: dict | None = None  # an errors-table row, where the file could not be extracted


# A report is read and extracted in a second or two; a file that takes a minute
# is hostile or broken, and gets an error row so the batch goes on.
FILE_SECONDS = 60.0


class _FileTimeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: float):
    """Raise _FileTimeout in this process after `seconds` (SIGALRM, so only in
    a process's main thread: worker processes, and a one-process ingest;
    elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise _FileTimeout()

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def process(task: Task) -> tuple[dict | None, dict | None]:
    """(records, None) or (None, error row) for one file; never raises:
    whatever goes wrong with one file is that file's error row."""
    from .document import IngestError
    from .readers import read_bytes
    from .link import records
    from . import dataset

    try:
        with _time_limit(FILE_SECONDS):
            doc = read_bytes(task.data, source=task.path)
            recs = records(doc, manifest_row=task.manifest_row)
        for name, rows in recs.items():
            dataset.validate(name, rows)  # a schema bug costs this file, not the batch
        return recs, None
    except IngestError as e:
        err = e
    except _FileTimeout:
        err = IngestError("timeout", f"reading and extracting the file took longer than {FILE_SECONDS:g} s; "
                          "no report takes that long (a hostile or broken file?)", stage="timeout")
    except Exception as e:  # an extractor bug must cost one file, not the batch
        err = IngestError("internal", f"{type(e).__name__}: {e}", stage="extract")
    return None, {"source": task.path, "doc_id": task.doc_id, "stage": err.stage, "error": err.error,
                  "message": err.message}


def process_batch(batch: Batch) -> list[Outcome]:
    """Extract a batch of files and write its rows as one staged chunk —
    extracted rows and errors first, the documents file last (the chunk's
    commit). Only the outcomes travel back, not the rows."""
    from . import dataset

    results = [(t, *process(t)) for t in batch.tasks]
    try:
        _write_chunk(batch.chunk, results)
    except Exception:
        # a value the table cannot hold (one bad number must cost its file,
        # not the batch): find the files whose rows do not convert
        checked = []
        for t, recs, err in results:
            if err is None:
                try:
                    for name, rows in recs.items():
                        dataset.to_table(name, rows)
                except Exception as e:
                    recs, err = None, {"source": t.path, "doc_id": t.doc_id, "stage": "extract", "error": "internal",
                                       "message": f"{type(e).__name__}: {e}"}
            checked.append((t, recs, err))
        results = checked
        _write_chunk(batch.chunk, results)
    return [Outcome(t.path, t.doc_id, err) for t, _, err in results]


def _write_chunk(chunk: str, results: list) -> None:
    from . import dataset
    from .batch import CHUNK_TABLES, SIGNATURES
    from .dedupe import save_signatures, signatures_of

    tables: dict[str, list[dict]] = {name: [] for name in CHUNK_TABLES}  # documents last
    for t, recs, err in results:
        if err is not None:
            tables["errors"].append(err)
        else:
            for name, rows in recs.items():
                tables[name].extend(rows)
    save_signatures(f"{chunk}.{SIGNATURES}.parquet", signatures_of(tables["documents"]))
    for name, rows in tables.items():  # documents last: the chunk's commit
        dataset.write_file(f"{chunk}.{name}.parquet", name, rows)


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _warm() -> None:
    """Heavy imports and the tokenizer, once per worker process."""
    from extractors import labels, metrics, proposals, quantities  # noqa: F401

    labels.tokenizer()


def _start_worker(parent: int) -> None:
    """A pool worker's first steps: die with the process that started it,
    then warm up. A worker outliving a killed ingest would hold its memory
    and could still write a chunk into OUT/.staging."""
    from .dataset import arrow_without_pandas

    die_with(parent)
    arrow_without_pandas()  # a worker converts lists only
    _warm()


def die_with(parent: int, every: float = 0.5) -> None:
    """End this process when ``parent`` ends: on Linux the kernel sends
    SIGKILL (prctl PR_SET_PDEATHSIG); everywhere, a thread that sees this
    process handed to another parent ends it within ``every`` seconds (and
    covers a parent that died before the prctl)."""
    import sys
    import threading
    import time

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no libc to call: the watchdog alone
            pass
    if os.getppid() != parent:
        os._exit(1)

    def watch():
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="jyta-parent-watchdog", daemon=True).start()


def run_local(batches: Iterable[Batch], workers: int) -> Iterator[list[Outcome]]:
    """Outcomes batch by batch, in input order. With more than one worker, a
    pool of spawned processes (nothing inherited from this one) with a few
    batches in flight, so nothing piles up in memory. A worker that dies
    (a crash in a native library, the OOM killer) costs the file that killed
    it, found by redoing its batch one file at a time, not the run."""
    if workers <= 1:
        for b in batches:
            yield process_batch(b)
        return
    from concurrent.futures.process import BrokenProcessPool

    it = iter(batches)
    pending: deque = deque()
    ex = _pool(workers)
    try:
        while True:
            while len(pending) < workers * 2:
                b = next(it, None)
                if b is None:
                    break
                pending.append((b, ex.submit(process_batch, b)))
            if not pending:
                return
            b, fut = pending.popleft()
            try:
                yield fut.result()
            except BrokenProcessPool:
                ex.shutdown(wait=False, cancel_futures=True)
                redo = [b] + [pb for pb, _ in pending]
                pending.clear()
                for rb in redo:
                    yield _isolate(rb)
                ex = _pool(workers)
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def _pool(workers: int):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_start_worker,
                               initargs=(os.getpid(),))


def _isolate(batch: Batch) -> list[Outcome]:
    """A batch whose worker died, one file at a time in a process of its own:
    the file that kills its process is an error row (`crashed`); the others
    are written as the batch's chunk."""
    from concurrent.futures.process import BrokenProcessPool

    results = []
    for t in batch.tasks:
        with _pool(1) as ex:
            try:
                results.append((t, *ex.submit(process, t).result()))
            except BrokenProcessPool:
                results.append((t, None, {"source": t.path, "doc_id": t.doc_id, "stage": "extract",
                                          "error": "crashed", "message": "reading this file killed its worker "
                                          "process (a crash in a native library, or out of memory)"}))
    _write_chunk(batch.chunk, results)
    return [Outcome(t.path, t.doc_id, err) for t, _, err in results]


def _windowed(submit, batches: Iterable[Batch], window: int) -> Iterator[list[Outcome]]:
    pending: deque = deque()
    for b in batches:
        pending.append(submit(process_batch, b))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def run_dask(batches: Iterable[Batch], scheduler: str, window: int = 16) -> Iterator[list[Outcome]]:
    """The same on a Dask distributed cluster (``tcp://host:8786``): every
    worker needs jyta installed and OUT at the same path (a shared
    filesystem): the files' bytes travel with the tasks, the workers write
    the chunks."""
    from distributed import Client

    client = Client(scheduler)
    try:
        client.run(_warm)
        # pure=False: a file's bytes may change between runs under the same name
        yield from _windowed(lambda fn, b: client.submit(fn, b, pure=False), batches, window)
    finally:
        client.close()
