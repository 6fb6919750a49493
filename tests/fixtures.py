"""Format fixtures made from corpus texts: the same report rendered as a GBK
web page with site chrome, a multi-page PDF with running headers and page
numbers, and a DOCX with numbered paragraphs and a table."""
from __future__ import annotations

import html as _html
import io
import os
import re



def extras_font(name: str = "SimHei.ttf") -> str:
    """A CJK font that the `mplfonts` test extra ships (SimHei.ttf,
    NotoSansCJKsc-Regular.otf, …): fixtures take their fonts from the test
    extras, never from the OS, so the README's test command gives the same
    PDFs on every machine."""
    try:
        import mplfonts
    except ImportError as e:
        raise RuntimeError("the PDF fixtures need the test extras: pip install -e '.[test]'") from e
    p = os.path.join(os.path.dirname(mplfonts.__file__), "fonts", name)
    if not os.path.exists(p):
        raise RuntimeError(f"mplfonts ships no {name}: the PDF fixtures need mplfonts>=0.0.8")
    return p


def cjk_font() -> str:
    """The fixtures' font: SimHei covers CJK, Latin and digits in one
    TrueType file."""
    return extras_font("SimHei.ttf")


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", text) if p.strip()]


def page_from_text(text: str, charset: str = "gb2312") -> bytes:
    """Render a report text as a web page: its first line as the <h1>, a
    following 来源/发布时间 line as the info bar, the rest as paragraphs."""
    ps = paragraphs(text)
    title, rest = ps[0], ps[1:]
    info = ""
    if rest and re.search(r"发布(时间|日期)|来源\s*[::]", rest[0]) and len(rest[0]) < 100:
        info, rest = rest[0], rest[1:]
    return gbk_page(title, info, rest, charset)


def gbk_page(title: str, info: str, paras: list[str], charset: str = "gb2312") -> bytes:
    """A government-site page: nav, search box, breadcrumbs, the article with
    its info line and font-size widget, print/close, share, QR hint, footer."""
    esc = _html.escape
    body = "".join(f"<p style=\"text-indent:2em\">\u3000\u3000{esc(p)}</p>\n" for p in paras)
    page = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{esc(title)}_人民政府门户网站</title>
