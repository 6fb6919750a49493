"""Line breaks in PDFs: which the reader joins back (made by the page width)
and which it keeps (made by the author), from the geometry pdfium gives:
each line's ends against the text block's edges, the indent and the space
above the next line."""
import os

import fixtures as fx
from pipeline.readers.pdf import _join, _Line

WIDTH, LEFT, RIGHT, CH, PITCH = 595.0, 72.0, 523.0, 12.0, 20.0


def width(s: str) -> float:
    return sum(CH / 2 if c.isascii() else CH for c in s)


def line(text: str, row: float, indent: int = 0, slack: float = 0.0) -> _Line:
    """A line of 12-point type on a page whose text block runs from 72 to
    523 pt: ``row`` line steps down from the first, set in by ``indent``
    characters, ending ``slack`` characters short of the right edge."""
    x0, x1 = LEFT + indent * CH, RIGHT - slack * CH
    word = width(text.split()[0]) if " " in text else x1 - x0
    return _Line(text, x0, x1, 100 + row * PITCH, CH, y=100 + row * PITCH, word=word)


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
    rows = [_Line(t, LEFT, RIGHT - 20 * CH, 100 + i * PITCH, CH, True, y=100 + i * PITCH, word=CH)
            for i, t in enumerate(["类别 | 件数", "代表建议 | 2", "委员提案 | 4"])]
    assert paragraphs(line("2022年建议提案办理情况统计如下：", -1, indent=2, slack=15), *rows) == [
        "2022年建议提案办理情况统计如下：", "类别 | 件数", "代表建议 | 2", "委员提案 | 4"]


# -- the fixtures' fonts ---------------------------------------------------------

def test_fixtures_take_their_font_from_the_test_extras_not_the_os():
    import mplfonts

    font = fx.cjk_font()
    assert font.startswith(os.path.dirname(mplfonts.__file__)) and os.path.exists(font)
    assert b"SimHei" in fx.pdf_bytes(["2022年建议提案办理情况。"])
