#!/usr/bin/env python3
"""Self-check of the unseen evaluation set (docs 301-324).

Run:  python3 tests/unseen/check.py
Asserts that every gold span (surface, occurrence) resolves in raw/NNN.txt,
counting every match of the surface, including matches inside longer strings
(overlapping search), and that the gold files are well-formed per GOLD.md.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RAW = os.path.join(HERE, "raw")
GOLD = os.path.join(HERE, "gold")

METRICS = {"count", "share", "reply_rate", "completion_rate", "on_time_rate",
           "satisfaction_rate", "basic_satisfaction_rate", "contact_rate",
           "adoption_rate", "filing_rate", "handling_units"}
STATUS = {"resolved", "in_progress", "planned", "reference", "closed", None}
KINDS = {"建议", "提案", "议案", "建议案", "建议提案"}
BODIES = {"人大", "政协"}
LEVELS = {"全国", "省", "市", "州", "区", "县"}
ROLES = {"主办", "会办", "协办", "分办", "独办", "承办", "领办", "参阅"}
PROPOSAL_ROLES = {"主办", "会办", "协办", "分办", "领办", None}
CHANNELS = {"大会", "闭会", "平时"}
QUALIFIERS = {"exact", "approx", "at_least", "at_most", "range"}
METRIC_KEYS = {"metric", "value", "unit", "kind", "body", "level", "role", "category",
               "status", "is_key", "channel", "group", "topic", "ref_year",
               "surface", "occurrence"}
IND_KEYS = {"surface", "value", "value_max", "unit", "qualifier", "role", "ref_year",
            "occurrence"}
PROP_KEYS = ["number", "kind", "body", "session", "title", "role", "status", "is_key",
             "surface", "occurrence"]
SIDECAR_KEYS = {"source_url", "title", "region_hint", "year_hint", "source_format",
                "complete", "genre", "notes"}


def locate(text, surface, occurrence):
    """Start offset of the occurrence-th match (1-based, overlapping) or None."""
    if not surface or not isinstance(occurrence, int) or occurrence < 1:
        return None
    i, n = -1, 0
    while True:
        i = text.find(surface, i + 1)
        if i == -1:
            return None
        n += 1
        if n == occurrence:
            return i


def check_doc(doc, errors):
    def err(msg):
        errors.append("%s: %s" % (doc, msg))

    txt_path = os.path.join(RAW, doc + ".txt")
    side_path = os.path.join(RAW, doc + ".json")
    gold_path = os.path.join(GOLD, doc + ".json")
    for p in (txt_path, side_path, gold_path):
        if not os.path.exists(p):
            err("missing " + os.path.relpath(p, HERE))
            return (0, 0, 0)
    with open(txt_path, encoding="utf-8") as f:
        text = f.read()
    with open(side_path, encoding="utf-8") as f:
        side = json.load(f)
    with open(gold_path, encoding="utf-8") as f:
        gold = json.load(f)

    if not 700 <= len(text) <= 2500:
        err("text length %d outside 700..2500" % len(text))
    if set(side) != SIDECAR_KEYS:
        err("sidecar keys %s" % sorted(set(side) ^ SIDECAR_KEYS))
    if set(gold) != {"doc", "document", "proposals", "metrics", "indicators"}:
        err("gold top-level keys %s" % sorted(gold))
    if gold.get("doc") != doc:
        err("doc field %r" % gold.get("doc"))

    d = gold["document"]
    if set(d) != {"title", "region", "year", "published"}:
        err("document keys %s" % sorted(d))
    flat = re.sub(r"\s+", "", text)
    if d["title"] is not None and re.sub(r"\s+", "", d["title"]) not in flat:
        err("document title not found verbatim in text")
    if d["year"] is not None and not (isinstance(d["year"], int) and 2015 <= d["year"] <= 2025):
        err("document year %r" % d["year"])
    if d["published"] is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d", d["published"]):
        err("published %r" % d["published"])

    spans = {}

    def resolve(kind, item):
        pos = locate(text, item.get("surface"), item.get("occurrence"))
        if pos is None:
            err("%s span %r occurrence %r does not resolve" % (
                kind, item.get("surface"), item.get("occurrence")))
            return None
        return (pos, pos + len(item["surface"]))

    seen_numbers = set()
    for p in gold["proposals"]:
        if list(p) != PROP_KEYS:
            err("proposal keys %s" % list(p))
        span = resolve("proposal", p)
        if not re.fullmatch(r"\d+", str(p["number"])):
            err("proposal number %r" % p["number"])
        elif p["number"] not in p["surface"].replace(" ", ""):
            err("proposal number %s not in its surface %r" % (p["number"], p["surface"]))
        if p["kind"] not in KINDS or p["body"] not in BODIES:
            err("proposal %s kind/body %r/%r" % (p["number"], p["kind"], p["body"]))
        if p["role"] not in PROPOSAL_ROLES or p["status"] not in STATUS:
            err("proposal %s role/status %r/%r" % (p["number"], p["role"], p["status"]))
        if not isinstance(p["is_key"], bool):
            err("proposal %s is_key %r" % (p["number"], p["is_key"]))
        if p["title"] is not None and re.sub(r"\s+", "", p["title"]) not in flat:
            err("proposal %s title not verbatim in text" % p["number"])
        if p["session"] is not None and re.sub(r"\s+", "", p["session"]) not in flat:
            err("proposal %s session not verbatim in text" % p["number"])
        key = (p["number"], p["kind"], p["session"])
        if key in seen_numbers:
            err("proposal listed twice: %s" % (key,))
        seen_numbers.add(key)

    ind_spans = {}
    for ind in gold["indicators"]:
        if not set(ind) <= IND_KEYS or not {"surface", "value", "unit", "qualifier", "occurrence"} <= set(ind):
            err("indicator keys %s" % sorted(ind))
        span = resolve("indicator", ind)
        if span is None:
            continue
        if span in ind_spans:
            err("indicator span listed twice: %r/%d" % (ind["surface"], ind["occurrence"]))
        ind_spans[span] = ind
        if ind["qualifier"] not in QUALIFIERS:
            err("qualifier %r" % ind["qualifier"])
        if (ind["qualifier"] == "range") != ("value_max" in ind):
            err("range/value_max mismatch on %r" % ind["surface"])
        if not isinstance(ind["value"], (int, float)) or isinstance(ind["value"], bool):
            err("indicator value %r" % ind["value"])
        if ind.get("role") not in (None, "target"):
            err("indicator role %r" % ind.get("role"))
        if "ref_year" in ind and not isinstance(ind["ref_year"], int):
            err("indicator ref_year %r" % ind["ref_year"])
        if "万" in ind["unit"] or "亿" in ind["unit"]:
            err("multiplier left in unit %r" % ind["unit"])
    # indicator spans must not overlap each other
    ordered = sorted(ind_spans)
    for a, b in zip(ordered, ordered[1:]):
        if b[0] < a[1]:
            err("overlapping indicator spans %r and %r" % (text[a[0]:a[1]], text[b[0]:b[1]]))

    for m in gold["metrics"]:
        if not set(m) <= METRIC_KEYS:
            err("metric keys %s" % sorted(set(m) - METRIC_KEYS))
        if m.get("metric") not in METRICS:
            err("metric name %r" % m.get("metric"))
        span = resolve("metric", m)
        if span is None:
            continue
        ind = ind_spans.get(span)
        if ind is None:
            err("metric span %r/%d has no indicator" % (m["surface"], m["occurrence"]))
        elif ind["value"] != m["value"]:
            err("metric %r value %r != indicator value %r" % (m["surface"], m["value"], ind["value"]))
        if m.get("kind", "建议") not in KINDS or m.get("body", "人大") not in BODIES:
            err("metric kind/body %r/%r" % (m.get("kind"), m.get("body")))
        if m.get("level", "市") not in LEVELS or m.get("role", "主办") not in ROLES:
            err("metric level/role %r/%r" % (m.get("level"), m.get("role")))
        if m.get("channel", "大会") not in CHANNELS or m.get("status") not in STATUS:
            err("metric channel/status %r/%r" % (m.get("channel"), m.get("status")))
        if "is_key" in m and m["is_key"] is not True:
            err("metric is_key should only be present as true")
        if m["metric"] == "count" and m["unit"] != "件":
            err("count metric unit %r" % m["unit"])
        if m["metric"] not in ("count", "handling_units") and m["unit"] != "%":
            err("rate/share metric unit %r" % m["unit"])
        if "ref_year" in m and ind is not None and ind.get("ref_year") != m["ref_year"]:
            err("metric ref_year %r not mirrored on indicator %r" % (m["ref_year"], m["surface"]))
    return (len(gold["proposals"]), len(gold["metrics"]), len(gold["indicators"]))


def main():
    docs = ["%03d" % n for n in range(301, 325)]
    errors = []
    totals = [0, 0, 0]
    for doc in docs:
        n = check_doc(doc, errors)
        totals = [a + b for a, b in zip(totals, n)]
    extra = sorted(set(f[:3] for f in os.listdir(GOLD)) - set(docs))
    if extra:
        errors.append("unexpected gold files: %s" % extra)
    for e in errors:
        print("FAIL", e)
    print("%d documents, %d proposals, %d metrics, %d indicators" % (len(docs), *totals))
    if errors:
        print("%d problems" % len(errors))
        sys.exit(1)
    print("all spans resolve; OK")


if __name__ == "__main__":
    main()
