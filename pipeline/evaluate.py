"""Score a dataset against gold files in the conventions of GOLD.md.

Documents are matched to gold files by name: `gold/001.json` scores the
document whose source file is `001.<ext>`. Document fields are scored as
accuracy over the gold files that have a matching document; a document
missing from the dataset counts as wrong on every field.
"""
from __future__ import annotations

import glob
import json
import os
from decimal import Decimal
from functools import lru_cache

from . import dataset
from .textmap import strip_glosses

DOC_FIELDS = ("title", "region", "year", "published")


def load_gold(gold_dir: str) -> dict[str, dict]:
    gold = {}
    for p in sorted(glob.glob(os.path.join(gold_dir, "*.json"))):
        with open(p, encoding="utf-8") as fh:
            g = json.load(fh)
        gold[g.get("doc") or os.path.splitext(os.path.basename(p))[0]] = g
    return gold


def _stem(source: str) -> str:
    return os.path.splitext(os.path.basename(source))[0]


def field_match(name: str, gold, pred) -> bool:
    """GOLD.md §1: a region matches when one contains the other. GOLD.md §7.4:
    gold writes titles as written, with a mirror site's pinyin glosses
    (政協(xié)); the pipeline gives the value without them — compared without."""
    if name == "region" and gold and pred:
        if gold in pred or pred in gold:
            return True
        # 辽宁省阜新市阜新县 and 辽宁省阜新市阜新蒙古族自治县: one division, written short and in full
        g, p = _canonical_region(gold), _canonical_region(pred)
        return bool(g and p and (g in p or p in g))
    if name in GLOSSED and isinstance(gold, str) and isinstance(pred, str):
        return strip_glosses(gold) == strip_glosses(pred)
    return gold == pred


@lru_cache(maxsize=4096)
def _canonical_region(value: str) -> str | None:
    """A region string as the division chain its names resolve to (short forms read as names)."""
    from extractors import regions

    mentions = regions.find_mentions(value)
    return regions.resolve(mentions, [], value) if mentions else None


GLOSSED = ("title", "session")


def locate(text: str, surface: str, occurrence: int = 1) -> tuple[int, int] | None:
    """GOLD.md: surface + occurrence (1 = first) → [start, end)."""
    i = -1
    for _ in range(max(1, occurrence)):
        i = text.find(surface, i + 1)
        if i < 0:
            return None
    return i, i + len(surface)


def _num(v) -> Decimal | None:
    if v is None:
        return None
    return Decimal(str(v)).normalize()


def _compare(fields: dict, issues: list, ident: dict, triples) -> None:
    """Field accuracy over a matched pair: (field, gold, predicted) triples."""
    for f, gv, pv in triples:
        fields[f]["total"] += 1
        fields[f]["correct"] += gv == pv
        if gv != pv:
            issues.append({**ident, "kind": f"wrong_{f}", "gold": gv, "pred": pv})


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"tp": tp, "pred": n_pred, "gold": n_gold, "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def score_indicators(gold: dict, docs: dict, preds_by_doc: dict) -> tuple[dict, list]:
    """F1 on (value, unit) with spans that overlap the gold's; field accuracy
    (qualifier, role, ref_year) over the matched pairs."""
    tp = n_pred = n_gold = 0
    fields = {f: {"correct": 0, "total": 0} for f in ("qualifier", "role", "ref_year", "value_max")}
    issues = []
    for key, g in gold.items():
        doc = docs.get(key)
        golds = g.get("indicators") or []
        n_gold += len(golds)
        if doc is None:
            continue
        text = doc["text"]
        preds = list(preds_by_doc.get(doc["doc_id"], []))
        n_pred += len(preds)
        used = set()
        for gi in golds:
            span = locate(text, gi["surface"], gi.get("occurrence", 1))
            if span is None:
                issues.append({"doc": key, "kind": "gold_not_found", "surface": gi["surface"]})
                continue
            best = None
            for k, pr in enumerate(preds):
                if k in used or pr["end"] <= span[0] or pr["start"] >= span[1]:
                    continue
                ok = _num(pr["value"]) == _num(gi["value"]) and pr["unit"] == gi["unit"]
                if best is None or ok:
                    best = (k, ok)
                    if ok:
                        break
            if best is None or not best[1]:
                issues.append({"doc": key, "kind": "miss", "surface": gi["surface"], "gold": [gi["value"], gi["unit"]],
                               "pred": None if best is None else [str(preds[best[0]]["value"]), preds[best[0]]["unit"],
                                                                    preds[best[0]]["surface"]],
                               "context": text[max(0, span[0] - 20):span[1] + 10]})
                if best is not None:
                    used.add(best[0])
                continue
            used.add(best[0])
            tp += 1
            pr = preds[best[0]]
            _compare(fields, issues, {"doc": key, "surface": gi["surface"]}, (
                ("qualifier", gi.get("qualifier", "exact"), pr["qualifier"]),
                ("role", gi.get("role"), pr["role"]),
                ("ref_year", gi.get("ref_year"), pr["ref_year"]),
                ("value_max", _num(gi.get("value_max")), _num(pr["value_max"]))))
        for k, pr in enumerate(preds):
            if k not in used:
                issues.append({"doc": key, "kind": "false_hit", "surface": pr["surface"],
                               "pred": [str(pr["value"]), pr["unit"]],
                               "context": text[max(0, pr["start"] - 20):pr["end"] + 10]})
    for f in fields.values():
        f["accuracy"] = f["correct"] / f["total"] if f["total"] else None
    return _prf(tp, n_pred, n_gold) | {"fields": fields}, issues


