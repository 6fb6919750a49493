"""Issue 18: rule code made faster finds what the plain scan finds, on every
text of the corpora and on made-up texts that put the words where a shortcut
could miss them."""
import glob
import os
import random

import pytest

from conftest import CORPUS
from pipeline.textmap import build


@pytest.fixture(scope="module")
def texts():
    out = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "**", "*.txt"), recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as fh:
            out.append(fh.read())
    return out


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


def _session_words(rng):
    words = ["中国人民政治协商会议", "市", "县", "人大", "政协", "第", "十", "三", "届", "一", "次", "会议", "全体会议",
             "委员会", "人民代表大会", "。", "\n", "号", "建议", "本", "区"]
    return "".join(rng.choice(words) for _ in range(rng.randint(0, 30)))


def test_sessions_found_from_their_届_are_those_of_a_full_scan(texts):
    from extractors import proposals

    rng = random.Random(18)
    made = [_session_words(rng) for _ in range(4000)]
    made += ["届" * 3 + "市" * 60 + "十三届人大一次会议", "中国人民政治协商会议某某某某某某某某某某政协第十四届委员会第一次会议"]
    for text in [proposals.compact(build(t).norm)[0] for t in texts] + made:
        assert _spans(proposals._session_matches(text)) == _spans(proposals._SESSION.finditer(text)), text[:80]
