"""The same report as plain text, GBK web page with site chrome, multi-page
PDF and DOCX gives the same text (ignoring whitespace and chrome) and the
same metadata."""
import re

import pytest

import fixtures as fx
from pipeline.link import records
from pipeline.readers import read_bytes
from pipeline.readers.chrome import strip_chrome

from conftest import corpus_text

DOCS = ["001", "006", "013", "021", "027", "034", "044", "045", "049", "055"]
META = ("title", "region", "year", "published")


def squash(text: str) -> str:
    return re.sub(r"\s", "", "".join(strip_chrome(text.splitlines())))


def reference(n):
    t = corpus_text(n)
    return t, records(read_bytes(t.encode("utf-8"), f"{n}.txt"))["documents"][0]


@pytest.mark.parametrize("n", DOCS)
def test_gbk_page_with_chrome(n):
    text, ref = reference(n)
    doc = read_bytes(fx.page_from_text(text), f"{n}.html")
    assert doc.format == "html" and doc.encoding == "gb18030"
    assert squash(doc.text) == squash(text)
    for chrome in ("字号", "打印", "分享到", "扫一扫", "ICP备", "公网安备", "请输入关键字", "评论列表", "栏目导航"):
        assert chrome not in doc.text
    row = records(doc)["documents"][0]
    assert {k: row[k] for k in META} == {k: ref[k] for k in META}


@pytest.mark.parametrize("n", DOCS)
def test_multipage_pdf(n):
    text, ref = reference(n)
    paras = fx.paragraphs(text)
    doc = read_bytes(fx.pdf_bytes(paras), f"{n}.pdf")
    assert doc.format == "pdf"
    assert squash(doc.text) == squash(text)
    # Hard line breaks are joined back: one line per paragraph.
    assert [re.sub(r"\s", "", p) for p in doc.text.split("\n")] == [re.sub(r"\s", "", p) for p in paras]
    assert "—" not in doc.text.replace("——", "") or "— 1 —" not in doc.text
    assert "建议提案办理情况报告" not in doc.text or "建议提案办理情况报告" in text
    row = records(doc)["documents"][0]
    assert {k: row[k] for k in META} == {k: ref[k] for k in META}


def test_pdf_pages_and_breaks_inside_numbers():
    text = corpus_text("001")
    doc = read_bytes(fx.pdf_bytes(fx.paragraphs(text)), "001.pdf")
    assert doc.n_pages >= 3
    assert doc.page_starts[0] == 0 and doc.page_starts == sorted(doc.page_starts)
    assert doc.page_of(0) == 1 and doc.page_of(len(doc.text) - 1) == doc.n_pages
    for s in ("3200万余人次", "市十七届人大六次会议", "94.6%(目标≥78%)", "47.3万亩"):
        assert s in doc.text
    for k in range(1, doc.n_pages + 1):
        assert f"— {k} —" not in doc.text


@pytest.mark.parametrize("n", DOCS)
def test_docx(n):
    text, ref = reference(n)
    doc = read_bytes(fx.docx_bytes(fx.paragraphs(text)), f"{n}.docx")
    assert doc.format == "docx"
    assert squash(doc.text) == squash(text)
    row = records(doc)["documents"][0]
    assert {k: row[k] for k in META} == {k: ref[k] for k in META}


def test_docx_numbering_restored_and_tables_kept():
    data = fx.docx_bytes(
        ["宝坻区2022年度建议提案办理情况自评报告"],
        chinese_numbered=["基本情况", "主要做法"],
        numbered=["提高综合管理和组织管理水平问题。", "推进京津冀交通协同发展问题。"],
        table=[["类别", "件数"], ["代表建议", "2"], ["委员提案", "4"]],
    )
    doc = read_bytes(data, "x.docx")
    lines = doc.text.split("\n")
    assert "一、基本情况" in lines and "二、主要做法" in lines
    assert "1.提高综合管理和组织管理水平问题。" in lines and "2.推进京津冀交通协同发展问题。" in lines
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.rows == [["类别", "件数"], ["代表建议", "2"], ["委员提案", "4"]]
    assert doc.text[t.start:t.end] == "类别 | 件数\n代表建议 | 2\n委员提案 | 4"


def test_html_table_stays_a_table():
    page = ("<html><body><div class='content'><p>2022年建议提案办理情况如下。</p><table>"
            "<tr><td>类别</td><td>件数</td></tr><tr><td>代表建议</td><td>2</td></tr></table>"
            "<p>办复率100%。</p></div></body></html>").encode("gbk")
    doc = read_bytes(page, "t.html")
    assert [t.rows for t in doc.tables] == [[["类别", "件数"], ["代表建议", "2"]]]
    assert "类别 | 件数\n代表建议 | 2" in doc.text


def test_pdf_table_through_pdfplumber():
    doc = read_bytes(fx.table_pdf(), "t.pdf")
    assert [t.rows for t in doc.tables] == [[["类别", "件数", "办结率"], ["代表建议", "28", "100%"], ["委员提案", "31", "100%"]]]
    assert "代表建议 | 28 | 100%" in doc.text


@pytest.mark.parametrize("wrapper", ['<div id="zoom">{}</div>', '<div class="print_content">{}</div>',
                                     '<div class="side-content">{}</div>'])
def test_article_containers_named_like_chrome_keep_their_text(wrapper):
    # id="zoom" (font-size zoom target) is the usual article body on gov sites
    body = "<p>今年共承办建议提案6件,均已办结。</p>" * 3
    page = f"<html><body><h1>区交通运输局2022年建议提案办理情况</h1>{wrapper.format(body)}</body></html>"
    doc = read_bytes(page.encode("gbk"), "x.html")
    assert doc.text.count("6件") == 3


def test_deeply_nested_pages_keep_their_text():
    # Word-exported pages: unclosed tags nest past libxml2's depth limit
    divs = "<html><body>" + "<div>" * 3000 + "<p>今年共承办建议提案6件。</p>" * 400 + "</div>" * 3000 + "</body></html>"
    assert read_bytes(divs.encode(), "d.html").text.count("6件") == 400
    spans = "<html><body>" + "<p><font><span>今年共承办建议提案6件。" * 400 + "</body></html>"
    assert read_bytes(spans.encode(), "s.html").text.count("6件") >= 390


def test_identical_table_rows_are_kept():
    page = ("<html><body><div><p>2022年建议提案办理情况如下。</p><table><tr><td>建议</td><td>2</td></tr>"
            "<tr><td>建议</td><td>2</td></tr></table><p>办复率100%。</p></div></body></html>").encode("gbk")
    doc = read_bytes(page, "t.html")
    assert doc.text.count("建议 | 2") == 2 and len(doc.tables) == 1


def test_docx_content_controls_and_merged_cells():
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_paragraph("前言")
    d.element.body.insert(1, parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>第0125号建议已落实,投入300万元。</w:t></w:r></w:p>'
        "</w:sdtContent></w:sdt>"))
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1))
    t.cell(0, 0).text, t.cell(0, 2).text = "合计", "94"
    t.cell(1, 0).text, t.cell(1, 1).text, t.cell(1, 2).text = "建议", "提案", "6"
    buf = io.BytesIO()
    d.save(buf)
    doc = read_bytes(buf.getvalue(), "x.docx")
    assert "第0125号建议已落实,投入300万元。" in doc.text.split("\n")
    assert doc.tables[0].rows == [["合计", "", "94"], ["建议", "提案", "6"]]
