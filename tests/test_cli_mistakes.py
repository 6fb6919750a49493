"""A user's mistakes on the command line: one line on stderr, a non-zero exit,
never a traceback, and nothing created."""
import os
import subprocess
import sys

import pytest

from pipeline.cli import main

from conftest import ROOT, make_inputs


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    from pipeline.batch import ingest

    tmp = tmp_path_factory.mktemp("ds")
    out = str(tmp / "ds")
    ingest([str(make_inputs(tmp, ("001", "004")))], out)
    return out


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A working folder with an empty folder, a file, and one report."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "afile").write_text("not a folder")
    make_inputs(tmp_path, ("001",))
    return tmp_path


def run(capsys, *args):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("args,says,absent", [
    (["ingest", "NO/SUCH/PATH", "-o", "OUT"], "no such file or folder: NO/SUCH/PATH", "OUT"),
    (["ingest", "in/001.txt", "NO/SUCH.pdf", "-o", "OUT"], "no such file or folder: NO/SUCH.pdf", "OUT"),
    (["ingest", "empty", "-o", "OUT"], "no readable files found in empty", "OUT"),
    (["ingest", "in/*.pdf", "-o", "OUT"], "no files match in/*.pdf", "OUT"),
    (["ingest", "in", "-o", "OUT", "--manifest", "nosuch.csv"], "nosuch.csv", "OUT"),
    (["ingest", "in", "-o", "OUT", "--scheduler", "nonsense"], "--scheduler nonsense", "OUT"),
    (["compare", "NOSUCH"], "no dataset at NOSUCH", "NOSUCH"),
    (["compare", "empty"], "no dataset at empty", "empty/compare.json"),
    (["export", "NOSUCH", "--format", "csv", "-o", "dest"], "no dataset at NOSUCH", "dest"),
    (["report", "NOSUCH", "-o", "dest"], "no dataset at NOSUCH", "dest"),
    (["report", "empty", "-o", "dest"], "no dataset at empty", "empty/series.parquet"),
    (["query", "NOSUCH", "SELECT * FROM documents"], "no dataset at NOSUCH", "NOSUCH"),
    (["query", "afile", "SELECT 1"], "afile is a file, not a dataset folder", "afile.duckdb"),
    (["evaluate", "NOSUCH", "--gold", os.path.join(ROOT, "corpus", "gold")], "no dataset at NOSUCH", "NOSUCH"),
])
def test_a_wrong_path_is_one_line_and_creates_nothing(here, capsys, args, says, absent):
    code, out, err = run(capsys, *args)
    assert code == 2
    line = one_line(err)
    assert line.startswith("jyta: error: ") and says in line, line
    assert "did you mean" not in line.lower()
    assert not os.path.exists(here / absent)


def test_an_output_that_is_a_file_is_refused(here, capsys, ds):
    for args in (["ingest", "in", "-o", "afile"], ["export", ds, "--format", "csv", "-o", "afile"],
                 ["report", ds, "-o", "afile"]):
        code, _, err = run(capsys, *args)
        assert code == 2 and "afile is a file" in one_line(err), args
        assert (here / "afile").read_text() == "not a folder"


@pytest.mark.parametrize("args,says", [
    (["ingest", "in", "-o", "OUT", "--workers", "0"], "--workers: 0 is below 1"),
    (["ingest", "in", "-o", "OUT", "--workers", "two"], "--workers: 'two' is not a whole number"),
    (["ingest", "in", "-o", "OUT", "--chunk-docs", "0"], "--chunk-docs: 0 is below 1"),
    (["ingest", "in", "-o", "OUT", "--max-mb", "-1"], "--max-mb: -1 is below"),
    (["ingest", "in", "-o", "OUT", "--max-mb", "inf"], "--max-mb: 'inf' is not a finite number"),
    (["ingest", "in"], "the following arguments are required: -o/--out"),
    (["query", "DS", "SELECT 1", "--max-rows", "-1"], "--max-rows: -1 is below 1"),
    (["compare", "DS", "--min-score", "500"], "--min-score: 500 is out of range"),
    (["export", "DS", "--format", "parquet", "-o", "dest"], "invalid choice: 'parquet'"),
    (["bogus"], "invalid choice: 'bogus'"),
])
def test_a_wrong_flag_is_one_line(here, capsys, ds, args, says):
    code, _, err = run(capsys, *[ds if a == "DS" else a for a in args])
    assert code == 2
    assert says in one_line(err) and "--help" in err
    assert not os.path.exists(here / "OUT") and not os.path.exists(here / "dest")


def test_evaluate_json_into_a_missing_folder_is_refused_before_evaluating(here, capsys, ds):
    code, out, err = run(capsys, "evaluate", ds, "--gold", os.path.join(ROOT, "corpus", "gold"),
                         "--json", "nodir/r.json")
    assert code == 2 and "no folder nodir for --json" in one_line(err) and out == ""


def test_export_names_a_table_the_dataset_lacks(here, capsys, ds):
    code, _, err = run(capsys, "export", ds, "--format", "csv", "-o", "dest", "--tables", "metric")
    assert code == 2 and "no table metric; the tables: documents, errors" in one_line(err)
    code, _, err = run(capsys, "export", ds, "--format", "csv", "-o", "dest", "--tables", "series")
    assert code == 2 and "has no series table (run `jyta compare" in one_line(err)
    assert not os.path.exists(here / "dest")


def test_query_of_a_missing_table_lists_the_datasets_tables(capsys, ds):
    code, _, err = run(capsys, "query", ds, "SELECT * FROM metric")
    line = one_line(err)
    assert code == 2 and "no table metric in" in line
    assert "its tables: documents, errors, indicators, proposals, metrics" in line
    assert "jyta compare" in line and "pg_" not in line and "duckdb_" not in line


