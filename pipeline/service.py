"""`jyta serve OUT`: the extractor as an HTTP service, and the dataset in OUT
read through it. Files come from strangers, so:

- an upload size limit (413), checked while reading, before anything parses;
- extraction runs in worker processes, never in the server's: a request
  over its time limit (504) or memory limit (422) has its worker killed —
  the work stops and its memory returns — and a fresh worker takes its place;
  /healthz and the listings answer meanwhile;
- a request waits for a free worker at most `queue_wait` seconds, and only
  so many wait: past either, 503 with Retry-After;
- content sniffed from the bytes: a `.pdf` that is not a PDF gets 415;
  DOCX/ZIP bombs and entity expansion are refused by the readers;
- no file-system path is ever taken from a request (an upload's name is only
  a label);
- every error is JSON `{"code", "message"}`, never a stack trace; a dataset
  table that cannot be read is named (503) and /healthz reports it.

The answers follow the record contract in contract/*.schema.json
(pipeline/contract.py), generated from the dataset's schema.
"""
from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from decimal import Decimal

from fastapi import FastAPI, Query, Request  # this module is imported only to serve
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import dataset
from .contract import CONTRACT_VERSION

DEFAULT_MAX_MB = 20
DEFAULT_TIMEOUT = 30.0
DEFAULT_QUEUE_WAIT = 30.0  # seconds a request waits for a free worker
DEFAULT_MAX_RSS_MB = 2048  # a worker past this is killed: no report needs it
MAX_PAGE = 1000
_EXT_FORMAT = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".shtml": "html", ".txt": "text"}
_FILTERS = {  # endpoint → table, the filters it takes (column, SQL)
    "documents": ("documents", {"region": "region LIKE ?", "year": "year = ?"}),
    "proposals": ("proposals", {"region": "d.region LIKE ?", "year": "t.year = ?", "status": "t.status = ?",
                                "kind": "t.kind = ?"}),
    "metrics": ("metrics", {"region": "d.region LIKE ?", "year": "t.year = ?", "metric": "t.metric = ?"}),
    "indicators": ("indicators", {"region": "d.region LIKE ?", "year": "t.year = ?", "label": "t.label LIKE ?",
                                  "unit": "t.unit = ?"}),
    "series": ("series", {"region": "region LIKE ?", "year": "year = ?", "metric": "measure = ?",
                          "label": "measure LIKE ?"}),
}


log = logging.getLogger("jyta.service")


