"""Issue 18: what the ingest's own process holds does not grow with the
number of documents more than it must (peak RSS at 10,000 documents ≤ 1.15×
that at 1,000)."""
from pipeline import dataset, dedupe

from conftest import corpus_text, make_inputs


def _letters(n: int) -> list[dict]:
    """Letters of one template, each with numbers of its own: every one a
    candidate of every other, none a copy."""
    text = corpus_text("001")
    return [{"doc_id": f"d{k:04d}", "text": text + f"\n第{k}号建议的答复,共{k + 7}件"} for k in range(n)]


def test_letters_of_one_template_hold_no_prepared_text(monkeypatch):
    """Whole prepared texts are held only for pairs whose lengths and numbers
    agree: those of a template's letters (each number its own) are never all
    held at once."""
    rows = _letters(60)
    held = []
    blocks = dedupe._prepared_blocks

    def spy(order, candidates, texts):
        for block, prepared in blocks(order, candidates, texts):
            held.append(len(prepared))
            yield block, prepared

    monkeypatch.setattr(dedupe, "_prepared_blocks", spy)
    docs = [dedupe.Doc(r["doc_id"], r["doc_id"], None, False) for r in rows]
    res = dedupe.decide(docs, {}, True, dedupe.texts_from(rows))
    assert not any(res.marks.values())
    assert max(held) == 0


def test_the_cheap_half_of_same_report_decides_as_same_report_does():
    """The lengths-and-numbers look that comes first says no exactly where
    same_report says no for those reasons."""
    texts = [corpus_text(n) for n in ("001", "006", "021")]
    variants = [t + s for t in texts for s in ("", "\n2024年", "\n共3件", "\n" + t[:40])]
    prepared = [dedupe.prepare(t) for t in variants]
    for a in prepared:
        for b in prepared:
            cheap = dedupe._may_be_same((len(a.norm), tuple(a.numbers)), (len(b.norm), tuple(b.numbers)))
            if not cheap:
                assert not dedupe.same_report(a, b)
            else:
                short, long = sorted((len(a.norm), len(b.norm)))
                assert short >= dedupe.MIN_COVERED * long > 0


def test_the_merge_reads_the_staged_chunks_on_its_own_thread(tmp_path, monkeypatch):
    """A merge reads every staged chunk of every table: read with the reader's
    threads, each thread's malloc arena kept what it took, and the process's
    peak grew with the number of chunks (10,000 documents: +45–60 MiB over
    the merge, against +3–18 MiB on one thread)."""
    from pipeline.batch import ingest

    calls = []
    real = dataset.iter_batches

    def spy(path, name, *a, **scan):
        if ".staging" in path and "columns" not in scan:  # (the merge: whole batches of a chunk)
            calls.append(scan.get("use_threads", True))
        return real(path, name, *a, **scan)

    monkeypatch.setattr(dataset, "iter_batches", spy)
    ingest([str(make_inputs(tmp_path))], str(tmp_path / "out"), workers=1, chunk_docs=1)
    assert calls and not any(calls)


def test_the_merge_reads_no_text_the_workers_prepared(tmp_path, monkeypatch):
    """The merge runs in one process after the workers: the lengths and
    numbers it compares first come from the workers, which prepared every
    text for its signature already, not from reading and preparing every
    new text again here."""
    from pipeline.batch import ingest

    src = tmp_path / "in"
    src.mkdir()
    for r in _letters(6):
        (src / f"{r['doc_id']}.txt").write_text(r["text"], encoding="utf-8")
    asked, candidates = [], []
    decide, worth = dedupe.decide, dedupe._worth_comparing

    def spy(docs, cache, current, texts, *a, **kw):
        def texts_asked(ids):
            asked.append(set(ids))
            return texts(ids)

        return decide(docs, cache, current, texts_asked, *a, **kw)

    def seen(cands, *a, **kw):
        candidates.extend(y for ys in cands.values() for y in ys)
        return worth(cands, *a, **kw)

    monkeypatch.setattr(dedupe, "decide", spy)
    monkeypatch.setattr(dedupe, "_worth_comparing", seen)
    s = ingest([str(src)], str(tmp_path / "out"), workers=1)
    assert s.added == 6 and candidates  # the letters are candidates of one another
    assert not any(asked)
