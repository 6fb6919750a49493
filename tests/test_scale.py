"""Issue 7: the same dataset whichever way a batch runs — one process, a
pool of local workers, a Dask cluster, in chunks, or killed half-way and
started again."""
import io
import os
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
