"""Hostile inputs for the readers and the service (issue 16): files shaped to
make a careless reader spend quadratic time or gigabytes of memory. Each
generator builds its file at test time (the large ones stream to disk, never
whole in memory); `python tests/hostile.py DIR` writes every one of them to
DIR to try them by hand (`jyta ingest DIR -o OUT`, or upload them to
`jyta serve`).
"""
from __future__ import annotations

import io
import os
import sys
import zipfile

REPORT = "今年共承办建议6件,办复率100%。"
HEAD = f"<html><body><p>{REPORT}</p>"


# -- web pages: runs that make a backtracking regex quadratic ------------------

def unclosed_scripts(n: int = 30000) -> bytes:
    """`<script>x` repeated, never closed (the issue's 270 KB page)."""
    return (HEAD + "<script>x" * n).encode()


def lt_run(n: int = 270000) -> bytes:
    """A run of `<` without a `>`."""
    return (HEAD + "<" * n).encode()


def font_run(n: int = 54000) -> bytes:
    """`<font` repeated, never closed by a `>`."""
    return (HEAD + "<font" * n).encode()


def comment_run(n: int = 54000) -> bytes:
    """`<!--` repeated without a `-->`."""
    return (HEAD + "<!--x" * n).encode()


def entity_run(n: int = 50000) -> bytes:
    """Entities and ampersands: named, numeric, unterminated."""
    return (HEAD + "<p>" + "&amp;&#65;&#x41;&&#&lt" * n + "</p>").encode()