class ServiceError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def _jsonable(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if v != v and isinstance(v, float):  # NaN from pandas
        return None
    return v


def _row(r: dict) -> dict:
    return {k: _jsonable(v) for k, v in r.items()}


def extract_bytes(data: bytes, name: str, out: str | None, store: bool, cancelled=None) -> dict:
    """The records of one file (the /v1/extract answer), in this process;
    with store, the file joins the dataset in OUT as `jyta ingest` would add
    it (same bytes, same document: nothing twice)."""
    answer, label, doc_id = _extract(data, name)
    if store and not (cancelled is not None and cancelled()):  # a timed-out request stores nothing
        _store(data, label, doc_id, out)
        answer["stored"] = True
    return answer


def _extract(data: bytes, name: str) -> tuple[dict, str, str]:
    """(answer, the upload's label, its doc_id)."""
    from .document import IngestError, doc_id_for
    from .readers import read_bytes
    from .readers.sniff import sniff
    from .link import records

    label = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", os.path.basename(name or "upload"))[:120] or "upload"
    try:
        fmt = sniff(data, label)
    except IngestError as e:
        # not a report format at all: 415; a report format we cannot read (empty, scanned): 422
        raise ServiceError(415 if e.error in ("binary", "unsupported_format", "legacy_office", "no_text_layer") else 422,
                           e.error, e.message)
    claimed = _EXT_FORMAT.get(os.path.splitext(label)[1].lower())
    if claimed in ("pdf", "docx") and fmt != claimed:
        raise ServiceError(415, "content_mismatch", f"the file is named {label} but its bytes are {fmt}, not {claimed}")
    try:
        doc = read_bytes(data, source=f"upload:{label}")
        recs = records(doc)
    except IngestError as e:
        raise ServiceError(422, e.error, e.message)
    document = _row(recs["documents"][0])
    answer = {"contract_version": CONTRACT_VERSION, "document": document,
              "proposals": [_row(r) for r in recs["proposals"]], "metrics": [_row(r) for r in recs["metrics"]],
              "indicators": [_row(r) for r in recs["indicators"]], "warnings": document["warnings"],
              "stored": False}
    return answer, label, doc_id_for(data)


# -- extraction in worker processes ---------------------------------------------

# Imported once by the fork server, so a fresh worker starts in a second or two
# (the tokenizer is still built in each).
_PRELOAD = ["pipeline.service", "pipeline.readers", "pipeline.link", "extractors.labels", "extractors.metrics",
            "extractors.proposals", "extractors.quantities"]
_START_TIMEOUT = 120.0


def _worker_main(conn, out: str | None) -> None:
    """One extraction process: jobs `(data, name, store)` in, a reply out
    for each (see _work), until the server closes the pipe."""
    _exit_with_server()
    from .workers import _warm

    _warm()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            _work(conn, *conn.recv(), out)
        except (EOFError, OSError):
            return  # the server closed the pipe


def _work(conn, data: bytes, name: str, store: bool, out: str | None) -> None:
    """Reply `("ok", answer)` or `("error", status, code, message)`. A job to
    store then waits for the server's "store": the server kills a worker
    only while it extracts, never while it writes the dataset."""
    try:
        answer, label, doc_id = _extract(data, name)
    except Exception as e:
        conn.send(_error_reply(e))
        return
    conn.send(("ok", answer))
    if store and conn.recv() == "store":
        try:
            _store(data, label, doc_id, out)
        except Exception as e:
            conn.send(_error_reply(e))
            return
        conn.send(("stored",))


def _error_reply(e: Exception) -> tuple:
    if isinstance(e, ServiceError):
        return ("error", e.status, e.code, e.message)
    log.error("extraction failed", exc_info=e)
    return ("error", 500, "internal", "the server could not handle this request")


def _exit_with_server() -> None:
    """A worker outlives no server (killed with -9 included)."""
    from .workers import exit_with_parent_process

    exit_with_parent_process(0, "jyta-exit-with-server")


class _Worker:
    """One extraction process and the server's end of its pipe."""

    def __init__(self, ctx, out: str | None):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, out), name="jyta-extract", daemon=True)
        self.proc.start()
        child.close()

    def rss(self) -> int:
        import psutil

        try:
            return psutil.Process(self.proc.pid).memory_info().rss
        except psutil.Error:
            return 0

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: a worker deep in a C call heeds nothing else
        self.proc.join(10)
        self.conn.close()


def _kill_all(workers: set) -> None:
    for w in list(workers):
        w.kill()
    workers.clear()


