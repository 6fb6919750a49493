"""The annotated reports as NLP users need them. spaCy is imported here only,
and only when a Doc is asked for (`jyta ingest` never loads it).

``to_doc`` and ``jyta.nlp`` give a spaCy ``Doc`` of a report's source text
(``documents.text``: every offset of the dataset is a character offset of
``doc.text``):

- tokens: jieba with the project's dictionary (extractors/resources/userdict.txt,
  the tokenizer the labels are made with), so 满意率, 办复率, 建议提案 stay whole;
- ``doc.sents``: the rows of the ``sentences`` table (extractors/context.py);
- ``doc.spans["proposals"]``, ``["metrics"]``, ``["indicators"]``: a span per
  row, over the tokens that cover its ``[start, end)``; ``span.id_`` is
  ``"<table>/<i>"``, row i of ``doc._.jyta[table]``; labels are table:value —
  ``proposal:status=resolved`` (``proposal`` where the status is unknown),
  ``metric:satisfaction_rate``, ``indicator:money`` (the indicator's kind);
- ``doc.ents``: the proposal numbers (第0125号), label ``PROPOSAL``, ``kb_id_``
  the number as written (``0125``), ``id_`` as the span's;
- ``doc._.jyta``: the records as JSON values: ``document`` (its row without
  ``text``), ``proposals``, ``metrics``, ``indicators``, ``sentences`` (without
  ``text``: it is ``doc.text[start:end]``) and ``unplaced``: each row left
  out of ``doc.spans`` (``in: spans``: no token boundary reaches its offsets)
  or of ``doc.ents`` (``in: ents``: its number overlaps another, as in
  ``1号、2号、3号建议案``), with why — never dropped silently.

A DocBin of a dataset (``jyta export OUT --format spacy``) keeps all of it;
``doc._.jyta`` is ``doc.user_data[("._.", "jyta", None, None)]`` where this
module is not imported.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache

from . import dataset

SPAN_TABLES = ("proposals", "metrics", "indicators")
RECORD_TABLES = (*SPAN_TABLES, "sentences")
ENT_LABEL = "PROPOSAL"
DOCBIN_NAME = "jyta.spacy"
log = logging.getLogger("jyta")


@lru_cache(maxsize=1)
def blank():
    """spaCy's blank Chinese pipeline segmenting with jieba and the project's
    dictionary (one per process)."""
    from extractors import labels

    tk = labels.tokenizer()  # first: it quiets jieba's log before spaCy warms jieba up
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer.jieba_seg = tk  # spaCy calls .cut on it, as on the jieba module
    if not Doc.has_extension("jyta"):
        Doc.set_extension("jyta", default=None)
    return nlp


def from_text(text: str):
    """A Doc of a report's text, with what the extractors find in it."""
    from .document import Document, doc_id_for
    from .link import records

    doc = Document(doc_id=doc_id_for(text.encode("utf-8")), source="<text>", format="text", text=text)
    return to_doc(records(doc))


def to_doc(document_row_or_records: dict):
    """A Doc of one document: from ``link.records()``'s dict of tables (or a
    dataset's rows of that document, grouped the same way), or from a
    ``documents`` row alone, whose records are then extracted from its text."""
    recs = _records_of(document_row_or_records)
    row = recs["documents"][0]
    doc = blank()(row["text"])
    _set_sentences(doc, recs.get("sentences") or [])
    unplaced = _place_spans(doc, recs) + _place_ents(doc, recs.get("proposals") or [])
    doc._.jyta = _user_data(recs, unplaced)
    return doc


def _records_of(obj: dict) -> dict[str, list[dict]]:
    if "documents" in obj:
        return obj
    if "text" not in obj or "doc_id" not in obj:
        raise ValueError("to_doc needs a documents row (doc_id, text) or the records of link.records()")
    from .document import Document
    from .link import records

    doc = Document(doc_id=obj["doc_id"], source=obj.get("source") or "<row>", format=obj.get("format") or "text",
                   text=obj["text"], page_starts=obj.get("page_starts"))
    # the user's values the row holds decide as they did at ingest (the year dates the rows)
    given = {k: obj[k] for k in ("region", "year", "published") if obj.get(f"{k}_source") == "manifest"}
    return {**records(doc, given), "documents": [obj]}  # the row as stored


def _span(doc, row: dict, label: str, span_id: str):
    """The tokens over [start, end), or None when no token boundary reaches
    them (a span starting in a token's trailing space)."""
    span = doc.char_span(row["start"], row["end"], label=label, span_id=span_id, alignment_mode="expand")
    if span is None or span.start_char > row["start"] or span.end_char < row["end"]:
        return None
    return span


