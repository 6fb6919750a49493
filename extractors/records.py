"""The records the extractors return: frozen, so nothing downstream (the
dataset rows, the consistency checks, a user's script) can change what a rule
decided after the fact, and a record means the same wherever it is passed.

Each extractor reads with its own mutable working objects (a metric's scope
grows clause by clause, a proposal gathers candidates from every mention) and
freezes them once, at the end of its `extract()`. Mappings on a record are
read-only views (`types.MappingProxyType`) of a copy taken at that moment;
lists become tuples. Links between records (a part's total, a share's count)
point at the frozen records of the same list, never at working objects.
"""
from __future__ import annotations

import copyreg
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

_EMPTY: Mapping = MappingProxyType({})


def _empty() -> Mapping:
    return _EMPTY  # (a mapping default must be a factory, even a read-only one)


def frozen_map(d: Mapping | None) -> Mapping:
    """A read-only copy of `d` (a copy: the working dict may still change)."""
    return MappingProxyType(dict(d)) if d else _EMPTY


# A read-only mapping cannot be pickled or deep-copied by default; records can
# (a user's worker processes, a cache): it goes as a dict and comes back read-only.
copyreg.pickle(MappingProxyType, lambda m: (frozen_map, (dict(m),)))


def totals_sum(totals) -> object | None:
    """The sum of the several totals a 其中 breaks down, None where there is one."""
    return sum(x.value for x in totals) if totals else None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit (GOLD.md §5): an `indicators` row before its label."""
    start: int
    end: int
    surface: str
    value: Decimal
    unit: str
    kind: str
    qualifier: str = "exact"
    value_max: Decimal | None = None
    role: str | None = None
    ref_year: int | None = None
    section: str | None = None
    proposal_number: str | None = None
    sentence: str = ""
    sentence_start: int = 0
    rule: str = "quantity"
    nstart: int = 0  # span in the normalized view, for later context lookups
    nend: int = 0


@dataclass(frozen=True, slots=True)
class Metric:
    """An aggregate fact (GOLD.md §3) with the scope the text states: a `metrics` row."""
    metric: str
    value: object
    unit: str
    start: int
    end: int
    surface: str
    scope: Mapping = field(default_factory=_empty)
    nstart: int = 0
    parent: Metric | None = None  # the total this sub-count or share belongs to
    # 建议1件,提案3件,其中,独办件4件: a 其中 after several totals breaks down their sum
    totals: tuple[Metric, ...] = ()  # those totals themselves (its parent is only the last)
    unit_total: bool = False  # the reporting unit's own total: 我局共承办人大代表建议7件
    each: tuple[Mapping, ...] = ()  # 社会保障和社会管理类各9件: the members it is stated for
    # which rule decided the metric's name (`metric`) and each scope field
    rules: Mapping = field(default_factory=_empty)

    @property
    def totals_sum(self):
        """The sum of the several totals a 其中 breaks down, None where there is one."""
        return totals_sum(self.totals)

    @property
    def rule(self) -> str:
        """The dataset's `rule` column: `metric=count_unit;kind=own_words;…`."""
        return ";".join(f"{k}={v}" for k, v in self.rules.items() if k == "metric" or k in self.scope)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One rule's value for one field of a record (extractors/resolve.py)."""
    field: str
    value: object
    rule: str
    text: str | None = None  # the wording that stated it (status_text)
    span: tuple[int, int] | None = None  # its evidence in the source text, where one place states it


@dataclass(frozen=True, slots=True)
class Proposal:
    """A numbered item (GOLD.md §2) with title, role and status as resolved by
    the precedence of resources/precedence.yaml; the candidates stay for review."""
    number: str
    kind: str | None
    body: str | None
    session: str | None
    category: str | None
    is_key: bool
    start: int
    end: int
    surface: str
    cstart: int = 0  # span in the compact view
    cend: int = 0
    title: str | None = None
    role: str | None = None
    status: str | None = None
    status_text: str | None = None
    # a reply letter's body read for its outcome (precedence.yaml proposal.reading): evidence to check, not a status
    reading: str | None = None
    reading_text: str | None = None
    rule: str = ""  # which rule decided each decided field: `status=item_words;role=own_unit`
    winners: Mapping = field(default_factory=_empty)  # field → the Candidate that decided it
    losers: tuple[Candidate, ...] = ()  # every other candidate, in the order the rules offered them


@dataclass(frozen=True, slots=True)
class Field:
    """One metadata value and its evidence span in the source text."""
    value: object
    start: int | None = None
    end: int | None = None
    source: str = "text"


_NONE = Field(None)


@dataclass(frozen=True, slots=True)
class Metadata:
    """A document's metadata (GOLD.md §1): the `documents` row's text fields."""
    title: Field = _NONE
    region: Field = _NONE
    year: Field = _NONE
    published: Field = _NONE
    publisher: Field = _NONE
    year_inferred: bool = False
    year_basis: str | None = None  # the rule that decided the year (precedence.yaml document.year)

    def values(self) -> dict:
        return {k: getattr(self, k).value for k in ("title", "region", "year", "published", "publisher")}
