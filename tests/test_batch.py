import os
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from pipeline import dataset
from pipeline.batch import collect, ingest
from pipeline.dataset import read_rows

from conftest import CORPUS, ROOT, corpus_text, make_inputs




def test_rerun_adds_nothing_and_new_files_only(tmp_path, out_dir):
    src = make_inputs(tmp_path)
    s1 = ingest([str(src)], out_dir)
    assert (s1.added, s1.errors) == (3, 0)
    first = read_rows(out_dir, "documents")
    s2 = ingest([str(src)], out_dir)
    assert (s2.added, s2.skipped) == (0, 3)
    assert read_rows(out_dir, "documents") == first
    (src / "044.txt").write_text(corpus_text("044"), encoding="utf-8")
    s3 = ingest([str(src)], out_dir)
    assert (s3.added, s3.skipped) == (1, 3)
    assert len(read_rows(out_dir, "documents")) == 4


def test_doc_ids_are_stable_and_content_based(tmp_path, out_dir):
    src = make_inputs(tmp_path, ["001"])
    ingest([str(src)], out_dir)
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(src / "001.txt", other / "renamed.txt")
    out2 = str(tmp_path / "out2")
    ingest([str(other)], out2)
    assert read_rows(out_dir, "documents")[0]["doc_id"] == read_rows(out2, "documents")[0]["doc_id"]


def test_duplicate_content_is_an_error_row_not_a_second_document(tmp_path, out_dir):
    src = make_inputs(tmp_path, ["001"])
    shutil.copy(src / "001.txt", src / "copy.txt")
    ingest([str(src)], out_dir)
    s = ingest([str(src)], out_dir)
    docs, errs = read_rows(out_dir, "documents"), read_rows(out_dir, "errors")
    assert len(docs) == 1 and len(errs) == 1
    assert (s.skipped, s.errors) == (1, 1)
    assert errs[0]["error"] == "duplicate" and errs[0]["doc_id"] == docs[0]["doc_id"]


def test_same_file_named_another_way_is_the_same_input(tmp_path, out_dir, monkeypatch):
    src = make_inputs(tmp_path, ["001", "006"])
    (src / "empty.txt").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    ingest(["in"], out_dir)
    s = ingest([str(src.resolve())], out_dir)
    assert (s.added, s.errors, s.skipped) == (0, 1, 2)
    assert len(read_rows(out_dir, "documents")) == 2
    assert [e["error"] for e in read_rows(out_dir, "errors")] == ["empty"]


def test_a_changed_file_replaces_its_document_and_rows(tmp_path, out_dir):
    src = make_inputs(tmp_path, ["001"])
    ingest([str(src)], out_dir)
    old = read_rows(out_dir, "documents")[0]["doc_id"]
    (src / "001.txt").write_text(corpus_text("006"), encoding="utf-8")
    ingest([str(src)], out_dir)
    docs = read_rows(out_dir, "documents")
    assert len(docs) == 1 and docs[0]["doc_id"] != old
    for table in ("indicators", "metrics", "proposals"):
        assert all(r["doc_id"] == docs[0]["doc_id"] for r in read_rows(out_dir, table))


def test_a_fifo_does_not_block_the_batch(tmp_path, out_dir):
    src = make_inputs(tmp_path, ["001"])
    os.mkfifo(src / "pipe.txt")
    ingest([str(src)], out_dir)
    assert [e["error"] for e in read_rows(out_dir, "errors")] == ["not_a_file"]


def test_error_row_replaced_when_the_file_is_fixed(tmp_path, out_dir):
    src = tmp_path / "in"
    src.mkdir()
    (src / "r.txt").write_bytes(b"")
    ingest([str(src)], out_dir)
    assert [e["error"] for e in read_rows(out_dir, "errors")] == ["empty"]
    (src / "r.txt").write_text(corpus_text("006"), encoding="utf-8")
    ingest([str(src)], out_dir)
    assert read_rows(out_dir, "errors") == [] and len(read_rows(out_dir, "documents")) == 1


def test_collect_files_folders_globs_and_skips_sidecars(tmp_path):
    src = make_inputs(tmp_path)
    (src / "001.json").write_text("{}")
    (src / ".hidden.txt").write_text("x")
    sub = src / "2023"
    sub.mkdir()
    (sub / "a.html").write_text("<p>建议</p>")
    got = collect([str(src)])
    assert [os.path.basename(p) for p in got] == ["001.txt", "006.txt", "021.txt", "a.html"]
    assert collect([str(src / "0*.txt")]) == collect([str(src / "001.txt"), str(src / "006.txt"), str(src / "021.txt")])
    assert collect([str(src / "001.txt"), str(src)])[0].endswith("001.txt") and len(collect([str(src / "001.txt"), str(src)])) == 4


def test_missing_path_is_an_error_row(tmp_path, out_dir):
    ingest([str(tmp_path / "nope.pdf")], out_dir)
    assert [e["error"] for e in read_rows(out_dir, "errors")] == ["unreadable"]


