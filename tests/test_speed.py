"""Issue 18: what was changed for speed gives what the slower code gave."""
import glob
import os
import random

import pytest
import yaml

from pipeline import dataset
from pipeline.yamlload import safe_load

from conftest import ROOT


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "extractors", "resources", "*.yaml"))
                                        + glob.glob(os.path.join(ROOT, "pipeline", "resources", "*.yaml"))
                                        + [os.path.join(ROOT, "corpus", "sets.yaml")]),
                         ids=os.path.basename)
def test_rule_files_read_as_pyyaml_reads_them(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert safe_load(text) == yaml.safe_load(text)


def test_compact_drops_exactly_what_isspace_calls_whitespace():
    from extractors.proposals import compact

    def reference(norm):
        kept = [(i, c) for i, c in enumerate(norm) if not c.isspace()]
        return "".join(c for _, c in kept), [i for i, _ in kept]

    rng = random.Random(18)
    alphabet = " \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\u200b第12号ab中"
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert compact(s) == reference(s), repr(s)


@pytest.mark.parametrize("row, message", [
    ({"extra": 1}, "unknown columns ['extra']"),
    ({"message": None}, "message is required"),
    ({"stage": "somewhere"}, "stage='somewhere' not in"),
])
def test_validate_names_the_first_fault_of_a_row(row, message):
    good = {"source": "a.pdf", "doc_id": None, "stage": "read", "error": "corrupt", "message": "damaged"}
    dataset.validate("errors", [good])
    with pytest.raises(dataset.SchemaError, match="errors row 1: " + message.replace("[", r"\[").replace("]", r"\]")):
        dataset.validate("errors", [good, {**good, **row}])


def test_validate_catches_an_empty_span():
    row = {"doc_id": "x", "number": "1", "is_key": False, "start": 5, "end": 5, "surface": "", "rule": "proposal"}
    with pytest.raises(dataset.SchemaError, match="bad span 5–5"):
        dataset.validate("proposals", [row])


def _pairwise_candidates(order, sigs):
    """The candidates as first defined: every pair that shares a band, the
    later open document looking back."""
    from collections import Counter

    from pipeline.dedupe import MAX_CANDIDATES

    pos = {x: k for k, x in enumerate(order)}
    out = {}
    for x in order:
        shared = Counter(y for y, keys in sigs.items() for k in sigs.get(x, ()) for kk in keys
                         if kk == k and y != x and (y not in pos or pos[y] < pos[x]))
        out[x] = [y for y, _ in sorted(shared.items(), key=lambda t: (-t[1], t[0]))[:MAX_CANDIDATES]]
    return out


def test_candidates_are_the_pairs_sharing_a_band():
    from pipeline.dedupe import _candidates

    rng = random.Random(7)
    for _ in range(30):
        ids = [f"d{i:03d}" for i in range(rng.randint(1, 70))]
        sigs = {i: [rng.randint(0, 12) for _ in range(4)] for i in ids if rng.random() < 0.9}
        order = [i for i in ids if rng.random() < 0.7]
        rng.shuffle(order)
        assert _candidates(order, sigs) == _pairwise_candidates(order, sigs)


def test_the_merge_takes_the_signatures_the_workers_made(tmp_path, monkeypatch):
    from pipeline import dedupe
    from pipeline.batch import ingest

    from conftest import make_inputs

    seen = {}
    decide = dedupe.decide

    def spy(docs, cache, current, texts, fresh=None, briefs=None):
        seen.update(fresh or {})
        asked = []

        def texts_asked(ids):
            asked.append(set(ids))
            return texts(ids)

        res = decide(docs, cache, current, texts_asked, fresh, briefs)
        seen["asked"] = asked
        return res

    monkeypatch.setattr(dedupe, "decide", spy)
    s = ingest([str(make_inputs(tmp_path))], str(tmp_path / "out"), workers=1)
    ids = {r["doc_id"] for r in dataset.read_rows(str(tmp_path / "out"), "documents")}
    assert s.added == 3 and set(seen) - {"asked"} == ids
    assert seen["asked"][0] == set()  # no text read back for a signature


_TOKENS = """
import json, sys
if sys.argv[1] == "reference":
    import pkg_resources  # jieba as it imports by itself
from extractors import labels
from conftest import corpus_text
tk = labels.tokenizer()
print(json.dumps({"pkg_resources": "pkg_resources" in sys.modules,
                  "tokens": [tk.lcut(corpus_text(n)) for n in ("001", "006", "021")]}))
"""


def test_jieba_without_pkg_resources_cuts_as_jieba_does():
    import json
    import subprocess
    import sys

    def run(mode):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, os.path.join(ROOT, "tests")])}
        out = subprocess.run([sys.executable, "-W", "ignore", "-c", _TOKENS, mode], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    ours, reference = run("ours"), run("reference")
    assert not ours["pkg_resources"]  # never imported: 0.2 s of every start
    assert ours["tokens"] == reference["tokens"] and len(ours["tokens"][0]) > 100


_NO_PANDAS = """
import sys
from pipeline.cli import main
code = main(["ingest", sys.argv[1], "-o", sys.argv[2], "-q", "--workers", "1"])
imported = "pandas" in sys.modules
from pipeline import dataset
df = dataset.to_table("errors", []).to_pandas()  # asked for pandas, pyarrow imports it
print(code, imported, type(df).__name__)
"""


def test_a_cli_ingest_never_imports_pandas(tmp_path):
    import subprocess
    import sys

    from conftest import make_inputs

    env = {**os.environ, "PYTHONPATH": ROOT}
    out = subprocess.run([sys.executable, "-c", _NO_PANDAS, str(make_inputs(tmp_path, ("001",))), str(tmp_path / "out")],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()[-1].split()
    assert out == ["0", "False", "DataFrame"]
    assert len(dataset.read_rows(str(tmp_path / "out"), "documents")) == 1


def test_batches_are_cut_by_bytes_too(tmp_path, monkeypatch):
    """A batch holds at most CHUNK_BYTES of files (large PDFs make small
    batches); the dataset is the same however the batches fall."""
    from pipeline import batch, workers
    from pipeline.batch import ingest

    from conftest import make_inputs

    src = make_inputs(tmp_path, ("001", "006", "021", "005"))
    sizes = []
    run_local = workers.run_local

    def spy(batches, n):
        def seen():
            for b in batches:
                sizes.append(len(b.tasks))
                yield b
        return run_local(seen(), n)

    monkeypatch.setattr(workers, "run_local", spy)
    ingest([str(src)], str(tmp_path / "a"), workers=1)
    assert sizes == [4]
    monkeypatch.setattr(batch, "CHUNK_BYTES", 1)
    sizes.clear()
    ingest([str(src)], str(tmp_path / "b"), workers=1)
    assert sizes == [1, 1, 1, 1]
    for name in ("documents", "indicators", "metrics", "proposals", "sentences"):
        assert dataset.read_rows(str(tmp_path / "a"), name) == dataset.read_rows(str(tmp_path / "b"), name)


def test_dedupe_in_small_blocks_marks_what_one_block_marks(monkeypatch):
    """The prepared texts are held a block at a time; the marks do not depend on it."""
    from pipeline import dedupe

    from conftest import corpus_text

    rows = []
    for k, n in enumerate(("001", "006", "021", "005", "019")):
        text = corpus_text(n)
        rows += [{"doc_id": f"{n}-{c}", "text": text + "\n" * c} for c in range(3)]  # copies: spaces differ
        rows.append({"doc_id": f"{n}-x", "text": text.replace("建议", "意见", 1)})
    docs = [dedupe.Doc(r["doc_id"], f"src/{r['doc_id']}", None, False) for r in rows]
    whole = dedupe.decide(docs, {}, True, dedupe.texts_from(rows))
    asked = []

    def texts(ids):
        asked.append(len(ids))
        return dedupe.texts_from(rows)(ids)

    monkeypatch.setattr(dedupe, "BLOCK", 3)
    blocks = dedupe.decide(docs, {}, True, texts)
    assert blocks.marks == whole.marks and blocks.found == whole.found
    assert sum(whole.marks[f"001-{c}"] == "001-0" for c in (1, 2)) == 2  # the copies are found
    assert len(asked) > 3 and max(asked[1:]) < len(rows)  # read a block at a time


def test_dedupe_signatures_are_the_ones_stored_before():
    """OUT/.dedupe.parquet keeps signatures from earlier runs: the signatures
    of the corpus texts are those np.unique-based code made (digest taken then)."""
    import hashlib
    import json

    from pipeline import dedupe

    sigs = [dedupe.signature(dedupe.prepare(open(f, encoding="utf-8").read()).norm)
            for f in sorted(glob.glob(os.path.join(ROOT, "corpus", "raw", "*.txt")))]
    assert hashlib.sha256(json.dumps(sigs).encode()).hexdigest()[:16] == "f577a044c3f995ae"