<meta name="ArticleTitle" content="{esc(title)}">
<script>var _hmt = _hmt || []; document.write("统计代码");</script>
<style>.nav {{ color: red }}</style></head>
<body>
<div class="top"><a href="/">设为首页</a> <a href="#">加入收藏</a> <a href="#">无障碍</a></div>
<div class="header"><img src="logo.png"><form><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/zwfw">政务服务</a></li><li><a href="/hdjl">互动交流</a></li></ul>
<div class="container"><div class="crumb">您的位置: <a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 建议提案</div>
<div class="left-side"><h3>栏目导航</h3><ul><li><a>人大代表建议</a></li><li><a>政协委员提案</a></li></ul></div>
<div class="article">
<h1 class="title">{esc(title)}</h1>
<div class="info">{esc(info)}<span class="fontsize">字号 <a>大</a> <a>中</a> <a>小</a></span></div>
<div class="TRS_Editor">
{body}</div>
<div class="tools">【打印】【关闭】</div>
<div class="bdshare">分享到: <a>微信</a> <a>微博</a></div>
<div class="qr">扫一扫在手机打开当前页</div>
<div class="comment"><h4>我要评论</h4><textarea></textarea><p>评论列表(0条)</p></div>
</div></div>
<div class="footer"><p>主办单位:人民政府办公室 承办:信息中心</p><p>地址:南城东路1号 电话:022-29241234</p>
<p>ICP备05004220号-1 公网安备12011502000003号 网站标识码1201150001</p></div>
</body></html>"""
    return page.encode("gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset)


# A browser's or word processor's line breaking, simplified: a break may
# fall between any two Chinese characters or at a space, never inside a
# number or a Latin word, never before closing punctuation (，。）” …) nor
# after opening punctuation (（“《 …).
_PIECE = re.compile(r"\s+|[(（「『“‘《〈【〔]*(?:[0-9A-Za-z]+(?:[.,:/\-][0-9A-Za-z]+)*[%‰]?|\S)"
                    r"[，。、；：？！,.;:?!%）)」』”’》〉】〕…]*")


def _break_lines(pdf, text: str, width: float) -> list[str]:
    """Fill lines greedily, piece by piece; lines stay ragged on the right."""
    lines, line = [], ""
    for piece in _PIECE.findall(text):
        if line and pdf.get_string_width(line + piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = "" if piece.isspace() else piece
        else:
            line += piece
    return lines + [line.rstrip()] if line.strip() else lines


def pdf_bytes(paras: list[str], header: str = "建议提案办理情况报告", font: str | None = None,
              width: float = 210, wrap: str = "word") -> bytes:
    """A multi-page PDF (``width`` mm wide, A4 high) with an embedded CJK
    font, a running header on every page and a centred page number `— N —`
    in the footer. Each paragraph starts with two ideographic spaces.

    ``wrap="word"``: fpdf2's justified ``multi_cell``, which breaks lines
    only at spaces, and inside a word (a run of Chinese with no space) only
    when it is longer than a line: words and numbers break across full lines;
    a space before a long word leaves a short line (`满意率 100%…`); a
    paragraph that opens with such a word keeps no indent but a blank line
    above it. ``wrap="cjk"``: lines broken the way browsers and word
    processors break Chinese (see ``_PIECE``), ragged right, each paragraph
    indented, no space between paragraphs: a number never splits, so a line
    before one ends short (`满意率⏎100%`)."""
    from fpdf import FPDF

    font = font or cjk_font()

    class _PDF(FPDF):
        def header(self):
            self.set_font("cjk", size=9)
            self.cell(0, 8, header, align="C")
            self.ln(12)

        def footer(self):
            self.set_y(-15)
            self.set_font("cjk", size=10)
            self.cell(0, 10, f"— {self.page_no()} —", align="C")

    pdf = _PDF(format=(width, 297))
    pdf.add_font("cjk", fname=font, collection_font_number=0) if font.endswith(".ttc") else pdf.add_font("cjk", fname=font)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    for p in paras:
        if wrap == "word":
            pdf.multi_cell(0, 7, "\u3000\u3000" + p, new_x="LMARGIN", new_y="NEXT")
            continue
        for line in _break_lines(pdf, "\u3000\u3000" + p, pdf.epw):
            pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


SUMMARY_ROWS = [["类别", "件数", "办结率"], ["代表建议", "28", "100%"], ["委员提案", "31", "100%"]]


def table_pdf() -> bytes:
    """A PDF page with a sentence, a ruled summary table (SUMMARY_ROWS) and a
    closing sentence: what pdfplumber's table finder must read."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=cjk_font())
    pdf.add_font("cjk", style="B", fname=cjk_font())
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(0, 8, "2022年建议提案办理情况统计如下。", new_x="LMARGIN", new_y="NEXT")
    with pdf.table() as table:
        for row in SUMMARY_ROWS:
            r = table.row()
            for c in row:
                r.cell(c)
    pdf.multi_cell(0, 8, "以上建议提案已全部办结,满意率100%。", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def docx_bytes(paras: list[str], numbered: list[str] = (), table: list[list[str]] | None = None,
               chinese_numbered: list[str] = ()) -> bytes:
    """A DOCX with plain paragraphs, automatically numbered paragraphs
    (Word's `List Number` style: 1. 2. 3.), paragraphs numbered with a
    Chinese counting format (一、 二、), and a table."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    for p in paras:
        d.add_paragraph(p)
    for p in numbered:
        d.add_paragraph(p, style="List Number")
    if chinese_numbered:
        numbering = d.part.numbering_part.element
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
        )
        num = parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
        first_num = numbering.find(num.tag)
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        numbering.append(num)
        for p in chinese_numbered:
            para = d.add_paragraph(p)
            ppr = para._p.get_or_add_pPr()
            ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'))
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
