"""Cross-year comparison: series of a region's metrics and indicators by
year, and the same proposal followed from one year to the next.

Everything here is derived from the extracted tables (documents, metrics,
indicators, proposals) and written as two more tables, `series` and
`proposal_links` (docs/dataset.md). Every row keeps the evidence span of the
value it carries, so a chart point leads back to its sentence.

- Regions are matched across spellings (宝坻区 / 天津市宝坻区 / 宝坻 /
  Traditional forms) by resolving them to one division (extractors.regions).
- A document without a year takes it from a session another document of the
  same place ties to a year (extractors.sessions); such years are marked.
- A report stored under several files (documents.duplicate_of: its PDF and
  its web page, a re-hosted copy) counts once, as its first document.
- Indicators and proposals are linked across years with rapidfuzz on the
  normalized text, blocking first (region, unit or kind), then scoring, then
  assigning one to one; each link keeps its score so users pick a threshold.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from decimal import Decimal

from . import dataset

# The metric scope fields that tell series apart (level is left out: a region's
# reports name it for some counts and not others, and the region already
# places them). A category stands for its status: A类 one year and
# 已解决或基本解决的(A类) the next are the same series.
_SCOPE_KEY = ("kind", "body", "role", "category", "status", "topic", "channel", "group", "is_key")
_CHANGE_UNITS = ("个百分点", "百分点")
_ONE_YEAR_BACK = re.compile(r"较上年|比上年|较去年|比去年|同比|较上一年|比上一年|与上年相比|与去年相比")
_DOWN = re.compile(r"下降|降低|减少|回落")
# The organ that reports: 市交通运输局, 市卫健委, 市政府研究室, 水利部.
_UNIT = re.compile(r"[\u4e00-\u9fff]{0,10}?(?:研究室|办公室|办公厅|委员会|局|厅|部(?!门|分|署)|委(?!员)|人民政府|政府(?!工作))")
_PLACE_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{0,8}?[省市区县州旗])?(?=[\u4e00-\u9fff]{2})")


@dataclass
class DocInfo:
    region: str
    region_code: str | None
    year: int | None
    basis: str | None
    unit: str | None
    text: str


def region_of(name: str | None) -> tuple[str, str | None] | None:
    from extractors import regions

    from .textmap import to_simplified

    if not name:
        return None
    r = regions.canonical(name)
    if r is not None:
        return regions.chain(r), r.code
    return re.sub(r"\s+", "", to_simplified(name)), None


def reporting_unit(title: str | None, publisher: str | None) -> str | None:
    """`市民政局2021年…` → 民政局; `国管局办理…` → 国管局; None where neither
    the title nor the 来源 names an organ."""
    from .textmap import to_simplified

    for s in (title, publisher):
        if not s:
            continue
        m = _UNIT.search(to_simplified(s)[:30])
        if m:
            unit = m.group()
            trimmed = unit[_PLACE_PREFIX.match(unit).end():] if len(unit) > 3 else unit
            return trimmed or unit
    return None


def counted_once(docs: list[dict]) -> list[dict]:
    """The documents that count: a report stored under several files
    (documents.duplicate_of) counts once, as its first document — with what
    a copy says where the first says nothing (a region only the copy's
    address gave), so the report is not lost either."""
    copies: dict[str, list[dict]] = {}
    for d in sorted(docs, key=lambda d: d["source"]):
        if d.get("duplicate_of"):
            copies.setdefault(d["duplicate_of"], []).append(d)
    out = []
    for d in docs:
        if d.get("duplicate_of"):
            continue
        for c in copies.get(d["doc_id"], ()):
            if d.get("region") is None and c.get("region"):
                d = {**d, "region": c["region"]}
            if d.get("year") is None and c.get("year") is not None:
                d = {**d, "year": c["year"], "year_inferred": c.get("year_inferred")}
            for k in ("title", "publisher"):
                if not d.get(k) and c.get(k):
                    d = {**d, k: c[k]}
        out.append(d)
    return out


def doc_infos(docs: list[dict]) -> dict[str, DocInfo]:
    """Region, year (with where it came from) and reporting unit per document;
    documents without a region are left out: there is nothing to compare
    them with. A copy of another document (duplicate_of) is left out: the
    report counts once (counted_once)."""
    from extractors import sessions

    from .textmap import build

    infos: dict[str, DocInfo] = {}
    found: dict[str, list] = {}
    for d in counted_once(docs):
        reg = region_of(d.get("region"))
        if reg is None:
            continue
        year = d.get("year")
        basis = None if year is None else ("published" if d.get("year_inferred") else "text")
        infos[d["doc_id"]] = DocInfo(reg[0], reg[1], year, basis, reporting_unit(d.get("title"), d.get("publisher")),
                                     d["text"])
        found[d["doc_id"]] = sessions.find(build(d["text"]).norm)
    # 2016年省十二届人大四次会议期间 in one report dates 省十二届人大五次会议 in another
    ties: dict[str, dict[tuple, int]] = {}
    for doc_id, ss in found.items():
        for s in ss:
            if s.year is not None:
                ties.setdefault(infos[doc_id].region, {}).setdefault((s.level, s.body, s.term, s.no), s.year)
    for doc_id, info in infos.items():
        if info.year is None:
            main = sessions.main_session(found[doc_id])
            year = sessions.year_of(main, ties.get(info.region, {})) if main else None
            if year is not None:
                info.year, info.basis = year, "session"
    return infos


def _scope(m: dict) -> str:
    parts = []
    for k in _SCOPE_KEY:
        v = m.get(k)
        if v is None or v is False or (k == "status" and m.get("category")) or (k == "role" and v == "承办"):
            continue  # 承办 (handled) is what every count of the report is about
        parts.append(f"{k}={'true' if v is True else v}")
    return ";".join(parts)


def _series_id(*parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _row(info: DocInfo, sid: str, kind: str, measure: str, scope: str | None, unit: str, year: int, basis: str,
         value, src: dict, value_type: str = "level", link_score: float | None = None) -> dict:
    return {"series_id": sid, "region": info.region, "region_code": info.region_code, "series_type": kind,
            "measure": measure, "scope": scope or None, "unit": unit, "year": year, "year_basis": basis,
            "value_type": value_type, "value": value, "change_abs": None, "change_rel": None, "conflict": False,
            "link_score": link_score, "doc_id": src["doc_id"], "reporting_unit": info.unit,
            "start": src["start"], "end": src["end"], "surface": src["surface"]}


def metric_series(metrics: list[dict], infos: dict[str, DocInfo]) -> list[dict]:
    rows, seen = [], set()
    for m in metrics:
        info = infos.get(m["doc_id"])
        if info is None:
            continue
        year = m.get("ref_year") or info.year
        if year is None:
            continue
        basis = "ref_year" if m.get("ref_year") else info.basis
        scope = _scope(m)
        sid = _series_id(info.region, "metric", m["metric"], scope, m["unit"])
        key = (sid, year, m["doc_id"], Decimal(m["value"]))
        if key in seen:  # the same fact said twice in one report
            continue
        seen.add(key)
        rows.append(_row(info, sid, "metric", m["metric"], scope, m["unit"], year, basis, m["value"], m))
    return rows


def stated_changes(metrics: list[dict], indicators: list[dict], infos: dict[str, DocInfo]) -> list[dict]:
    """满意率98.7%,较上年提高0.9个百分点: a change of the rate's series the
    text states, kept beside the levels."""
    by_doc: dict[str, list[dict]] = {}
    for m in metrics:
        if m["unit"] == "%":
            by_doc.setdefault(m["doc_id"], []).append(m)
    rows = []
    for ind in indicators:
        info = infos.get(ind["doc_id"])
        if info is None or info.year is None or ind["unit"] not in _CHANGE_UNITS:
            continue
        before = [m for m in by_doc.get(ind["doc_id"], []) if m["end"] <= ind["start"]
                  and not re.search(r"[。;;!?\n]", info.text[m["end"]:ind["start"]])
                  and ind["start"] - m["end"] <= 30]
        if not before:
            continue
        m = max(before, key=lambda x: x["end"])
        between = info.text[m["end"]:ind["start"]]
        if not _ONE_YEAR_BACK.search(between) or m.get("ref_year"):
            continue
        value = -ind["value"] if _DOWN.search(between) else ind["value"]
        scope = _scope(m)
        sid = _series_id(info.region, "metric", m["metric"], scope, m["unit"])
        rows.append(_row(info, sid, "metric", m["metric"], scope, ind["unit"], info.year, info.basis, value, ind,
                         value_type="change"))
    return rows


def _norm_label(s: str) -> str:
    from .textmap import to_simplified

    return re.sub(r"[\s,,。;;、::()()“”\"'《》]", "", to_simplified(s or ""))


def indicator_series(indicators: list[dict], infos: dict[str, DocInfo], min_score: float) -> list[dict]:
    """Indicators aligned across years by unit (the block) and label (the
    score, character-level: Chinese has no spaces), one to one per year;
    series found in one year only are not series."""
    from rapidfuzz import fuzz, process

    by_region: dict[str, dict[int, list[dict]]] = {}
    for ind in indicators:
        info = infos.get(ind["doc_id"])
        label = _norm_label(ind.get("label"))
        if info is None or info.year is None or len(label) < 2 or ind["unit"] in _CHANGE_UNITS:
            continue
        year = ind.get("ref_year") or info.year
        by_region.setdefault(info.region, {}).setdefault(year, []).append({**ind, "_label": label, "_year": year})
    rows = []
    for region, years in by_region.items():
        series: list[dict] = []  # {"label", "unit", "rows": [(ind, score)], "years": set}
        for year in sorted(years):
            inds = years[year]
            open_ = [s for s in series if year not in s["years"]]
            pairs = []
            if open_:
                scores = process.cdist([i["_label"] for i in inds], [s["label"] for s in open_], scorer=fuzz.ratio)
                for a, ind in enumerate(inds):
                    for b, s in enumerate(open_):
                        if s["unit"] == ind["unit"] and scores[a][b] >= min_score:
                            pairs.append((float(scores[a][b]), a, b))
            pairs.sort(key=lambda p: -p[0])
            used_a, used_b = set(), set()
            for score, a, b in pairs:
                if a in used_a or b in used_b:
                    continue
                used_a.add(a)
                used_b.add(b)
                open_[b]["rows"].append((inds[a], round(score, 1)))
                open_[b]["years"].add(year)
            for a, ind in enumerate(inds):
                if a not in used_a:
                    series.append({"label": ind["_label"], "unit": ind["unit"], "rows": [(ind, None)], "years": {year}})
        for s in series:
            if len(s["years"]) < 2:
                continue
            sid = _series_id(region, "indicator", s["label"], s["unit"])
            for ind, score in s["rows"]:
                info = infos[ind["doc_id"]]
                basis = "ref_year" if ind.get("ref_year") else info.basis
                rows.append(_row(info, sid, "indicator", s["label"], None, ind["unit"], ind["_year"], basis,
                                 ind["value"], ind, link_score=score))
    return rows


def _year_on_year(rows: list[dict]) -> None:
    """change_abs / change_rel against the previous year's value of the same
    series from the same reporting unit (the document's own statement of
    that year first)."""
    by_series: dict[tuple, dict[int, list[dict]]] = {}
    for r in rows:
        if r["value_type"] == "level":
            # one reporting unit's values: a bureau's count is no change from another bureau's
            by_series.setdefault((r["series_id"], r["reporting_unit"]), {}).setdefault(r["year"], []).append(r)
    for years in by_series.values():
        for year, rs in years.items():
            prev = years.get(year - 1)
            if not prev:
                continue
            base = min(prev, key=lambda r: (r["year_basis"] == "ref_year", r["doc_id"]))["value"]
            for r in rs:
                r["change_abs"] = Decimal(r["value"]) - Decimal(base)
                r["change_rel"] = float(r["change_abs"] / Decimal(base)) if Decimal(base) != 0 else None


def _conflicts(rows: list[dict]) -> None:
    """Two documents of the same reporting unit that give one year of a series
    different values: both kept, both flagged."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["value_type"] == "level":
            groups.setdefault((r["series_id"], r["year"], r["reporting_unit"]), []).append(r)
    for rs in groups.values():
        docs = {r["doc_id"] for r in rs}
        if len(docs) > 1 and len({Decimal(r["value"]) for r in rs}) > 1:
            for r in rs:
                others = [o for o in rs if o["doc_id"] != r["doc_id"]]
                if any(Decimal(o["value"]) != Decimal(r["value"]) for o in others):
                    r["conflict"] = True


