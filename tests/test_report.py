"""The static review report (pipeline/report.py): offline HTML, highlights
in place, and — in a real headless Chromium — charts that render and
records that scroll to their evidence."""
import json
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
    # the inputs are given by their absolute paths, as a user's folder elsewhere on the machine
    tmp = tmp_path_factory.mktemp("rep")
    assert os.path.isabs(str(tmp))
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


def _pages(dest):
    for page in [os.path.join(dest, "index.html")] + sorted(
            os.path.join(dest, "docs", f) for f in os.listdir(os.path.join(dest, "docs"))):
        with open(page, encoding="utf-8") as fh:
            yield page, fh.read()


ENGLISH_CHROME = ("jyta review", "Documents with warnings", "Errors (", "Records (", "all regions", "<h2>Text</h2>",
                  "<th>type</th>", "<th>source</th>", "by year", "conflicting reports", "Proposals raised again")


def test_pages_speak_chinese_and_show_no_absolute_path(built):
    out, dest, _ = built
    machine = os.path.dirname(out)  # the tmp folder holding the inputs (in/) and the dataset
    for page, html_ in _pages(dest):
        assert '<html lang="zh-CN">' in html_, page
        assert machine not in html_, page
        assert not re.search(r"(?<![\w.])/(?:tmp|home|root|work|Users|var)/", html_), page
        assert not [w for w in ENGLISH_CHROME if w in html_], page
    index = dict(_pages(dest))[os.path.join(dest, "index.html")]
    for label in ("jyta 审阅报告", "有警告的文档", "无法读取的文件", "图表无需联网", "001.txt", "broken.pdf"):
        assert label in index, label
    doc = next(d for d in dataset.read_rows(out, "documents") if d["source"].endswith("001.txt"))
    with open(os.path.join(dest, "docs", f"{doc['doc_id']}.html"), encoding="utf-8") as fh:
        page = fh.read()
    for label in ("← 返回总览", "提取记录", "<th>类型</th>", "范围 (scope)", "统计指标", "建议提案",
                  "件数 (count)", "办理角色=", "001.txt"):
        assert label in page, label


def test_sources_are_shown_relative_to_their_folder(tmp_path):
    inp, out = str(tmp_path / "reports"), str(tmp_path / "dataset")
    names = report.source_names([f"{inp}/2022/a.txt", f"{inp}/2023/b.pdf", f"{out}/uploads/abc.txt",
                                 "corpus/raw/001.txt", "corpus/raw/sub/002.txt"], out)
    assert names == {f"{inp}/2022/a.txt": "2022/a.txt", f"{inp}/2023/b.pdf": "2023/b.pdf",
                     f"{out}/uploads/abc.txt": "uploads/abc.txt", "corpus/raw/001.txt": "001.txt",
                     "corpus/raw/sub/002.txt": "sub/002.txt"}
    # one file alone: its name; files with nothing but / in common: each with its folder
    assert report.source_names([f"{inp}/x/a.txt"], out) == {f"{inp}/x/a.txt": "a.txt"}
    assert report.source_names(["/srv/a/1.txt", "/home/u/2.txt"], out) == {"/srv/a/1.txt": "a/1.txt",
                                                                             "/home/u/2.txt": "u/2.txt"}


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
            # a Chinese page: lang, headings, legends (the canonical name after the Chinese one), no machine path
            assert page.locator("html").get_attribute("lang") == "zh-CN"
            assert region.locator(".legendtext").filter(has_text="满意率 (satisfaction_rate)").count() >= 1
            assert region.locator(".gtitle").first.text_content().startswith("湖北省宜昌市:")
            for heading in ("有警告的文档", "无法读取的文件", "再次提出的问题"):
                assert page.locator("h2").filter(has_text=heading).count() == 1, heading
            assert page.locator("#errors td").first.inner_text() == "broken.pdf"
            shown = page.inner_text("body")
            assert os.path.dirname(out) not in shown and not re.search(r"(?:^|\s)/(?:tmp|home|root|work)/", shown)
            page.screenshot(path=os.path.join(ARTIFACTS, "report-index.png"), full_page=False)

            doc = next(d for d in dataset.read_rows(out, "documents") if d["source"].endswith("001.txt"))
            page.goto("file://" + os.path.abspath(os.path.join(dest, "docs", f"{doc['doc_id']}.html")))
            assert page.locator("#records th").all_inner_texts()[:3] == ["类型", "内容", "数值"]
            assert page.locator("tr.rec-proposal td").first.inner_text() == "建议提案"
            assert os.path.dirname(out) not in page.inner_text("body")
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
    # (plotly writes the figure's JSON with or without \u escapes, as its JSON engine does: both render the same)
    label = "报告间数值冲突"
    assert (label in html or json.dumps(label)[1:-1] in html) and "97.5" in html and "99.1" in html


def test_a_copy_of_a_report_is_marked_and_linked_to_the_first(tmp_path):
    """documents.duplicate_of shows on the overview and on the copy's page, linked to the first."""
    src = make_inputs(tmp_path, names=("001",))
    text = (src / "001.txt").read_text(encoding="utf-8")
    (src / "copy-of-001.txt").write_text("来源:某某网 转载\n" + text, encoding="utf-8")
    out, dest = str(tmp_path / "out"), str(tmp_path / "report")
    ingest([str(src)], out)
    docs = dataset.read_rows(out, "documents")
    copy = next(d for d in docs if d.get("duplicate_of"))
    report.write(out, dest)
    with open(os.path.join(dest, "index.html"), encoding="utf-8") as fh:
        assert f'重复 (duplicate_of) <a href="docs/{copy["duplicate_of"]}.html">' in fh.read()
    with open(os.path.join(dest, "docs", f"{copy['doc_id']}.html"), encoding="utf-8") as fh:
        assert f'<a href="{copy["duplicate_of"]}.html">见首篇</a>' in fh.read()
