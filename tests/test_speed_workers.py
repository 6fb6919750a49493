"""Issue 18, the local workers: forked from a server that has the readers,
the extractors and the tokenizer loaded (each spawned worker loaded them
again, a second of CPU time on the cores the workers share), and that server
gone when the run is."""
import os
import sys

import pytest

from conftest import make_inputs


_POOL = """
import os, sys
from pipeline import workers


def state(_):
    from extractors import labels

    return os.getppid(), "pipeline.workerstart" in sys.modules, labels.tokenizer.cache_info().currsize


if __name__ == "__main__":
    forked, stop = workers._fork_server()
    try:
        with workers._pool(1, forked) as ex:
            parent, preloaded, tokenizers = ex.submit(state, 0).result()
    finally:
        stop()
    print(forked, parent != os.getpid(), preloaded, tokenizers)
"""


@pytest.mark.skipif("forkserver" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="no fork server on this platform: workers are spawned")
def test_a_pool_worker_is_forked_with_the_tokenizer_loaded(tmp_path):
    """In a process of its own (a fork server another test left running is
    not used)."""
    import subprocess

    from conftest import ROOT

    script = tmp_path / "pool.py"
    script.write_text(_POOL, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    # forked by the server, not started by the process; the tokenizer loaded before the first task
    assert run.stdout.split() == ["True", "True", "True", "1"], run.stderr[-2000:]


def test_a_fork_server_already_running_is_not_used(monkeypatch):
    """A server started by others (a service, with its own process's state)
    is not this run's: its workers are spawned."""
    import multiprocessing.forkserver as fs

    from pipeline import workers

    server = getattr(fs, "_forkserver", None)
    if server is None or not hasattr(server, "_forkserver_pid"):
        pytest.skip("no fork server internals to look at")
    monkeypatch.setattr(server, "_forkserver_pid", 12345)
    assert workers._fork_server()[0] is False


_RUN = """
import sys
import psutil
from pipeline.batch import ingest
s = ingest([sys.argv[1]], sys.argv[2], workers=2, chunk_docs=1)
left = [p for p in psutil.Process().children(recursive=True) if "multiprocessing.forkserver" in " ".join(p.cmdline())]
print(s.added, len(left))
"""


def test_a_parallel_run_leaves_no_fork_server(tmp_path):
    """In a process of its own: a fork server started before (by another
    test) would be left alone, as a service's is."""
    import subprocess

    from pipeline import dataset
    from pipeline.batch import ingest
    from conftest import ROOT

    pytest.importorskip("psutil")
    src = make_inputs(tmp_path, ("001", "006", "021", "005"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", _RUN, str(src), str(tmp_path / "out")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.stdout.split() == ["4", "0"], run.stderr[-2000:]
    ingest([str(src)], str(tmp_path / "one"), workers=1)
    for name in ("documents", "indicators", "metrics", "proposals", "sentences"):
        assert dataset.read_rows(str(tmp_path / "out"), name) == dataset.read_rows(str(tmp_path / "one"), name)