def _core_title(title: str) -> str:
    t = _norm_label(title)
    t = re.sub(r"^关于", "", t)
    return re.sub(r"的?(建议案|议案|建议|提案)$", "", t)


def title_score(a: str, b: str) -> float:
    """Similarity of two proposal titles, 0–100: the better of a
    character-level ratio of the cores (关于…的建议 stripped) and a token-set
    ratio of their content words (jieba, the filler of handling.yaml left
    out), which sees a problem raised again in other words."""
    from rapidfuzz import fuzz

    ca, cb = _core_title(a), _core_title(b)
    wa, wb = _content_words(ca), _content_words(cb)
    words = fuzz.token_set_ratio(" ".join(wa), " ".join(wb)) if wa and wb else 0.0
    return round(max(fuzz.ratio(ca, cb), words), 1)


def _content_words(core: str) -> list[str]:
    from extractors import handling
    from extractors.labels import tokenizer

    filler = set(handling.vocab()["title_filler"])
    return [w for w in tokenizer().lcut(core) if len(w) >= 2 and w not in filler]


def proposal_links(proposals: list[dict], infos: dict[str, DocInfo], min_score: float,
                   recurring_score: float, same_kind: bool = False) -> list[dict]:
    """The same problem in a later year: blocked by region (and kind, with
    same_kind), scored by title, assigned one to one between each pair of
    years. Across kinds by default: a problem moves between a deputy's
    suggestion and a member's proposal (建议0123 → 提案0057)."""
    blocks: dict[tuple, dict[int, list[dict]]] = {}
    for p in proposals:
        info = infos.get(p["doc_id"])
        if info is None or info.year is None or not p.get("title"):
            continue
        key = (info.region, p.get("kind") if same_kind else None)
        blocks.setdefault(key, {}).setdefault(info.year, []).append(p)
    links = []
    for (region, _), years in blocks.items():
        ys = sorted(years)
        for i, y1 in enumerate(ys):
            for y2 in ys[i + 1:]:
                pairs = sorted(((title_score(a["title"], b["title"]), ia, ib)
                                for ia, a in enumerate(years[y1]) for ib, b in enumerate(years[y2])),
                               key=lambda t: -t[0])
                used_a, used_b = set(), set()
                for score, ia, ib in pairs:
                    if score < min_score:
                        break
                    if ia in used_a or ib in used_b:
                        continue
                    used_a.add(ia)
                    used_b.add(ib)
                    a, b = years[y1][ia], years[y2][ib]
                    links.append({
                        "region": region, "score": score, "recurring": score >= recurring_score,
                        "from_doc_id": a["doc_id"], "from_year": y1, "from_number": a["number"],
                        "from_kind": a.get("kind"), "from_title": a["title"], "from_start": a["start"],
                        "from_end": a["end"], "from_surface": a["surface"],
                        "to_doc_id": b["doc_id"], "to_year": y2, "to_number": b["number"], "to_kind": b.get("kind"),
                        "to_title": b["title"], "start": b["start"], "end": b["end"], "surface": b["surface"]})
    links.sort(key=lambda r: (r["region"], r["from_year"], r["to_year"], -r["score"]))
    return links


