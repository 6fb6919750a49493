import pytest

from pipeline.document import IngestError
from pipeline.ingest import read_bytes
from pipeline.ingest.encoding import decode

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


def test_text_in_an_unsupported_encoding_is_an_error():
    # Japanese Shift-JIS: not UTF-8; as GB18030/Big5 it gives rare characters.
    data = ("日本語のテキストです。これは報告ではありません。" * 20).encode("shift_jis")
    with pytest.raises(IngestError) as e:
        read_bytes(data, "x.txt")
    assert e.value.error in ("encoding", "not_chinese")
