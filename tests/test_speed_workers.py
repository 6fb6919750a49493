"""Issue 18, the local workers: forked from a server that has the readers,
the extractors and the tokenizer loaded (each spawned worker loaded them
again, a second of CPU time on the cores the workers share), and that server
gone when the run is."""
import os
import sys

import pytest

from conftest import make_inputs


def _worker_state(_):
    from extractors import labels

    return os.getppid(), "pipeline.workerstart" in sys.modules, labels.tokenizer.cache_info().currsize


@pytest.mark.skipif("forkserver" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="no fork server on this platform: workers are spawned")
def test_a_pool_worker_is_forked_with_the_tokenizer_loaded():
    from pipeline import workers

    with workers._pool(1) as ex:
        parent, preloaded, tokenizers = ex.submit(_worker_state, 0).result()
    assert parent != os.getpid(), "forked by the fork server, not started by this process"
    assert preloaded and tokenizers == 1


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