PROPOSAL_FIELDS = ("kind", "body", "session", "title", "role", "status", "is_key")


def score_proposals(gold: dict, docs: dict, preds_by_doc: dict) -> tuple[dict, list]:
    """F1 on numbers (one to one within a document, preferring the same
    kind); accuracy of each field over the matched pairs."""
    tp = n_pred = n_gold = 0
    fields = {f: {"correct": 0, "total": 0} for f in PROPOSAL_FIELDS}
    by_rule: dict[str, dict] = {}
    issues = []
    for key, g in gold.items():
        golds = g.get("proposals") or []
        n_gold += len(golds)
        doc = docs.get(key)
        if doc is None:
            continue
        preds = list(preds_by_doc.get(doc["doc_id"], []))
        n_pred += len(preds)
        used = set()
        for gp in golds:
            cands = [k for k, p in enumerate(preds) if k not in used and p["number"] == gp["number"]]
            cands.sort(key=lambda k: preds[k]["kind"] != gp.get("kind"))
            if not cands:
                issues.append({"doc": key, "kind": "miss", "number": gp["number"], "gold_kind": gp.get("kind")})
                continue
            k = cands[0]
            used.add(k)
            tp += 1
            _compare(fields, issues, {"doc": key, "number": gp["number"]}, (
                (f, bool(gp.get(f)), bool(preds[k].get(f))) if f == "is_key" else
                (f, gp.get(f), gp.get(f) if field_match(f, gp.get(f), preds[k].get(f)) else preds[k].get(f))
                for f in PROPOSAL_FIELDS))
            _tally_rules(by_rule, gp, preds[k])
        for k, p in enumerate(preds):
            if k not in used:
                issues.append({"doc": key, "kind": "false_hit", "number": p["number"], "surface": p["surface"]})
    for f in fields.values():
        f["accuracy"] = f["correct"] / f["total"] if f["total"] else None
    for f in DECIDED_FIELDS:  # abstaining is better than guessing: precision where a value was given
        rules = [v for k, v in by_rule.items() if k.startswith(f + "=")]
        n, ok = sum(v["decided"] for v in rules), sum(v["correct"] for v in rules)
        fields[f"{f}_where_set"] = {"correct": ok, "total": n, "accuracy": ok / n if n else None}
    return _prf(tp, n_pred, n_gold) | {"fields": fields, "by_rule": by_rule}, issues


DECIDED_FIELDS = ("status", "role", "title", "reading")


def _tally_rules(by_rule: dict, gold: dict, pred: dict) -> None:
    """Per rule that decided a field of a matched proposal: how often it was right."""
    from extractors.resolve import rule_of

    for f in DECIDED_FIELDS:
        pv = pred.get(f)
        if pv is None:
            continue
        t = by_rule.setdefault(f"{f}={rule_of(pred.get('rule'), f) or '?'}", {"decided": 0, "correct": 0})
        t["decided"] += 1
        # (a letter's reading is scored against the gold status it would be)
        t["correct"] += field_match(f, gold.get("status" if f == "reading" else f), pv)