def test_bad_sql_is_one_line(capsys, ds):
    code, _, err = run(capsys, "query", ds, "SELEC 1")
    assert code == 2 and 'syntax error at or near "SELEC"' in one_line(err)
    code, _, err = run(capsys, "query", ds, "SELECT nosuch FROM documents")
    assert code == 2 and '"nosuch" not found' in one_line(err)
    code, _, err = run(capsys, "query", ds, "  ")
    assert code == 2 and "no SQL to run" in one_line(err)


@pytest.mark.parametrize("args,says", [
    (["serve", "NOSUCH"], "no dataset at NOSUCH"),
    (["serve", "in"], "no dataset at in"),  # a folder of reports, not a dataset
    (["serve", "DS", "--port", "99999"], "--port: 99999 is out of range"),
    (["serve", "DS", "--timeout", "0"], "--timeout: 0 is below"),
    (["serve", "DS", "--max-mb", "0"], "--max-mb: 0 is below"),
    (["serve", "DS", "--workers", "0"], "--workers: 0 is below 1"),
    (["serve", "DS", "--workers", "many"], "--workers: 'many' is not a whole number"),
    (["serve", "DS", "--queue-wait", "-1"], "--queue-wait: -1 is below 0"),
    (["serve", "DS", "--queue-wait", "nan"], "--queue-wait: 'nan' is not a finite number"),
    (["serve", "DS", "--max-queue", "-1"], "--max-queue: -1 is below 0"),
    (["serve", "DS", "--max-queue", "2.5"], "--max-queue: '2.5' is not a whole number"),
    (["serve", "DS", "--memory-mb", "100"], "--memory-mb: 100 is below 256"),
])
def test_serve_refuses_a_wrong_path_or_flag_before_it_listens(here, capsys, ds, monkeypatch, args, says):
    import pipeline.service

    served = []
    monkeypatch.setattr(pipeline.service, "serve", lambda out, **kw: served.append(out))
    code, _, err = run(capsys, *[ds if a == "DS" else a for a in args])
    assert code == 2 and says in one_line(err) and not served
    assert not os.path.exists(here / "NOSUCH") and not os.path.exists(here / "in" / "uploads")


def test_serve_passes_its_limits_to_the_service(here, capsys, ds, monkeypatch):
    import pipeline.service

    served = []
    monkeypatch.setattr(pipeline.service, "serve", lambda out, **kw: served.append(kw))
    assert run(capsys, "serve", ds)[0] == 0
    assert served[-1] == {"host": "127.0.0.1", "port": 8000, "max_mb": 20.0, "timeout": 30.0, "workers": None,
                          "queue_wait": 30.0, "max_queue": None, "max_rss_mb": 2048.0}
    assert run(capsys, "serve", ds, "--workers", "3", "--timeout", "5", "--queue-wait", "0", "--max-queue", "0",
               "--memory-mb", "512")[0] == 0
    assert served[-1] | {"host": None} == {"host": None, "port": 8000, "max_mb": 20.0, "timeout": 5.0, "workers": 3,
                                           "queue_wait": 0.0, "max_queue": 0, "max_rss_mb": 512.0}


def test_serve_workers_sizes_the_pool(ds):
    """`jyta serve --workers 1 --max-queue 0`: /healthz reports a pool of one
    worker, and the process ends with its workers on SIGTERM."""
    import json
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", ds, "--port", str(port), "--workers", "1",
                             "--max-queue", "0", "--queue-wait", "1"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline, health = time.monotonic() + 90, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.loads(r.read())
                if health["workers"]["ready"] == 1:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert health is not None, proc.stderr.read() if proc.poll() is not None else "no answer"
        assert health["workers"] == {"size": 1, "ready": 1, "busy": 0, "queued": 0}, health
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_an_empty_folder_can_be_served_to_fill_it_by_uploads(here, capsys, monkeypatch):
    import pipeline.service

    served = []
    monkeypatch.setattr(pipeline.service, "serve", lambda out, **kw: served.append(out))
    assert run(capsys, "serve", "empty")[0] == 0 and served == ["empty"]


def test_an_unexpected_error_is_one_line_and_the_traceback_is_there_on_request(here, capsys, ds, monkeypatch):
    import pipeline.report

    def boom(out, dest):
        raise RuntimeError("the disk\nmisbehaved")

    monkeypatch.setattr(pipeline.report, "write", boom)
    code, _, err = run(capsys, "report", ds, "-o", "rep")
    assert code == 1
    assert one_line(err) == "jyta: error: RuntimeError: the disk misbehaved (--debug or JYTA_DEBUG=1 shows where)"
    for args in (["--debug", "report", ds, "-o", "rep"], ["report", ds, "-o", "rep", "--debug"]):
        code, _, err = run(capsys, *args)
        assert code == 1 and "Traceback" in err and "in boom" in err
        assert err.strip().splitlines()[-1] == "jyta: error: RuntimeError: the disk misbehaved"
    monkeypatch.setenv("JYTA_DEBUG", "1")
    code, _, err = run(capsys, "report", ds, "-o", "rep")
    assert code == 1 and "Traceback" in err


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          timeout=120, **kw)


def test_the_installed_command_exits_non_zero_with_one_line(tmp_path):
    r = cli("ingest", "NO/SUCH/PATH", "-o", "OUT", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == "jyta: error: no such file or folder: NO/SUCH/PATH"
    assert not os.path.exists(tmp_path / "OUT")


def test_a_closed_pipe_is_no_error(ds):
    """`jyta query … | head`: the reader stops early; no BrokenPipeError traceback."""
    p = subprocess.Popen([sys.executable, "-m", "pipeline", "query", ds, "SELECT range AS n FROM range(200000)",
                          "--max-rows", "200000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0 and err == "", err
