"""Each kind of bad input gets a clear error (or a document with a warning)
and never stops a batch."""
import io
import os

import pytest

import fixtures as fx
from pipeline.batch import ingest
from pipeline.dataset import read_rows
from pipeline.document import IngestError
from pipeline.readers import read_bytes, read_file
from pipeline.readers.pdf import _check_text_layer, _Line

from conftest import corpus_text


def error_of(data: bytes, name: str = "x") -> IngestError:
    with pytest.raises(IngestError) as e:
        read_bytes(data, name)
    return e.value


def test_empty_and_blank_files():
    assert error_of(b"").error == "empty"
    assert error_of(b" \n\t\r\n").error == "empty"


def test_binary_junk_named_pdf():
    e = error_of(os.urandom(4096).replace(b"%PDF", b"xxxx"), "report.pdf")
    assert e.error in ("binary", "encoding")


def test_truncated_pdf():
    data = fx.pdf_bytes(fx.paragraphs(corpus_text("001")))
    e = error_of(data[: len(data) // 3], "cut.pdf")
    assert e.error in ("corrupt", "no_text")
    assert "PDF" in e.message


def test_encrypted_pdf():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=fx.cjk_font(), **({"collection_font_number": 0} if fx.cjk_font().endswith(".ttc") else {}))
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(0, 8, "2022年建议提案办理情况报告")
    e = error_of(bytes(pdf.output()), "locked.pdf")
    assert e.error == "encrypted" and "password" in e.message


def test_scanned_pdf_without_text_layer():
    from fpdf import FPDF
    from PIL import Image

    img = Image.new("RGB", (400, 560), "white")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.image(io.BytesIO(buf.getvalue()), x=10, y=10, w=180)
    e = error_of(bytes(pdf.output()), "scan.pdf")
    assert e.error == "no_text_layer" and "OCR" in e.message


def test_pdf_text_as_cid_codes_or_private_use():
    with pytest.raises(IngestError) as e:
        _check_text_layer([[_Line("(cid:123)(cid:456)(cid:789)" * 20)]], 0, 1)
    assert e.value.error == "garbled_text"
    with pytest.raises(IngestError) as e:
        _check_text_layer([[_Line("\ue001\ue002\ue003\ue004" * 80)]], 0, 1)
    assert e.value.error == "garbled_text"


def test_image_file_is_a_scan():
    e = error_of(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "page.png")
    assert e.error == "no_text_layer"


def test_legacy_doc_needs_conversion():
    e = error_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc")
    assert e.error == "legacy_office" and "convert" in e.message


def test_english_page_is_not_a_report():
    page = b"<html><body><h1>Annual report</h1><p>The committee handled 12 proposals.</p></body></html>"
    assert error_of(page, "en.html").error == "not_chinese"


def test_zip_that_is_not_docx():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    assert error_of(buf.getvalue(), "a.zip").error == "unsupported_format"


def test_huge_file_refused_before_reading(tmp_path):
    big = tmp_path / "huge.pdf"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MiB on paper, nothing on disk
    with pytest.raises(IngestError) as e:
        read_file(str(big))
    assert e.value.error == "too_large" and "200 MiB" in e.value.message


def test_batch_goes_on_and_every_input_is_accounted_for(tmp_path, out_dir):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(corpus_text("001"), encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "junk.pdf").write_bytes(os.urandom(2048).replace(b"%PDF", b"xxxx"))
    (src / "cut.pdf").write_bytes(fx.pdf_bytes(fx.paragraphs(corpus_text("006")))[:900])
    (src / "english.html").write_bytes(b"<html><body><p>Hello world, nothing here.</p></body></html>")
    (src / "notice.txt").write_text("关于端午节放假安排的通知。全体职工于6月10日放假一天。", encoding="utf-8")
    (src / "gbk.txt").write_bytes(corpus_text("021").encode("gb18030"))
    with open(src / "huge.txt", "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    s = ingest([str(src)], out_dir)
    docs = {os.path.basename(r["source"]): r for r in read_rows(out_dir, "documents")}
    errs = {os.path.basename(r["source"]): r for r in read_rows(out_dir, "errors")}
    names = {p.name for p in src.iterdir()}
    assert set(docs) | set(errs) == names and not set(docs) & set(errs)
    assert set(docs) == {"good.txt", "notice.txt", "gbk.txt"}
    assert errs["huge.txt"]["error"] == "too_large"
    assert errs["empty.txt"]["error"] == "empty"
    assert errs["english.html"]["error"] == "not_chinese"
    assert any(w.startswith("not_a_report") for w in docs["notice.txt"]["warnings"])
    assert docs["gbk.txt"]["encoding"] == "gb18030"
    assert s.inputs == len(names) and s.added == 3 and s.errors == len(names) - 3


from hypothesis import HealthCheck, given, settings, strategies as st

_PREFIXES = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<html><body><p>", b"\xef\xbb\xbf", b"\xff\xfe", b"{\\rtf1"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_PREFIXES), st.binary(max_size=400) | st.text(max_size=200).map(lambda s: s.encode("utf-8")))
def test_readers_raise_only_ingest_errors(prefix, body):
    try:
        doc = read_bytes(prefix + body, "fuzz")
    except IngestError as e:
        assert e.error and e.message
    else:
        assert doc.text.strip()


def test_utf8_with_a_stray_byte_still_reads():
    data = "今年共承办建议提案6件,办结率100%。".encode() * 50 + b"\xff" + "代表满意率100%。".encode()
    doc = read_bytes(data, "x.txt")
    assert doc.encoding == "utf-8" and "代表满意率100%" in doc.text


def test_a_page_that_mentions_pdf_is_not_a_pdf():
    page = "<html><body><p>文件格式 %PDF-1.7 说明:今年共承办建议提案6件。</p></body></html>".encode()
    assert read_bytes(page, "x.html").format == "html"
