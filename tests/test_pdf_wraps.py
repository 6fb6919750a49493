"""Line breaks in PDFs: which the reader joins back (made by the page width)
and which it keeps (made by the author), from the geometry pdfium gives —
each line's ends against the text block's edges, the indent and the space
above the next line — and from what a line break may not split."""
import os

import pytest

import fixtures as fx
import pdf_wraps
from pipeline.link import records
from pipeline.readers import read_bytes
from pipeline.readers.pdf import _join, _Line

WIDTH, LEFT, RIGHT, CH, PITCH = 595.0, 72.0, 523.0, 12.0, 20.0


def width(s: str) -> float:
    return sum(CH / 2 if c.isascii() else CH for c in s)


def line(text: str, row: float, indent: int = 0, slack: float = 0.0, unit: str | None = None) -> _Line:
    """A line of 12-point type on a page whose text block runs from 72 to
    523 pt: ``row`` line steps down from the first, set in by ``indent``
    characters, ending ``slack`` characters short of the right edge.
    ``unit`` is its first piece that no break may split (one character by
    default)."""
    x0, x1 = LEFT + indent * CH, RIGHT - slack * CH
    word = width(text.split()[0]) if " " in text else x1 - x0
    return _Line(text, x0, x1, 100 + row * PITCH, CH, y=100 + row * PITCH, word=word,
                 unit=width(unit) if unit else CH)


def paragraphs(*lines: _Line) -> list[str]:
    return _join([list(lines)], [WIDTH])[0].split("\n")


# -- a full last line, then a new paragraph ----------------------------------

def test_a_full_last_line_then_a_paragraph_set_lower_stays_two_paragraphs():
    # paragraphs without indent, a blank line between them (the fixtures'
    # layout of a long paragraph, and a common web-page print)
    assert paragraphs(
        line("2022年，市政府办公厅加强对人大建议和政协提案办理的质效管理，", 0),
        line("当年全部办结，办结率、面商率、上网率均为100%，满意率为99%。", 1),
        line("2022年，市政府办公厅强化建议提案办理责任落实，高质量完成24件", 3),
        line("建议提案办理成效不断提升。", 4, slack=20),
    ) == ["2022年，市政府办公厅加强对人大建议和政协提案办理的质效管理，当年全部办结，办结率、面商率、上网率均为100%，满意率为99%。",
          "2022年，市政府办公厅强化建议提案办理责任落实，高质量完成24件建议提案办理成效不断提升。"]


def test_where_paragraphs_start_unmarked_a_full_line_closing_a_sentence_ends_one():
    # no indents, no space between paragraphs: short lines followed by lines
    # whose first word would have fitted on them show it
    assert paragraphs(
        line("一、基本情况", 0, slack=32),
        line("今年共承办建议12件。", 1, slack=28),
        line("全年办理全国人大代表建议1件，政协提案2件，省两会建议提案44件，", 2),
        line("当年全部办结，办结率、面商率、上网率均为100%，满意率为99%。", 3),
        line("二是高质量完成24件市领导领办的重点建议提案办理，建议提案办理成", 4),
        line("效不断提升。", 5, slack=30),
    ) == ["一、基本情况", "今年共承办建议12件。",
          "全年办理全国人大代表建议1件，政协提案2件，省两会建议提案44件，当年全部办结，办结率、面商率、上网率均为100%，满意率为99%。",
          "二是高质量完成24件市领导领办的重点建议提案办理，建议提案办理成效不断提升。"]


def test_where_paragraphs_start_indented_a_full_line_closing_a_sentence_runs_on():
    assert paragraphs(
        line("2022年，市政府办公厅加强对人大建议和政协提案办理的质效管理，", 0, indent=2),
        line("当年全部办结，办结率、面商率、上网率均为100%，满意率为99%。", 1),
        line("全年办理全国人大代表建议1件，政协提案2件，省两会建议提案44件", 2),
        line("（人大建议406件）。", 3, slack=25),
        line("高质量完成24件市领导领办的重点建议提案办理。", 4, indent=2, slack=10),
    ) == ["2022年，市政府办公厅加强对人大建议和政协提案办理的质效管理，当年全部办结，办结率、面商率、上网率均为100%，满意率为99%。全年办理全国人大代表建议1件，政协提案2件，省两会建议提案44件（人大建议406件）。",
          "高质量完成24件市领导领办的重点建议提案办理。"]


