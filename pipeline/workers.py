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

import math
import os
import signal
import threading
import time
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
    limits: tuple[float, float] | None = None  # (seconds, MiB) for this file; None: file_limits()


@dataclass
class Batch:
    tasks: list[Task]
    chunk: str  # where the batch's rows go: OUT/.staging/chunk-000007 (+ .<table>.parquet)


@dataclass
class Outcome:
    path: str
    doc_id: str
    error: dict | None = None  # an errors-table row, where the file could not be extracted


# A report is read and extracted in a second or two and a few hundred MiB; a
# file that takes a minute or gigabytes is hostile or broken, and gets an
# error row so the batch goes on. JYTA_FILE_SECONDS and JYTA_FILE_MEMORY_MB
# in the environment override them (the ingest decides, its tasks carry them).
FILE_SECONDS = 60.0
FILE_MEMORY_MB = 2048.0


def file_limits() -> tuple[float, float]:
    """(seconds, MiB) a file may take to be read and extracted; ValueError
    (one line) for a setting that is no positive number."""
    limits = []
    for var, default in (("JYTA_FILE_SECONDS", FILE_SECONDS), ("JYTA_FILE_MEMORY_MB", FILE_MEMORY_MB)):
        text = os.environ.get(var, "").strip()
        try:
            value = float(text) if text else float(default)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{var}={text!r} is not a positive number")
        limits.append(value)
    return limits[0], limits[1]


class _OverLimit(Exception):
    """Raised in the main thread of the process reading a file that passed
    its time or memory limit: `stage` says which."""

    def __init__(self, stage: str):
        super().__init__(stage)
        self.stage = stage


