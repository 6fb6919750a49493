"""Issue 16, the batch and the dataset on disk, tried as a hostile user would:
workers that outlive a killed ingest, a run killed at any step of its merge,
a damaged table, compare during an ingest, unreadable folders, formulas in
CSV, quotes and glob characters in OUT, temp files of killed merges."""
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest

from pipeline import dataset
from pipeline.batch import STAGING, ingest
from pipeline.cli import main

from conftest import ROOT, corpus_text


def _folder(path, names):
    path.mkdir(parents=True, exist_ok=True)
    for n in names:
        (path / f"{n}.txt").write_text(corpus_text(n), encoding="utf-8")
    return path


def _snapshot(out: str) -> dict:
    """Every table's rows, as jyta's readers see them (None: no table)."""
    return {name: sorted(map(repr, dataset.read_rows(out, name))) if dataset.exists(out, name) else None
            for name in dataset.TABLES}


def _files(out: str) -> dict:
    """Every file under OUT with its bytes."""
    found = {}
    for root, _, files in os.walk(out):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                found[os.path.relpath(os.path.join(root, f), out)] = fh.read()
    return found


def _litter(out: str) -> list[str]:
    """What a killed writer may leave in OUT: temp files, staged and set-aside versions."""
    return sorted(f for f in os.listdir(out)
                  if f.endswith((".tmp", ".wal", ".old", ".d")) or re.match(r"^\.\w+\.[0-9a-f]{8,}", f))


# --- 4. workers die with their parent; a dead run's late chunk is never merged ---------------------------------------

