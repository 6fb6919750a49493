"""Issue 7: the same dataset whichever way a batch runs — one process, a
pool of local workers, a Dask cluster, in chunks, or killed half-way and
started again."""
import io
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from pipeline import dataset
from pipeline.batch import STAGING, ingest
from pipeline.progress import Progress

from conftest import CORPUS, ROOT

TABLES = ("documents", "errors", "indicators", "metrics", "proposals")


def inputs(folder, n_copies: int = 1):
    """The corpus texts (distinct bytes per copy), and inputs that fail."""
    folder.mkdir(parents=True, exist_ok=True)
    names = sorted(f for f in os.listdir(os.path.join(CORPUS, "raw")) if f.endswith(".txt"))
    for k in range(n_copies):
        for name in names:
            with open(os.path.join(CORPUS, "raw", name), encoding="utf-8") as fh:
                text = fh.read()
            (folder / f"{k:03d}-{name}").write_text(text + ("" if k == 0 else f"\n(副本{k})"), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    return folder


def snapshot(out: str) -> dict:
    """Every table's rows, the source paths made relative to their folder."""
    snap = {}
    for name in TABLES:
        rows = dataset.read_rows(out, name)
        for r in rows:
            r["source"] = os.path.basename(r["source"]) if "source" in r else None
        snap[name] = rows
    return snap


@pytest.fixture(scope="module")
def src(tmp_path_factory):
    return inputs(tmp_path_factory.mktemp("scale") / "in")


@pytest.fixture(scope="module")
def single(src, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("single") / "out")
    ingest([str(src)], out, workers=1)
    return snapshot(out)


def test_local_workers_write_the_same_dataset(src, single, tmp_path):
    out = str(tmp_path / "out")
    s = ingest([str(src)], out, workers=2, chunk_docs=7)
    assert (s.added, s.errors) == (45, 2)
    assert snapshot(out) == single
    assert not os.path.exists(os.path.join(out, STAGING))  # merged and cleaned up


def test_a_dask_cluster_writes_the_same_dataset(src, single, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = str(tmp_path / "out")
        s = ingest([str(src)], out, scheduler=cluster.scheduler_address, chunk_docs=10)
    assert (s.added, s.errors) == (45, 2)
    assert snapshot(out) == single


def test_a_killed_run_started_again_loses_nothing_and_doubles_nothing(tmp_path):
    src = inputs(tmp_path / "in", n_copies=6)  # 270 reports + 2 bad inputs
    out = str(tmp_path / "out")
    cmd = [sys.executable, "-m", "pipeline", "ingest", str(src), "-o", out, "--workers", "1", "--chunk-docs", "10",
           "-q"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = os.path.join(out, STAGING)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = [f for f in os.listdir(staging) if f.endswith(".documents.parquet")] if os.path.isdir(staging) else []
        if len(done) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(done) >= 3, "the run wrote no chunks before it was killed"
    assert not dataset.exists(out, "documents")  # killed before the merge: only chunks on disk

    s = ingest([str(src)], out, workers=1, chunk_docs=10)
    assert s.skipped >= 30  # the chunks written before the kill count as done
    docs = dataset.read_rows(out, "documents")
    assert len(docs) == 270 and len({d["doc_id"] for d in docs}) == 270
    assert len({d["source"] for d in docs}) == 270
    errs = dataset.read_rows(out, "errors")
    assert sorted(os.path.basename(e["source"]) for e in errs) == ["broken.pdf", "empty.txt"]
    ids = {d["doc_id"] for d in docs}
    for name in ("indicators", "metrics", "proposals"):
        rows = dataset.read_rows(out, name)
        assert {r["doc_id"] for r in rows} <= ids
        keys = [tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows]
        assert len(keys) == len(set(keys)), f"{name} has rows twice"
    # the same as one uninterrupted run
    clean = str(tmp_path / "clean")
    ingest([str(src)], clean, workers=1)
    for name in ("indicators", "metrics", "proposals"):
        assert len(dataset.read_rows(out, name)) == len(dataset.read_rows(clean, name))


def test_progress_prints_lines_when_not_a_terminal():
    buf = io.StringIO()
    p = Progress(3, stream=buf, every=0.0)
    for k in range(3):
        p.update(error=k == 1)
    p.close()
    lines = buf.getvalue().splitlines()
    assert lines[-1].startswith("ingest: 3/3 files, 1 errors,") and "files/s" in lines[-1] and "ETA" in lines[-1]


def _corpus_folder(tmp_path, names=("001", "006", "021", "028")):
    src = tmp_path / "in"
    src.mkdir()
    for n in names:
        with open(os.path.join(CORPUS, "raw", f"{n}.txt"), encoding="utf-8") as fh:
            (src / f"{n}.txt").write_text(fh.read(), encoding="utf-8")
    return src


def _counts(out):
    return {n: len(dataset.read_rows(out, n)) for n in ("documents", "indicators", "metrics", "proposals")}


def test_a_merge_cut_off_half_way_is_redone_without_doubles(tmp_path, monkeypatch):
    import pipeline.batch as batch

    src = _corpus_folder(tmp_path)
    clean = str(tmp_path / "clean")
    ingest([str(src)], clean, workers=1)
    out = str(tmp_path / "out")
    real = dataset.stream_rows

    def dies_at_documents(o, name, batches):
        if name == "documents":
            raise KeyboardInterrupt("killed during the merge")
        return real(o, name, batches)

    monkeypatch.setattr(batch.dataset, "stream_rows", dies_at_documents)
    with pytest.raises(KeyboardInterrupt):
        ingest([str(src)], out, workers=1)
    monkeypatch.setattr(batch.dataset, "stream_rows", real)
    ingest([str(src)], out, workers=1)
    assert _counts(out) == _counts(clean)


def test_a_file_changed_between_a_kill_and_the_resume_is_there_once(tmp_path, monkeypatch):
    import pipeline.batch as batch

    src = _corpus_folder(tmp_path)
    out = str(tmp_path / "out")
    monkeypatch.setattr(batch, "_merge", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        ingest([str(src)], out, workers=1)
    monkeypatch.undo()
    (src / "001.txt").write_text((src / "001.txt").read_text(encoding="utf-8") + "\n附:修订版。", encoding="utf-8")
    ingest([str(src)], out, workers=1)
    docs = dataset.read_rows(out, "documents")
    assert sorted(os.path.basename(d["source"]) for d in docs) == ["001.txt", "006.txt", "021.txt", "028.txt"]
    ids = {d["doc_id"] for d in docs}
    assert all(r["doc_id"] in ids for r in dataset.read_rows(out, "indicators"))


def test_a_changed_file_that_now_fails_leaves_no_old_document(tmp_path):
    src = _corpus_folder(tmp_path, ("001", "006"))
    out = str(tmp_path / "out")
    ingest([str(src)], out, workers=1)
    (src / "006.txt").write_bytes(b"\x00\x01\x02\x03" * 50)  # now binary junk
    ingest([str(src)], out, workers=1)
    docs = [os.path.basename(d["source"]) for d in dataset.read_rows(out, "documents")]
    errs = [os.path.basename(e["source"]) for e in dataset.read_rows(out, "errors")]
    assert docs == ["001.txt"] and errs == ["006.txt"]  # exactly one of the two tables


def test_a_rerun_that_changes_nothing_keeps_the_derived_tables(tmp_path):
    from pipeline import compare

    src = _corpus_folder(tmp_path)
    for n in ("001", "006"):
        shutil.copy(os.path.join(CORPUS, "raw", f"{n}.json"), src / f"{n}.json")  # sidecars
    out = str(tmp_path / "out")
    ingest([str(src)], out, workers=1)
    compare.write(out)
    before = os.path.getmtime(dataset.table_path(out, "documents"))
    ingest([str(src)], out, workers=1)
    assert dataset.exists(out, "series")
    assert os.path.getmtime(dataset.table_path(out, "documents")) == before


def test_a_file_that_kills_its_worker_costs_that_file_only(tmp_path, monkeypatch):
    """A crash in a native library or the OOM killer: the worker process dies.
    The batch is redone one file at a time; the killer becomes an error row."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os\n"
        "if os.environ.get('JYTA_TEST_CRASH'):\n"
        "    import pipeline.workers as w\n"
        "    _orig = w.process\n"
        "    def process(task):\n"
        "        if task.path.endswith(os.environ['JYTA_TEST_CRASH']):\n"
        "            os._exit(139)\n"
        "        return _orig(task)\n"
        "    w.process = process\n", encoding="utf-8")
    src = _corpus_folder(tmp_path, ("001", "006", "021", "028", "045", "047"))
    monkeypatch.setenv("PYTHONPATH", str(hook) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("JYTA_TEST_CRASH", "021.txt")
    out = str(tmp_path / "out")
    s = ingest([str(src)], out, workers=2, chunk_docs=2)
    assert (s.added, s.errors) == (5, 1)
    errs = dataset.read_rows(out, "errors")
    assert [(os.path.basename(e["source"]), e["error"]) for e in errs] == [("021.txt", "crashed")]
    assert len(dataset.read_rows(out, "documents")) == 5
