import os
import sys

import pytest

HERE = os.path.dirname(__file__)
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

CORPUS = os.path.join(ROOT, "corpus")


def corpus_text(n: str) -> str:
    with open(os.path.join(CORPUS, "raw", f"{n}.txt"), encoding="utf-8") as fh:
        return fh.read()


def make_inputs(tmp_path, names=("001", "006", "021")):
    """A folder `in/` of corpus texts, as a user's folder of reports."""
    src = tmp_path / "in"
    src.mkdir(exist_ok=True)
    for n in names:
        (src / f"{n}.txt").write_text(corpus_text(n), encoding="utf-8")
    return src


@pytest.fixture
def out_dir(tmp_path):
    return str(tmp_path / "out")
