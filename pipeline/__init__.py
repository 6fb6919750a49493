"""jyta: reports on the handling of deputies' suggestions and CPPCC proposals
→ a normalized dataset.

Library use::

    from pipeline import ingest, read_file, extract_metadata
    ingest(["reports/"], "dataset/")

    from pipeline import to_doc  # a spaCy Doc of a document (pipeline/nlp.py)
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["ingest", "read_file", "read_bytes", "extract_metadata", "to_doc", "__version__"]


def __getattr__(name: str):
    # Lazy: `import pipeline` stays fast; readers load their libraries on use.
    if name == "ingest":
        from .batch import ingest

        return ingest
    if name in ("read_file", "read_bytes"):
        from . import readers

        return getattr(readers, name)
    if name == "extract_metadata":
        from extractors.metadata import extract

        return extract
    if name == "to_doc":
        from .nlp import to_doc

        return to_doc
    raise AttributeError(name)