def build(out: str, min_score: float = 50.0, recurring_score: float = 60.0, same_kind: bool = False,
          label_score: float = 70.0) -> dict[str, list[dict]]:
    """min_score / recurring_score / same_kind: proposal links; label_score:
    the least label similarity that continues an indicator series."""
    docs = dataset.read_rows(out, "documents")
    infos = doc_infos(docs)
    metrics = dataset.read_rows(out, "metrics")
    indicators = dataset.read_rows(out, "indicators")
    rows = (metric_series(metrics, infos) + stated_changes(metrics, indicators, infos)
            + indicator_series(indicators, infos, label_score))
    _year_on_year(rows)
    _conflicts(rows)
    rows.sort(key=lambda r: (r["region"], r["series_type"], r["measure"], r["scope"] or "", r["series_id"],
                             r["year"], r["value_type"], r["doc_id"], r["start"]))
    links = proposal_links(dataset.read_rows(out, "proposals"), infos, min_score, recurring_score, same_kind)
    return {"series": rows, "proposal_links": links}


SETTINGS = "compare.json"  # the options the derived tables were last built with


def write(out: str, **kw) -> dict[str, int]:
    """Build `series` and `proposal_links` and remember the options, so that a
    later ingest or stored upload rebuilds them the same way (refresh)."""
    import json

    # the lock an ingest holds: built from the tables as one ingest left them, never half-way through another
    with dataset.exclusive(out):
        tables = build(out, **kw)
        for name, rows in tables.items():
            dataset.write_rows(out, name, rows)
        tmp = os.path.join(out, SETTINGS + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(kw, fh)
        os.replace(tmp, os.path.join(out, SETTINGS))
    return {name: len(rows) for name, rows in tables.items()}


def refresh(out: str) -> dict[str, int]:
    """Rebuild the derived tables with the options they were last built with."""
    import json

    kw = {}
    path = os.path.join(out, SETTINGS)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            kw = json.load(fh)
    return write(out, **kw)
