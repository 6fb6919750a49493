"""Check gold files against GOLD.md: shape, allowed values, and that every
surface stands in its text at its occurrence.

Standard library only, on purpose: annotators run it as a plain script
(`python3 goldcheck.py SET_DIR...`) without installing the project and without
seeing its extraction code. A set folder holds `raw/NNN.txt` (+ sidecar
`raw/NNN.json`) and `gold/NNN.json`.

>>> problems_in({"doc": "x", "document": {"year": "2022"}, "proposals": [],
...              "metrics": [], "indicators": []}, "共6件", "x")
["x: document.year must be an integer or null, not '2022'"]
"""
from __future__ import annotations

import datetime
import json
import pathlib
import sys

# GOLD.md §2–§5 and §6: the values a gold file may hold.
KINDS = {"建议", "提案", "议案", "建议案"}
METRIC_KINDS = KINDS | {"建议提案", "议提案"}
BODIES = {"人大", "政协"}
PROPOSAL_ROLES = {"主办", "会办", "协办", "分办", "领办"}
METRIC_ROLES = PROPOSAL_ROLES | {"独办", "承办", "参阅"}
LEVELS = {"全国", "省", "市", "州", "区", "县"}
STATUSES = {"resolved", "in_progress", "planned", "reference", "closed"}
CHANNELS = {"大会", "闭会", "平时"}
METRICS = {"count", "share", "reply_rate", "completion_rate", "on_time_rate", "satisfaction_rate",
           "basic_satisfaction_rate", "contact_rate", "adoption_rate", "filing_rate", "handling_units"}
QUALIFIERS = {"exact", "approx", "at_least", "at_most", "range"}
GENRES = {"gov_report_npc", "cppcc_report", "self_evaluation", "reply_letter", "results_list", "news"}
SIDECAR_KEYS = ("title", "genre", "notes")
# a real text's sidecar also says where it came from and what was kept of it
SOURCE_KEYS = ("source_url", "region_hint", "year_hint", "source_format", "complete")
TOP_KEYS = ("doc", "document", "proposals", "metrics", "indicators")


def occurs(text: str, surface: str, occurrence) -> bool:
    """Does `surface` appear at least `occurrence` times (1 = first)?"""
    if not isinstance(surface, str) or not surface or not isinstance(occurrence, int) or occurrence < 1:
        return False
    i = -1
    for _ in range(occurrence):
        i = text.find(surface, i + 1)
        if i < 0:
            return False
    return True


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _year_ok(v) -> bool:
    return v is None or (isinstance(v, int) and not isinstance(v, bool) and 1949 <= v <= 2035)


def _date_ok(v) -> bool:
    if v is None:
        return True
    try:
        return isinstance(v, str) and datetime.date.fromisoformat(v).isoformat() == v
    except ValueError:
        return False


def _allowed(where: str, row: dict, field: str, allowed: set, out: list) -> None:
    v = row.get(field)
    if v is not None and v not in allowed:
        out.append(f"{where}: {field} {v!r} is not one of {sorted(allowed)}")


def _span(where: str, row: dict, text: str, out: list) -> None:
    occ = row.get("occurrence", 1)
    if not occurs(text, row.get("surface"), occ):
        out.append(f"{where}: surface {row.get('surface')!r} occurrence {occ} is not in the text")


def _document(key: str, d, out: list) -> None:
    if not isinstance(d, dict):
        out.append(f"{key}: document must be an object")
        return
    for f in ("title", "region"):
        if d.get(f) is not None and not isinstance(d.get(f), str):
            out.append(f"{key}: document.{f} must be a string or null")
    if not _year_ok(d.get("year")):
        out.append(f"{key}: document.year must be an integer or null, not {d.get('year')!r}")
    if not _date_ok(d.get("published")):
        out.append(f"{key}: document.published must be YYYY-MM-DD or null, not {d.get('published')!r}")


def _proposal(where: str, p: dict, text: str, out: list) -> None:
    if not (isinstance(p.get("number"), str) and p["number"].isdigit()):
        out.append(f"{where}: number must be a string of digits as written, not {p.get('number')!r}")
    elif isinstance(p.get("surface"), str) and p["number"] not in p["surface"]:
        out.append(f"{where}: surface {p['surface']!r} does not contain the number {p['number']!r}")
    if p.get("kind") not in KINDS:
        out.append(f"{where}: kind {p.get('kind')!r} is not one of {sorted(KINDS)}")
    _allowed(where, p, "body", BODIES, out)
    _allowed(where, p, "role", PROPOSAL_ROLES, out)
    _allowed(where, p, "status", STATUSES, out)
    if not isinstance(p.get("is_key", False), bool):
        out.append(f"{where}: is_key must be true or false")
    _span(where, p, text, out)