class ExtractionPool:
    """`size` worker processes; each request takes one for its extraction.
    At the time or memory limit the worker is killed (the work stops, its
    memory returns) and a fresh one started in its place. Requests wait for a
    free worker at most `queue_wait` seconds, and at most `max_queue` wait:
    past either, 503 with a Retry-After."""

    def __init__(self, out: str | None, size: int, timeout: float, queue_wait: float, max_queue: int,
                 max_rss: int):
        import multiprocessing as mp

        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        self._ctx = mp.get_context(method)
        if method == "forkserver":
            self._ctx.set_forkserver_preload(_PRELOAD)
        self.out, self.size, self.timeout = out, size, timeout
        self.queue_wait, self.max_queue, self.max_rss = queue_wait, max_queue, max_rss
        self._cond = threading.Condition()
        self._workers: set[_Worker] = set()  # alive, idle or busy
        self._idle: list[_Worker] = []
        self._starting = 0
        self._admitted = 0  # requests running or waiting
        self._deadlines: dict[_Worker, float] = {}  # busy worker → when it is killed
        self._closed = False
        weakref.finalize(self, _kill_all, self._workers)  # an app dropped without shutdown (tests)

    def start(self) -> None:
        """Start the workers now, so the first request does not wait for them."""
        with self._cond:
            self._fill()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._idle.clear()
            self._cond.notify_all()
        _kill_all(self._workers)

    def stats(self) -> dict:
        with self._cond:
            busy = len(self._deadlines)
            return {"size": self.size, "ready": len(self._workers), "busy": busy,
                    "queued": max(0, self._admitted - busy)}

    def admit(self) -> None:
        """Count a request in, or turn it away at once when the queue is full."""
        with self._cond:
            if self._admitted >= self.size + self.max_queue:
                raise self._busy("every extraction worker is busy and the queue is full")
            self._admitted += 1

    def run(self, data: bytes, name: str, store: bool) -> dict:
        """The answer for an admitted request (blocks: run it in a thread)."""
        try:
            worker = self._take(time.monotonic() + self.queue_wait)
            return self._job(worker, data, name, store)
        finally:
            with self._cond:
                self._admitted -= 1

    def _fill(self) -> None:
        """Start workers for the requests admitted, up to `size` (the lock
        held): an idle service keeps two, not one per core."""
        want = min(self.size, max(2, self._admitted))
        while not self._closed and len(self._workers) + self._starting < want:
            self._starting += 1
            threading.Thread(target=self._start_one, daemon=True, name="jyta-worker-start").start()

    def _start_one(self) -> None:
        worker, ready = None, False
        try:
            worker = _Worker(self._ctx, self.out)
            ready = worker.conn.poll(_START_TIMEOUT) and worker.conn.recv()[0] == "ready"
        except Exception:
            log.exception("an extraction worker failed to start")
        with self._cond:
            self._starting -= 1
            if ready and not self._closed:
                self._workers.add(worker)
                self._idle.append(worker)
                worker = None
            self._cond.notify_all()
        if worker is not None:
            worker.kill()

    def _take(self, deadline: float) -> _Worker:
        with self._cond:
            while True:
                self._fill()
                while not self._idle:
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closed:
                        raise self._busy(f"no extraction worker was free within {self.queue_wait:g} s")
                    self._cond.wait(left)
                worker = self._idle.pop()
                if worker.proc.is_alive():
                    break
                self._workers.discard(worker)  # died idle (the OOM killer): start another
                worker.kill()  # reaps it
            self._deadlines[worker] = time.monotonic() + self.timeout
            return worker

    def _job(self, worker: _Worker, data: bytes, name: str, store: bool) -> dict:
        try:
            worker.conn.send((data, name, store))
            reply = self._reply(worker, self._deadlines[worker])
            if reply[0] == "ok" and store:
                answer = reply[1]
                worker.conn.send("store")
                reply = self._reply(worker, None)  # never cut short: the dataset stays whole
                if reply[0] == "stored":
                    answer["stored"] = True
                    reply = ("ok", answer)
        except BaseException:
            self._replace(worker)
            raise
        self._release(worker)
        if reply[0] == "error":
            raise ServiceError(*reply[1:])
        return reply[1]

    def _reply(self, worker: _Worker, deadline: float | None) -> tuple:
        """The worker's next message; past the deadline or the memory limit,
        an error (and the caller kills the worker)."""
        while True:
            wait = 0.2 if deadline is None else min(0.2, deadline - time.monotonic())
            if wait <= 0:
                raise ServiceError(504, "timeout", f"extraction took longer than {self.timeout:g} s")
            if worker.conn.poll(wait):
                try:
                    return worker.conn.recv()
                except (EOFError, OSError):
                    raise ServiceError(422, "crashed", "reading this file killed its worker process "
                                       "(a crash in a native library, or out of memory)") from None
            if deadline is not None and self.max_rss and worker.rss() > self.max_rss:
                raise ServiceError(422, "memory", f"extraction needed more than {self.max_rss / 2**20:.0f} MiB "
                                   "of memory: not one report")

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            self._deadlines.pop(worker, None)
            if not self._closed:
                self._idle.append(worker)
            self._cond.notify_all()

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._cond:
            self._deadlines.pop(worker, None)
            self._workers.discard(worker)
            self._fill()
            self._cond.notify_all()

    def _busy(self, message: str) -> ServiceError:
        """503 with a Retry-After: the seconds until the first running job
        meets its time limit (the lock held)."""
        now = time.monotonic()
        wait = min(self._deadlines.values(), default=now + 5) - now
        return ServiceError(503, "busy", message, headers={"Retry-After": str(max(1, math.ceil(wait)))})


