"""`jyta report OUT -o DIR`: a static HTML review of a dataset that opens
from disk with no server and no network.

- index.html: per region, charts of the metric series by year and of the
  status mix by year (Plotly, its script written once to assets/); the
  documents with warnings; the errors table.
- docs/<doc_id>.html: the document text with every extracted proposal,
  metric and indicator highlighted in place (displaCy's span look), and a
  table of the records; clicking a record scrolls to its evidence.
"""
from __future__ import annotations

import html
import os
from collections import defaultdict
from decimal import Decimal

from . import dataset

RATES = ("satisfaction_rate", "reply_rate", "completion_rate", "on_time_rate", "contact_rate", "adoption_rate",
         "basic_satisfaction_rate", "filing_rate")
COLORS = {"proposal": "#7aecec", "metric": "#feca74", "indicator": "#c887fb"}
STATUS_ORDER = ("resolved", "in_progress", "planned", "reference", "closed")

CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif;margin:0 2em 4em;color:#222}
h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-top:1em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ddd;padding:2px 6px;
text-align:left;vertical-align:top}tr.rec{cursor:pointer}tr.rec:hover{background:#f4f4f4}
.text{white-space:pre-wrap;line-height:2.4;max-width:60em;border:1px solid #eee;padding:1em}
mark.ent{padding:.2em .35em;border-radius:.35em;line-height:1}mark.ent .lbl{font-size:.6em;font-weight:bold;
text-transform:uppercase;margin-left:.4em;vertical-align:middle}mark.flash{outline:3px solid #e33}
.warn{color:#a40}.chart{max-width:70em}.muted{color:#888}
"""

JS = """
document.addEventListener('click', function (e) {
  var row = e.target.closest('tr.rec');
  if (!row) return;
  var mark = document.getElementById(row.dataset.target);
  if (!mark) return;
  document.querySelectorAll('mark.flash').forEach(function (m) { m.classList.remove('flash'); });
  mark.classList.add('flash');
  mark.scrollIntoView({block: 'center'});
});
"""


def _e(v) -> str:
    return html.escape("" if v is None else str(v))


def _num(v) -> str:
    if v is None:
        return ""
    d = Decimal(v).normalize()
    return f"{d:f}"


def _page(title: str, body: str, depth: int = 0, plotly: bool = False) -> str:
    up = "../" * depth
    script = f'<script src="{up}assets/plotly.min.js"></script>' if plotly else ""
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<link rel="stylesheet" href="{up}assets/report.css">{script}</head><body>{body}'
            f'<script src="{up}assets/report.js"></script></body></html>')


def _records(doc_id: str, tables: dict) -> list[dict]:
    """Every extracted row of one document as (type, what, value, scope, span)."""
    recs = []
    for p in tables["proposals"].get(doc_id, []):
        what = " ".join(x for x in (p.get("kind"), p.get("number") and f"第{p['number']}号") if x)
        scope = "; ".join(f"{k}={p[k]}" for k in ("session", "role", "status", "category") if p.get(k))
        recs.append({"type": "proposal", "what": what, "value": p.get("title") or "", "scope": scope, **_span(p)})
    for m in tables["metrics"].get(doc_id, []):
        scope = "; ".join(f"{k}={m[k]}" for k in ("kind", "body", "level", "role", "category", "status", "topic",
                                                   "channel", "group", "is_key", "ref_year") if m.get(k))
        recs.append({"type": "metric", "what": m["metric"], "value": _num(m["value"]) + m["unit"], "scope": scope,
                     **_span(m)})
    for i in tables["indicators"].get(doc_id, []):
        scope = "; ".join(f"{k}={i[k]}" for k in ("qualifier", "role", "ref_year") if i.get(k) not in (None, "exact"))
        recs.append({"type": "indicator", "what": i.get("label") or "", "value": _num(i["value"]) + i["unit"],
                     "scope": scope, **_span(i)})
    recs.sort(key=lambda r: (r["start"], r["end"], r["type"]))
    return recs


def _span(r: dict) -> dict:
    return {"start": r["start"], "end": r["end"], "surface": r["surface"]}


def highlight(text: str, recs: list[dict]) -> tuple[str, list[str]]:
    """The text as HTML with one <mark> per evidence span; overlapping spans
    share one mark (a count is a metric and an indicator on the same
    characters). Returns the HTML and, per record, the id of its mark."""
    marks: list[dict] = []
    target = []
    for r in sorted(range(len(recs)), key=lambda k: (recs[k]["start"], -recs[k]["end"])):
        rec = recs[r]
        if marks and rec["start"] < marks[-1]["end"]:
            m = marks[-1]
            m["end"] = max(m["end"], rec["end"])
        else:
            m = {"start": rec["start"], "end": rec["end"], "types": [], "id": f"m{len(marks)}"}
            marks.append(m)
        if rec["type"] not in m["types"]:
            m["types"].append(rec["type"])
        target.append((r, m["id"]))
    ids = [""] * len(recs)
    for r, mid in target:
        ids[r] = mid
    out, pos = [], 0
    for m in marks:
        m["types"].sort(key=list(COLORS).index)  # a proposal or metric shows before the indicator under it
        out.append(_e(text[pos:m["start"]]))
        color = COLORS[m["types"][0]]
        out.append(f'<mark class="ent {" ".join("ent-" + t for t in m["types"])}" id="{m["id"]}" '
                   f'style="background:{color}">{_e(text[m["start"]:m["end"]])}'
                   f'<span class="lbl">{_e("+".join(m["types"]))}</span></mark>')
        pos = m["end"]
    out.append(_e(text[pos:]))
    return "".join(out), ids


def _doc_page(doc: dict, tables: dict) -> str:
    recs = _records(doc["doc_id"], tables)
    body_html, ids = highlight(doc["text"], recs)
    rows = "".join(
        f'<tr class="rec rec-{r["type"]}" data-target="{ids[k]}"><td>{r["type"]}</td><td>{_e(r["what"])}</td>'
        f'<td>{_e(r["value"])}</td><td>{_e(r["scope"])}</td><td>{_e(r["surface"])}</td><td>{r["start"]}</td></tr>'
        for k, r in enumerate(recs))
    warns = "".join(f'<li class="warn">{_e(w)}</li>' for w in doc.get("warnings") or [])
    meta = " · ".join(_e(x) for x in (doc.get("region"), doc.get("year"), doc.get("published"), doc["source"]) if x)
    body = (f'<p><a href="../index.html">← all regions</a></p><h1>{_e(doc.get("title") or doc["source"])}</h1>'
            f'<p class="muted">{meta}</p>' + (f"<ul>{warns}</ul>" if warns else "")
            + f'<h2>Records ({len(recs)})</h2><table id="records"><tr><th>type</th><th>what</th><th>value</th>'
            f'<th>scope</th><th>evidence</th><th>offset</th></tr>{rows}</table>'
            f'<h2>Text</h2><div class="text" id="text">{body_html}</div>')
    return _page(doc.get("title") or doc["source"], body, depth=1)


def _region_figures(region: str, rows: list[dict]) -> list[str]:
    import plotly.graph_objects as go

    figs = []
    rates: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["series_type"] == "metric" and r["value_type"] == "level" and (
                r["measure"] in RATES or (r["measure"] == "share" and r["scope"] and "category=A" in r["scope"])):
            name = r["measure"] + (f" [{r['scope']}]" if r["scope"] else "")
            if float(r["value"]) not in rates[name][r["year"]]:
                rates[name][r["year"]].append(float(r["value"]))
    if rates:
        fig = go.Figure()
        for name, pts in sorted(rates.items()):
            ys = sorted(pts)
            fig.add_trace(go.Scatter(x=ys, y=[pts[y][0] for y in ys], mode="lines+markers", name=name))
            # a year two reports state differently: every value shown, marked, none hidden behind the line
            clash = [(y, v) for y in ys if len(pts[y]) > 1 for v in pts[y]]
            if clash:
                fig.add_trace(go.Scatter(x=[y for y, _ in clash], y=[v for _, v in clash], mode="markers",
                                         marker={"symbol": "x", "size": 12, "color": "#c0392b"},
                                         name=f"{name}: conflicting reports",
                                         hovertext=["reports disagree on this year"] * len(clash)))
        fig.update_layout(title=f"{region}: rates and A-class share by year", yaxis_title="%", showlegend=True,
                          xaxis={"dtick": 1}, height=380, margin={"t": 50, "b": 40})
        figs.append(fig.to_html(full_html=False, include_plotlyjs=False))
    mix = _status_mix(rows)
    if mix:
        fig = go.Figure()
        years = sorted({y for per in mix.values() for y in per})
        for status in sorted(mix, key=lambda s: (STATUS_ORDER.index(s) if s in STATUS_ORDER else 9, s)):
            fig.add_trace(go.Bar(x=years, y=[mix[status].get(y, 0) for y in years], name=status))
        fig.update_layout(barmode="stack", title=f"{region}: status mix by year (件)", xaxis={"dtick": 1}, showlegend=True,
                          height=340, margin={"t": 50, "b": 40})
        figs.append(fig.to_html(full_html=False, include_plotlyjs=False))
    return figs


def _status_mix(rows: list[dict]) -> dict[str, dict[int, float]]:
    """Counts by status (or class) per year, from the counts that split a
    report's whole (scope: kind, body, status/category only); where a year
    states them for 建议提案 together, those, else the kinds summed."""
    per_year: dict[int, list[tuple[dict, float]]] = defaultdict(list)
    for r in rows:
        if r["series_type"] != "metric" or r["measure"] != "count" or r["value_type"] != "level":
            continue
        if r["year_basis"] == "ref_year" or not r["scope"]:
            continue
        sc = dict(kv.split("=", 1) for kv in r["scope"].split(";") if "=" in kv)
        if not ({"status", "category"} & set(sc)) or set(sc) - {"kind", "body", "status", "category"}:
            continue
        per_year[r["year"]].append((sc, float(r["value"])))
    mix: dict[str, dict[int, float]] = defaultdict(dict)
    for year, items in per_year.items():
        both = [x for x in items if x[0].get("kind") == "建议提案"]
        seen = set()
        for sc, v in both or items:
            label = f"{sc['category']}类" if "category" in sc else sc["status"]
            key = (label, sc.get("kind"), v)
            if key in seen:
                continue
            seen.add(key)
            mix[label][year] = mix[label].get(year, 0) + v
    return mix


def _index(docs, errors, series, links) -> str:
    by_region = defaultdict(list)
    for r in series:
        by_region[r["region"]].append(r)
    from . import compare

    infos = compare.doc_infos(docs)  # the region and year the series use: one section per place
    docs_by_region = defaultdict(list)
    for d in docs:
        info = infos.get(d["doc_id"])
        d = {**d, "year": info.year if info else d.get("year")}
        docs_by_region[info.region if info else "(no region)"].append(d)
    parts = [f"<h1>jyta review: {len(docs)} documents, {len(errors)} errors</h1>",
             '<p class="muted">Charts need no network: Plotly is in assets/. Click a document for its text with '
             "every record highlighted.</p>"]
    # regions with the longest series first; documents with no region last
    order = sorted(docs_by_region, key=lambda g: (g == "(no region)",
                                                  -len({d.get("year") for d in docs_by_region[g]}), g))
    for region in order:
        years = sorted({d["year"] for d in docs_by_region[region] if d.get("year")})
        parts.append(f'<section class="region"><h2>{_e(region)} <span class="muted">'
                     f'{", ".join(map(str, years))}</span></h2>')
        for fig in _region_figures(region, by_region.get(region, [])):
            parts.append(f'<div class="chart">{fig}</div>')
        items = "".join(f'<li><a href="docs/{d["doc_id"]}.html">{_e(d.get("title") or d["source"])}</a> '
                        f'<span class="muted">{_e(d.get("year"))} · {_e(os.path.basename(d["source"]))}</span></li>'
                        for d in sorted(docs_by_region[region], key=lambda d: (d.get("year") or 0, d["source"])))
        parts.append(f"<ul>{items}</ul></section>")
    rec = [lk for lk in links if lk["recurring"]]
    if links:
        rows = "".join(f'<tr><td>{_e(lk["region"])}</td><td>{lk["from_year"]} 第{_e(lk["from_number"])}号 '
                       f'{_e(lk["from_title"])}</td><td>{lk["to_year"]} 第{_e(lk["to_number"])}号 {_e(lk["to_title"])}'
                       f'</td><td>{lk["score"]}</td><td>{"yes" if lk["recurring"] else ""}</td></tr>' for lk in links)
        parts.append(f'<h2>Proposals raised again ({len(rec)} recurring of {len(links)} links)</h2>'
                     f'<table id="links"><tr><th>region</th><th>earlier</th><th>later</th><th>score</th>'
                     f'<th>recurring</th></tr>{rows}</table>')
    warned = [d for d in docs if d.get("warnings")]
    rows = "".join(f'<tr><td><a href="docs/{d["doc_id"]}.html">{_e(d.get("title") or d["source"])}</a></td>'
                   f'<td>{"<br>".join(_e(w) for w in d["warnings"])}</td></tr>' for d in warned)
    parts.append(f'<h2>Documents with warnings ({len(warned)})</h2><table id="warnings"><tr><th>document</th>'
                 f'<th>warnings</th></tr>{rows}</table>')
    rows = "".join(f'<tr><td>{_e(e["source"])}</td><td>{_e(e["stage"])}</td><td>{_e(e["error"])}</td>'
                   f'<td>{_e(e["message"])}</td></tr>' for e in errors)
    parts.append(f'<h2>Errors ({len(errors)})</h2><table id="errors"><tr><th>source</th><th>stage</th>'
                 f'<th>error</th><th>message</th></tr>{rows}</table>')
    return _page("jyta review", "".join(parts), plotly=True)


def write(out: str, dest: str) -> str:
    """Write the report into dest; returns the path of index.html."""
    from plotly.offline import get_plotlyjs

    from . import compare

    if not dataset.exists(out, "series"):
        compare.write(out)
    docs = dataset.read_rows(out, "documents")
    tables = {}
    for name in ("proposals", "metrics", "indicators"):
        grouped = defaultdict(list)
        for r in dataset.read_rows(out, name):
            grouped[r["doc_id"]].append(r)
        tables[name] = grouped
    os.makedirs(os.path.join(dest, "docs"), exist_ok=True)
    os.makedirs(os.path.join(dest, "assets"), exist_ok=True)
    for name, content in (("plotly.min.js", get_plotlyjs()), ("report.css", CSS), ("report.js", JS)):
        with open(os.path.join(dest, "assets", name), "w", encoding="utf-8") as fh:
            fh.write(content)
    for d in docs:
        with open(os.path.join(dest, "docs", f"{d['doc_id']}.html"), "w", encoding="utf-8") as fh:
            fh.write(_doc_page(d, tables))
    index = os.path.join(dest, "index.html")
    with open(index, "w", encoding="utf-8") as fh:
        fh.write(_index(docs, dataset.read_rows(out, "errors"), dataset.read_rows(out, "series"),
                        dataset.read_rows(out, "proposal_links")))
    return index
