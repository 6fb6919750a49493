"""The HTTP service (pipeline/service.py): every endpoint, every error path,
the record contract, fuzzing from its own OpenAPI document, and a bounded
load test on loopback."""
import io
import json
import os
import statistics
import threading
import time
import zipfile

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from pipeline import compare, contract, dataset
from pipeline.batch import ingest
from pipeline.service import create_app

from conftest import corpus_text, make_inputs
from fixtures import docx_bytes


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("svc")
    src = make_inputs(tmp, ("001", "021", "028", "045"))
    out = str(tmp / "out")
    ingest([str(src)], out)
    compare.write(out)
    return out


@pytest.fixture(scope="module")
def client(out):
    return TestClient(create_app(out))


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(contract.table_schema(name))


def check_records(body: dict) -> None:
    """Every record follows the contract and points at its evidence."""
    validator("documents").validate(body["document"])
    text = body["document"]["text"]
    for table in ("proposals", "metrics", "indicators"):
        v = validator(table)
        for r in body[table]:
            v.validate(r)
            assert text[r["start"]:r["end"]] == r["surface"]


def test_health_and_openapi(client):
    assert client.get("/healthz").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert {"/v1/extract", "/v1/documents", "/v1/proposals", "/v1/metrics", "/v1/indicators", "/v1/series",
            "/healthz"} <= set(spec["paths"])


def test_extract_a_file(client):
    r = client.post("/v1/extract", files={"file": ("001.txt", corpus_text("001").encode("utf-8"))})
    assert r.status_code == 200
    body = r.json()
    assert body["contract_version"] == contract.CONTRACT_VERSION and not body["stored"]
    assert [p["number"] for p in body["proposals"]][:2] == ["0125", "0511"]
    check_records(body)


def test_extract_text_and_html(client):
    r = client.post("/v1/extract", json={"text": "今年共承办建议6件,办复率、满意率均达100%。"})
    assert r.status_code == 200
    assert {m["metric"] for m in r.json()["metrics"]} == {"count", "reply_rate", "satisfaction_rate"}
    check_records(r.json())
    html = "<html><body><div><p>2022年共承办政协提案12件,满意率98.5%。</p></div></body></html>"
    r = client.post("/v1/extract", json={"text": html, "format": "html"})
    assert r.status_code == 200 and r.json()["document"]["format"] == "html"


def test_extract_a_docx(client):
    data = docx_bytes(["2022年,我局共承办市人大代表建议8件,办复率100%。"])
    r = client.post("/v1/extract", files={"file": ("r.docx", data)})
    assert r.status_code == 200 and r.json()["metrics"]


def test_store_adds_once(tmp_path):
    out = str(tmp_path / "out")
    c = TestClient(create_app(out))
    for _ in range(2):
        r = c.post("/v1/extract?store=true", files={"file": ("x/../../etc/passwd.txt", corpus_text("006").encode())})
        assert r.status_code == 200 and r.json()["stored"]
    docs = dataset.read_rows(out, "documents")
    assert len(docs) == 1
    # the upload was kept under a name the service made, inside OUT
    assert os.path.dirname(docs[0]["source"]) == os.path.join(out, "uploads")
    assert c.get("/v1/documents").json()["total"] == 1


@pytest.mark.parametrize("files,json_body,status,code", [
    ({"file": ("report.pdf", b"<html><body><p>not a pdf</p></body></html>")}, None, 415, "content_mismatch"),
    ({"file": ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)}, None, 415, None),
    ({"file": ("empty.txt", b"")}, None, 422, None),
    ({"file": ("scan.pdf", b"%PDF-1.4\n1 0 obj\n<<")}, None, 422, None),
    (None, {"format": "text"}, 422, "invalid_request"),
    (None, {"text": "x", "format": "exe"}, 422, "invalid_request"),
])
def test_extract_errors_are_json(client, files, json_body, status, code):
    r = client.post("/v1/extract", files=files) if files else client.post("/v1/extract", json=json_body)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"code", "message"} and body["message"] and "Traceback" not in body["message"]
    if code:
        assert body["code"] == code


def test_other_error_paths(client, out):
    r = client.post("/v1/extract", content=b"abc", headers={"content-type": "application/octet-stream"})
    assert (r.status_code, r.json()["code"]) == (415, "unsupported_media_type")
    r = client.post("/v1/extract", content=b"--x\r\nbroken", headers={"content-type": "multipart/form-data; boundary=x"})
    assert r.status_code in (400, 422) and set(r.json()) == {"code", "message"}
    assert client.get("/v1/nothing").json()["code"] == "not_found"
    assert client.delete("/v1/metrics").json()["code"] == "method_not_allowed"
    assert client.get("/v1/metrics?limit=0").status_code == 422
    r = client.get("/v1/documents?metric=count")  # a filter documents do not have
    assert (r.status_code, r.json()["code"]) == (422, "invalid_request")
    small = TestClient(create_app(out, max_mb=0.01))
    r = small.post("/v1/extract", files={"file": ("big.txt", ("建议" * 20000).encode())})
    assert (r.status_code, r.json()["code"]) == (413, "too_large")
    slow = TestClient(create_app(out, timeout=0.0001))
    r = slow.post("/v1/extract", files={"file": ("001.txt", corpus_text("001").encode())})
    assert (r.status_code, r.json()["code"]) == (504, "timeout")
    nodata = TestClient(create_app(None))
    assert nodata.get("/v1/documents").json()["code"] == "no_dataset"