def huge_attribute(n: int = 5_000_000) -> bytes:
    """One attribute value of n characters, and an unterminated one."""
    return (HEAD + '<p class="' + "a" * n + '">中</p><div title="' + "<" * (n // 10)).encode()


def whitespace_run(n: int = 80000) -> bytes:
    """A 来源 line (kept as metadata, cleaned of widgets) padded with a run
    of line separators, which the page's whitespace rule did not collapse."""
    return (HEAD + "<p>来源:" + "\u2028" * n + "x</p>").encode()


def newline_run(n: int = 200000) -> bytes:
    """A Chinese character, then newlines, then a Latin letter."""
    return (HEAD + "<p>中" + "\n" * n + "x</p>").encode()


def element_run(n: int = 6_500_000) -> bytes:
    """20 MB of empty paragraphs: millions of elements."""
    return (HEAD + "<p>" * n).encode()


def declared_charset(charset: str) -> bytes:
    """A GBK page whose meta charset names a codec that is not a text
    encoding (base64, rot13, zlib) or no codec at all."""
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head>'
            f"<body><p>{REPORT}</p></body></html>")
    return page.encode("gbk")


# -- DOCX: parts that inflate past any sane size --------------------------------

def _base_docx() -> bytes:
    sys.path.insert(0, os.path.dirname(__file__))
    from fixtures import docx_bytes

    return docx_bytes([REPORT])


def docx_with_big_part(path: str, part: str = "word/styles.xml", size: int = 480 * 2**20,
                       rename: str | None = None) -> str:
    """Write to `path` a small DOCX whose `part` is a well-formed XML part of
    `size` bytes (its root element filled with empty elements), streamed
    into the archive: the file is ~1/300 of `size`. With `rename`, the part
    is stored under that name (an image's), its relationship and content
    type following it: what python-docx parses is decided by them."""
    return docx_with_parts(path, {part: size}, {part: rename} if rename else None)


def docx_with_parts(path: str, sizes: dict[str, int], renames: dict[str, str] | None = None) -> str:
    """A DOCX whose parts named in `sizes` (existing or new) are XML of that
    many bytes; see docx_with_big_part."""
    renames = renames or {}
    base = zipfile.ZipFile(io.BytesIO(_base_docx()))
    members = {i.filename: base.read(i.filename) for i in base.infolist()}
    for name in sizes:
        members.setdefault(name, b'<?xml version="1.0"?>\n<w:hdr xmlns:w="urn:w"></w:hdr>')
    for old, new in renames.items():
        members["word/_rels/document.xml.rels"] = members["word/_rels/document.xml.rels"].replace(
            f'Target="{old[len("word/"):]}"'.encode(), f'Target="{new[len("word/"):]}"'.encode())
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            f'PartName="/{old}"'.encode(), f'PartName="/{new}"'.encode())
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            if name not in sizes:
                z.writestr(name, body)
                continue
            head, tail = body.rsplit(b"</", 1)
            unit = b"<w:style/>"
            chunk = unit * (2**20 // len(unit))
            with z.open(renames.get(name, name), "w", force_zip64=True) as fh:
                fh.write(head)
                left = sizes[name] - len(body)
                while left > 0:
                    fh.write(chunk if left >= len(chunk) else chunk[:left - left % len(unit)])
                    left -= len(chunk)
                fh.write(b"</" + tail)
    return path


def docx_with_style_chain(path: str, styles: int = 50000, paragraphs: int = 20000) -> str:
    """A DOCX whose paragraphs all use a style based on another, and so on
    `styles` deep: a reader that walks the chain per paragraph does
    styles × paragraphs steps."""
    base = zipfile.ZipFile(io.BytesIO(_base_docx()))
    chain = "".join(f'<w:style w:type="paragraph" w:styleId="s{i}"><w:basedOn w:val="s{i + 1}"/></w:style>'
                    for i in range(styles))
    para = f'<w:p><w:pPr><w:pStyle w:val="s0"/></w:pPr><w:r><w:t>{REPORT}</w:t></w:r></w:p>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for item in base.infolist():
            body = base.read(item.filename)
            if item.filename == "word/styles.xml":
                body = body.replace(b"</w:styles>", chain.encode() + b"</w:styles>")
            elif item.filename == "word/document.xml":
                body = body.replace(b"<w:body>", b"<w:body>" + para.encode() * paragraphs, 1)
            z.writestr(item.filename, body)
    return path


def docx_with_numbering(path: str, start: str = "1000000000", fmt: str = "lowerLetter", text: str = "%1.",
                        paragraphs: int = 200) -> str:
    """A DOCX of numbered paragraphs whose list starts at `start`, in format
    `fmt`, each label drawn from `text` (a billion as letters is 38 million
    characters, before each paragraph)."""
    from fixtures import docx_bytes

    data = docx_bytes([], chinese_numbered=[REPORT] * paragraphs)
    base = zipfile.ZipFile(io.BytesIO(data))
    level = '<w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>'.encode()
    hostile = f'<w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'.encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for item in base.infolist():
            body = base.read(item.filename)
            if item.filename == "word/numbering.xml":
                assert level in body
                body = body.replace(level, hostile)
            z.writestr(item.filename, body)
    return path


def docx_with_deep_runs(path: str, depth: int = 200, size: int = 29 * 2**20) -> str:
    """A DOCX whose runs sit `depth` elements deep in their paragraphs,
    paragraphs enough for `size` bytes of word/document.xml."""
    base = zipfile.ZipFile(io.BytesIO(_base_docx()))
    para = (b"<w:p>" + b"<w:x>" * depth + f"<w:r><w:t>{REPORT}</w:t></w:r>".encode() + b"</w:x>" * depth
            + b"</w:p>")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for item in base.infolist():
            body = base.read(item.filename)
            if item.filename == "word/document.xml":
                body = body.replace(b"<w:body>", b"<w:body>" + para * (size // len(para)), 1)
            z.writestr(item.filename, body)
    return path


def docx_with_many_members(path: str, n: int = 200000) -> str:
    """A DOCX whose archive lists n empty extra members."""
    base = zipfile.ZipFile(io.BytesIO(_base_docx()))
    with zipfile.ZipFile(path, "w") as z:
        for item in base.infolist():
            z.writestr(item.filename, base.read(item.filename))
        for i in range(n):
            z.writestr(f"customXml/x{i}.bin", b"")
    return path


# -- text: long enough to keep a worker busy past any time limit ----------------

def long_text(chars: int = 2_900_000) -> str:
    """Report-like sentences, each different, chars characters in all."""
    out, total, i = [], 0, 0
    while total < chars:
        s = f"第{i}项建议由第{i % 97}办理单位承办,办复率{i % 100}%,满意率{(i * 7) % 100}%。\n"
        out.append(s)
        total += len(s)
        i += 1
    return "".join(out)[:chars]


PAGES = {
    "unclosed_scripts.html": unclosed_scripts, "lt_run.html": lt_run, "font_run.html": font_run,
    "comment_run.html": comment_run, "entity_run.html": entity_run, "huge_attribute.html": huge_attribute,
    "whitespace_run.html": whitespace_run, "newline_run.html": newline_run, "element_run.html": element_run,
    "charset_base64.html": lambda: declared_charset("base64"),
    "charset_rot13.html": lambda: declared_charset("rot13"),
    "charset_zlib.html": lambda: declared_charset("zlib"),
    "charset_undefined.html": lambda: declared_charset("undefined"),
}


def write_all(folder: str) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    paths = []
    for name, make in PAGES.items():
        p = os.path.join(folder, name)
        with open(p, "wb") as fh:
            fh.write(make())
        paths.append(p)
    paths.append(docx_with_big_part(os.path.join(folder, "styles_bomb.docx")))
    paths.append(docx_with_big_part(os.path.join(folder, "numbering_bomb.docx"), "word/numbering.xml"))
    paths.append(docx_with_many_members(os.path.join(folder, "many_members.docx")))
    paths.append(docx_with_style_chain(os.path.join(folder, "style_chain.docx")))
    paths.append(docx_with_numbering(os.path.join(folder, "numbering_letters.docx")))
    paths.append(docx_with_numbering(os.path.join(folder, "numbering_text.docx"), "30000", "upperRoman",
                                     "%1" * 2_000_000))
    paths.append(docx_with_deep_runs(os.path.join(folder, "deep_runs.docx")))
    p = os.path.join(folder, "long_text.txt")
    with open(p, "w", encoding="utf-8") as fh:
        fh.write(long_text())
    paths.append(p)
    return paths


if __name__ == "__main__":
    for p in write_all(sys.argv[1] if len(sys.argv) > 1 else "hostile"):
        print(f"{os.path.getsize(p):>12,}  {p}")
