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


@pytest.fixture
def out_dir(tmp_path):
    return str(tmp_path / "out")
