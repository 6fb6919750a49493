"""Issue 18, a one-file ingest's start: what it does not need is neither
imported nor loaded (psutil for the memory watch; PyYAML and the parse of the
rule files once they are in the cache), and what it reads back is what a
parse gives."""
import glob
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from pipeline import yamlload

RULE_FILES = sorted(glob.glob(os.path.join(ROOT, "extractors", "resources", "*.yaml"))
                    + glob.glob(os.path.join(ROOT, "pipeline", "resources", "*.yaml")))


@pytest.mark.parametrize("path", RULE_FILES, ids=os.path.basename)
def test_a_rule_file_read_back_from_the_cache_is_its_parse(path, tmp_path, monkeypatch):
    monkeypatch.setenv("JYTA_CACHE", str(tmp_path))
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    want = yamlload.parse(text)
    assert yamlload.safe_load(text) == want  # parsed, then kept
    monkeypatch.setattr(yamlload, "parse", lambda text: pytest.fail("parsed again"))
    again = yamlload.safe_load(text)
    assert again == want and list(again) == list(want)  # the same data, keys in the same order


def test_a_changed_text_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("JYTA_CACHE", str(tmp_path))
    assert yamlload.safe_load("a: 1\n") == {"a": 1}
    assert yamlload.safe_load("a: 2\n") == {"a": 2}
    assert yamlload.safe_load("a: 1\n") == {"a": 1}


def test_a_cache_that_cannot_be_written_is_parsed_around(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("JYTA_CACHE", str(blocked))
    assert yamlload.safe_load("a: [1, 2]\n") == {"a": [1, 2]}


_ONE_FILE = """
import sys
from pipeline.cli import main
main(["ingest", sys.argv[1], "-o", sys.argv[2], "-q"])
print(" ".join(m for m in ("psutil", "yaml") if m in sys.modules) or "-")
"""


def _two_ingests(tmp_path, script: str, report: str) -> list[str]:
    """The last line each of two one-file ingests run by ``script`` printed,
    in processes of their own sharing a fresh cache (the first fills it)."""
    src = tmp_path / "report.txt"
    with open(os.path.join(ROOT, "corpus", "raw", report), encoding="utf-8") as fh:
        src.write_text(fh.read(), encoding="utf-8")
    env = {**os.environ, "JYTA_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
    lines = []
    for out in ("first", "second"):
        run = subprocess.run([sys.executable, "-c", script, str(src), str(tmp_path / out)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        lines.append(run.stdout.splitlines()[-1])
    return lines


def test_a_one_file_ingest_imports_neither_psutil_nor_yaml(tmp_path):
    second = _two_ingests(tmp_path, _ONE_FILE, "001.txt")[1]
    assert second == "-", f"imported: {second}"


_PARSES = """
import re, sys
parsed = []
real = re._parser.parse
re._parser.parse = lambda *a, **k: parsed.append(a[0]) or real(*a, **k)
from pipeline.cli import main
main(["ingest", sys.argv[1], "-o", sys.argv[2], "-q"])
from extractors import metrics
print(len(parsed), metrics.__name__)
"""


def test_a_second_ingest_reads_the_rules_patterns_back(tmp_path):
    """The first run compiles the rules' patterns and keeps them; the next
    one parses almost none (those compiled before the ingest starts)."""
    counts = [int(line.split()[0]) for line in _two_ingests(tmp_path, _PARSES, "006.txt")]
    assert counts[0] > 200 and counts[1] < 40, counts
    from pipeline import dataset

    for name in ("documents", "indicators", "metrics", "proposals", "sentences"):
        assert dataset.read_rows(str(tmp_path / "first"), name) == dataset.read_rows(str(tmp_path / "second"), name)


def test_a_pattern_read_back_is_the_pattern_compiled(tmp_path, monkeypatch):
    """In this process: every pattern of the rules, built from what was kept,
    equals (pattern, flags, program) what `re` compiles, and finds the same."""
    import re

    from pipeline import recache

    monkeypatch.setattr(recache, "_state", {"cache": {}, "new": {}, "used": set()})
    sources = [r"(?P<n>\d+(?:\.\d+)?)\s*(件|个|%)", r"第[一二三四五六七八九十]+届", r"[\u4e00-\u9fff]{2,8}(?:省|市|县|区)"]
    for src in sources:
        for flags in (0, re.I | re.M):
            want = re.compile(src, flags)
            recache._compile(src, flags)  # a miss: kept, once checked
            args = recache._state["new"][(src, int(flags))]
            import _sre

            got = _sre.compile(src, *args)
            assert got == want and got.groupindex == want.groupindex
            text = "2022年第十四届某某省人大共办理建议256件，满意率98.5%"
            assert [m.span() for m in got.finditer(text)] == [m.span() for m in want.finditer(text)]


_BLAS = """
import os, sys
from pipeline.cli import main
main(["--version"])
print(os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.parametrize("given, want", [(None, "1"), ("3", "3")])
def test_the_cli_starts_numpy_with_one_blas_thread_unless_told(given, want):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given:
        env["OPENBLAS_NUM_THREADS"] = given
    env["PYTHONPATH"] = os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])
    run = subprocess.run([sys.executable, "-c", _BLAS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.stdout.split()[-1] == want, run.stderr[-2000:]