_STORE_LOCK = threading.Lock()


def _store(data: bytes, label: str, doc_id: str, out: str | None) -> None:
    """The upload kept under OUT/uploads/<doc_id><ext> (a name the service
    makes, never one from the request), then ingested like any file."""
    from .batch import ingest

    if not out:
        raise ServiceError(409, "no_dataset", "this service was started without a dataset folder")
    ext = os.path.splitext(label)[1].lower()
    ext = ext if ext in _EXT_FORMAT else ".bin"
    folder = os.path.join(out, "uploads")
    path = os.path.join(folder, doc_id + ext)
    with _STORE_LOCK:
        os.makedirs(folder, exist_ok=True)
        if not os.path.exists(path):
            with open(path + ".tmp", "wb") as fh:
                fh.write(data)
            os.replace(path + ".tmp", path)
        ingest([path], out, workers=1)


def query_table(out: str, endpoint: str, params: dict, limit: int, offset: int) -> dict:
    import duckdb
    import pyarrow as pa

    table, filters = _FILTERS[endpoint]
    if not dataset.exists(out, table):
        return {"items": [], "total": 0, "limit": limit, "offset": offset}
    joined = table not in ("documents", "series")
    needed = [table, "documents"] if joined else [table]
    damaged = damaged_tables(out, needed)
    if damaged:
        for name, cause in damaged.items():
            log.error("dataset table %s cannot be read: %s", name, cause)
        raise _damaged(damaged)
    where, args = [], []
    for key, value in params.items():
        if value is None:
            continue
        where.append(filters[key])
        args.append(f"%{value}%" if "LIKE" in filters[key] else value)
    src = f"{table} t JOIN documents d USING (doc_id)" if joined else table
    cols = "t.*" if joined else ("* EXCLUDE (text)" if table == "documents" else "*")
    cond = f"WHERE {' AND '.join(where)}" if where else ""
    try:
        con = _connect(out, needed)
        try:
            total = con.execute(f"SELECT count(*) FROM {src} {cond}", args).fetchone()[0]
            rel = con.execute(f"SELECT {cols} FROM {src} {cond} LIMIT ? OFFSET ?", args + [limit, offset])
            names = [c[0] for c in rel.description]
            items = [_row(dict(zip(names, r))) for r in rel.fetchall()]
        finally:
            con.close()
    except (duckdb.Error, pa.ArrowException, OSError) as e:  # files that open but do not read (a damaged page)
        log.error("reading %s of %s failed", " and ".join(needed), out, exc_info=e)
        raise _damaged({n: f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}" for n in needed})
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _connect(out: str, names: list[str]):
    """DuckDB over just the tables a listing reads: a damaged table elsewhere
    in the dataset does not stop it."""
    import duckdb

    con = duckdb.connect()
    for name in names:
        con.register(name, dataset.arrow_dataset(out, name))
    return con


def _damaged(found: dict) -> ServiceError:
    names = ", ".join(found)
    detail = "; ".join(f"{n}: {c}" for n, c in found.items())
    return ServiceError(503, "damaged_dataset", f"the dataset's {names} table cannot be read ({detail}): "
                        "run `jyta ingest` again on its files, or restore OUT from a backup")


def damaged_tables(out: str, names=None) -> dict[str, str]:
    """Tables of `out` whose Parquet files cannot be opened (emptied, cut
    short, not Parquet): table → which file and why."""
    found = {}
    for name in names or dataset.TABLES:
        for path in _table_files(out, name):
            cause = _unreadable(path)
            if cause:
                found[name] = f"{os.path.relpath(path, out)}: {cause}"
                break
    return found


def _table_files(out: str, name: str) -> list[str]:
    path = dataset.table_path(out, name)
    if os.path.exists(path):
        return [path]
    folder = dataset.partition_dir(out, name)
    if not os.path.isdir(folder):
        return []
    import glob

    return sorted(glob.glob(os.path.join(glob.escape(folder), "**", "*.parquet"), recursive=True))


_CHECKED: dict = {}  # (path, size, mtime) → why it cannot be read, or None


def _unreadable(path: str) -> str | None:
    """Why a Parquet file's footer cannot be read (checked once per version
    of the file: /healthz asks often)."""
    import pyarrow.parquet as pq

    try:
        st = os.stat(path)
    except OSError as e:
        return e.strerror or str(e)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _CHECKED:
        try:
            pq.read_metadata(path)
            cause = None
        except Exception as e:  # pyarrow raises ArrowInvalid, OSError… on a damaged file
            cause = f"{type(e).__name__}: {e}"
        if len(_CHECKED) > 10_000:
            _CHECKED.clear()
        _CHECKED[key] = cause
    return _CHECKED[key]


def _validation_message(errors: list) -> str:
    """Which field and why, for each of the first few errors (not pydantic's
    "1 validation error for TextIn")."""
    parts = []
    for err in errors[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return ("; ".join(parts) or "invalid request") + more


class TextIn(BaseModel):
    text: str = Field(..., description="the report's text (UTF-8)", max_length=3_000_000)
    format: str = Field("text", pattern="^(text|html)$", description="`text` or `html`")
    name: str = Field("upload.txt", max_length=200, description="a label for the document, never a path")


def create_app(out: str | None, max_mb: float = DEFAULT_MAX_MB, timeout: float = DEFAULT_TIMEOUT,
               workers: int | None = None, queue_wait: float = DEFAULT_QUEUE_WAIT, max_queue: int | None = None,
               max_rss_mb: float = DEFAULT_MAX_RSS_MB) -> FastAPI:
    """The app. Up to `workers` extraction processes (default: one per core,
    2 to 8; two are kept while the service is idle), `max_queue` requests
    waiting for one (default 4 per worker)."""
    from . import __version__

    max_bytes = int(max_mb * 2**20)
    if workers is None:
        from .workers import default_workers

        workers = min(8, max(2, default_workers()))
    size = workers
    pool = ExtractionPool(out, size, timeout, queue_wait, size * 4 if max_queue is None else max_queue,
                          int(max_rss_mb * 2**20))
    # threads that wait on the workers, apart from the ones that serve
    # /healthz and the listings: waiting requests never starve those
    waiters = ThreadPoolExecutor(max_workers=size + pool.max_queue, thread_name_prefix="jyta-wait")

    @asynccontextmanager
    async def lifespan(app):
        pool.start()
        yield
        pool.close()
        waiters.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="jyta", version=__version__, lifespan=lifespan,
                  description="Reports on handling deputies' suggestions and CPPCC proposals → records with evidence. "
                              f"Record contract {CONTRACT_VERSION}: contract/*.schema.json.")
    app.state.pool = pool

    def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
        return JSONResponse(status_code=status, content={"code": code, "message": message}, headers=headers)

    @app.exception_handler(ServiceError)
    async def _service_error(request, e: ServiceError):
        return error(e.status, e.code, e.message, e.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, e: RequestValidationError):
        return error(422, "invalid_request", _validation_message(e.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, e: StarletteHTTPException):
        return error(e.status_code, {404: "not_found", 405: "method_not_allowed"}.get(e.status_code, "http_error"),
                     str(e.detail))

    @app.exception_handler(Exception)
    async def _internal(request, e: Exception):  # never a stack trace to a stranger; the log has it
        log.error("%s %s failed", request.method, request.url.path, exc_info=e)
        return error(500, "internal", "the server could not handle this request")

    async def _read_limited(request: Request) -> bytes:
        size = request.headers.get("content-length")
        if size and size.isdigit() and int(size) > max_bytes + 64 * 1024:
            raise ServiceError(413, "too_large", f"the request is over the {max_mb:g} MiB limit")
        body = bytearray()
        async for part in request.stream():
            body += part
            if len(body) > max_bytes + 64 * 1024:
                raise ServiceError(413, "too_large", f"the request is over the {max_mb:g} MiB limit")
        return bytes(body)

    async def _run(data: bytes, name: str, store: bool) -> dict:
        pool.admit()
        return await asyncio.get_running_loop().run_in_executor(waiters, pool.run, data, name, store)

    @app.post("/v1/extract", summary="extract one report's records",
              description="Send the report as multipart `file`, or JSON `{\"text\": …, \"format\": \"text\"|\"html\"}`. "
                          "`store=true` also adds it to the dataset.",
              responses={200: {"description": "the document's records (contract extract.schema.json)"},
                         413: {"description": "over the size limit"}, 415: {"description": "not a report format"},
                         422: {"description": "unreadable input"}, 504: {"description": "over the time limit"}},
              openapi_extra={"requestBody": {"content": {
                  "application/json": {"schema": TextIn.model_json_schema()},
                  "multipart/form-data": {"schema": {"type": "object", "properties": {
                      "file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}}})
    async def extract(request: Request, store: bool = False):
        ctype = request.headers.get("content-type", "").lower()
        body = await _read_limited(request)
        if ctype.startswith("multipart/form-data"):
            from starlette.datastructures import UploadFile
            from starlette.formparsers import MultiPartParser

            async def stream():
                yield body

            try:
                form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=10).parse()
            except Exception:
                raise ServiceError(400, "bad_multipart", "the multipart body could not be parsed")
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise ServiceError(422, "invalid_request", "multipart body needs a `file` part")
            data = await upload.read()
            return await _run(data, upload.filename or "upload", store)
        if ctype.startswith("application/json") or not ctype:
            try:
                item = TextIn.model_validate_json(body or b"{}")
            except ValidationError as e:
                raise ServiceError(422, "invalid_request", _validation_message(e.errors()))
            data = item.text.encode("utf-8")
            if item.format == "html":
                name = os.path.splitext(item.name)[0] + ".html"
            else:
                name = item.name
            return await _run(data, name, store)
        raise ServiceError(415, "unsupported_media_type", "send multipart/form-data with a `file`, or application/json")

    def _listing(endpoint: str):
        def handler(region: str | None = Query(None, max_length=100), year: int | None = Query(None, ge=1949, le=2100),
                    metric: str | None = Query(None, max_length=60), label: str | None = Query(None, max_length=60),
                    status: str | None = Query(None, max_length=20), kind: str | None = Query(None, max_length=10),
                    unit: str | None = Query(None, max_length=20),
                    limit: int = Query(100, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0, le=10**9)):
            if not out:
                raise ServiceError(409, "no_dataset", "this service was started without a dataset folder")
            allowed = _FILTERS[endpoint][1]
            given = {"region": region, "year": year, "metric": metric, "label": label, "status": status,
                     "kind": kind, "unit": unit}
            extra = [k for k, v in given.items() if v is not None and k not in allowed]
            if extra:
                raise ServiceError(422, "invalid_request", f"/v1/{endpoint} has no filter {', '.join(extra)}")
            return query_table(out, endpoint, {k: v for k, v in given.items() if k in allowed}, limit, offset)
        handler.__name__ = f"list_{endpoint}"
        return handler

    for endpoint in _FILTERS:
        app.get(f"/v1/{endpoint}", summary=f"{endpoint} of the dataset, filtered and paged")(_listing(endpoint))

    damaged_before: dict = {}

    @app.get("/healthz")
    def healthz():
        body = {"status": "ok", "version": __version__, "contract_version": CONTRACT_VERSION,
                "dataset": bool(out and dataset.exists(out, "documents")), "workers": pool.stats()}
        damaged = damaged_tables(out) if out else {}
        if damaged:
            body["status"], body["damaged_tables"] = "degraded", damaged
        if damaged != damaged_before:  # logged once, not at every probe
            for name, cause in damaged.items():
                log.error("dataset table %s cannot be read: %s", name, cause)
            damaged_before.clear()
            damaged_before.update(damaged)
        return body

    return app


def serve(out: str, host: str = "127.0.0.1", port: int = 8000, max_mb: float = DEFAULT_MAX_MB,
          timeout: float = DEFAULT_TIMEOUT, workers: int | None = None, queue_wait: float = DEFAULT_QUEUE_WAIT,
          max_queue: int | None = None, max_rss_mb: float = DEFAULT_MAX_RSS_MB) -> None:
    import uvicorn

    app = create_app(out, max_mb=max_mb, timeout=timeout, workers=workers, queue_wait=queue_wait,
                     max_queue=max_queue, max_rss_mb=max_rss_mb)
    uvicorn.run(app, host=host, port=port, log_level="info")