def test_workers_die_with_a_killed_ingest(tmp_path, monkeypatch):
    psutil = pytest.importorskip("psutil")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(  # every file takes long: the workers are busy when the run is killed
        "import os, time\n"
        "if os.environ.get('JYTA_TEST_SLOW'):\n"
        "    import pipeline.workers as w\n"
        "    _orig = w.process\n"
        "    def process(task):\n"
        "        open(os.path.join(os.environ['JYTA_TEST_BUSY'], str(os.getpid())), 'w').close()\n"
        "        time.sleep(float(os.environ['JYTA_TEST_SLOW']))\n"
        "        return _orig(task)\n"
        "    w.process = process\n", encoding="utf-8")
    busy = tmp_path / "busy"  # a file per worker that has taken a file
    busy.mkdir()
    src = _folder(tmp_path / "in", ("006", "015", "019", "021"))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), ROOT, os.environ.get("PYTHONPATH", "")]),
           "JYTA_TEST_SLOW": "20", "JYTA_TEST_BUSY": str(busy)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(src), "-o", str(out), "--workers", "2",
                             "--chunk-docs", "1", "-q"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    workers, children = [], []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(os.listdir(busy)) < 2:
            workers = [p for p in parent.children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
            time.sleep(0.1)
        assert len(os.listdir(busy)) == 2, "the workers took no files"
        children = parent.children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

        def alive():
            left = []
            for p in children:
                try:
                    if p.status() != psutil.STATUS_ZOMBIE:
                        left.append(p)
                except psutil.NoSuchProcess:
                    pass
            return left

        deadline = time.monotonic() + 5
        while alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(), f"{len(alive())} processes outlived the killed ingest"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for p in children or workers:  # the ones this test started, should they have outlived their parent
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
    staged = os.listdir(out / STAGING) if (out / STAGING).is_dir() else []
    assert not [f for f in staged if f.endswith(".documents.parquet")]


def test_a_chunk_a_dead_runs_worker_writes_late_is_never_merged(tmp_path, monkeypatch):
    """A run hands out its batches and dies; its worker (a Dask task, say)
    writes its chunk late, while the next run is on. That chunk must not
    land in the next run's chunk, nor be merged by it."""
    import pipeline.workers as W

    dead_files = _folder(tmp_path / "dead", ("006", "015"))
    next_files = _folder(tmp_path / "next", ("021",))
    out = str(tmp_path / "out")
    handed_out = []

    def dies(batches, workers):
        handed_out.extend(batches)  # reserved, given to workers
        raise KeyboardInterrupt("the run is killed")
        yield  # a generator, as run_local is

    real_run, real_batch = W.run_local, W.process_batch
    monkeypatch.setattr(W, "run_local", dies)
    with pytest.raises(KeyboardInterrupt):
        ingest([str(dead_files)], out, workers=1)
    assert handed_out

    def with_a_late_worker(batch):
        outcomes = real_batch(batch)
        for b in handed_out:  # the dead run's worker finishes now
            real_batch(b)
        handed_out.clear()
        return outcomes

    monkeypatch.setattr(W, "run_local", real_run)
    monkeypatch.setattr(W, "process_batch", with_a_late_worker)
    s = ingest([str(next_files)], out, workers=1)
    assert s.added == 1
    assert [os.path.basename(d["source"]) for d in dataset.read_rows(out, "documents")] == ["021.txt"]
    clean = str(tmp_path / "clean")
    monkeypatch.setattr(W, "process_batch", real_batch)
    ingest([str(next_files)], clean, workers=1)
    for name in ("indicators", "metrics", "proposals", "sentences"):
        assert _snapshot(out)[name] == _snapshot(clean)[name], name


# --- 5. a kill at any step of the merge: the old dataset or the new one ----------------------------------------------

def _killed_at(step: int, src: str, out: str) -> bool:
    """Ingest ``src`` into ``out`` in a forked process that SIGKILLs itself
    just before its ``step``-th change to a file directly in OUT (a rename or
    a deletion: every moment the files readers see can change). False if the
    run ended before that step."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            root = os.path.realpath(out)
            count = [0]

            def arm(fn, n_paths):
                def step_(*args, **kw):
                    if kw.get("dir_fd") is None and any(
                            isinstance(p, str) and os.path.dirname(os.path.realpath(p)) == root
                            for p in args[:n_paths]):
                        count[0] += 1
                        if count[0] == step:
                            os.kill(os.getpid(), signal.SIGKILL)
                    return fn(*args, **kw)
                return step_

            for name, n in (("replace", 2), ("rename", 2), ("unlink", 1), ("remove", 1), ("rmdir", 1)):
                setattr(os, name, arm(getattr(os, name), n))
            ingest([src], out, workers=1)
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + 120
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"the run stopping at step {step} hung")
        time.sleep(0.02)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, f"the run stopping at step {step} failed"
    return False


@pytest.mark.parametrize("run", ["first", "incremental", "incremental-partitioned"])
def test_a_kill_at_any_step_of_the_merge_leaves_the_old_or_the_new_dataset(tmp_path, monkeypatch, run):
    from pipeline import compare

    src = _folder(tmp_path / "in", ("006", "015", "019"))
    base = str(tmp_path / "base")
    os.makedirs(base)
    if run.startswith("incremental"):
        ingest([str(src)], base, workers=1)
        compare.write(base)  # derived tables: rebuilt by every ingest that changes the dataset
        (src / "019.txt").write_text(corpus_text("019") + "\n附:修订版,共承办建议9件。", encoding="utf-8")
        (src / "006.txt").write_bytes(b"\x00\x01\x02\x03" * 50)  # a changed file that now fails
        _folder(src, ("028",))
    if run.endswith("partitioned"):  # the run turns its large tables into year-partitioned folders
        monkeypatch.setattr(dataset, "PARTITION_ROWS", 20)
    old = _snapshot(base)
    finished = str(tmp_path / "finished")
    shutil.copytree(base, finished)
    ingest([str(src)], finished, workers=1)
    new = _snapshot(finished)
    assert old != new
    assert os.path.isdir(dataset.partition_dir(finished, "indicators")) == run.endswith("partitioned")
    step = 0
    while True:
        step += 1
        out = str(tmp_path / f"killed-{step}")
        shutil.copytree(base, out)
        if not _killed_at(step, str(src), out):
            break
        seen = _snapshot(out)
        assert seen in (old, new), (f"killed before step {step}: tables of both versions: "
                                    f"{sorted(n for n in seen if seen[n] not in (old[n], new[n]) or seen[n] != old[n])}")
        if step % 3 == 0 or seen == new:  # the next run finishes the job (every third kill: the time it takes)
            ingest([str(src)], out, workers=1)
            assert _snapshot(out) == new
            assert not _litter(out), f"left after the run following a kill at step {step}"
        shutil.rmtree(out)
    assert step > 5  # the merge was cut at each of its steps


# --- 6. a damaged table is reported, never propagated ----------------------------------------------------------------

@pytest.fixture
def small(tmp_path):
    """A dataset of three reports with its derived tables."""
    src = _folder(tmp_path / "in", ("015", "019", "028"))
    out = str(tmp_path / "out")
    ingest([str(src)], out, workers=1)
    assert main(["compare", out]) == 0
    return out


def test_ingest_refuses_a_damaged_dataset_names_the_file_and_changes_nothing(small, tmp_path, capsys):
    with open(os.path.join(small, "metrics.parquet"), "w"):
        pass  # emptied
    before = _files(small)
    more = _folder(tmp_path / "more", ("021",))
    assert main(["ingest", str(more), "-o", small, "-q"]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "metrics.parquet" in err and "Traceback" not in err
    assert _files(small) == before


def test_a_table_damaged_inside_is_found_by_the_merge_and_nothing_changes(small, tmp_path, capsys):
    path = os.path.join(small, "indicators.parquet")
    size = os.path.getsize(path)
    with open(path, "r+b") as fh:  # the pages garbled, the footer whole: it opens, it does not read
        fh.seek(4)
        fh.write(b"\xff" * (size // 2))
    before = _files(small)
    more = _folder(tmp_path / "more", ("021",))
    assert main(["ingest", str(more), "-o", small, "-q"]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "indicators.parquet" in err, err
    after = _files(small)
    assert {k: v for k, v in after.items() if not k.startswith(STAGING)} == before


def test_query_names_a_damaged_table_and_the_others_still_answer(small, capsys):
    with open(os.path.join(small, "metrics.parquet"), "w"):
        pass
    assert main(["query", small, "SELECT count(*) AS n FROM documents"]) == 0
    assert "3" in capsys.readouterr().out
    assert main(["query", small, "SELECT * FROM metrics"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "metrics.parquet" in err and "doctor" in err


def test_doctor_reports_each_damaged_file_and_repairs_the_derived_ones(small, capsys):
    assert main(["doctor", small]) == 0
    shown = capsys.readouterr().out
    assert "no damage" in shown and re.search(r"OK\s+documents\.parquet\s+3 rows", shown)
    with open(os.path.join(small, "series.parquet"), "w"):
        pass
    os.unlink(os.path.join(small, "proposal_links.parquet"))
    os.unlink(os.path.join(small, "jyta.duckdb"))
    assert main(["doctor", small]) == 1
    shown = capsys.readouterr().out
    for name in ("series.parquet", "proposal_links.parquet", "jyta.duckdb"):
        assert re.search(rf"DAMAGED\s+{re.escape(name)}", shown), name
    assert main(["doctor", small, "--repair"]) == 0
    shown = capsys.readouterr().out
    assert "rebuilt series" in shown and "no damage" in shown
    assert main(["query", small, "SELECT count(*) FROM series"]) == 0


def test_doctor_finds_rows_without_document_and_spans_off_their_text(small, capsys):
    rows = dataset.read_rows(small, "metrics")
    orphan = {**rows[0], "doc_id": "0000000000000000"}
    shifted = {**rows[1], "start": rows[1]["start"] + 1, "end": rows[1]["end"] + 1}
    dataset.write_rows(small, "metrics", [orphan, shifted] + rows[2:])
    assert main(["doctor", small]) == 1
    shown = capsys.readouterr().out
    assert re.search(r"DAMAGED\s+metrics\.parquet\s+1 rows whose doc_id is no document", shown), shown
    assert re.search(r"DAMAGED\s+metrics\.parquet\s+1 rows whose surface is not text\[start:end\]", shown), shown
    assert main(["doctor", small, "--repair"]) == 1  # the orphan goes; a span off its text needs the sources
    shown = capsys.readouterr().out
    assert "deleted 1 rows of metrics" in shown and "no document" not in shown
    assert len(dataset.read_rows(small, "metrics")) == len(rows) - 1
    assert main(["doctor", small, "--sample", "1000"]) == 1


def test_doctor_on_no_dataset_is_one_line(tmp_path, capsys):
    assert main(["doctor", str(tmp_path / "nowhere")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


# --- 7. the smaller items -----------------------------------------------------------------------------------------

def test_compare_waits_for_the_lock_an_ingest_holds(small, tmp_path):
    import fcntl

    from pipeline import compare

    bigger = str(tmp_path / "bigger")
    ingest([str(_folder(tmp_path / "all", ("015", "019", "028", "021", "022")))], bigger, workers=1)
    result = []
    with open(os.path.join(small, ".jyta.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # an ingest is running on OUT
        t = threading.Thread(target=lambda: result.append(main(["compare", small])))
        t.start()
        time.sleep(2.0)
        assert t.is_alive(), "jyta compare did not wait for the ingest"
        for name in ("documents", "metrics", "indicators", "proposals", "sentences"):  # the ingest's commit
            shutil.copy(dataset.table_path(bigger, name), dataset.table_path(small, name) + ".new")
            os.replace(dataset.table_path(small, name) + ".new", dataset.table_path(small, name))
    t.join(60)
    assert result == [0]
    fresh = compare.build(small)  # series built from the tables the ingest left, not from those before it
    assert sorted(map(repr, dataset.read_rows(small, "series"))) == sorted(map(repr, fresh["series"]))


def test_an_unreadable_subfolder_is_an_error_row(tmp_path, monkeypatch, capsys):
    src = _folder(tmp_path / "in", ("015",))
    _folder(src / "locked", ("019",))
    locked = str(src / "locked")
    real = os.scandir

    def scandir(path="."):
        if isinstance(path, str) and os.path.realpath(path) == os.path.realpath(locked):  # as chmod 000 does for anyone but root
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = str(tmp_path / "out")
    assert main(["ingest", str(src), "-o", out, "-q"]) == 0
    assert "unreadable_folder" in capsys.readouterr().out
    errs = dataset.read_rows(out, "errors")
    assert [(e["source"], e["stage"], e["error"]) for e in errs] == [(locked, "open", "unreadable_folder")]
    assert "Permission denied" in errs[0]["message"]
    monkeypatch.setattr(os, "scandir", real)  # readable again: its files come in, its error row goes
    ingest([str(src)], out, workers=1)
    assert dataset.read_rows(out, "errors") == []
    assert sorted(os.path.basename(d["source"]) for d in dataset.read_rows(out, "documents")) == ["015.txt", "019.txt"]


def test_csv_text_that_would_be_a_formula_starts_with_a_quote(tmp_path):
    from pipeline.store import export

    out = str(tmp_path / "out")
    sources = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "a=b", "第1号"]
    dataset.write_rows(out, "errors", [{"source": s, "doc_id": None, "stage": "open", "error": "unreadable",
                                        "message": "-"} for s in sources])
    dataset.write_rows(out, "indicators", [{"doc_id": "d1", "value": Decimal("-5"), "unit": "%", "kind": "percent",
                                            "qualifier": "exact", "start": 0, "end": 3, "surface": "-5%",
                                            "sentence": "-5%", "rule": "quantity"}])
    dest = str(tmp_path / "exp")
    export(out, "csv", dest)
    with open(os.path.join(dest, "errors.csv"), encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["source"] for r in rows] == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1+2", "'-2+3", "'@SUM(A1)", "a=b",
                                           "第1号"]
    assert {r["message"] for r in rows} == {"'-"}
    with open(os.path.join(dest, "indicators.csv"), encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["value"] == "-5" and row["surface"] == "'-5%"  # a number stays a number


def test_quotes_and_glob_characters_in_the_out_path(tmp_path, monkeypatch, capsys):
    import duckdb

    from pipeline.store import DB_NAME

    monkeypatch.setattr(dataset, "PARTITION_ROWS", 5)  # indicators and the like as year-partitioned folders
    src = _folder(tmp_path / "in", ("015", "019"))
    decoy = str(tmp_path / "bob's x ab" / "out")  # what the unescaped glob of the folder below would match
    ingest([str(_folder(tmp_path / "other", ("001",)))], decoy, workers=1)
    out = str(tmp_path / "bob's [x] *?" / "out")
    assert main(["ingest", str(src), "-o", out, "-q"]) == 0
    assert main(["compare", out]) == 0
    assert os.path.isdir(dataset.partition_dir(out, "indicators"))
    capsys.readouterr()
    con = duckdb.connect(os.path.join(out, DB_NAME), read_only=True)
    try:
        for name in ("documents", "indicators", "metrics", "sentences", "series"):
            n = len(dataset.read_rows(out, name))
            assert main(["query", out, f"SELECT count(*) AS n FROM {name}"]) == 0
            assert capsys.readouterr().out.split()[-1] == str(n), name
            assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == n, name
    finally:
        con.close()
    assert main(["doctor", out]) == 0


def test_temp_files_of_killed_merges_are_deleted_at_start(small, tmp_path):
    hexes = "0123456789abcdef" * 2
    litter = [f".metrics.{hexes}.parquet.tmp", ".jyta.k2j4_x9.duckdb.tmp", ".jyta.k2j4_x9.duckdb.tmp.wal",
              "compare.json.tmp", ".dedupe.parquet.tmp", f".documents.{hexes[:16]}-3.parquet"]
    for name in litter:
        with open(os.path.join(small, name), "wb") as fh:
            fh.write(b"half")
    for name in (f".indicators.{hexes}.tmp", "indicators.old"):  # a partitioned table's, half written
        os.makedirs(os.path.join(small, name, "year=2022"))
        with open(os.path.join(small, name, "year=2022", "part-0.parquet"), "wb") as fh:
            fh.write(b"half")
    mine = ["notes.txt", ".metrics.backup"]  # not ours: never touched
    for name in mine:
        with open(os.path.join(small, name), "w") as fh:
            fh.write("mine")
    before = _snapshot(small)
    ingest([str(tmp_path / "in")], small, workers=1)
    assert not _litter(small) and not os.path.exists(os.path.join(small, "indicators.old"))
    assert all(os.path.exists(os.path.join(small, name)) for name in mine)
    assert _snapshot(small) == before