def format_rule_table(rep: dict) -> str:
    """`jyta evaluate --by-rule`: each rule's precision on the fields it decided
    (metrics: against the gold facts of the same metric and value; `unstated`
    counts fields the gold leaves out)."""
    lines = []
    for table in ("documents", "proposals"):
        rows = sorted((rep.get(table) or {}).get("by_rule", {}).items())
        lines += ([""] if lines else []) + [f"{table + ': field=rule':<40}{'decided':>8}{'correct':>8}{'precision':>10}"]
        for name, t in rows:
            lines.append(f"{name:<40}{t['decided']:>8}{t['correct']:>8}{t['correct'] / t['decided']:>10.3f}")
    mrows = sorted((rep.get("metrics") or {}).get("by_rule", {}).items())
    if mrows:
        lines += ["", f"{'metrics: field=rule':<40}{'decided':>8}{'agree':>7}{'differ':>7}{'unstated':>9}{'precision':>10}"]
        for name, t in mrows:
            judged = t["agree"] + t["differ"]
            prec = f"{t['agree'] / judged:.3f}" if judged else "-"
            lines.append(f"{name:<40}{t['decided']:>8}{t['agree']:>7}{t['differ']:>7}{t['unstated']:>9}{prec:>10}")
    return "\n".join(lines)


METRIC_SCOPE = ("kind", "body", "level", "role", "category", "status", "topic", "channel", "group", "is_key", "ref_year")


def score_metrics(gold: dict, docs: dict, preds_by_doc: dict, scope: tuple = METRIC_SCOPE) -> tuple[dict, list]:
    """GOLD.md §3: a metric is a fact, and scoring compares distinct facts.
    A predicted fact matches a gold one when metric and value agree and every
    scope field the gold states agrees (fields the gold leaves out are not
    scored). Recall counts gold facts some prediction matches; precision
    counts predicted facts that match some gold fact (a report that states
    `3件` twice, once with its level, is two gold facts one prediction may
    cover). `lenient` scores (metric, value) alone."""
    strict = lenient = strict_r = lenient_r = n_pred = n_gold = 0
    issues = []
    for key, g in gold.items():
        gfacts = []
        for m in g.get("metrics") or []:
            f = (m["metric"], _num(m["value"]), _folded({k: m[k] for k in scope if m.get(k) not in (None, False)}))
            if f not in gfacts:
                gfacts.append(f)
        n_gold += len(gfacts)
        doc = docs.get(key)
        if doc is None:
            continue
        pfacts = []
        for r in preds_by_doc.get(doc["doc_id"], []):
            f = (r["metric"], _num(r["value"]), _folded({k: r[k] for k in scope if r.get(k) not in (None, False)}))
            if f not in pfacts:
                pfacts.append(f)
        n_pred += len(pfacts)
        used_s, used_l = set(), set()
        for gm, gv, gsc in gfacts:
            hits = [i for i, (pm, pv, psc) in enumerate(pfacts) if pm == gm and pv == gv
                    and all(psc.get(k) == v for k, v in gsc.items())]
            hit = hits[0] if hits else None
            if hits:
                used_s.update(hits)
                strict_r += 1
            lhs = [i for i, (pm, pv, _) in enumerate(pfacts) if pm == gm and pv == gv]
            lh = lhs[0] if lhs else None
            if lhs:
                used_l.update(lhs)
                lenient_r += 1
            if hit is None:
                issues.append({"doc": key, "kind": "miss", "gold": [gm, str(gv), gsc],
                               "nearest": None if lh is None else [pfacts[lh][0], str(pfacts[lh][1]), pfacts[lh][2]]})
        strict += len(used_s)
        lenient += len(used_l)
        for i, (pm, pv, psc) in enumerate(pfacts):
            if i not in used_s and i not in used_l:
                issues.append({"doc": key, "kind": "false_hit", "pred": [pm, str(pv), psc]})
    return _prf2(strict, strict_r, n_pred, n_gold) | {"lenient": _prf2(lenient, lenient_r, n_pred, n_gold)}, issues


def metric_rules(gold: dict, docs: dict, preds_by_doc: dict) -> dict[str, dict]:
    """For each rule that decided a metric field (the `rule` column): how often
    the gold facts of the same metric and value agree with the field, state
    another value, or leave it out (GOLD.md §3: only what the text states)."""
    from extractors.resolve import rule_of

    tally: dict[str, dict] = {}
    for key, g in gold.items():
        doc = docs.get(key)
        if doc is None:
            continue
        facts: dict[tuple, list[dict]] = {}
        for m in g.get("metrics") or []:
            facts.setdefault((m["metric"], _num(m["value"])), []).append(m)
        for r in preds_by_doc.get(doc["doc_id"], []):
            same = facts.get((r["metric"], _num(r["value"])))
            if not same:
                continue
            for f in ("metric",) + METRIC_SCOPE:
                if f != "metric" and r.get(f) in (None, False):
                    continue
                t = tally.setdefault(f"{f}={rule_of(r.get('rule'), f) or '?'}",
                                     {"decided": 0, "agree": 0, "differ": 0, "unstated": 0})
                t["decided"] += 1
                if f == "metric" or any(m.get(f) == r[f] for m in same):
                    t["agree"] += 1
                elif all(m.get(f) in (None, False) for m in same):
                    t["unstated"] += 1
                else:
                    t["differ"] += 1
    return tally


