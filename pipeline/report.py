"""`jyta report OUT -o DIR`: a static HTML review of a dataset that opens
from disk with no server and no network.

- index.html: per region, charts of the metric series by year and of the
  status mix by year (Plotly, its script written once to assets/); the
  documents with warnings; the errors table.
- docs/<doc_id>.html: the document text with every extracted proposal,
  metric and indicator highlighted in place (displaCy's span look), and a
  table of the records; clicking a record scrolls to its evidence.

The pages are in Chinese (lang zh-CN) for the people who read these reports;
source files are shown relative to their input folder, never by the
machine's absolute path.
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

# The page speaks to Chinese readers; a value a query would use (a metric's or a
# status's canonical name) follows in parentheses.
TYPE_ZH = {"proposal": "建议提案", "metric": "统计指标", "indicator": "数量"}
METRIC_ZH = {"count": "件数", "share": "占比", "satisfaction_rate": "满意率", "basic_satisfaction_rate": "基本满意率",
             "reply_rate": "办复率", "completion_rate": "办结率", "on_time_rate": "按时办结率",
             "contact_rate": "沟通见面率", "adoption_rate": "采纳率", "filing_rate": "立案率",
             "handling_units": "承办单位数"}
STATUS_ZH = {"resolved": "已解决", "in_progress": "正在解决", "planned": "列入计划", "reference": "留作参考",
             "closed": "已办结"}
FIELD_ZH = {"kind": "种类", "body": "提出机关", "level": "层级", "role": "办理角色", "category": "办理类别",
            "status": "办理状态", "topic": "主题", "channel": "提出时段", "group": "群体", "is_key": "重点",
            "ref_year": "所指年份", "session": "会议届次", "qualifier": "限定"}
QUALIFIER_ZH = {"approx": "约", "at_least": "至少", "at_most": "至多", "range": "区间"}
WARNING_ZH = {"sum_mismatch": "分项之和超过总数", "share_mismatch": "占比与件数不符",
              "conflicting_totals": "同一总数前后不一", "not_a_report": "不像建议提案办理报告"}
NO_REGION = "(未识别地区)"

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


def _zh(term: str | None, names: dict) -> str:
    """满意率 (satisfaction_rate): the Chinese name, the canonical one after it."""
    return f"{names[term]} ({term})" if term in names else (term or "")


def _scope_zh(pairs) -> str:
    """k=v pairs as 办理状态=已解决 (resolved); …"""
    shown = []
    for k, v in pairs:
        if k == "status":
            v = _zh(v, STATUS_ZH)
        elif k == "qualifier":
            v = QUALIFIER_ZH.get(v, v)
        elif k == "is_key":
            v = "是" if v in (True, "true", "True") else "否"
        shown.append(f"{FIELD_ZH.get(k, k)}={v}")
    return "; ".join(shown)


def _warning_zh(w: str) -> str:
    """share_mismatch: … → 占比与件数不符 (share_mismatch): … (the stored text, its kind named in Chinese)."""
    code, sep, rest = w.partition(":")
    return f"{WARNING_ZH[code]} ({code}){sep}{rest}" if code in WARNING_ZH else w


def source_names(sources, out: str) -> dict[str, str]:
    """How each source path is shown: relative to the dataset folder when it
    lies there (a stored upload), else to the folder the inputs share (the
    input folder the dataset was built from); never the machine's absolute path."""
    names, rest = {}, []
    roots = {os.path.abspath(out), os.path.realpath(out)}
    for s in sources:
        full = os.path.abspath(s)
        root = next((r for r in roots if full.startswith(r + os.sep)), None)
        if root:
            names[s] = os.path.relpath(full, root)
        else:
            rest.append(s)
    for group in ([s for s in rest if os.path.isabs(s)], [s for s in rest if not os.path.isabs(s)]):
        names.update(_relative_to_common(group))
    return names


def _relative_to_common(paths: list[str]) -> dict[str, str]:
    if not paths:
        return {}
    try:
        common = os.path.commonpath([os.path.dirname(os.path.normpath(p)) for p in paths])
    except ValueError:  # nothing in common (another drive, a pseudo-path such as upload:x)
        common = ""
    if not common or common == os.path.dirname(common):  # only the filesystem root in common
        return {p: os.path.join(*os.path.normpath(p).split(os.sep)[-2:]) for p in paths}
    return {p: os.path.relpath(os.path.normpath(p), common) for p in paths}


def _page(title: str, body: str, depth: int = 0, plotly: bool = False) -> str:
    up = "../" * depth
    script = f'<script src="{up}assets/plotly.min.js"></script>' if plotly else ""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<link rel="stylesheet" href="{up}assets/report.css">{script}</head><body>{body}'
            f'<script src="{up}assets/report.js"></script></body></html>')


