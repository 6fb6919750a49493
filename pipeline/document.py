"""The one object every reader produces and every extractor consumes."""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field


def doc_id_for(data: bytes) -> str:
    """Stable id from the file's bytes: the same file gives the same id on
    every machine, wherever it lies and whatever it is called."""
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass
class Table:
    """A table kept as a table: ``rows`` of cell strings, rendered into the
    text at ``[start, end)`` as one line per row, cells joined by `` | ``."""

    start: int
    end: int
    rows: list[list[str]]


@dataclass
class Document:
    doc_id: str
    source: str
    format: str
    text: str
    encoding: str | None = None
    # Offsets in ``text`` where each page starts (paged formats only).
    page_starts: list[int] | None = None
    tables: list[Table] = field(default_factory=list)
    # What the container told us beside the text (html <title>, meta tags).
    container_meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_pages(self) -> int | None:
        return len(self.page_starts) if self.page_starts is not None else None

    def page_of(self, offset: int) -> int | None:
        """1-based page number of the character at ``offset``."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


class IngestError(Exception):
    """A file that cannot become a Document. ``error`` is a stable code for
    the ``errors`` table; the message says what a person should do."""

    def __init__(self, error: str, message: str, stage: str = "read"):
        super().__init__(message)
        self.error = error
        self.message = message
        self.stage = stage