def _metric(where: str, m: dict, text: str, out: list) -> None:
    if m.get("metric") not in METRICS:
        out.append(f"{where}: metric {m.get('metric')!r} is not one of {sorted(METRICS)}")
    if not _is_num(m.get("value")):
        out.append(f"{where}: value must be a number, not {m.get('value')!r}")
    if not isinstance(m.get("unit"), str) or not m.get("unit"):
        out.append(f"{where}: unit is missing")
    _allowed(where, m, "kind", METRIC_KINDS, out)
    _allowed(where, m, "body", BODIES, out)
    _allowed(where, m, "level", LEVELS, out)
    _allowed(where, m, "role", METRIC_ROLES, out)
    _allowed(where, m, "status", STATUSES, out)
    _allowed(where, m, "channel", CHANNELS, out)
    if m.get("is_key") not in (None, True, False):
        out.append(f"{where}: is_key must be true or false")
    if not _year_ok(m.get("ref_year")):
        out.append(f"{where}: ref_year must be an integer year")
    _span(where, m, text, out)


def _indicator(where: str, i: dict, text: str, out: list) -> None:
    if not _is_num(i.get("value")):
        out.append(f"{where}: value must be a number, not {i.get('value')!r}")
    if not isinstance(i.get("unit"), str) or not i.get("unit"):
        out.append(f"{where}: unit is missing (GOLD §6.6: no unit, no indicator)")
    q = i.get("qualifier", "exact")
    if q not in QUALIFIERS:
        out.append(f"{where}: qualifier {q!r} is not one of {sorted(QUALIFIERS)}")
    if (q == "range") != ("value_max" in i and i["value_max"] is not None):
        out.append(f"{where}: a range has value_max, and only a range has it")
    if i.get("role") not in (None, "target"):
        out.append(f"{where}: role may only be 'target'")
    if not _year_ok(i.get("ref_year")):
        out.append(f"{where}: ref_year must be an integer year")
    _span(where, i, text, out)


def problems_in(gold: dict, text: str, key: str) -> list[str]:
    """Every problem of one gold file against its text."""
    out: list[str] = []
    missing = [k for k in TOP_KEYS if k not in gold]
    if missing:
        return [f"{key}: missing top-level keys {missing}"]
    if gold["doc"] != key:
        out.append(f"{key}: doc is {gold['doc']!r}, the file is {key!r}")
    _document(key, gold["document"], out)
    checks = (("proposals", _proposal), ("metrics", _metric), ("indicators", _indicator))
    for table, check in checks:
        rows = gold[table]
        if not isinstance(rows, list):
            out.append(f"{key}: {table} must be a list")
            continue
        for n, row in enumerate(rows):
            where = f"{key} {table}[{n}]"
            if not isinstance(row, dict):
                out.append(f"{where}: must be an object")
                continue
            check(where, row, text, out)
    seen = set()
    for n, i in enumerate(gold["indicators"]):
        at = (i.get("surface"), i.get("occurrence", 1)) if isinstance(i, dict) else None
        if at in seen:
            out.append(f"{key} indicators[{n}]: {at[0]!r} occurrence {at[1]} is listed twice")
        seen.add(at)
    return out


def sidecar_problems(path: pathlib.Path, key: str) -> list[str]:
    if not path.exists():
        return []  # older sets keep no sidecars
    try:
        side = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        return [f"{key}: sidecar is not JSON ({e})"]
    needed = SIDECAR_KEYS + (SOURCE_KEYS if "source_url" in side else ())
    out = [f"{key}: sidecar lacks {k!r}" for k in needed if k not in side]
    g = side.get("genre")
    if g is not None and g not in GENRES and ":" not in str(g):  # "target:…" is the bundled corpus's older form
        out.append(f"{key}: sidecar genre {g!r} is not one of {sorted(GENRES)}")
    return out


def check_set(folder: str | pathlib.Path) -> list[str]:
    """Problems of every gold file in `folder/gold` (and texts without gold)."""
    root = pathlib.Path(folder)
    raw, gold_dir = root / "raw", root / "gold"
    if not gold_dir.is_dir() or not raw.is_dir():
        return [f"{root}: needs raw/ and gold/ folders"]
    out: list[str] = []
    for gp in sorted(gold_dir.glob("*.json")):
        key = gp.stem
        tp = raw / f"{key}.txt"
        if not tp.exists():
            out.append(f"{key}: no raw/{key}.txt for this gold file")
            continue
        try:
            gold = json.loads(gp.read_text(encoding="utf-8"))
        except ValueError as e:
            out.append(f"{key}: gold is not JSON ({e})")
            continue
        out += problems_in(gold, tp.read_text(encoding="utf-8"), key)
        out += sidecar_problems(raw / f"{key}.json", key)
    for tp in sorted(raw.glob("*.txt")):
        if not (gold_dir / f"{tp.stem}.json").exists():
            out.append(f"{tp.stem}: raw text without gold")
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: goldcheck.py SET_DIR...  (each with raw/ and gold/)", file=sys.stderr)
        return 2
    bad = 0
    for folder in argv:
        problems = check_set(folder)
        for p in problems:
            print(f"{folder}: {p}")
        n = len(list(pathlib.Path(folder, "gold").glob("*.json")))
        print(f"{folder}: {n} gold files, {len(problems)} problems")
        bad += len(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