def _records(doc_id: str, tables: dict) -> list[dict]:
    """Every extracted row of one document as (type, what, value, scope, span)."""
    recs = []
    for p in tables["proposals"].get(doc_id, []):
        what = " ".join(x for x in (p.get("kind"), p.get("number") and f"第{p['number']}号") if x)
        scope = _scope_zh((k, p[k]) for k in ("session", "role", "status", "category") if p.get(k))
        recs.append({"type": "proposal", "what": what, "value": p.get("title") or "", "scope": scope, **_span(p)})
    for m in tables["metrics"].get(doc_id, []):
        scope = _scope_zh((k, m[k]) for k in ("kind", "body", "level", "role", "category", "status", "topic",
                                                "channel", "group", "is_key", "ref_year") if m.get(k))
        recs.append({"type": "metric", "what": _zh(m["metric"], METRIC_ZH), "value": _num(m["value"]) + m["unit"],
                     "scope": scope, **_span(m)})
    for i in tables["indicators"].get(doc_id, []):
        scope = _scope_zh((k, i[k]) for k in ("qualifier", "ref_year") if i.get(k) not in (None, "exact"))
        if i.get("role") == "target":
            scope = "; ".join(x for x in ("目标 (target)", scope) if x)
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
                   f'<span class="lbl">{_e("+".join(TYPE_ZH[t] for t in m["types"]))}</span></mark>')
        pos = m["end"]
    out.append(_e(text[pos:]))
    return "".join(out), ids


def _doc_page(doc: dict, tables: dict, shown: str) -> str:
    """One document: its records, then its text with their evidence marked; `shown` is its source as displayed."""
    recs = _records(doc["doc_id"], tables)
    body_html, ids = highlight(doc["text"], recs)
    rows = "".join(
        f'<tr class="rec rec-{r["type"]}" data-target="{ids[k]}"><td>{TYPE_ZH[r["type"]]}</td><td>{_e(r["what"])}</td>'
        f'<td>{_e(r["value"])}</td><td>{_e(r["scope"])}</td><td>{_e(r["surface"])}</td><td>{r["start"]}</td></tr>'
        for k, r in enumerate(recs))
    warns = "".join(f'<li class="warn">{_e(_warning_zh(w))}</li>' for w in doc.get("warnings") or [])
    meta = " · ".join(_e(x) for x in (doc.get("region"), doc.get("year"), doc.get("published"), shown) if x)
    if doc.get("duplicate_of"):  # (a document page lives in docs/: the first is its sibling)
        meta += f' · <span class="dup">重复 (duplicate_of) <a href="{_e(doc["duplicate_of"])}.html">见首篇</a></span>'

    title = doc.get("title") or shown
    body = (f'<p><a href="../index.html">← 返回总览</a></p><h1>{_e(title)}</h1>'
            f'<p class="muted">{meta}</p>' + (f"<ul>{warns}</ul>" if warns else "")
            + f'<h2>提取记录({len(recs)} 条)</h2><table id="records"><tr><th>类型</th><th>内容</th><th>数值</th>'
            f'<th>范围 (scope)</th><th>原文</th><th>位置 (offset)</th></tr>{rows}</table>'
            f'<h2>原文</h2><div class="text" id="text">{body_html}</div>')
    return _page(title, body, depth=1)


def _region_figures(region: str, rows: list[dict]) -> list[str]:
    import plotly.graph_objects as go

    figs = []
    rates: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["series_type"] == "metric" and r["value_type"] == "level" and (
                r["measure"] in RATES or (r["measure"] == "share" and r["scope"] and "category=A" in r["scope"])):
            name = _series_name(r["measure"], r["scope"])
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
                                         name=f"{name}:报告间数值冲突",
                                         hovertext=["不同报告对该年给出的数值不同"] * len(clash)))
        fig.update_layout(title=f"{region}:各项比率与 A 类占比(按年份)", yaxis_title="%", xaxis_title="年份",
                          showlegend=True, xaxis={"dtick": 1}, height=380, margin={"t": 50, "b": 40})
        figs.append(fig.to_html(full_html=False, include_plotlyjs=False))
    mix = _status_mix(rows)
    if mix:
        fig = go.Figure()
        years = sorted({y for per in mix.values() for y in per})
        for status in sorted(mix, key=lambda s: (STATUS_ORDER.index(s) if s in STATUS_ORDER else 9, s)):
            fig.add_trace(go.Bar(x=years, y=[mix[status].get(y, 0) for y in years], name=_zh(status, STATUS_ZH)))
        fig.update_layout(barmode="stack", title=f"{region}:办理结果构成(按年份,件)", xaxis_title="年份",
                          yaxis_title="件", xaxis={"dtick": 1}, showlegend=True, height=340, margin={"t": 50, "b": 40})
        figs.append(fig.to_html(full_html=False, include_plotlyjs=False))
    return figs


def _series_name(measure: str, scope: str | None) -> str:
    """满意率 (satisfaction_rate) [种类=建议]: a series' scope is stored as k=v;k=v."""
    pairs = [kv.split("=", 1) for kv in (scope or "").split(";") if "=" in kv]
    return _zh(measure, METRIC_ZH) + (f" [{_scope_zh(pairs)}]" if pairs else "")


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