class _Watch:
    """The limits of the file this process's main thread is reading.

    Memory is measured as resident memory (RSS) above what the process held
    when the file began, polled every POLL seconds by a thread: with numpy,
    pyarrow, duckdb and jieba loaded a warm worker has ~480 MiB of address
    space for ~150 MiB resident, and pyarrow's allocator and thread stacks
    reserve far more than they touch, so RLIMIT_AS would fail ordinary files
    and say nothing about the memory really taken. Past the limit the thread
    (1) caps RLIMIT_DATA just above what the process has mapped, so that C
    code still allocating (libxml2 building a tree, with the interpreter lock
    released) gets no more and returns, and (2) sends SIGALRM to the main
    thread, whose handler raises _OverLimit("memory") at its next bytecode.
    The process lives on and gives the memory back; no worker is lost.
    RLIMIT_DATA (private writable mappings, not reservations) is also set
    for the whole file at 3 × the limit + 512 MiB above the start: the
    backstop for C code that allocates while holding the interpreter lock,
    which the polling thread cannot interrupt. Mapped data runs ahead of
    RSS, hence the margin (measured: the corpus's files grow VmData by at
    most ~130 MiB for ~55 MiB of RSS; a worker reading the hostile files of
    tests/hostile.py held 2.2 GiB of VmData for 1.2 GiB of RSS)."""

    POLL = 0.05

    def __init__(self):
        self.lock = threading.Lock()
        self.armed = False
        self.over: str | None = None
        self.base = 0
        self.limit = 0
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.rlimit = None  # RLIMIT_DATA before the file

    def arm(self, memory_mb: float) -> None:
        with self.lock:
            self.over, self.base, self.limit = None, _rss(), int(memory_mb * 2**20)
            self.main = threading.main_thread().ident
            self.rlimit = _set_data_limit(3 * self.limit + 512 * 2**20)
            self.armed = True
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="jyta-file-memory", daemon=True)
            self.thread.start()
        self.wake.set()

    def disarm(self) -> None:
        self.armed = False  # first: the SIGALRM handler raises no more
        with self.lock:
            if self.rlimit is not None:
                _restore_data_limit(self.rlimit)
                self.rlimit = None

    def _run(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            while self.armed:
                rss = _rss()
                with self.lock:
                    if self.armed and self.over is None and rss - self.base > self.limit:
                        self.over = "memory"
                        _set_data_limit(64 * 2**20)
                        signal.pthread_kill(self.main, signal.SIGALRM)
                time.sleep(self.POLL)


_WATCH = _Watch()


def _rss() -> int:
    """Resident memory of this process: from /proc where there is one (what
    psutil reads too, without importing it: 7 ms of a one-file ingest)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        import psutil

        return psutil.Process().memory_info().rss


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _data_size() -> int:
    """The private writable memory mapped (what RLIMIT_DATA counts), or 0
    where /proc is not there."""
    try:
        with open("/proc/self/status", "rb") as fh:
            status = fh.read()  # one read and one find: a loop over its lines cost 20 µs a file
    except OSError:
        return 0
    at = status.find(b"\nVmData:")
    return int(status[at + 8:status.index(b"\n", at + 1)].split()[0]) * 1024 if at >= 0 else 0


def _set_data_limit(margin: int):
    """RLIMIT_DATA at `margin` bytes above what is mapped now (never above
    the limit already set); the limit it replaces, or None where it cannot
    be set (no /proc, no resource module)."""
    try:
        import resource
    except ImportError:
        return None
    used = _data_size()
    if not used:
        return None
    old = resource.getrlimit(resource.RLIMIT_DATA)
    soft = used + margin
    if old[1] != resource.RLIM_INFINITY:
        soft = min(soft, old[1])
    if old[0] != resource.RLIM_INFINITY:
        soft = min(soft, old[0])
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, old[1]))
    except (ValueError, OSError):
        return None
    return old


def _restore_data_limit(old) -> None:
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_DATA, old)
    except (ValueError, OSError):
        pass


@contextmanager
def _limits(seconds: float, memory_mb: float):
    """Raise _OverLimit("timeout") in this process after `seconds`, or
    _OverLimit("memory") once the file has taken `memory_mb` MiB more than
    the process held (see _Watch). Only in a process's main thread (SIGALRM):
    worker processes and a one-process ingest; elsewhere (a Dask worker's
    threads) no limit. Yields the watch, whose `over` tells afterwards
    whether a limit was passed."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield None
        return
    watch = _WATCH

    def expired(signum, frame):
        if watch.armed:  # a signal sent as the file ended is no longer the file's
            watch.over = watch.over or "timeout"
            raise _OverLimit(watch.over)

    old = signal.signal(signal.SIGALRM, expired)
    watch.arm(memory_mb)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield watch
    finally:
        while True:  # the handler may raise once more before disarm's first line
            try:
                watch.disarm()
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
                break
            except _OverLimit:
                continue


def _give_back_memory() -> None:
    """After a file that passed the memory limit: the garbage collected and
    glibc's free heap returned to the system, so that the process does not
    keep its peak for the rest of the batch."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def process(task: Task) -> tuple[dict | None, dict | None]:
    """(records, None) or (None, error row) for one file; never raises:
    whatever goes wrong with one file is that file's error row."""
    from .document import IngestError
    from .readers import read_bytes
    from .link import records
    from . import dataset

    seconds, memory_mb = task.limits or file_limits()
    watch = None
    try:
        with _limits(seconds, memory_mb) as watch:
            doc = read_bytes(task.data, source=task.path)
            recs = records(doc, manifest_row=task.manifest_row)
        if watch is not None and watch.over:
            raise _OverLimit(watch.over)  # the limit passed as the file ended
        for name, rows in recs.items():
            dataset.validate(name, rows)  # a schema bug costs this file, not the batch
        return recs, None
    except _OverLimit as e:
        err = _over_limit(e.stage, seconds, memory_mb)
    except Exception as e:
        if watch is not None and watch.over:  # a reader's error from memory refused past the limit
            err = _over_limit(watch.over, seconds, memory_mb)
        elif isinstance(e, IngestError):
            err = e
        elif isinstance(e, MemoryError):
            err = _over_limit("memory", seconds, memory_mb)
        else:  # an extractor bug must cost one file, not the batch
            err = IngestError("internal", f"{type(e).__name__}: {e}", stage="extract")
    if err.stage == "memory":
        _give_back_memory()
    return None, {"source": task.path, "doc_id": task.doc_id, "stage": err.stage, "error": err.error,
                  "message": err.message}


def _over_limit(stage: str, seconds: float, memory_mb: float):
    from .document import IngestError

    if stage == "memory":
        return IngestError("memory", f"reading and extracting the file took more than {memory_mb:g} MiB of memory; "
                           "no report needs that much (a hostile or broken file?)", stage="memory")
    return IngestError("timeout", f"reading and extracting the file took longer than {seconds:g} s; "
                       "no report takes that long (a hostile or broken file?)", stage="timeout")


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
    briefs: dict = {}  # what the merge compares first, made here rather than by the one merging process
    save_signatures(f"{chunk}.{SIGNATURES}.parquet", signatures_of(tables["documents"], briefs), briefs)
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


def _start_worker(parent: int, forked: bool = False) -> None:
    """A pool worker's first steps: die with the process that started it,
    then warm up. A worker outliving a killed ingest would hold its memory
    and could still write a chunk into OUT/.staging. A worker ``forked`` by
    the fork server follows the server, which ends with the ingest."""
    from .dataset import arrow_without_pandas

    if forked:
        _exit_with_requester()
    else:
        die_with(parent)
    arrow_without_pandas()  # a worker converts lists only
    _warm()


def _exit_with_requester() -> None:
    """A worker forked by the fork server ends when the process that asked
    for it does (the ingest, killed with -9 included). Its parent is the
    server, which lives as long as a worker holds the server's own pipe open:
    watching the parent would leave both waiting for the other."""
    exit_with_parent_process(1, "jyta-exit-with-ingest")


def exit_with_parent_process(code: int, name: str) -> None:
    """End this process (with ``code``) when the multiprocessing parent that
    started it ends, killed with -9 included: a daemon thread waits on the
    pipe that closes with it. The ingest's fork-served workers and the
    service's extraction workers both use it."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    parent = mp.parent_process()
    if parent is None:
        return

    def watch():
        wait([parent.sentinel])
        os._exit(code)

    threading.Thread(target=watch, daemon=True, name=name).start()


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
    pool of worker processes (forked by a fork server of this run's, else
    spawned: nothing inherited from this process) with a few batches in
    flight, so nothing piles up in memory. A worker that dies (a crash in a
    native library, the OOM killer) costs the file that killed it, found by
    redoing its batch one file at a time, not the run."""
    if workers <= 1:
        for b in batches:
            yield process_batch(b)
        return
    from concurrent.futures.process import BrokenProcessPool

    it = iter(batches)
    pending: deque = deque()
    forked, stop_server = _fork_server()
    ex = _pool(workers, forked)
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
                    yield _isolate(rb, forked)
                ex = _pool(workers, forked)
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
        stop_server()


def _fork_server():
    """(whether this run's workers are forked by a fork server, the function
    that stops it). Only a server this run starts: it loads the extractors
    and the tokenizer once for every worker (pipeline/workerstart.py), and is
    stopped and waited for after the pool, so that it does not live on with
    them as long as this process, and its workers count in this process's
    resource use like spawned ones. A server already running (a service's,
    started with another process's state) is not used: the workers are
    spawned then, as they are where Python has no fork server or its
    internals (there is no public stop) are not those known here."""
    import multiprocessing as mp
    import multiprocessing.forkserver as fs

    server = getattr(fs, "_forkserver", None)
    if ("forkserver" not in mp.get_all_start_methods() or server is None or not hasattr(server, "_stop")
            or getattr(server, "_forkserver_pid", 0) is not None):
        return False, lambda: None
    fs.set_forkserver_preload(_PRELOAD)
    fs.ensure_running()
    ours = server._forkserver_pid

    def stop():
        if server._forkserver_pid == ours:  # not a later run's, should this run end late (a generator collected)
            server._stop()

    return True, stop


# What the fork server loads before it forks a worker (see pipeline/workerstart.py).
_PRELOAD = ["pipeline.workerstart"]


def _pool(workers: int, forked: bool = False):
    """``workers`` processes, ``forked`` by the fork server (see _fork_server)
    or spawned; never forked from this process, whose pyarrow and numpy have
    threads."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("forkserver" if forked else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start_worker,
                               initargs=(os.getpid(), forked))


def _isolate(batch: Batch, forked: bool = False) -> list[Outcome]:
    """A batch whose worker died, one file at a time in a process of its own:
    the file that kills its process is an error row (`crashed`); the others
    are written as the batch's chunk."""
    from concurrent.futures.process import BrokenProcessPool

    results = []
    for t in batch.tasks:
        with _pool(1, forked) as ex:
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