def test_xml_entities_are_not_expanded(client):
    """A DOCX whose XML defines entities (billion laughs) is refused or read
    without expanding them."""
    data = docx_bytes(["正文"])
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "word/document.xml":
                head, rest = body.split(b"?>", 1)
                lol = b"".join(b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;">' % (i + 1, i, i, i, i) for i in range(8))
                body = (head + b'?><!DOCTYPE w:document [<!ENTITY l0 "LOL">' + lol + b"]>"
                        + rest.replace("正文".encode(), b"&l8;", 1))
            zout.writestr(item, body)
    r = client.post("/v1/extract", files={"file": ("lol.docx", buf.getvalue())})
    assert r.status_code in (200, 422)
    if r.status_code == 200:
        assert "LOLLOL" not in r.json()["document"]["text"]


def test_listings_filter_and_page(client):
    docs = client.get("/v1/documents").json()
    assert docs["total"] == 4 and "text" not in docs["items"][0]
    wuhan = client.get("/v1/documents", params={"region": "武汉"}).json()
    assert wuhan["total"] == 1
    m = client.get("/v1/metrics", params={"metric": "satisfaction_rate", "region": "杭州", "year": 2022}).json()
    assert m["total"] >= 1 and all(x["metric"] == "satisfaction_rate" for x in m["items"])
    page1 = client.get("/v1/indicators", params={"limit": 5, "offset": 0}).json()
    page2 = client.get("/v1/indicators", params={"limit": 5, "offset": 5}).json()
    assert len(page1["items"]) == 5 and page1["items"] != page2["items"] and page1["total"] == page2["total"]
    assert client.get("/v1/proposals", params={"status": "resolved"}).json()["total"] >= 3
    s = client.get("/v1/series", params={"region": "武汉", "metric": "count"}).json()
    assert s["total"] >= 1 and all(x["measure"] == "count" for x in s["items"])
    for endpoint in ("proposals", "metrics", "indicators", "series"):
        v = validator(endpoint)
        for item in client.get(f"/v1/{endpoint}", params={"limit": 50}).json()["items"]:
            v.validate(item)


def test_contract_files_are_current():
    for fname, sch in contract.schemas().items():
        with open(os.path.join(contract.CONTRACT_DIR, fname), encoding="utf-8") as fh:
            assert json.load(fh) == sch, f"contract/{fname} is stale: python -m pipeline.contract"


def test_fuzzing_from_the_openapi_document_finds_no_5xx(out):
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    app = create_app(out, timeout=20)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures, calls = [], []
    for op in schema.get_all_operations():
        operation = op.ok()

        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call()
            calls.append(operation.label)
            if response.status_code >= 500:
                failures.append((operation.label, response.status_code, response.text[:200]))

        run()
    assert not failures, failures[:5]
    assert {"POST /v1/extract", "GET /v1/metrics", "GET /healthz"} <= set(calls) and len(calls) >= 100


def test_bounded_load_on_loopback(out):
    """200 requests from 4 concurrent clients on a real socket: no errors;
    requests/s and latency percentiles printed (run with -s to see them)."""
    import httpx
    import uvicorn

    config = uvicorn.Config(create_app(out), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    text = corpus_text("021")
    latencies, failures = [], []

    def client(n):
        with httpx.Client(base_url=base, timeout=60) as c:
            for k in range(n):
                t0 = time.perf_counter()
                r = (c.post("/v1/extract", json={"text": text}) if k % 2 else
                     c.get("/v1/metrics", params={"metric": "count", "limit": 20}))
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    failures.append(r.status_code)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(50,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    server.should_exit = True
    thread.join(timeout=10)
    assert not failures and len(latencies) == 200
    q = statistics.quantiles(latencies, n=100)
    print(f"\nload: 200 requests, 4 clients, {200 / wall:.1f} req/s, p50 {q[49] * 1000:.0f} ms, "
          f"p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms")


def test_a_docx_bomb_is_refused(client):
    """document.xml that inflates past the reader's limit: 422, read no further."""
    data = docx_bytes(["正文"])
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "word/document.xml":
                body = body.replace(b"</w:body>", b"<!--" + b"0" * (40 * 2**20) + b"--></w:body>")
            zout.writestr(item.filename, body)
    assert len(buf.getvalue()) < 1 * 2**20  # small on the wire
    r = client.post("/v1/extract", files={"file": ("bomb.docx", buf.getvalue())})
    assert r.status_code == 422 and set(r.json()) == {"code", "message"}


def test_a_timed_out_store_stores_nothing(tmp_path):
    out = str(tmp_path / "out")
    c = TestClient(create_app(out, timeout=0.0001))
    r = c.post("/v1/extract?store=true", files={"file": ("001.txt", corpus_text("001").encode())})
    assert (r.status_code, r.json()["code"]) == (504, "timeout")
    time.sleep(3)  # the extraction runs on in its thread; it must not store
    assert not dataset.exists(out, "documents")