def _index(docs, errors, series, links, names: dict) -> str:
    by_region = defaultdict(list)
    for r in series:
        by_region[r["region"]].append(r)
    from . import compare

    infos = compare.doc_infos(docs)  # the region and year the series use: one section per place
    docs_by_region = defaultdict(list)
    for d in docs:
        info = infos.get(d["doc_id"])
        d = {**d, "year": info.year if info else d.get("year")}
        docs_by_region[info.region if info else NO_REGION].append(d)
    parts = [f"<h1>jyta 审阅报告:文档 {len(docs)} 篇,错误 {len(errors)} 个</h1>",
             '<p class="muted">图表无需联网(Plotly 脚本在 assets/ 中)。点击文档可查看其原文,'
             "每条提取记录都在原文中高亮。</p>"]
    # regions with the longest series first; documents with no region last
    order = sorted(docs_by_region, key=lambda g: (g == NO_REGION, -len({d.get("year") for d in docs_by_region[g]}), g))
    for region in order:
        parts.append(_region_section(region, docs_by_region[region], by_region.get(region, []), names))
    if links:
        parts.append(_links_table(links))
    warned = [d for d in docs if d.get("warnings")]
    rows = "".join(f'<tr><td><a href="docs/{d["doc_id"]}.html">{_e(d.get("title") or names[d["source"]])}</a></td>'
                   f'<td>{"<br>".join(_e(_warning_zh(w)) for w in d["warnings"])}</td></tr>' for d in warned)
    parts.append(f'<h2>有警告的文档({len(warned)})</h2><table id="warnings"><tr><th>文档</th>'
                 f'<th>警告</th></tr>{rows}</table>')
    rows = "".join(f'<tr><td>{_e(names[e["source"]])}</td><td>{_e(e["stage"])}</td><td>{_e(e["error"])}</td>'
                   f'<td>{_e(e["message"])}</td></tr>' for e in errors)
    parts.append(f'<h2>无法读取的文件({len(errors)})</h2><table id="errors"><tr><th>文件</th><th>阶段 (stage)</th>'
                 f'<th>错误 (error)</th><th>说明 (message)</th></tr>{rows}</table>')
    return _page("jyta 审阅报告", "".join(parts), plotly=True)


def _region_section(region: str, docs: list[dict], series: list[dict], names: dict) -> str:
    years = sorted({d["year"] for d in docs if d.get("year")})
    figs = "".join(f'<div class="chart">{fig}</div>' for fig in _region_figures(region, series))
    items = "".join(f'<li><a href="docs/{d["doc_id"]}.html">{_e(d.get("title") or names[d["source"]])}</a> '
                    f'<span class="muted">{_e(d.get("year"))} · {_e(names[d["source"]])}</span>{_copy_mark(d)}</li>'
                    for d in sorted(docs, key=lambda d: (d.get("year") or 0, d["source"])))
    return (f'<section class="region"><h2>{_e(region)} <span class="muted">{", ".join(map(str, years))}</span></h2>'
            f"{figs}<ul>{items}</ul></section>")


def _copy_mark(d: dict) -> str:
    """A copy of a report already in the dataset (documents.duplicate_of): counted once, linked to the first."""
    first = d.get("duplicate_of")
    if not first:
        return ""
    return f' <span class="dup">重复 (duplicate_of) <a href="docs/{_e(first)}.html">见首篇</a></span>'


def _links_table(links: list[dict]) -> str:
    rec = [lk for lk in links if lk["recurring"]]
    rows = "".join(f'<tr><td>{_e(lk["region"])}</td><td>{lk["from_year"]} 第{_e(lk["from_number"])}号 '
                   f'{_e(lk["from_title"])}</td><td>{lk["to_year"]} 第{_e(lk["to_number"])}号 {_e(lk["to_title"])}'
                   f'</td><td>{lk["score"]}</td><td>{"是" if lk["recurring"] else ""}</td></tr>' for lk in links)
    return (f'<h2>再次提出的问题(关联 {len(links)} 对,其中 {len(rec)} 对判定为重复提出)</h2>'
            f'<table id="links"><tr><th>地区</th><th>前一年</th><th>后一年</th><th>相似度 (score)</th>'
            f'<th>重复提出 (recurring)</th></tr>{rows}</table>')


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
    errors = dataset.read_rows(out, "errors")
    names = source_names([d["source"] for d in docs] + [e["source"] for e in errors], out)
    for d in docs:
        with open(os.path.join(dest, "docs", f"{d['doc_id']}.html"), "w", encoding="utf-8") as fh:
            fh.write(_doc_page(d, tables, names[d["source"]]))
    index = os.path.join(dest, "index.html")
    with open(index, "w", encoding="utf-8") as fh:
        fh.write(_index(docs, errors, dataset.read_rows(out, "series"), dataset.read_rows(out, "proposal_links"),
                        names))
    return index