def test_manifest_fills_and_overrides_with_provenance(tmp_path, out_dir):
    src = make_inputs(tmp_path, ["004", "001"])
    man = tmp_path / "m.csv"
    man.write_text("file,source_url,region,year,published\n"
                   "in/004.txt,https://example.org/r/4,某市,2022,2023-01-05\n"
                   "001.txt,,,2021,\n", encoding="utf-8")
    ingest([str(src)], out_dir, manifest_path=str(man))
    docs = {os.path.basename(d["source"]): d for d in read_rows(out_dir, "documents")}
    d4, d1 = docs["004.txt"], docs["001.txt"]
    assert (d4["region"], d4["year"], d4["published"], d4["source_url"]) == ("某市", 2022, "2023-01-05", "https://example.org/r/4")
    assert d4["region_source"] == d4["year_source"] == d4["published_source"] == "manifest"
    assert d1["year"] == 2021 and d1["year_source"] == "manifest"
    assert d1["region"] == "天津市宝坻区" and d1["region_source"] == "text"


def test_bad_manifest_is_refused(tmp_path, out_dir):
    from pipeline.manifest import ManifestError

    man = tmp_path / "m.csv"
    man.write_text("file,year\n001.txt,twenty\n", encoding="utf-8")
    with pytest.raises(ManifestError):
        ingest([str(make_inputs(tmp_path))], out_dir, manifest_path=str(man))


def test_parquet_metadata_and_atomic_write(tmp_path, out_dir, monkeypatch):
    src = make_inputs(tmp_path, ["001"])
    ingest([str(src)], out_dir)
    meta = pq.read_schema(dataset.table_path(out_dir, "documents")).metadata
    assert meta[b"jyta.schema_version"] == dataset.SCHEMA_VERSION.encode()
    assert b"jyta.version" in meta
    before = open(dataset.table_path(out_dir, "documents"), "rb").read()

    def crash(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", crash)
    (src / "006.txt").write_text(corpus_text("006"), encoding="utf-8")
    with pytest.raises(OSError):
        ingest([str(src)], out_dir)
    assert open(dataset.table_path(out_dir, "documents"), "rb").read() == before
    assert not [f for f in os.listdir(out_dir) if f.endswith(".tmp")]


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_cli_ingest_bundled_corpus(tmp_path):
    out = str(tmp_path / "dataset")
    r = run_cli("ingest", os.path.join(CORPUS, "raw"), "-o", out)
    assert r.returncode == 0, r.stderr
    n = len([f for f in os.listdir(os.path.join(CORPUS, "raw")) if f.endswith(".txt")])
    assert f"{n} input files: {n} new documents" in r.stdout
    assert len(read_rows(out, "documents")) == n and read_rows(out, "errors") == []
    r = run_cli("ingest", os.path.join(CORPUS, "raw"), "-o", out)
    assert f"0 new documents, {n} already in the dataset" in r.stdout


def test_cli_help_and_version():
    for args in (["--help"], ["ingest", "--help"], ["--version"]):
        r = run_cli(*args)
        assert r.returncode == 0 and ("usage" in r.stdout or "jyta" in r.stdout)


def test_manifest_in_gbk_and_ambiguous_names(tmp_path, out_dir):
    from pipeline.manifest import ManifestError, load

    src = make_inputs(tmp_path, ["001"])
    man = tmp_path / "m.csv"
    man.write_bytes("file,region,year\nin/001.txt,天津市宝坻区,2022\n".encode("gbk"))
    ingest([str(src)], out_dir, manifest_path=str(man))
    assert read_rows(out_dir, "documents")[0]["region_source"] == "manifest"
    two = tmp_path / "two.csv"
    two.write_text("file,year\na/index.html,2021\nb/index.html,2022\n", encoding="utf-8")
    assert "index.html" not in load(str(two))
    with pytest.raises(ManifestError):
        load(str(tmp_path / "missing.csv"))


def test_manifest_given_on_a_later_run_applies(tmp_path, out_dir):
    src = make_inputs(tmp_path, ["004"])
    ingest([str(src)], out_dir)
    assert read_rows(out_dir, "documents")[0]["year"] is None
    man = tmp_path / "m.csv"
    man.write_text("file,year\nin/004.txt,2022\n", encoding="utf-8")
    ingest([str(src)], out_dir, manifest_path=str(man))
    d = read_rows(out_dir, "documents")[0]
    assert (d["year"], d["year_source"]) == (2022, "manifest")


def test_the_readme_library_import_works_in_a_fresh_interpreter(tmp_path):
    """README: `from pipeline import ingest, read_file, extract_metadata` (the readers' package once shared
    the name `ingest` with the function, and the import failed)."""
    code = ("from pipeline import ingest, read_file, extract_metadata\n"
            "assert callable(ingest) and callable(read_file) and callable(extract_metadata)\n"
            "print(ingest.__module__)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "pipeline.batch", r.stderr
