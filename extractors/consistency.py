"""Do the report's numbers add up? Totals against their parts, class counts
against the total, shares against counts, and two totals of the same scope.
Real reports have arithmetic slips; a disagreement is a warning on the
document (with the spans involved), never an error."""
from __future__ import annotations

from decimal import Decimal

from .records import Metric

_DIMS = ("role", "kind", "body", "level", "category", "topic", "status", "channel", "group")


def _span(m: Metric) -> str:
    return f"{m.surface}@{m.start}"


def check(metrics: list[Metric]) -> list[str]:
    warnings: list[str] = []
    counts = [m for m in metrics if m.metric == "count"]
    parts: dict[int, list] = {}
    for m in counts:
        if m.parent is not None:
            parts.setdefault(id(m.parent), []).append(m)
    # 1. a total and the parts its 其中/brackets list
    for t in counts:
        subs = parts.get(id(t), [])
        if len(subs) < 2:
            continue
        best = None
        for d in _DIMS:
            part = [m for m in subs if m.scope.get(d) and m.scope.get(d) != t.scope.get(d)]
            vals = [m.scope[d] for m in part]
            if len(part) < 2 or len(set(vals)) != len(vals):
                continue
            total = sum(m.value for m in part)
            if total == t.value or total == part[0].totals_sum:
                best = None
                break
            # A 其中 list may name only some parts: only parts that exceed their total are a slip.
            if total > t.value and (best is None or len(part) > len(best[1])):
                best = (d, part, total)
        else:
            if best:
                d, part, total = best
                warnings.append(
                    f"sum_mismatch: {' + '.join(_span(m) for m in part)} = {total} > total {_span(t)} (by {d})")
    # 2. the unit's own totals stated twice (我局办理人大代表建议11件 … 我局共承办人大代表建议7件)
    seen: dict[tuple, Metric] = {}
    for m in counts:
        sc = m.scope
        # a status here is the predicate of the whole total (…7件,全部予以采纳), not a filter
        if not m.unit_total or any(sc.get(k) for k in ("category", "topic", "group", "is_key", "channel")):
            continue
        key = (sc.get("kind"), sc.get("body"), sc.get("level"), None if sc.get("role") in (None, "承办") else sc.get("role"),
               sc.get("ref_year"))
        if key[0] is None:
            continue
        if key in seen and seen[key].value != m.value:
            warnings.append(f"conflicting_totals: {_span(seen[key])} vs {_span(m)} for {key[0]}"
                            f"{' ' + key[3] if key[3] else ''}")
        seen.setdefault(key, m)
    warnings.extend(_share_mismatches(metrics, counts))
    return warnings


def _share_mismatches(metrics: list[Metric], counts: list[Metric]) -> list[str]:
    """A share against its count over the total the count is a part of. Which
    total that is, the text often leaves open (a 其中 after 承办69件,会办5件
    may break down either or both), so the share is a slip only when it fits
    none of the totals the count can be a part of."""
    out: list[str] = []
    seen: dict[int, int] = {}  # count → its share: a later one (…230人,占委员总数的60.5%) is of another number
    for m in metrics:
        if m.metric != "share" or m.parent is None:
            continue
        c = m.parent
        if id(c) in seen and m.nstart != seen[id(c)]:
            continue
        seen[id(c)] = m.nstart
        bases = _bases(c, counts)
        fits = [t for t in bases if abs(_pct(c, t[1]) - m.value) <= max(Decimal(1), m.value * Decimal("0.02"))]
        if bases and not fits:
            name, total = bases[0]
            out.append(f"share_mismatch: {_span(m)} but {_span(c)} of {name} is {_pct(c, total)}%")
    return out


def _pct(c: Metric, total) -> Decimal:
    return (c.value / total * 100).quantize(Decimal("0.01"))


def _bases(c: Metric, counts: list[Metric]) -> list[tuple[str, object]]:
    """The totals count c can be a share of, nearest first: the total it was
    paired with, each total of the sentence its 其中 breaks down and their
    sum, and a larger part of the same total stated before it (建议856件,其中
    …778件。其中,…206件: a breakdown of the breakdown)."""
    t = c.parent
    if t is None:
        return []
    cands = [t, *(x for x in c.totals if x is not t)]
    cands += [x for x in counts if x.parent is t and x.nstart < c.nstart and x.value > c.value]
    out = [(_span(x), x.value) for x in cands if _can_hold(x, c)]
    if c.totals and c.totals_sum >= c.value:
        out.append(("+".join(_span(x) for x in c.totals), c.totals_sum))
    return out


def _can_hold(t: Metric, c: Metric) -> bool:
    """Can c be a part of t? Not when it is larger, nor when it is of another
    class (a 其中 left open pairs (B类)231件 with the (A类)338件 before it)."""
    if not t.value or c.value > t.value:
        return False
    tc, cc = t.scope.get("category"), c.scope.get("category")
    return not (tc and cc and not set(cc.split("、")) <= set(tc.split("、")))