# -- a short line, then one that starts with what did not fit ------------------

def test_a_number_that_did_not_fit_joins_the_line_before():
    # a break never splits `100%，`: the line before ends short by less
    # than its width (ragged right, as browsers and word processors set it)
    assert paragraphs(
        line("今年，我局共接收人大代表建议、政协委员提案31件，全部按时办理完毕", 0, indent=2),
        line("并答复，办结答复率100%，代表、委员满意和基本满意率", 1, slack=2.5),
        line("100%，约1个百分点。", 2, slack=20, unit="100%，"),
    ) == ["今年，我局共接收人大代表建议、政协委员提案31件，全部按时办理完毕并答复，办结答复率100%，代表、委员满意和基本满意率100%，约1个百分点。"]


def test_a_word_too_long_for_the_room_after_a_space_joins_the_line_before():
    # layouts that break only at spaces leave a short line before a long word
    assert paragraphs(
        line("今年，我局共接收人大代表建议、政协委员提案 31 件，全部按时办理", 0, indent=2),
        line("完毕并答复，办结答复率", 1, slack=20),
        line("100%，代表、委员满意度100%。其中，承办人大代表议案建议11件，", 2, unit="100%，"),
        line("已经解决或基本解决11件。", 3, slack=25),
    ) == ["今年，我局共接收人大代表建议、政协委员提案 31 件，全部按时办理完毕并答复，办结答复率100%，代表、委员满意度100%。其中，承办人大代表议案建议11件，已经解决或基本解决11件。"]


def test_closing_punctuation_and_open_brackets_join_lines():
    assert paragraphs(
        line("邵阳新闻网讯（记者", 0, indent=2, slack=25),
        line("程懿）3月24日，邵阳市政协召开提案办理工作推进会，总数的61.1%", 1),
        line("；各党派团体提案753件。", 2, slack=20),
    ) == ["邵阳新闻网讯（记者程懿）3月24日，邵阳市政协召开提案办理工作推进会，总数的61.1%；各党派团体提案753件。"]


@pytest.mark.parametrize("short, nxt", [
    (line("一、基本情况", 1, indent=2, slack=30), line("今年，我局共接收人大代表建议、政协委员提案31件，全部按时办理完毕并", 2)),
    (line("全部按时办理完毕。", 1, slack=30), line("今年，我局共接收人大代表建议、政协委员提案31件，全部按时办理完毕并", 2)),
    (line("代表、委员满意度100%", 1, slack=28), line("1.提高综合管理和组织管理水平问题，推进京津冀交通协同发展问题，提高", 2)),
    (line("代表、委员满意度100%", 1, slack=28), line("（二）严格办理工作流程，推进京津冀交通协同发展问题，提高综合管理和", 2)),
    (line("建议提案办理情况报告", 1, indent=12, slack=12), line("各区县人民政府，市政府各委办局，各有关单位：现将办理情况报告如下，", 2)),
    (line("来源：市政府办公厅", 1, slack=27), line("发布时间：2023-07-14 15:08", 2, slack=20)),
], ids=["heading", "sentence end", "list item", "list item (二)", "centred title", "first word fits"])
def test_short_lines_that_end_a_paragraph_keep_their_break(short, nxt):
    text = paragraphs(
        line("2022年，市政府办公厅加强对人大建议和政协提案办理的质效管理，加强", 0, indent=2),
        short, nxt,
        line("高质量完成24件市领导领办的重点建议提案办理。", 3, indent=2, slack=10),
    )
    assert short.text in text[0] + text[1] and nxt.text in text[1:3]
    assert not any(short.text + nxt.text in t or short.text + " " + nxt.text in t for t in text)


def test_a_page_of_indented_lines_takes_the_documents_margins():
    # the last page holds two one-line paragraphs, both set in: its own
    # leftmost line is no margin, and the first line, two characters short
    # of the document's right edge, is not full
    first = [line("2022年，市政府办公厅加强对人大建议和政协提案办理的质效管理，加强", 0, indent=2),
             line("和完善工作机制，准确分办、及时交办、全程督办、跟踪落实。", 1, slack=6)]
    last = [line("为做好市人大陈光菊副主任领办的市人大代表建议，深入一线调研，", 0, indent=2, slack=2),
            line("高质量完成24件市领导领办的重点建议提案办理。", 1, indent=2, slack=8)]
    assert _join([first, last], [WIDTH, WIDTH])[0].split("\n") == [
        first[0].text + first[1].text, last[0].text, last[1].text]


