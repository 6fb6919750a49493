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
from collections import deque
from dataclasses import dataclass
from typing import Iterable, Iterator


@dataclass
class Task:
    path: str
    known_doc_id: str | None  # the doc_id the dataset holds for this path, if any
    manifest_row: dict
    max_bytes: int


@dataclass
class Result:
    path: str
    outcome: str  # "doc" | "same" (unchanged since the last run) | "error"
    doc_id: str | None = None
    records: dict | None = None  # table → rows, for "doc"
    error: dict | None = None  # an errors-table row without source, for "error"


def process(task: Task) -> Result:
    """Read one file and extract its records; never raises: whatever goes
    wrong with one file is that file's error row."""
    from .document import IngestError, doc_id_for
    from .ingest import load_bytes, read_bytes
    from .link import records
    from . import dataset

    def err(e: IngestError, did=None) -> Result:
        return Result(task.path, "error", did, error={"doc_id": did, "stage": e.stage, "error": e.error,
                                                      "message": e.message})

    try:
        data = load_bytes(task.path, task.max_bytes)
    except IngestError as e:
        return err(e)
    did = doc_id_for(data)
    if did == task.known_doc_id:
        return Result(task.path, "same", did)
    try:
        doc = read_bytes(data, source=task.path)
        recs = records(doc, manifest_row=task.manifest_row)
        for name, rows in recs.items():
            dataset.validate(name, rows)  # a schema bug costs this file, not the batch
    except IngestError as e:
        return err(e, did)
    except Exception as e:  # an extractor bug must cost one file, not the batch
        return err(IngestError("internal", f"{type(e).__name__}: {e}", stage="extract"), did)
    return Result(task.path, "doc", did, records=recs)


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


def run_local(tasks: Iterable[Task], workers: int, window: int | None = None) -> Iterator[Result]:
    """Results in input order. With more than one worker, a pool of spawned
    processes (no state inherited from this one) with at most ``window``
    files in flight, so results never pile up in memory."""
    if workers <= 1:
        for t in tasks:
            yield process(t)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    window = window or workers * 8
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_warm) as ex:
        pending: deque = deque()
        for t in tasks:
            pending.append(ex.submit(process, t))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def run_dask(tasks: Iterable[Task], scheduler: str, window: int = 256) -> Iterator[Result]:
    """The same on a Dask distributed cluster (``tcp://host:8786``, or a
    ``distributed.Client``/``LocalCluster`` address): the workers need jyta
    installed and the input paths readable at the same names."""
    from distributed import Client

    client = Client(scheduler)
    try:
        client.run(_warm)
        pending: deque = deque()
        for t in tasks:
            # pure=False: a file's bytes may change between runs under the same name
            pending.append(client.submit(process, t, pure=False))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        client.close()
