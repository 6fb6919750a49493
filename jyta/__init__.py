"""jyta for NLP users: a report's text as a spaCy Doc with what jyta finds in it.

    import jyta
    doc = jyta.nlp("今年共承办建议提案6件,满意率100%。")
    doc.spans["metrics"], doc.ents, doc._.jyta

What the Doc holds is described in pipeline/nlp.py; the dataset tools are
the `jyta` command and the `pipeline` package.
"""
from __future__ import annotations

from pipeline import __version__

__all__ = ["nlp", "to_doc", "__version__"]


def nlp(text: str):
    """A spaCy Doc of ``text``: jieba tokens with the project's dictionary,
    sentences, and the proposals, metrics and indicators found in it."""
    from pipeline.nlp import from_text

    return from_text(text)


def to_doc(document_row_or_records: dict):
    """A spaCy Doc of a document of the dataset (see pipeline.nlp.to_doc)."""
    from pipeline.nlp import to_doc as _to_doc

    return _to_doc(document_row_or_records)
