"""Do the report's numbers add up? Totals against their parts, class counts
against the total, shares against counts, and two totals of the same scope.
Real reports have arithmetic slips; a disagreement is a warning on the
document (with the spans involved), never an error."""
from __future__ import annotations

from decimal import Decimal

from .metrics import Metric

_DIMS = ("role", "kind", "body", "level", "category", "topic", "status", "channel", "group")


def _span(m: Metric) -> str:
    return f"{m.surface}@{m.start}"


def check(metrics: list[Metric]) -> list[str]:
    warnings: list[str] = []
    counts = [m for m in metrics if m.metric == "count"]
    # 1. a total and the parts its 其中/brackets list
    for t in counts:
        subs = [m for m in counts if m.parent is t]
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
    # 3. a share against its count and the count's total
    for m in metrics:
        if m.metric != "share" or m.parent is None or m.parent.parent is None:
            continue
        c, t = m.parent, m.parent.parent
        if not t.value:
            continue
        expected = (c.value / t.value * 100).quantize(Decimal("0.01"))
        if abs(expected - m.value) > max(Decimal(1), m.value * Decimal("0.02")):
            warnings.append(f"share_mismatch: {_span(m)} but {_span(c)} of {_span(t)} is {expected}%")
    return warnings