def _label(table: str, row: dict) -> str:
    if table == "proposals":
        return f"proposal:status={row['status']}" if row.get("status") else "proposal"
    if table == "metrics":
        return f"metric:{row['metric']}"
    return f"indicator:{row['kind']}"


def _unplaced(table: str, i: int, row: dict, where: str, reason: str) -> dict:
    return {"table": table, "index": i, "start": row["start"], "end": row["end"], "in": where, "reason": reason}


def _place_spans(doc, recs: dict) -> list[dict]:
    """A span group per table; the rows that get no span, listed."""
    from spacy.tokens import SpanGroup

    missed = []
    for table in SPAN_TABLES:
        spans = []
        for i, row in enumerate(recs.get(table) or []):
            span = _span(doc, row, _label(table, row), f"{table}/{i}")
            if span is None:
                missed.append(_unplaced(table, i, row, "spans", "unaligned"))
            else:
                spans.append(span)
        doc.spans[table] = SpanGroup(doc, name=table, spans=spans)
    return missed


def _place_ents(doc, proposals: list[dict]) -> list[dict]:
    """The proposal numbers as entities (which may not overlap: a number
    sharing a token with an earlier one is listed, not lost)."""
    from spacy.tokens import Span

    ents, missed, taken = [], [], -1
    for i, row in sorted(enumerate(proposals), key=lambda x: x[1]["start"]):
        span = _span(doc, row, ENT_LABEL, f"proposals/{i}")
        if span is None or span.start <= taken:
            missed.append(_unplaced("proposals", i, row, "ents", "unaligned" if span is None else "overlaps_entity"))
            continue
        ents.append(Span(doc, span.start, span.end, label=ENT_LABEL, kb_id=row["number"], span_id=span.id_))
        taken = span.end - 1
    doc.set_ents(ents, default="outside")
    return missed


def _set_sentences(doc, sentences: list[dict]) -> None:
    """doc.sents from the sentences table: a sentence starts at the token
    holding its first character (the spaces after one belong to it)."""
    if not sentences or not len(doc):
        return
    starts = {0}
    for s in sentences:
        span = doc.char_span(s["start"], s["end"], alignment_mode="expand")
        if span is not None:
            starts.add(span.start)
    for tok in doc:
        tok.is_sent_start = tok.i in starts


def _user_data(recs: dict, unplaced: list[dict]) -> dict:
    """The records as JSON values (DocBin stores them with msgpack); texts
    that doc.text holds are left out."""
    from .store import _jsonable

    def clean(rows, drop=()):
        return [{k: _jsonable(v) for k, v in r.items() if k not in drop} for r in rows]

    data = {t: clean(recs.get(t) or [], ("text",) if t == "sentences" else ()) for t in RECORD_TABLES}
    return {"document": clean(recs["documents"], ("text",))[0], **data, "unplaced": unplaced}


def _by_doc(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["doc_id"], []).append(r)
    return out


def export_docbin(out: str, dest: str) -> str:
    """DEST/jyta.spacy: a DocBin of every document of the dataset in OUT, with
    its spans, entities, sentences and records (user data)."""
    from spacy.tokens import DocBin

    if not dataset.exists(out, "documents"):
        raise ValueError(f"no dataset at {out} (run `jyta ingest … -o {out}` first)")
    rows = {t: _by_doc(dataset.read_rows(out, t)) for t in RECORD_TABLES}
    db, unplaced = DocBin(store_user_data=True), 0
    for d in dataset.read_rows(out, "documents"):
        doc = to_doc({"documents": [d], **{t: rows[t].get(d["doc_id"], []) for t in RECORD_TABLES}})
        unplaced += len(doc._.jyta["unplaced"])
        db.add(doc)
    if unplaced:
        log.warning("%d rows left out of doc.spans or doc.ents: listed in doc._.jyta['unplaced']", unplaced)
    os.makedirs(dest, exist_ok=True)
    path = os.path.join(dest, DOCBIN_NAME)
    db.to_disk(path)
    return path


def sentence_tokens(text: str, start: int) -> list[list]:
    """[token, start, end] of a sentence's text beginning at source offset
    ``start``: jieba with the project's dictionary, as in the Docs;
    whitespace is not a token."""
    from extractors import labels

    return [[w, start + a, start + b] for w, a, b in labels.tokenizer().tokenize(text) if w.strip()]


def with_tokens(rows):
    """Sentences rows, each with its ``tokens``."""
    for r in rows:
        yield {**r, "tokens": sentence_tokens(r["text"], r["start"])}