def _folded(scope: dict) -> dict:
    """Free-text scope (group, topic) compared in Simplified characters: gold
    writes a Traditional page's 委員 as written, the pipeline reads 委员."""
    from .textmap import _t2s

    return {k: _t2s().convert(v) if k in ("group", "topic") and isinstance(v, str) else v for k, v in scope.items()}


def _prf2(tp_pred: int, tp_gold: int, n_pred: int, n_gold: int) -> dict:
    """Precision and recall with their own true-positive counts."""
    p = tp_pred / n_pred if n_pred else 0.0
    r = tp_gold / n_gold if n_gold else 0.0
    return {"tp": tp_gold, "pred": n_pred, "gold": n_gold, "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _by_doc(rows) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r["doc_id"], []).append(r)
    return out


def score_documents(gold: dict, docs: dict) -> tuple[dict, list]:
    fields = {f: {"correct": 0, "total": 0} for f in DOC_FIELDS}
    misses = []
    for key, g in gold.items():
        gd = g.get("document") or {}
        pd_ = docs.get(key, {})
        for f in DOC_FIELDS:
            gv, pv = gd.get(f), pd_.get(f)
            if pd_.get(f"{f}_source") not in (None, "text"):
                pv = None  # gold is what the text states: a manifest's or an address's value is not extraction
            ok = key in docs and field_match(f, gv, pv)
            fields[f]["total"] += 1
            fields[f]["correct"] += ok
            if not ok:
                misses.append({"doc": key, "field": f, "gold": gv, "pred": pv})
    for f in fields.values():
        f["accuracy"] = f["correct"] / f["total"] if f["total"] else None
    return {"n_gold": len(gold), "n_matched": sum(k in docs for k in gold), "fields": fields,
            "by_rule": _year_by_basis(gold, docs)}, misses


def _year_by_basis(gold: dict, docs: dict) -> dict[str, dict]:
    """The handling year by the rule that decided it (`year_basis`; `none`
    where no rule did): how often it was right, so a misfiring rule shows."""
    tally: dict[str, dict] = {}
    for key, g in gold.items():
        if key not in docs:
            continue
        d = docs[key]
        t = tally.setdefault(f"year={d.get('year_basis') or 'none'}", {"decided": 0, "correct": 0})
        t["decided"] += 1
        t["correct"] += field_match("year", (g.get("document") or {}).get("year"), d.get("year"))
    return tally


def field_costs(gold: dict, docs: dict, preds_by_doc: dict) -> dict[str, float]:
    """Metrics strict F1 with one scope field left out of the comparison, for each
    field: how much of the gap between strict and value-only each field is (the
    free-text `group` and `topic` labels cost the most). A diagnostic, not gated."""
    return {k: round(score_metrics(gold, docs, preds_by_doc, tuple(x for x in METRIC_SCOPE if x != k))[0]["f1"], 4)
            for k in METRIC_SCOPE}


def score(gold: dict, docs: dict, preds: dict[str, dict]) -> dict:
    """Every table's scores for the gold files in `gold` (preds: table → doc_id → rows)."""
    documents, misses = score_documents(gold, docs)
    ind, ind_issues = score_indicators(gold, docs, preds["indicators"])
    met, met_issues = score_metrics(gold, docs, preds["metrics"])
    met["by_rule"] = metric_rules(gold, docs, preds["metrics"])
    prop, prop_issues = score_proposals(gold, docs, preds["proposals"])
    return {"documents": documents, "indicators": ind, "metrics": met, "proposals": prop, "misses": misses,
            "indicator_issues": ind_issues, "metric_issues": met_issues, "proposal_issues": prop_issues}


ISSUE_KEYS = ("misses", "indicator_issues", "metric_issues", "proposal_issues")


def evaluate(out: str, gold_dir: str, genres: dict[str, str] | None = None) -> dict:
    """Scores of OUT against the gold files in gold_dir, overall and by genre
    (`genres`: gold key → genre; default: the sidecars beside the gold's raw/)."""
    from .evalsets import genres_of

    gold = load_gold(gold_dir)
    docs = {_stem(d["source"]): d for d in dataset.read_rows(out, "documents")}
    preds = {t: _by_doc(dataset.read_rows(out, t)) for t in ("indicators", "metrics", "proposals")}
    rep = score(gold, docs, preds)
    rep["metrics"]["without_field"] = field_costs(gold, docs, preds["metrics"])
    genres = genres if genres is not None else genres_of(gold_dir)
    by_genre: dict[str, dict] = {}
    for genre in sorted(set(genres.values())):
        part = {k: g for k, g in gold.items() if genres.get(k) == genre}
        if part:
            sub = score(part, docs, preds)
            by_genre[genre] = {k: v for k, v in sub.items() if k not in ISSUE_KEYS}
    rep["by_genre"] = by_genre
    return rep


def _prf_scores(m: dict) -> dict:
    """P/R/F1 of one table; None where there is nothing to score (no gold, no prediction)."""
    return {"precision": m["precision"] if m["pred"] else None,
            "recall": m["recall"] if m["gold"] else None,
            "f1": m["f1"] if m["pred"] and m["gold"] else (0.0 if m["pred"] or m["gold"] else None)}


def flat_scores(rep: dict) -> dict[str, dict[str, float | None]]:
    """Every score of a report, by table and field: what the gate pins."""
    ind, met, prop = rep["indicators"], rep["metrics"], rep["proposals"]
    value_only = _prf_scores(met["lenient"])["f1"]
    return {
        "documents": {f: v["accuracy"] for f, v in rep["documents"]["fields"].items()},
        "indicators": {**_prf_scores(ind), **{f: v["accuracy"] for f, v in ind["fields"].items()}},
        "proposals": {**_prf_scores(prop), **{f: v["accuracy"] for f, v in prop["fields"].items()}},
        "metrics": {**_prf_scores(met), "value_only_f1": value_only},
    }


def format_genre_table(rep: dict) -> str:
    """Rows: every score; columns: each genre and all — a weak genre shows at a glance."""
    genres = list(rep.get("by_genre") or {})
    if not genres:
        return ""
    cols = [("all", rep)] + [(g, rep["by_genre"][g]) for g in genres]
    flat = [(name, flat_scores(r), r["documents"]["n_gold"]) for name, r in cols]
    width = min(16, max(9, *(len(g) + 1 for g in genres)))  # long genre names are cut to fit a terminal
    lines = [f"{'by genre':<28}" + "".join(f"{n[:width - 1]:>{width}}" for n, _, _ in flat),
             f"{'documents (n)':<28}" + "".join(f"{n_docs:>{width}}" for _, _, n_docs in flat)]
    for table, fields in flat[0][1].items():
        for field in fields:
            cells = "".join(f"{'-' if f[table][field] is None else f'{f[table][field]:.3f}':>{width}}"
                            for _, f, _ in flat)
            lines.append(f"{table + '.' + field:<28}{cells}")
    return "\n".join(lines)


def _prf_line(name: str, m: dict) -> str:
    return (f"{name:<22}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}   "
            f"{m['tp']}/{m['pred']}/{m['gold']}")


def _field_lines(prefix: str, fields: dict) -> list[str]:
    out = []
    for name, f in fields.items():
        acc = "-" if f["accuracy"] is None else f"{f['accuracy']:.3f}"
        out.append(f"{prefix + name:<22}{acc:>9}{f['correct']:>6}/{f['total']}")
    return out


def format_report(rep: dict) -> str:
    d = rep["documents"]
    lines = [f"documents: {d['n_matched']}/{d['n_gold']} gold files matched",
             f"{'field':<22}{'accuracy':>9}{'correct':>10}"]
    lines += _field_lines("document.", d["fields"])
    lines.append(f"{'table':<22}{'P':>7}{'R':>7}{'F1':>7}   tp/pred/gold")
    for table in ("indicators", "proposals"):
        if rep.get(table):
            lines.append(_prf_line(table, rep[table]))
            lines += _field_lines(table + ".", rep[table]["fields"])
    if rep.get("metrics"):
        lines.append(_prf_line("metrics", rep["metrics"]))
        lines.append(_prf_line("metrics (value only)", rep["metrics"]["lenient"]))
        costs = rep["metrics"].get("without_field")
        if costs:  # the fields whose disagreements cost the most F1, first
            worst = sorted(costs.items(), key=lambda kv: -kv[1])[:5]
            lines.append("metrics F1 leaving one field out: " + ", ".join(f"{k} {v:.3f}" for k, v in worst))
    return "\n".join(lines)
