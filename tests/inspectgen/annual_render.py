"""A ``Report`` written the ways portals publish it: an HTML page body (Word-exported table markup with
colspan/rowspan), a PDF with a real text layer (reportlab's built-in STSong-Light CID font, so no font
file is needed; tables drawn with or without ruling lines) and a DOCX (python-docx, merged cells).
"""

from __future__ import annotations

import io
from html import escape

from .annual_tables import Report, place, table2, table3, table4

PARTS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
         "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def prose(r: Report, part: int) -> str:
    y = r.year
    return {
        1: f"{y}年，{r.issuer}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
           f"围绕中心工作推进政务公开，全年通过门户网站主动公开政府信息{r.t2.get('xk', 0) + 317}条。本报告由{r.issuer}编制，"
           f"所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
        2: "主动公开政府信息情况如下表：",
        3: "收到和处理政府信息公开申请情况如下表：",
        4: "政府信息公开行政复议、行政诉讼情况如下表：",
        5: f"{y}年，我单位政府信息公开工作取得一定成效，但仍存在公开内容不够全面、政策解读形式较为单一等问题。下一步将加强培训，"
           "提升公开质量。",
        6: f"本年度未收取信息处理费。{y}年度无其他需要报告的事项。",
    }[part]


def blocks(r: Report, vstyle: str, loose: bool, group_header: bool, heading_space: bool = False):
    """The report as a sequence of ("h", text) / ("p", text) / ("t", rows)."""
    tables = {2: table2(r, vstyle), 3: table3(r, vstyle, loose, group_header), 4: table4(r, vstyle)}
    out = []
    for i, heading in enumerate(PARTS, 1):
        if i not in r.omit_parts:
            out.append(("h", heading.replace("、", "、　", 1) if heading_space else heading))
        out.append(("p", prose(r, i)))
        if i in tables and i not in r.omit_tables:
            out.append(("t", tables[i]))
    return out


# --- HTML ---------------------------------------------------------------------------------------
def html_table(rows, word: bool) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable" style="border-collapse:collapse">']
    for row in rows:
        out.append("<tr>")
        for c in row:
            attrs = (f' colspan="{c.colspan}"' if c.colspan > 1 else "") + (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "")
            text = escape(c.text) if c.text else ("&nbsp;" if word else "")
            if word:
                text = f'<p class="MsoNormal" align="center"><span style="font-family:宋体;font-size:10.5pt">{text}</span></p>'
            out.append(f'<td valign="middle"{attrs}>{text}</td>')
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def html_body(r: Report, vstyle="plain", loose=False, group_header=True, word=False, heading_space=False) -> str:
    parts = []
    for kind, x in blocks(r, vstyle, loose, group_header, heading_space):
        if kind == "h":
            parts.append(f'<p style="text-indent:2em"><strong>{escape(x)}</strong></p>' if word else f"<h3>{escape(x)}</h3>")
        elif kind == "p":
            parts.append(f'<p style="text-indent:2em">{escape(x)}</p>')
        else:
            parts.append(html_table(x, word))
    return "".join(parts)


# --- PDF ----------------------------------------------------------------------------------------
FONT = "STSong-Light"


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break text into lines no wider than ``width`` as the font measures them (digits are narrower)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _font()
    lines, line = [], ""
    for ch in text:
        if line and stringWidth(line + ch, FONT, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line]