def test_a_page_that_starts_lower_starts_a_paragraph():
    pages = [[line("2022年，市政府办公厅加强对人大建议和政协提案办理的质效管理，加强", 0),
              line("和完善工作机制，准确分办、及时交办、全程督办、跟踪落实，办结率100%。", 1)],
             [line("11月，市政府办公厅会同市人大代表工委、市政协提案委专门举办全市", 1),
              line("建议提案办理工作培训班。", 2, slack=20)]]
    assert len(_join(pages, [WIDTH, WIDTH])[0].split("\n")) == 2


def test_table_rows_keep_their_breaks():
    rows = [_Line(t, LEFT, RIGHT - 20 * CH, 100 + i * PITCH, CH, True, y=100 + i * PITCH, word=CH, unit=CH)
            for i, t in enumerate(["类别 | 件数", "代表建议 | 2", "委员提案 | 4"])]
    assert paragraphs(line("2022年建议提案办理情况统计如下：", -1, indent=2, slack=15), *rows) == [
        "2022年建议提案办理情况统计如下：", "类别 | 件数", "代表建议 | 2", "委员提案 | 4"]


# -- the fixtures' fonts ---------------------------------------------------------

def test_fixtures_take_their_font_from_the_test_extras_not_the_os():
    import mplfonts

    font = fx.cjk_font()
    assert font.startswith(os.path.dirname(mplfonts.__file__)) and os.path.exists(font)
    assert b"SimHei" in fx.pdf_bytes(["2022年建议提案办理情况。"])


# -- real reports, rendered and read back ---------------------------------------

# Texts with spaces before numbers inside sentences (003, 036), numbered
# headings and list items (028, 030, 604, 606, 611), paragraphs whose last
# line comes out full (045), short news and replies (018, 592).
SAMPLE = ["corpus/raw/003.txt", "corpus/raw/018.txt", "corpus/raw/028.txt", "corpus/raw/030.txt",
          "corpus/raw/036.txt", "corpus/raw/045.txt", "corpus/sets/dev/raw/592.txt",
          "corpus/sets/dev/raw/604.txt", "corpus/sets/dev/raw/606.txt", "corpus/sets/dev/raw/611.txt"]
# Both fonts the test extra ships that differ most (a TrueType and a CFF
# OpenType font, other glyph boxes); the second only on the narrow page,
# where lines end most often.
LAYOUTS = [("SimHei.ttf", width, wrap) for width in pdf_wraps.WIDTHS for wrap in pdf_wraps.WRAPS] + [
    ("NotoSansCJKsc-Regular.otf", pdf_wraps.WIDTHS[0], wrap) for wrap in pdf_wraps.WRAPS]


def original(path: str) -> list[str]:
    with open(os.path.join(pdf_wraps.ROOT, path), encoding="utf-8") as fh:
        return fx.paragraphs(fh.read())


@pytest.mark.parametrize("font, width, wrap", LAYOUTS, ids=["-".join(map(str, x)) for x in LAYOUTS])
def test_real_reports_read_back_with_their_own_line_breaks(font, width, wrap):
    """The text read back is the original up to whitespace, with a line
    break only where the original has one (or a space at a sentence's end
    or around a heading), and every break the original has."""
    for path in SAMPLE:
        b = pdf_wraps.compare(original(path), pdf_wraps.read_back(original(path), fx.extras_font(font), width, wrap))
        assert b.same_text, path
        assert [b.show(p, "⏎") for p in b.wrong()] == [], path
        assert [b.show(p, "¶") for p in b.lost] == [], path


@pytest.mark.parametrize("wrap", pdf_wraps.WRAPS)
def test_metrics_survive_the_pdf(wrap):
    """`办结答复率 100%` broken before its number lost the metric; the PDF
    gives what the text gives, offsets exact."""
    paras = original("corpus/raw/003.txt")
    doc = read_bytes(fx.pdf_bytes(paras, width=120, wrap=wrap), "003.pdf")
    txt = read_bytes("\n".join(paras).encode("utf-8"), "003.txt")
    got, want = records(doc), records(txt)

    def values(rows):
        return sorted((r["metric"], str(r["value"]), r["unit"]) for r in rows)

    assert values(got["metrics"]) == values(want["metrics"])
    for r in got["metrics"] + got["indicators"]:
        assert doc.text[r["start"]:r["end"]] == r["surface"]
