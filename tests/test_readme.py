"""Every command example in README.md runs, as a reader would type it, in a
temporary copy of the bundled corpus: the shell blocks (set-up, the Dask
cluster, the service with its curl calls), the `jyta …` commands in the
text (a synopsis such as `jyta export OUT --format csv|jsonl|xlsx -o DIR`
runs once per alternative, with its optional parts and its placeholders
filled) and the library example. Each must exit 0 and print what it says.

Not run: `pip install …` (the environment is installed), `pytest` (the
suite this test is part of) and the maintainers' scripts of NOT_RUN_SCRIPTS
(each says why). An example the test does not know how to run fails
`test_every_example_is_run`, so a new one cannot go untested.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as _fh:
    README = _fh.read()

NOT_RUN = {"pip install": "the environment is installed", "pytest": "the suite this test is part of"}
NOT_RUN_SCRIPTS = {
    "python -m pipeline.contract": "rewrites contract/ in the checkout; test_service checks the files are current",
    "python scripts/measure.py": "scores the real sets at two commits: minutes",
    "python tests/raise_floors.py": "rewrites tests/floors.json",
    "python bench/run.py": "a benchmark: minutes",
    "python bench/scale.py": "a benchmark: minutes",
    "python bench/hotspots.py": "a profile of a whole ingest: minutes",
    "python tests/records_digest.py": "rewrites tests/records_digest.json; test_records_identical compares it",
}
# what a synopsis' placeholders stand for, in the copy of the corpus
PLACEHOLDERS = {"OUT": "dataset", "PATH...": "corpus/raw", "FILE.csv": "corpus/manifest.csv", "DIR": "exports",
                "SQL": "SELECT count(*) AS documents FROM documents"}
NUMBERS = {"--max-mb": "20", "--workers": "2"}
# `[--scheduler ADDRESS]` needs a cluster: the Dask block below runs it against one
NEEDS_CLUSTER = "ADDRESS"


# --- the examples, as the README writes them ---------------------------------------------------------------------

def fenced_blocks(text: str = README) -> list[list[str]]:
    """The ```sh blocks, each as its commands: continuation lines joined, comments dropped."""
    blocks = []
    for body in re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", text, flags=re.M | re.S):
        joined = re.sub(r"\\\n\s*", "", body)
        blocks.append([re.sub(r"\s+#\s.*$", "", line).strip() for line in joined.splitlines() if line.strip()])
    return blocks


def block_starting(words: str) -> list[str]:
    """The one ```sh block whose first command starts with `words`."""
    (block,) = [b for b in fenced_blocks() if b and b[0].startswith(words)]
    return block


def inline_commands(text: str = README) -> list[str]:
    """The `jyta …`, `python …` and `from pipeline import …` spans of the prose (a span may wrap a line)."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    spans = (re.sub(r"\s+", " ", s).strip() for s in re.findall(r"`([^`]+)`", prose))
    # a bare `jyta ingest` in a sentence names the command; an example gives it arguments
    return [s for s in spans if s.startswith(("jyta ", "from pipeline import ")) and len(s.split()) > 2
            or s.startswith("python ")]


def runnable(command: str) -> list[str]:
    """A `a && b` line without the parts NOT_RUN names."""
    return [c.strip() for c in command.split("&&") if not c.strip().startswith(tuple(NOT_RUN))]


def instances(synopsis: str) -> list[str]:
    """A synopsis made concrete: optional parts included (except the cluster's), placeholders filled,
    one command per alternative of `a|b|c`."""
    synopsis = re.sub(r"\[[^\]]*" + NEEDS_CLUSTER + r"[^\]]*\]", "", synopsis)
    words = shlex.split(synopsis.replace("[", "").replace("]", ""))
    filled = []
    for k, w in enumerate(words):
        if w in PLACEHOLDERS:
            w = PLACEHOLDERS[w]
        elif w == "N":
            w = NUMBERS[words[k - 1]]
        elif re.fullmatch(r"[A-Z][A-Z.]*", w):
            raise AssertionError(f"README synopsis {synopsis!r}: no value for the placeholder {w}")
        filled.append(w.split("|") if re.fullmatch(r"[\w-]+(\|[\w-]+)+", w) else [w])
    out = [[]]
    for alts in filled:
        out = [done + [a] for done in out for a in alts]
    return [shlex.join(ws) for ws in out]


# --- running them -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The worktree's code first on the path, and `jyta` on PATH (a shim where it is not installed)."""
    e = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), "NO_COLOR": "1"}
    if not shutil.which("jyta"):
        bin_dir = tmp_path_factory.mktemp("bin")
        shim = bin_dir / "jyta"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pipeline "$@"\n')
        shim.chmod(0o755)
        e["PATH"] = f"{bin_dir}{os.pathsep}{e['PATH']}"
    return e


@pytest.fixture(scope="module")
def setup_dir(tmp_path_factory, env):
    """A copy of the bundled corpus where the README's first block (set-up) has run."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(os.path.join(ROOT, "corpus", "raw"), work / "corpus" / "raw")
    shutil.copytree(os.path.join(ROOT, "corpus", "gold"), work / "corpus" / "gold")
    shutil.copy(os.path.join(ROOT, "corpus", "manifest.csv"), work / "corpus" / "manifest.csv")
    (setup,) = fenced_blocks()[0]
    r = sh(" && ".join(runnable(setup)), work, env)
    assert "45 new documents" in r.stdout + r.stderr, r.stderr
    assert "series rows" in r.stdout  # jyta compare's summary
    return work


def sh(command: str, cwd, env, timeout: int = 120) -> subprocess.CompletedProcess:
    # errors="replace": `| head -c 400` may cut a character in two
    r = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, encoding="utf-8",
                       errors="replace", timeout=timeout)
    assert r.returncode == 0, f"{command}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    return r


@pytest.fixture
def work(setup_dir, tmp_path):
    """A fresh copy of the set-up (an example may change the dataset: compare's options, an upload)."""
    dest = tmp_path / "w"
    shutil.copytree(setup_dir, dest)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: str, cwd, env) -> subprocess.Popen:
    return subprocess.Popen(["bash", "-c", "exec " + command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def stop(proc: subprocess.Popen) -> str:
    """End the process group this test started; returns what it printed."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.stdout.read() if proc.stdout else ""


def get(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def wait_healthy(proc: subprocess.Popen, port: int, deadline: float = 40) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        assert proc.poll() is None, f"the server stopped: {stop(proc)}"
        try:
            get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no /healthz on port {port}: {stop(proc)}")


# --- the tests ----------------------------------------------------------------------------------------------------

def test_the_readme_has_the_examples_this_test_runs():
    blocks = fenced_blocks()
    assert blocks[0] == ["pip install . && jyta ingest corpus/raw --manifest corpus/manifest.csv -o dataset/ "
                         "&& jyta compare dataset/"]
    assert runnable(blocks[1][0]) == []  # pip install -e '.[test]' && pytest
    # (the "For NLP users" export block is run by tests/test_nlp.py::test_readme_nlp_examples_run)
    assert [b[0].split()[:2] for b in blocks[2:]] == [["dask", "scheduler"], ["jyta", "export"], ["jyta", "serve"]]
    subs = {c.split()[1] for c in inline_commands() if c.startswith("jyta ")}
    assert {"ingest", "query", "export", "evaluate", "compare", "report", "serve"} <= subs
    assert instances("jyta export OUT --format csv|jsonl|xlsx|spacy -o DIR") == [
        f"jyta export dataset --format {f} -o exports" for f in ("csv", "jsonl", "xlsx", "spacy")]


def test_every_example_is_run():
    """Each example is run by one of the tests below; an unknown one fails here."""
    known = {"jyta ingest", "jyta query", "jyta export", "jyta evaluate", "jyta compare", "jyta report",
             "jyta serve", "from pipeline import"}
    for c in inline_commands():
        if c.startswith("python "):
            assert c.startswith(tuple(NOT_RUN_SCRIPTS)), f"not run: {c}"
        else:
            assert " ".join(c.split()[:2]) in known or c.startswith("from pipeline import"), f"not run: {c}"
    assert len(fenced_blocks()) == 5, "a new shell block in README.md: run it in tests/test_readme.py (or test_nlp.py)"


CHECKS = {
    "ingest": lambda r, w: "input files" in r.stderr + r.stdout and (w / "dataset" / "documents.parquet").exists(),
    "query": lambda r, w: len(r.stdout.strip().splitlines()) >= 2,
    "export": lambda r, w: any(f.stat().st_size > 0 for f in (w / "exports").iterdir()),
    "evaluate": lambda r, w: "f1" in r.stdout,
    "compare": lambda r, w: "series rows" in r.stdout,
    "report": lambda r, w: 'lang="zh-CN"' in (w / "report" / "index.html").read_text(encoding="utf-8"),
}
COMMANDS = [i for c in inline_commands() if c.startswith("jyta ") and not c.startswith("jyta serve")
            for i in instances(c)]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_jyta_command_of_the_text(command, work, env):
    r = sh(command, work, env)
    sub = command.split()[1]
    assert r.stdout.strip() or r.stderr.strip(), command
    assert CHECKS[sub](r, work), f"{command}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    if "--json" in command:
        with open(work / command.split("--json ")[1].split()[0], encoding="utf-8") as fh:
            assert json.load(fh)
    if sub == "query" and "satisfaction_rate" in command:
        assert re.search(r"\d+\.\d+", r.stdout)  # satisfaction rates, not only a header


def test_the_library_example(work, env):
    (line,) = [c for c in inline_commands() if c.startswith("from pipeline import")]
    code = line + "\n" + (
        "doc = read_file('corpus/raw/001.txt')\n"
        "md = extract_metadata(doc.text)\n"
        "s = ingest(['corpus/raw/001.txt'], 'lib_out')\n"
        "import json; print(json.dumps([doc.format, len(doc.text), md.region.value, s.added, s.errors]))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    fmt, n_chars, region, added, errors = json.loads(r.stdout.strip().splitlines()[-1])
    assert (fmt, added, errors) == ("text", 1, 0) and n_chars > 500 and "宝坻" in region
    assert (work / "lib_out" / "documents.parquet").exists()


def test_the_service_example_and_its_synopsis(work, env):
    serve, *calls = block_starting("jyta serve")
    assert serve.endswith("&")
    port = free_port()
    # the synopsis first: every option it lists, on a free port, then the block's own server and curl calls
    (synopsis,) = [c for c in inline_commands() if c.startswith("jyta serve")]
    (cmd,) = instances(synopsis)
    proc = start(cmd.replace("8000", str(port)), work, env)
    try:
        wait_healthy(proc, port)
        assert get(f"http://127.0.0.1:{port}/v1/documents?limit=1")["items"]
    finally:
        stop(proc)
    port = free_port()
    proc = start(serve.rstrip("& ") + f" --port {port}", work, env)
    try:
        wait_healthy(proc, port)
        outs = [sh(c.replace("127.0.0.1:8000", f"127.0.0.1:{port}"), work, env, timeout=60).stdout for c in calls]
    finally:
        stop(proc)
    assert len(outs) == 3
    assert outs[0].startswith('{"') and '"document":{"doc_id"' in outs[0]  # its first 400 bytes (| head -c 400)
    stored = json.loads(outs[1])
    assert stored["stored"] is True and any(m["metric"] == "satisfaction_rate" for m in stored["metrics"])
    found = json.loads(outs[2])
    assert found["items"] and all(m["metric"] == "satisfaction_rate" for m in found["items"])
    assert found["total"] < len(get_all_rates(work))  # the region filter kept 杭州's only
    assert (work / "dataset" / "uploads").is_dir()


def test_the_service_script_example(work, env):
    """The service section's script, saved as a file and run: its server
    answers with the workers it asked for and extracts (its worker processes
    import the script: the `__main__` guard keeps them from serving)."""
    section = README.split("## The HTTP service", 1)[1].split("\n## ", 1)[0]
    (code,) = [b for b in re.findall(r"^```python\n(.*?)^```", section, flags=re.M | re.S) if "create_app" in b]
    assert 'if __name__ == "__main__":' in code and "port=8000" in code
    port = free_port()
    (work / "serve.py").write_text(code.replace("port=8000", f"port={port}"), encoding="utf-8")
    proc = start(f"{shlex.quote(sys.executable)} serve.py", work, env)
    try:
        wait_healthy(proc, port)
        end = time.monotonic() + 60
        while (health := get(f"http://127.0.0.1:{port}/healthz"))["workers"]["ready"] < 2:
            assert time.monotonic() < end, health
            time.sleep(0.2)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/extract", method="POST",
                                     data=json.dumps({"text": "今年共承办建议6件,满意率100%。"}).encode(),
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            answer = json.loads(resp.read())
    finally:
        log = stop(proc)
    assert health["status"] == "ok" and health["dataset"] is True
    assert health["workers"] == {"size": 2, "ready": 2, "busy": 0, "queued": 0}, health
    assert any(m["metric"] == "satisfaction_rate" for m in answer["metrics"]), answer
    assert "address already in use" not in log.lower(), log


def get_all_rates(work) -> list:
    import duckdb

    return duckdb.sql(f"SELECT * FROM '{work}/dataset/metrics.parquet' WHERE metric = 'satisfaction_rate'").fetchall()


def test_the_dask_example(work, env):
    pytest.importorskip("distributed")
    if not shutil.which("dask", path=env["PATH"]):
        pytest.skip("no `dask` command")
    scheduler, worker, ingest = block_starting("dask scheduler")
    port = free_port()
    shared = work / "shared"
    shutil.copytree(work / "corpus" / "raw", shared / "reports")

    def local(c: str) -> str:
        return c.replace("HOST:8786", f"127.0.0.1:{port}").replace("/shared", str(shared))

    # the scheduler on a free port of loopback, not the default 8786 of a shared machine
    procs = [start(scheduler + f" --host 127.0.0.1 --port {port} --dashboard-address :0", work, env)]
    try:
        procs.append(start(local(worker), work, env))
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout=40) as client:
            client.wait_for_workers(1, timeout=40)
        r = sh(local(ingest), work, env)
    finally:
        logs = [stop(p) for p in reversed(procs)]
    assert "45 new documents" in r.stdout + r.stderr and "0 errors" in r.stdout + r.stderr, logs
