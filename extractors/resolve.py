"""Candidates, then one resolver: rules propose a value for a field of a
record, and the precedence declared in resources/precedence.yaml decides.

A rule never overwrites another's value; it adds a `Candidate` naming itself.
The resolver picks, per field, the candidate of the highest-ranked rule (the
first emitted among equals). A field may declare weak values (`closed`: the
text says the item was handled but not what became of it): a weak value wins
only where no rule states a specific one. Every decision keeps its rule id, and
the losers stay on the record for review (records.Proposal winners, losers).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from pipeline.yamlload import safe_load

from .records import Candidate  # kept on the frozen records for review


@dataclass(frozen=True)
class Precedence:
    tiers: tuple[tuple[str, int], ...]  # (rule id, tier): a lower tier wins; one tier ties
    weak: frozenset = frozenset()

    def rank(self, rule: str) -> int:
        for rid, tier in self.tiers:
            if rid == rule:
                return tier
        raise KeyError(f"rule {rule!r} is not declared in precedence.yaml")


@lru_cache(maxsize=1)
def cards() -> dict:
    """The rule cards: record.field → {weak, rules: [{id, why, examples…}]}."""
    text = resources.files("extractors.resources").joinpath("precedence.yaml").read_text("utf-8")
    return safe_load(text)


@lru_cache(maxsize=None)
def precedence(key: str) -> Precedence:
    card = cards()[key]
    # a rule's tier is its own `tier` or its place in the list
    tiers = tuple((r["id"], r.get("tier", k)) for k, r in enumerate(card["rules"]))
    return Precedence(tiers, frozenset(card.get("weak") or ()))


@lru_cache(maxsize=None)
def lending(key: str) -> tuple[str, ...]:
    """The order in which a card's lending rules fill what a record's own words
    leave open (metric.scope: a total, the sentence, the document…)."""
    order = tuple(cards()[key].get("lending") or ())
    check_declared(key, order)
    return order


@lru_cache(maxsize=None)
def declared(key: str) -> frozenset[str]:
    """The rule ids a card declares."""
    return frozenset(r["id"] for r in cards()[key]["rules"])


def check_declared(key: str, rules) -> None:
    """A rule id the card does not declare fails at once (a rule without a card
    has no examples, so nothing tests it)."""
    unknown = set(rules) - declared(key)
    if unknown:
        raise KeyError(f"rules {sorted(unknown)} are not declared in precedence.yaml {key}")


def resolve(cands: list[Candidate], prec: Precedence) -> Candidate | None:
    """The deciding candidate: strong values before weak ones, then rank,
    then emission order."""
    live = [c for c in cands if c.value is not None]
    if not live:
        return None
    return min(enumerate(live), key=lambda ic: (ic[1].value in prec.weak, prec.rank(ic[1].rule), ic[0]))[1]


@dataclass
class Decisions:
    """The candidates of one record, resolved field by field on demand."""
    record: str  # "proposal": precedence keys are "proposal.status", …
    cands: list[Candidate] = field(default_factory=list)

    def offer(self, name: str, value, rule: str, text: str | None = None,
              span: tuple[int, int] | None = None) -> None:
        if value is not None:
            precedence(f"{self.record}.{name}").rank(rule)  # an undeclared rule fails at once
            self.cands.append(Candidate(name, value, rule, text, span))

    def winner(self, name: str) -> Candidate | None:
        return resolve([c for c in self.cands if c.field == name], precedence(f"{self.record}.{name}"))

    def value(self, name: str):
        w = self.winner(name)
        return None if w is None else w.value

    def settled(self) -> tuple[dict[str, Candidate], tuple[Candidate, ...]]:
        """Each field's winner, and every other candidate in the order offered
        (what a frozen record keeps for review)."""
        winners: dict[str, Candidate] = {}
        for c in self.cands:
            if c.field not in winners:
                winners[c.field] = self.winner(c.field)
        return winners, tuple(c for c in self.cands if winners[c.field] is not c)

    def rules(self, names) -> str:
        """`status=item_words;role=own_unit`: the rule that decided each decided field."""
        parts = []
        for n in names:
            w = self.winner(n)
            if w is not None:
                parts.append(f"{n}={w.rule}")
        return ";".join(parts)


def rule_of(rule_column: str | None, name: str) -> str | None:
    """The rule that decided `name` in a row's `rule` column.

    >>> rule_of("status=class_defined;role=own_unit", "role")
    'own_unit'
    >>> rule_of("proposal", "role") is None
    True
    """
    for part in (rule_column or "").split(";"):
        k, _, v = part.partition("=")
        if k == name and v:
            return v
    return None
