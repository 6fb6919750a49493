import pytest

from pipeline.document import IngestError
from pipeline.readers import read_bytes
from pipeline.readers.encoding import decode

from conftest import corpus_text


@pytest.mark.parametrize("n", ["001", "004", "021", "045"])
def test_gbk_big5_utf8_detected(n):
    import opencc

    text = corpus_text(n)
    assert decode(text.encode("gb18030")) == (text, "gb18030")
    trad = opencc.OpenCC("s2t").convert(text)
    b5 = trad.encode("big5", errors="ignore")
    assert decode(b5) == (b5.decode("big5"), "big5")
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")


def test_short_snippets_and_cut_last_character():
    s = "今年共承办建议6件".encode("gbk")
    assert decode(s[:-1])[1] == "gb18030"  # a download cut inside the last character


def test_page_declaring_gb2312_with_gbk_only_characters():
    # 镕 and 堃 are in GBK but not in GB2312: a strict gb2312 decoder fails.
    html = '<html><head><meta charset="gb2312"></head><body><p>朱镕基 王堃 代表建议办理情况</p></body></html>'
    doc = read_bytes(html.encode("gbk"), "page.html")
    assert "朱镕基" in doc.text and "王堃" in doc.text
    assert doc.encoding == "gb18030"


def test_wrong_declared_charset_still_decodes():
    html = '<html><head><meta charset="utf-8"></head><body><p>代表建议办理情况报告</p></body></html>'
    doc = read_bytes(html.encode("gbk"), "page.html")
    assert "代表建议办理情况报告" in doc.text


def test_other_encodings_are_named_and_not_mistaken_for_reports():
    # Japanese in Shift-JIS: as GB18030/Big5 it gives rare characters, so the
    # general detector names it; it reads, and it is flagged as no report.
    from pipeline.link import records

    doc = read_bytes(("日本語のテキストです。これは報告ではありません。" * 20).encode("shift_jis"), "x.txt")
    assert doc.encoding in ("cp932", "shift_jis") and "日本語" in doc.text
    assert any(w.startswith("not_a_report") for w in records(doc)["documents"][0]["warnings"])


def test_utf16_without_bom():
    text = "代表建议办理情况报告。今年共承办建议提案6件。"
    for enc in ("utf-16-le", "utf-16-be"):
        doc = read_bytes(text.encode(enc), "x.txt")
        assert doc.text == text and doc.encoding == enc


def test_undecodable_bytes_never_pass_as_a_report():
    # GB18030 decodes almost any byte string; what it gives is either refused
    # or flagged, never taken for a report.
    from pipeline.link import records

    for data in (bytes(range(0x80, 0x100)) * 8, bytes(range(0x81, 0xFF, 3)) * 30):
        try:
            doc = read_bytes(data, "x.txt")
        except IngestError as e:
            assert e.error in ("encoding", "not_chinese", "binary")
        else:
            assert any(w.startswith("not_a_report") for w in records(doc)["documents"][0]["warnings"])
