"""A Document → its records for every table, each row with evidence."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

from .document import Document
from .textmap import build

_MICRO = Decimal("0.000001")


def _exact(v):
    """Values to the dataset's six decimal places (满意率0.1234567%: the 7th is noise)."""
    if isinstance(v, Decimal) and v.as_tuple().exponent < -6:
        return v.quantize(_MICRO, rounding=ROUND_HALF_EVEN)
    return v


# A report states tens of numbers (the most in the corpora: 65); 20,000 is no report (a hostile file).
MAX_QUANTITIES = 20000
_REPORT_WORDS = re.compile(r"建议|提案|议案|建議|議案")


def records(doc: Document, manifest_row: dict | None = None) -> dict[str, list[dict]]:
    """Rows of every table for one document: ``documents`` (one row),
    ``indicators``, ``metrics``, ``proposals``, ``sentences``, each from the
    frozen records the extractors return (extractors/records.py)."""
    from extractors import consistency, context, labels, metadata, metrics, proposals, quantities

    tm = build(doc.text)
    from extractors import genre

    md = metadata.extract(doc.text)
    row = document_row(doc, md, manifest_row)
    row["genre"] = genre.classify(tm.norm, md.title.value)
    inds = []
    qs = quantities.extract(doc.text, doc_year=row["year"], tm=tm)
    if len(qs) > MAX_QUANTITIES:
        # no report states this many numbers; reading them all would take minutes (a hostile file)
        row["warnings"].append(f"too_many_numbers: {len(qs)} numbers, the first {MAX_QUANTITIES} read")
        qs = qs[:MAX_QUANTITIES]
    found = metrics.extract(tm.norm, qs)
    row["warnings"].extend(consistency.check(found))
    mets = [
        {"doc_id": doc.doc_id, "year": row["year"], "metric": m.metric, "value": _exact(m.value), "unit": m.unit,
         **{k: m.scope.get(k) for k in metrics.SCOPE}, "start": m.start, "end": m.end, "surface": m.surface,
         "rule": m.rule or "metric"}
        for m in found
    ]
    for q in qs:
        norm = tm.norm
        inds.append({
            "doc_id": doc.doc_id, "year": row["year"], "value": _exact(q.value), "value_max": _exact(q.value_max), "unit": q.unit, "kind": q.kind,
            "qualifier": q.qualifier, "role": q.role, "ref_year": q.ref_year,
            "label": labels.label(norm[max(0, q.nstart - 16):q.nstart], norm[q.nend:q.nend + 12]),
            "section": q.section, "proposal_number": q.proposal_number,
            "start": q.start, "end": q.end, "surface": q.surface, "sentence": q.sentence,
            "page": doc.page_of(q.start), "rule": q.rule,
        })
    props = [
        {"doc_id": doc.doc_id, "year": row["year"], "number": p.number, "kind": p.kind, "body": p.body, "session": p.session,
         "title": p.title, "role": p.role, "status": p.status, "status_text": p.status_text,
         "reading": p.reading, "reading_text": p.reading_text,
         "category": p.category, "is_key": p.is_key, "start": p.start, "end": p.end, "surface": p.surface,
         "rule": p.rule or "number"}
        for p in proposals.extract(tm)
    ]
    sents = sentence_rows(doc, row["year"], context.build(doc.text, tm))
    return {"documents": [row], "indicators": inds, "metrics": mets, "proposals": props, "sentences": sents}


def sentence_rows(doc: Document, year: int | None, ctx) -> list[dict]:
    """The document's sentences as the extractors see them (extractors/context.py),
    each mapped back to its span of the source text."""
    rows = []
    for s in ctx.sentences:
        a, b = ctx.source_span(s.start, s.end)
        rows.append({"doc_id": doc.doc_id, "year": year, "n": s.n, "start": a, "end": b, "section": s.section,
                     "text": doc.text[a:b]})
    return rows


def document_row(doc: Document, md, manifest_row: dict | None = None) -> dict:
    """One row of the documents table: metadata from the text, then the
    manifest's values over it."""

    def src(f):
        return f.source if f.value is not None else None

    row = {
        "doc_id": doc.doc_id, "source": doc.source, "format": doc.format, "encoding": doc.encoding,
        "title": md.title.value, "title_source": src(md.title),
        "region": md.region.value, "region_source": src(md.region),
        "year": md.year.value, "year_source": src(md.year), "year_inferred": bool(md.year_inferred),
        "year_basis": md.year_basis,
        "published": md.published.value, "published_source": src(md.published),
        "publisher": md.publisher.value, "source_url": None,
        "page_title": doc.container_meta.get("html_title"),
        "n_chars": len(doc.text), "n_pages": doc.n_pages, "page_starts": doc.page_starts,
        "n_tables": len(doc.tables), "warnings": list(doc.warnings), "text": doc.text,
    }
    apply_manifest(row, manifest_row)
    if not _REPORT_WORDS.search(doc.text):
        row["warnings"].append("not_a_report: the text never mentions 建议, 提案 or 议案")
    return row


def apply_manifest(row: dict, manifest_row: dict | None) -> None:
    """The user's values over the text's, each marked as from the manifest."""
    for key, val in (manifest_row or {}).items():
        if key == "source_url":
            row["source_url"] = val
            continue
        row[key] = int(val) if key == "year" else val
        row[f"{key}_source"] = "manifest"
        if key == "year":
            row["year_inferred"] = False
            row["year_basis"] = "manifest"
    if row.get("region") is None and row.get("source_url"):
        # the text names no place; a government site's address often does (jyj.wuhan.gov.cn)
        from extractors import regions

        r = regions.from_url(row["source_url"])
        if r is not None:
            row["region"], row["region_source"] = regions.chain(r), "url"
