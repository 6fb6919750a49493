"""Hostile inputs (issue 16) against the readers and the service: each file
of tests/hostile.py is read in a subprocess that must finish within a
generous bound (only a quadratic regression can exceed it), and where memory
is the point, under a bound on its peak RSS."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

import hostile
from pipeline.document import IngestError
from pipeline.readers import read_bytes

HERE = os.path.dirname(__file__)
ROOT = os.path.dirname(HERE)

_READ = """
import json, resource, sys, time
# a regression must fail the test, not take the machine's memory
resource.setrlimit(resource.RLIMIT_AS, ({max_bytes}, {max_bytes}))
sys.path.insert(0, {here!r})
import hostile
from pipeline.document import IngestError
from pipeline.readers import read_bytes, read_file
arg = sys.argv[1]
data = open(arg, "rb").read() if arg.startswith("/") else eval("hostile." + arg)
t = time.perf_counter()
try:
    d = read_bytes(data, "hostile")
    out = {{"ok": True, "encoding": d.encoding, "chars": len(d.text), "report": hostile.REPORT in d.text}}
except IngestError as e:
    out = {{"ok": False, "error": e.error, "message": e.message}}
out["seconds"] = time.perf_counter() - t
try:  # this process's own peak (ru_maxrss would count the forking parent's size)
    out["peak_mb"] = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    import resource
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def read_in_subprocess(arg: str, limit: float, max_mb: int = 3072) -> tuple[dict, float]:
    """(what reading `arg` gave, the reading process's peak RSS in MiB) from a
    fresh process killed at `limit` seconds, its address space capped at
    `max_mb`: `arg` is a file path or a call of hostile.py."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = _READ.format(here=HERE, max_bytes=max_mb * 2**20)
    proc = subprocess.Popen([sys.executable, "-c", code, arg], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, text=True)
    timer = threading.Timer(limit, proc.kill)
    timer.start()
    out, _ = proc.communicate()
    timer.cancel()
    assert proc.returncode == 0, f"{arg}: killed after {limit:g} s or failed: {out[-500:]}"
    got = json.loads(out.strip().splitlines()[-1])
    return got, got["peak_mb"]


# -- web pages: every regex of the readers is linear on hostile runs ------------

PAGES = {
    # (call, size): a megabyte and more; before, 270 KB of these took 8 s to 200+ s
    "unclosed_scripts": "unclosed_scripts(120000)",
    "lt_run": "lt_run(1000000)",
    "font_run": "font_run(200000)",
    "comment_run": "comment_run(200000)",
    "entity_run": "entity_run(50000)",
    "huge_attribute": "huge_attribute(5000000)",
    "whitespace_run": "whitespace_run(300000)",
    "newline_run": "newline_run(300000)",
}


@pytest.mark.parametrize("name", PAGES)
def test_a_hostile_page_is_read_in_linear_time(name):
    got, _ = read_in_subprocess(PAGES[name], limit=60)
    assert got["ok"] and got["report"], got
    assert got["seconds"] < 20, got  # linear: well under a second; quadratic: minutes


def test_a_page_of_millions_of_elements_is_refused_in_bounded_memory():
    got, rss = read_in_subprocess("element_run()", limit=60)  # before: 42 s and 3 GB
    assert not got["ok"] and got["error"] == "too_large" and "elements" in got["message"], got
    assert got["seconds"] < 20 and rss < 1500, (got["seconds"], rss)


@pytest.mark.parametrize("charset", ["base64", "rot13", "zlib", "undefined", "no-such-charset"])
def test_a_charset_that_is_no_text_encoding_falls_back_to_detection(charset):
    doc = read_bytes(hostile.declared_charset(charset), "page.html")
    assert doc.encoding == "gb18030" and hostile.REPORT in doc.text


# -- DOCX: every part python-docx parses is capped, and all of them together ----

@pytest.mark.parametrize("part,size,rename,what", [
    ("word/styles.xml", 40 * 2**20, None, "word/styles.xml"),
    ("word/numbering.xml", 40 * 2**20, None, "word/numbering.xml"),
    # the content types decide what is parsed, not the name
    ("word/styles.xml", 40 * 2**20, "word/media/image9.png", "word/media/image9.png"),
    ("word/styles.xml", 480 * 2**20, None, "expands to"),  # the issue's: 7.5 GB before
])
def test_a_docx_with_an_inflating_part_is_refused_in_little_memory(tmp_path, part, size, rename, what):
    path = hostile.docx_with_big_part(str(tmp_path / "bomb.docx"), part, size, rename=rename)
    assert os.path.getsize(path) < 2 * 2**20
    got, rss = read_in_subprocess(path, limit=60)
    assert not got["ok"] and got["error"] == "too_large" and what in got["message"], got
    assert rss < 200, f"peak RSS {rss:.0f} MiB"  # before: 600 MiB for 40 MiB of XML, 7.5 GB for 480


def test_a_docx_whose_xml_parts_add_up_is_refused(tmp_path):
    path = hostile.docx_with_parts(str(tmp_path / "many.docx"), {f"word/header{i}.xml": 9 * 2**20 for i in range(6)})
    got, _ = read_in_subprocess(path, limit=60)
    assert not got["ok"] and got["error"] == "too_large" and "XML parts" in got["message"], got


def test_a_docx_listing_too_many_parts_is_refused(tmp_path):
    path = hostile.docx_with_many_members(str(tmp_path / "members.docx"), 12000)
    with pytest.raises(IngestError) as e:
        read_bytes(open(path, "rb").read(), "members.docx")
    assert e.value.error == "too_large" and "parts" in e.value.message


@pytest.mark.parametrize("make", [
    # before: 120+ s (every paragraph walked the chain)
    "docx_with_style_chain({path!r}, styles=20000, paragraphs=5000)",
    # before: 23 GB and 78 s for 37 KB (a billion as letters before each paragraph)
    "docx_with_numbering({path!r})",
    # before: over 2.7 GB and 120+ s (a label of 2 million counters)
    "docx_with_numbering({path!r}, '30000', 'upperRoman', '%1' * 2_000_000)",
    # before: ~60 s (each element's ancestors looked at)
    "docx_with_deep_runs({path!r}, depth=250, size=12 * 2**20)",
])
def test_a_docx_of_hostile_structure_is_read_in_linear_time_and_little_memory(tmp_path, make):
    path = eval("hostile." + make.format(path=str(tmp_path / "hostile.docx")))
    got, rss = read_in_subprocess(path, limit=60)
    assert got["ok"] and got["report"], got
    assert got["seconds"] < 20 and rss < 600, (got["seconds"], rss)


def test_an_ordinary_docx_is_still_read():
    doc = read_bytes(hostile._base_docx(), "r.docx")
    assert doc.text == hostile.REPORT


# -- the service: extraction in worker processes it kills at the limits ---------

def rss_mb(children_only: bool = False) -> float:
    """RSS of this process (which runs the server) and every process under
    it (the fork server and the service's workers), or of those alone, MiB."""
    import psutil

    me = psutil.Process()
    total = 0
    for p in me.children(recursive=True) + ([] if children_only else [me]):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


@pytest.fixture(scope="module")
def dataset_out(tmp_path_factory) -> str:
    """A dataset of one document."""
    from conftest import make_inputs
    from pipeline.batch import ingest

    tmp = tmp_path_factory.mktemp("hostile_svc")
    out = str(tmp / "out")
    ingest([str(make_inputs(tmp, ("006",)))], out, workers=1)
    return out


@pytest.fixture(scope="module")
def served(dataset_out):
    """A real server on loopback over that dataset: 2 workers, a 4 s time
    limit, 2 s in the queue, 1 place in it, 400 MiB per worker."""
    import httpx
    import uvicorn

    from pipeline.service import create_app

    out = dataset_out
    app = create_app(out, timeout=4, workers=2, queue_wait=2, max_queue=1, max_rss_mb=400)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    with httpx.Client(base_url=base, timeout=120) as client:
        wait_for_workers(client, 2)
        yield app, client, out
    server.should_exit = True
    thread.join(timeout=20)


def wait_for_workers(client, n: int, limit: float = 60) -> None:
    t0 = time.monotonic()
    while client.get("/healthz").json()["workers"]["ready"] < n:
        assert time.monotonic() - t0 < limit, "the workers did not start"
        time.sleep(0.1)


def post_text(client, text: str, name: str = "t.txt"):
    return client.post("/v1/extract", files={"file": (name, text.encode("utf-8"))})


def test_the_service_answers_while_hostile_uploads_run(served, monkeypatch):
    """/healthz and a listing answer within 1 s while a 270 KB hostile page
    and two slow texts are in flight; the slow ones are stopped at the time
    limit (504), a request that waits past its queue deadline and one that
    finds the queue full get 503 with Retry-After, and fresh workers then
    serve an ordinary report."""
    import httpx

    app, client, _ = served
    monkeypatch.setattr(app.state.pool, "max_rss", 8 * 2**30)  # the slow texts meet the time limit, not memory's
    slow, results, latencies = hostile.long_text(2_900_000), {}, []

    def send(key, **kw):
        with httpx.Client(base_url=client.base_url, timeout=120) as c:
            results[key] = c.post("/v1/extract", **kw)

    page = threading.Thread(target=send, args=("page",), kwargs={"files": {"file": ("s.html", hostile.unclosed_scripts())}})
    page.start()
    page.join()
    hogs = [threading.Thread(target=send, args=(k,), kwargs={"files": {"file": ("t.txt", slow.encode())}})
            for k in ("slow1", "slow2")]
    for t in hogs:
        t.start()
    while app.state.pool.stats()["busy"] < 2:
        time.sleep(0.02)
    queued = threading.Thread(target=send, args=("queued",), kwargs={"json": {"text": hostile.REPORT}})
    queued.start()
    while app.state.pool.stats()["queued"] < 1:
        time.sleep(0.02)
    results["full"] = client.post("/v1/extract", json={"text": hostile.REPORT})
    while any(t.is_alive() for t in hogs):
        for path in ("/healthz", "/v1/documents"):
            t0 = time.perf_counter()
            assert client.get(path).status_code == 200
            latencies.append(time.perf_counter() - t0)
        time.sleep(0.1)
    queued.join()
    assert results["page"].status_code == 200 and results["page"].json()["metrics"]
    assert [results[k].json()["code"] for k in ("slow1", "slow2")] == ["timeout", "timeout"]
    for k in ("queued", "full"):
        assert results[k].status_code == 503 and results[k].json()["code"] == "busy", results[k].text
        assert 1 <= int(results[k].headers["Retry-After"]) <= 5
    print(f"\n{len(latencies)} answers of /healthz and /v1/documents meanwhile, slowest {max(latencies):.3f} s")
    assert len(latencies) >= 10 and max(latencies) < 1.0, f"slowest answer {max(latencies):.2f} s"
    wait_for_workers(client, 2)
    r = post_text(client, hostile.REPORT)
    assert r.status_code == 200 and r.json()["metrics"]


def test_a_killed_worker_returns_its_memory(served):
    """A page whose tree outgrows the worker's memory limit: its worker is
    killed (422 memory), and the service's processes come back to the RSS
    they had before."""
    import psutil

    from pipeline.readers.html import _MAX_ELEMENTS

    app, client, _ = served
    # just under the element limit, so the reader's own refusal (too_large,
    # no kill) cannot win the race on a fast machine: ~650 MB at its peak
    pairs = (_MAX_ELEMENTS - 10) // 2
    page = ("<html><body><p>" + hostile.REPORT + "</p>" + "<div><span>a</span></div>" * pairs).encode()
    before, workers_before = rss_mb(), rss_mb(children_only=True)
    pids = {w.proc.pid for w in app.state.pool._workers}
    peak, answer = [0.0], {}

    def send():
        answer["r"] = client.post("/v1/extract", files={"file": ("big.html", page)})

    t = threading.Thread(target=send)
    t.start()
    while t.is_alive():
        peak[0] = max(peak[0], rss_mb())
        time.sleep(0.1)
    assert answer["r"].json()["code"] in ("memory", "timeout"), answer["r"].text
    assert peak[0] > before + 200, f"the page did not take memory: {before:.0f} → {peak[0]:.0f} MiB"
    wait_for_workers(client, 2)
    killed = pids - {w.proc.pid for w in app.state.pool._workers}
    assert len(killed) == 1 and not psutil.pid_exists(killed.pop())
    after, workers_after = rss_mb(), rss_mb(children_only=True)
    print(f"\nRSS of the service's processes: {before:.0f} MiB before, {peak[0]:.0f} MiB at the peak "
          f"({answer['r'].json()['code']}), {after:.0f} MiB after; of its workers {workers_before:.0f} → "
          f"{workers_after:.0f} MiB")
    assert workers_after < workers_before + 50
    # the server's own process keeps no more than the upload's buffers (17.5 MB each)
    assert after < before + 120


def test_a_timed_out_request_stops_its_work(served, monkeypatch):
    """The issue's 2.9M-character text: its 504 at the time limit, and the
    worker that extracted it gone (before: the answer stopped, the work went
    on for ~7 CPU minutes)."""
    import psutil

    app, client, _ = served
    # only the time limit is under test: a fast machine got the text past
    # 400 MiB inside 4 s and answered 422 memory (that path has its own test)
    monkeypatch.setattr(app.state.pool, "max_rss", 8 * 2**30)
    wait_for_workers(client, 2)
    answer, busy = {}, set()

    def send():
        answer["r"] = post_text(client, hostile.long_text(2_900_000))

    t = threading.Thread(target=send)
    t.start()
    while t.is_alive():
        busy |= {w.proc.pid for w in list(app.state.pool._deadlines)}
        time.sleep(0.05)
    assert (answer["r"].status_code, answer["r"].json()["code"]) == (504, "timeout"), answer["r"].text
    assert len(busy) == 1
    pid = busy.pop()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    wait_for_workers(client, 2)
    assert post_text(client, hostile.REPORT).status_code == 200


def test_a_docx_whose_styles_inflate_to_480_mb_is_refused_by_the_service(served, tmp_path):
    """The issue's 1.4 MB DOCX with a 480 MB word/styles.xml (before: a 504 and
    a server that stayed at 7 GB): 422 too_large at once, no memory kept."""
    app, client, _ = served
    path = hostile.docx_with_big_part(str(tmp_path / "styles.docx"))
    wait_for_workers(client, 2)
    before = rss_mb()
    t0 = time.monotonic()
    with open(path, "rb") as fh:
        r = client.post("/v1/extract", files={"file": ("styles.docx", fh.read())})
    took = time.monotonic() - t0
    assert (r.status_code, r.json()["code"]) == (422, "too_large"), r.text
    assert "word/styles.xml" in r.json()["message"] or "expands to" in r.json()["message"], r.text
    assert took < 4  # under the time limit: refused, not killed
    assert rss_mb() < before + 100


def test_workers_die_with_the_server(tmp_path):
    """`kill -9` of the server mid-extraction: its workers (and the fork
    server) exit within seconds, the busy one included."""
    import signal

    import httpx
    import psutil

    code = ("import sys, uvicorn\nfrom pipeline.service import create_app\nif __name__ == '__main__':\n"
            "    uvicorn.run(create_app(None, workers=2, timeout=60), host='127.0.0.1', port=int(sys.argv[1]),"
            " log_level='warning')\n")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    server = subprocess.Popen([sys.executable, "-c", code, str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.monotonic()
        while True:
            assert time.monotonic() - t0 < 60 and server.poll() is None, "the server did not start"
            try:
                if httpx.get(base + "/healthz").json()["workers"]["ready"] == 2:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        slow = threading.Thread(target=lambda: _post_quietly(base, hostile.long_text(2_900_000)), daemon=True)
        slow.start()
        while httpx.get(base + "/healthz").json()["workers"]["busy"] < 1:
            time.sleep(0.05)
        children = psutil.Process(server.pid).children(recursive=True)
        assert len(children) >= 3
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"still running after the server was killed: {[p.pid for p in alive]}"


def _post_quietly(base: str, text: str) -> None:
    import httpx

    try:
        httpx.post(base + "/v1/extract", json={"text": text}, timeout=60)
    except httpx.HTTPError:
        pass  # the server is killed under it


# -- the service's errors: which field and why; a damaged table named -----------

@pytest.fixture(scope="module")
def local():
    """The service in this thread (TestClient) over a dataset folder."""
    from fastapi.testclient import TestClient

    from pipeline.service import create_app

    return lambda out: TestClient(create_app(out, workers=1))


@pytest.mark.parametrize("body,says", [
    ({"format": "text"}, "text: Field required"),
    ({"text": "今年", "format": "exe"}, "format: String should match pattern"),
    ({"text": 5}, "text: Input should be a valid string"),
    ({"text": "今年", "name": "x" * 300}, "name: String should have at most 200 characters"),
    (b"{not json", "body: Invalid JSON"),
    ([1, 2], "body: Input should be an object"),
])
def test_invalid_requests_say_which_field_and_why(local, body, says):
    client = local(None)
    r = (client.post("/v1/extract", content=body, headers={"content-type": "application/json"})
         if isinstance(body, bytes) else client.post("/v1/extract", json=body))
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    assert says in r.json()["message"] and "validation error for" not in r.json()["message"], r.json()


def test_the_service_serves_a_dataset_whose_path_has_quotes(tmp_path, local):
    """A `'` in OUT's path (before: pasted into SQL, every listing failed)."""
    from conftest import make_inputs
    from pipeline.batch import ingest

    out = str(tmp_path / "bob's [x] *?" / "out")
    ingest([str(make_inputs(tmp_path, ("006", "015")))], out, workers=1)
    client = local(out)
    assert client.get("/v1/documents").json()["total"] == 2
    assert client.get("/v1/metrics").json()["total"] > 0
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.post("/v1/extract?store=true", json={"text": hostile.REPORT})
    assert r.status_code == 200 and r.json()["stored"], r.text
    assert client.get("/v1/documents").json()["total"] == 3


def test_a_damaged_table_is_named_and_the_rest_still_answers(dataset_out, local, tmp_path, caplog):
    import shutil

    out = dataset_out
    copy = str(tmp_path / "out")
    shutil.copytree(out, copy)
    open(os.path.join(copy, "metrics.parquet"), "wb").close()  # emptied
    client = local(copy)
    with caplog.at_level("ERROR", logger="jyta.service"):
        r = client.get("/v1/metrics")
    assert r.status_code == 503 and r.json()["code"] == "damaged_dataset", r.text
    assert "metrics" in r.json()["message"] and "documents" not in r.json()["message"].split("(")[0]
    assert any("metrics" in rec.getMessage() for rec in caplog.records)  # the cause is in the log
    assert client.get("/v1/documents").json()["total"] == 1  # a table that reads still answers
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and list(health["damaged_tables"]) == ["metrics"]
    assert "metrics.parquet" in health["damaged_tables"]["metrics"]