def _font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def pdf_bytes(r: Report, ruled: bool, vstyle: str = "plain", split_header: int | None = None) -> bytes:
    """``split_header``: None keeps each table on one page; 0 or 3 lets table 三 run onto the next page
    (after a long 总体情况), with 0 or 3 header rows repeated there."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pdf.setTitle(r.title)
    w, h = A4
    left, right, top, bottom = 40, w - 40, h - 50, 50
    y = top

    def need(height):
        nonlocal y
        if y - height < bottom:
            pdf.showPage()
            y = top

    need(30)
    pdf.setFont(FONT, 15)
    pdf.drawCentredString(w / 2, y - 15, r.title)
    y -= 36
    for kind, x in blocks(r, vstyle, False, True):
        if kind == "p" and x == prose(r, 1) and split_header is not None:   # a longer 总体情况 pushes table 三 down
            x += ("全年围绕优化营商环境、保障和改善民生等重点领域，主动公开规范性文件、重大项目批准和实施、财政预决算、"
                  "公共资源配置等信息，及时回应社会关切，持续加强政策解读，不断提升政务公开标准化规范化水平。") * 2
        if kind in ("h", "p"):
            size = 11 if kind == "h" else 10
            lines = _wrap(x, right - left - (0 if kind == "h" else 20), size)
            need(len(lines) * (size + 5))
            pdf.setFont(FONT, size)
            for i, line in enumerate(lines):
                pdf.drawString(left + (20 if kind == "p" and i == 0 else 0), y - size, line)
                y -= size + 5
            y -= 4
            continue
        long_table = len(x) > 20
        y = _pdf_table(pdf, x, left, right, y, need, ruled,
                       (top, bottom, split_header) if long_table and split_header is not None else None)
        y -= 10
    pdf.save()
    return buf.getvalue()


def _pdf_table(pdf, rows, left, right, y, need, ruled, split=None):
    """Draw a table from ``y`` down. Without ``split`` it is kept on one page (a new page if it does not fit);
    with ``split=(top, bottom, header_rows)`` it flows row by row onto the next pages as Word prints a long
    table: a cell merged across the break is drawn in parts with its text in the first part only, and the
    first ``header_rows`` rows are repeated at the top of each new page (0: not repeated)."""
    cells, nrows, ncols = place(rows)
    size = 6.5
    widths = [(right - left) / ncols] * ncols
    if ncols == 10:   # table 三: three label columns, seven counts
        widths = [58, 62, 140] + [(right - left - 260) / 7] * 7
    xs = [left]
    for wd in widths:
        xs.append(xs[-1] + wd)
    heights = [size + 6] * nrows
    for r, c, cell in cells:   # a one-row cell grows its row to fit its wrapped text
        if cell.rowspan == 1:
            lines = _wrap(cell.text, xs[c + cell.colspan] - xs[c] - 4, size)
            heights[r] = max(heights[r], len(lines) * (size + 2) + 4)
    if split is None:
        need(sum(heights))
        split = (y, y - sum(heights) - 1, 0)
    top, bottom, repeat = split
    at = []   # (page, y of the row's top edge), pages counted from the current one
    page, cursor = 0, y
    for r in range(nrows):
        if cursor - heights[r] < bottom:
            page, cursor = page + 1, top - (sum(heights[:repeat]) if r >= repeat else 0)
        at.append((page, cursor))
        cursor -= heights[r]
    for pg in range(page + 1):
        if pg:
            pdf.showPage()
        pdf.setFont(FONT, size)
        pdf.setLineWidth(0.5)
        if pg and repeat:   # the header rows again at the top of the new page
            for r, c, cell in cells:
                if r < repeat:
                    top_y = top - sum(heights[:r])
                    _pdf_cell(pdf, xs, c, cell, top_y, top_y - sum(heights[r:r + cell.rowspan]), cell.text, size, ruled)
        for r, c, cell in cells:
            on_page = [k for k in range(r, r + cell.rowspan) if at[k][0] == pg]
            if on_page:
                _pdf_cell(pdf, xs, c, cell, at[on_page[0]][1], at[on_page[-1]][1] - heights[on_page[-1]],
                          cell.text if at[r][0] == pg else "", size, ruled)
    return cursor


def _pdf_cell(pdf, xs, c, cell, y0, y1, text, size, ruled):
    x0, x1 = xs[c], xs[c + cell.colspan]
    lines = _wrap(text, x1 - x0 - 4, size) if text else []
    mid = (y0 + y1) / 2 + (len(lines) * (size + 2)) / 2 - size
    for i, line in enumerate(lines):
        pdf.drawCentredString((x0 + x1) / 2, mid - i * (size + 2), line)
    if ruled:
        pdf.rect(x0, y1, x1 - x0, y0 - y1, stroke=1, fill=0)


# --- DOCX ---------------------------------------------------------------------------------------
def docx_bytes(r: Report, vstyle: str = "plain") -> bytes:
    import docx

    doc = docx.Document()
    doc.add_heading(r.title, level=1)
    for kind, x in blocks(r, vstyle, False, True):
        if kind == "h":
            doc.add_paragraph().add_run(x).bold = True
        elif kind == "p":
            doc.add_paragraph(x)
        else:
            cells, nrows, ncols = place(x)
            table = doc.add_table(rows=nrows, cols=ncols)
            table.style = "Table Grid"
            for rr, cc, cell in cells:
                target = table.cell(rr, cc)
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(table.cell(rr + cell.rowspan - 1, cc + cell.colspan - 1))
                target.text = cell.text
    core = doc.core_properties
    core.title, core.author = r.title, r.issuer
    import datetime
    core.created = core.modified = datetime.datetime(r.year + 1, 1, 15, 9, 0)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
