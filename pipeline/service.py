"""`jyta serve OUT`: the extractor as an HTTP service, and the dataset in OUT
read through it. Files come from strangers, so:

- an upload size limit (413), checked while reading, before anything parses;
- a per-request time limit on extraction (504);
- content sniffed from the bytes: a `.pdf` that is not a PDF gets 415;
  DOCX/ZIP bombs and entity expansion are refused by the readers;
- no file-system path is ever taken from a request (an upload's name is only
  a label);
- every error is JSON `{"code", "message"}`, never a stack trace.

The answers follow the record contract in contract/*.schema.json
(pipeline/contract.py), generated from the dataset's schema.
"""
from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from fastapi import FastAPI, Query, Request  # this module is imported only to serve
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import dataset
from .contract import CONTRACT_VERSION

DEFAULT_MAX_MB = 20
DEFAULT_TIMEOUT = 30.0
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


class ServiceError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


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
    """The records of one file (the /v1/extract answer); with store, the file
    joins the dataset in OUT as `jyta ingest` would add it (same bytes, same
    document: nothing twice)."""
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
    if store and not (cancelled is not None and cancelled()):  # a timed-out request stores nothing
        _store(data, label, doc_id_for(data), out)
        answer["stored"] = True
    return answer


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
    from .store import connect

    table, filters = _FILTERS[endpoint]
    if not dataset.exists(out, table):
        return {"items": [], "total": 0, "limit": limit, "offset": offset}
    joined = table not in ("documents", "series")
    where, args = [], []
    for key, value in params.items():
        if value is None:
            continue
        where.append(filters[key])
        args.append(f"%{value}%" if "LIKE" in filters[key] else value)
    src = f"{table} t JOIN documents d USING (doc_id)" if joined else table
    cols = "t.*" if joined else ("* EXCLUDE (text)" if table == "documents" else "*")
    cond = f"WHERE {' AND '.join(where)}" if where else ""
    con = connect(out)
    try:
        total = con.execute(f"SELECT count(*) FROM {src} {cond}", args).fetchone()[0]
        rel = con.execute(f"SELECT {cols} FROM {src} {cond} LIMIT ? OFFSET ?", args + [limit, offset])
        names = [c[0] for c in rel.description]
        items = [_row(dict(zip(names, r))) for r in rel.fetchall()]
    finally:
        con.close()
    return {"items": items, "total": total, "limit": limit, "offset": offset}


class TextIn(BaseModel):
    text: str = Field(..., description="the report's text (UTF-8)", max_length=3_000_000)
    format: str = Field("text", pattern="^(text|html)$", description="`text` or `html`")
    name: str = Field("upload.txt", max_length=200, description="a label for the document, never a path")


def create_app(out: str | None, max_mb: float = DEFAULT_MAX_MB, timeout: float = DEFAULT_TIMEOUT) -> FastAPI:
    from . import __version__

    max_bytes = int(max_mb * 2**20)
    slots = max(2, (os.cpu_count() or 2))
    pool = ThreadPoolExecutor(max_workers=slots)
    # extractions admitted, running or queued (a timed-out one runs on until
    # it ends): past this many a request is turned away (503), not queued
    busy = threading.BoundedSemaphore(slots * 4)
    app = FastAPI(title="jyta", version=__version__,
                  description="Reports on handling deputies' suggestions and CPPCC proposals → records with evidence. "
                              f"Record contract {CONTRACT_VERSION}: contract/*.schema.json.")

    def error(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse(status_code=status, content={"code": code, "message": message})

    @app.exception_handler(ServiceError)
    async def _service_error(request, e: ServiceError):
        return error(e.status, e.code, e.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, e: RequestValidationError):
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return error(422, "invalid_request", f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, e: StarletteHTTPException):
        return error(e.status_code, {404: "not_found", 405: "method_not_allowed"}.get(e.status_code, "http_error"),
                     str(e.detail))

    @app.exception_handler(Exception)
    async def _internal(request, e: Exception):  # never a stack trace to a stranger
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
        if not busy.acquire(blocking=False):
            raise ServiceError(503, "busy", "every extraction slot is taken; retry shortly")
        cancelled = threading.Event()
        loop = asyncio.get_running_loop()
        started = asyncio.Event()

        t0: list[float] = []

        def expired() -> bool:
            return cancelled.is_set() or (bool(t0) and time.monotonic() - t0[0] > timeout)

        def job():
            t0.append(time.monotonic())
            loop.call_soon_threadsafe(started.set)
            try:
                return extract_bytes(data, name, out, store, expired)
            finally:
                busy.release()

        fut = loop.run_in_executor(pool, job)
        await started.wait()  # the time limit counts the work, not the wait for a slot
        too_slow = ServiceError(504, "timeout", f"extraction took longer than {timeout:g} s")
        try:
            answer = await asyncio.wait_for(asyncio.shield(fut), max(0.0, timeout - (time.monotonic() - t0[0])))
        except asyncio.TimeoutError:
            cancelled.set()
            raise too_slow
        if expired() and not answer["stored"]:
            raise too_slow  # it finished, but past its limit (this loop was slow to look)
        return answer

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
            except Exception as e:
                msg = str(e).splitlines()[0] if str(e) else "invalid JSON body"
                raise ServiceError(422, "invalid_request", msg[:300])
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

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "version": __version__, "contract_version": CONTRACT_VERSION,
                "dataset": bool(out and dataset.exists(out, "documents"))}

    return app


def serve(out: str, host: str = "127.0.0.1", port: int = 8000, max_mb: float = DEFAULT_MAX_MB,
          timeout: float = DEFAULT_TIMEOUT) -> None:
    import uvicorn

    uvicorn.run(create_app(out, max_mb=max_mb, timeout=timeout), host=host, port=port, log_level="info")
