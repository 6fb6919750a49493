"""The static review report (pipeline/report.py): offline HTML, highlights
in place, and — in a real headless Chromium — charts that render and
records that scroll to their evidence."""
import os
import re
import shutil

import pytest

from pipeline import dataset, report
from pipeline.batch import ingest

from conftest import make_inputs
from test_compare import REPORTS

ARTIFACTS = os.environ.get("JYTA_ARTIFACTS", os.path.join(os.path.dirname(__file__), "artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rep")
    src = make_inputs(tmp, names=("001", "004", "011", "032"))
    for name, text in REPORTS.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n")  # an error row for the errors table
    out = str(tmp / "out")
    ingest([str(src)], out)
    dest = str(tmp / "report")
    return out, dest, report.write(out, dest)


def test_highlights_cover_every_record_and_share_overlaps():
    text = "共承办建议6件,满意率100%。"
    recs = [{"type": "indicator", "start": 5, "end": 7, "surface": "6件"},
            {"type": "metric", "start": 5, "end": 7, "surface": "6件"},
            {"type": "metric", "start": 11, "end": 15, "surface": "100%"}]
    html_, ids = report.highlight(text, recs)
    assert ids[0] == ids[1] != ids[2]
    assert html_.count("<mark") == 2
    assert 'class="ent ent-metric ent-indicator"' in html_  # the metric's colour shows
    assert re.sub(r"<span class=\"lbl\">[^<]*</span>|<[^>]+>", "", html_) == text


def test_report_opens_from_disk_with_no_network(built):
    out, dest, index = built
    pages = [index] + [os.path.join(dest, "docs", f) for f in os.listdir(os.path.join(dest, "docs"))]
    assert len(pages) == 1 + len(dataset.read_rows(out, "documents"))
    for page in pages:
        with open(page, encoding="utf-8") as fh:
            html_ = fh.read()
        refs = re.findall(r'(?:src|href)="([^"]+)"', html_)
        assert not [r for r in refs if re.match(r"(https?:)?//", r)], page
        for r in refs:
            if not r.startswith("#"):
                assert os.path.exists(os.path.normpath(os.path.join(os.path.dirname(page), r))), (page, r)


def test_every_record_is_highlighted_in_its_document(built):
    out, dest, _ = built
    rows = {n: dataset.read_rows(out, n) for n in ("proposals", "metrics", "indicators")}
    for d in dataset.read_rows(out, "documents"):
        with open(os.path.join(dest, "docs", f"{d['doc_id']}.html"), encoding="utf-8") as fh:
            html_ = fh.read()
        n = sum(1 for rs in rows.values() for r in rs if r["doc_id"] == d["doc_id"])
        assert html_.count('<tr class="rec') == n
        targets = set(re.findall(r'data-target="(m\d+)"', html_))
        assert targets <= set(re.findall(r'<mark [^>]*id="(m\d+)"', html_))


@pytest.mark.skipif(not CHROMIUM and not os.environ.get("JYTA_REQUIRE_BROWSER"),
                    reason="no Chromium here (.ci/run installs Debian's chromium and sets JYTA_REQUIRE_BROWSER)")
def test_charts_and_highlights_render_in_chromium(built):
    from playwright.sync_api import sync_playwright

    out, dest, index = built
    assert CHROMIUM, "JYTA_REQUIRE_BROWSER is set but no chromium is installed"
    os.makedirs(ARTIFACTS, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            failed = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto("file://" + os.path.abspath(index))
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
            region = page.locator("section.region").filter(has_text="湖北省宜昌市")
            # the series chart draws one point per year 2019–2022
            assert region.locator(".js-plotly-plot").count() == 2
            assert region.locator(".scatterlayer .trace").count() >= 2
            assert region.locator(".barlayer .trace").count() >= 1
            assert page.locator("#errors tr").count() == 2  # header + broken.pdf
            page.screenshot(path=os.path.join(ARTIFACTS, "report-index.png"), full_page=False)

            doc = next(d for d in dataset.read_rows(out, "documents") if d["source"].endswith("001.txt"))
            page.goto("file://" + os.path.abspath(os.path.join(dest, "docs", f"{doc['doc_id']}.html")))
            marks = page.locator("#text mark.ent")
            assert marks.count() > 10
            assert page.locator("#text mark.ent-proposal").count() >= 4
            row = page.locator("tr.rec-proposal").first
            target = row.get_attribute("data-target")
            page.evaluate("window.scrollTo(0, 0)")
            row.click()
            mark = page.locator(f"mark#{target}")
            assert "flash" in mark.get_attribute("class")
            box = mark.bounding_box()
            assert box is not None and 0 <= box["y"] <= 900  # scrolled into view
            page.screenshot(path=os.path.join(ARTIFACTS, "report-document.png"))
            assert not failed, failed
        finally:
            browser.close()


def test_a_conflicting_year_shows_every_value():
    """Two reports of one unit give a year different rates: the chart shows both, marked."""
    from pipeline.report import _region_figures

    rows = [{"series_type": "metric", "value_type": "level", "measure": "satisfaction_rate", "scope": None,
             "year": y, "value": v, "conflict": c, "year_basis": "text"}
            for y, v, c in [(2021, 98.0, False), (2022, 99.1, True), (2022, 97.5, True), (2023, 99.5, False)]]
    html = "".join(_region_figures("九江市", rows))
    assert "conflicting reports" in html and "97.5" in html and "99.1" in html
