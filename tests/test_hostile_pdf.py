"""Hostile PDFs (issue 16): each is written at test time by
tests/hostile_pdf.py and read in a subprocess (see test_hostile_io) under a
bound on time and peak RSS well below the issue's bar of 60 s and 2 GB."""
import pytest

import hostile_pdf
from test_hostile_io import read_in_subprocess


@pytest.mark.parametrize("unit,size", [
    (b" ", 2**30),  # the issue's: 1 MB inflating to 1 GiB; before, 2.1 GB
    (b"1 1 m 2 2 l ", 2**28),  # one path of 44 million segments; before, 1.1 GB
    (b"0 0 m 1 1 l S\n", 2**25),  # 2.4 million paths: 11 GB and 400 s in the table finder before
], ids=["spaces-1GiB", "one-path-256MiB", "paths-32MiB"])
def test_a_content_stream_that_inflates_past_the_budget_is_refused_in_little_memory(tmp_path, unit, size):
    path = hostile_pdf.content_bomb(str(tmp_path / "bomb.pdf"), size, unit)
    got, rss = read_in_subprocess(path, limit=60)
    assert not got["ok"] and got["error"] == "too_large" and "content streams" in got["message"], got
    assert got["seconds"] < 10 and rss < 300, (got["seconds"], rss)


def test_an_embedded_font_that_inflates_to_a_gibibyte_is_refused(tmp_path):
    path = hostile_pdf.font_bomb(str(tmp_path / "font.pdf"))  # before: 2.1 GB
    got, rss = read_in_subprocess(path, limit=60)
    assert not got["ok"] and got["error"] == "too_large" and "font" in got["message"], got
    assert got["seconds"] < 10 and rss < 300, (got["seconds"], rss)


def test_an_ordinary_report_is_read_as_one(tmp_path):
    got, _ = read_in_subprocess(hostile_pdf.report_pdf(str(tmp_path / "r.pdf")), limit=60)
    assert got["ok"] and got["report"], got


def test_pages_of_absurd_rulings_keep_their_text_and_skip_the_table_finder(tmp_path):
    path = hostile_pdf.ruled_pages(str(tmp_path / "ruled.pdf"), 150, 5)  # before: 89 s
    got, rss = read_in_subprocess(path, limit=60)
    assert got["ok"] and got["report"], got
    assert got["seconds"] < 10 and rss < 300, (got["seconds"], rss)


def test_the_warning_says_which_pages_lost_their_tables(tmp_path):
    from pipeline.readers import read_file

    doc = read_file(hostile_pdf.ruled_pages(str(tmp_path / "ruled.pdf"), 150, 2))
    assert doc.warnings == [f"tables not read on page {i}: a grid of 150 × 150 ruled lines (no report's table)"
                            for i in (1, 2)]
    assert doc.text.count(hostile_pdf.REPORT) == 2


def test_a_dense_drawing_under_the_budget_keeps_its_text_in_bounded_memory(tmp_path):
    # 12 MiB of paths: pdfium builds them (~350 MB); pdfminer would have
    # built a Python object for each of the 900,000
    path = hostile_pdf.content_bomb(str(tmp_path / "dense.pdf"), 12 * 2**20, b"0 0 m 1 1 l S\n")
    got, rss = read_in_subprocess(path, limit=120)
    assert got["ok"] and got["report"], got
    assert got["seconds"] < 60 and rss < 1000, (got["seconds"], rss)


def test_a_page_with_a_real_table_still_goes_to_the_table_finder(tmp_path):
    from pipeline.readers import read_file

    rows, cols = 40, 8  # drawn cell by cell, as word processors do
    doc = read_file(hostile_pdf.write_pdf(str(tmp_path / "t.pdf"), [[hostile_pdf._text_ops(hostile_pdf.PARAS),
                                                                      hostile_pdf.table_ops(rows, cols, h=15, w=60)]]))
    assert doc.warnings == []


def _long_report(password: str | None) -> bytes:
    import fixtures as fx
    from fpdf import FPDF

    pdf = FPDF()
    if password:
        pdf.set_encryption(owner_password=password)
    pdf.add_font("cjk", fname=fx.cjk_font())
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    for i in range(300):
        pdf.multi_cell(0, 7, f"第{i}项建议已办结,办复率100%,满意率98%。" * 20, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_an_encrypted_report_long_enough_to_be_measured_is_read_as_before():
    # an owner password only (common on government PDFs): the streams are
    # encrypted, so measuring them goes through pdfminer's decryption
    from pipeline.readers import pdfsize, read_bytes

    locked = _long_report("owner")
    streams, _ = pdfsize._streams(locked)
    assert sum(s.bound() for s in streams if s.raw < 50_000) > pdfsize.CONTENT_BUDGET  # the precise path runs
    assert read_bytes(locked, "locked.pdf").text == read_bytes(_long_report(None), "plain.pdf").text


def test_only_pages_whose_rules_cross_into_a_grid_go_to_the_table_finder(tmp_path, monkeypatch):
    from pipeline.readers import pdf, read_file

    underlines = b"\n".join(b"72 %d m 300 %d l S" % (y, y) for y in range(200, 400, 20)) + b"\n"
    path = hostile_pdf.write_pdf(str(tmp_path / "p.pdf"), [
        [hostile_pdf._text_ops(hostile_pdf.PARAS), underlines],  # ten rules, all level: no table
        [hostile_pdf._text_ops(hostile_pdf.PARAS), hostile_pdf.table_ops(3, 3)],
    ])
    seen = []
    monkeypatch.setattr(pdf, "_merge_tables", lambda data, ruled, *a: seen.extend(ruled))
    read_file(path)
    assert seen == [1]


def test_a_report_with_large_images_is_read(tmp_path):
    # 4 images of 16 MB each: a text pass never decodes them, so they do
    # not count against the content budget (which refused this file)
    from pipeline.readers import read_file

    doc = read_file(hostile_pdf.image_report(str(tmp_path / "img.pdf")))
    assert hostile_pdf.REPORT in doc.text


def test_a_content_bomb_labelled_an_image_is_still_refused(tmp_path):
    got, rss = read_in_subprocess(hostile_pdf.labelled_image_bomb(str(tmp_path / "b.pdf")), limit=60)
    assert not got["ok"] and got["error"] == "too_large", got
    assert rss < 300, rss
