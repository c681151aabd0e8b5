"""The filed copy of the self-inspection report as a Word file (``--format docx`` → 自查报告.docx),
laid out the way government offices file one: title, the site (name, address, 网站标识码), 检查基准日
and scan time in Beijing time, 一、总体结论 (verdict, score, single-veto items with their pages,
each indicator's points lost of its share, the verdict explained), 二、问题清单及整改 with one
part per indicator — its findings as a table (序号、问题页面、问题、证据、依据), what to do, an
empty 整改情况 table to fill in — and the 检查人、审核人、日期 line to sign.

Chinese text is set in 宋体 (headings 黑体) through the East Asian font slot (w:eastAsia), the one
Word uses for CJK characters; the page is A4 with the site in the header and page N of M below.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lxml.etree import SubElement

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reports import filed
from reports.tables import NOT_XML

BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
BODY_PT, TABLE_PT = 10.5, 9  # 五号, 小五
TEXT_WIDTH_MM = 160  # A4 less 25 mm margins
FINDING_COLUMNS_MM = (12, 40, 36, 42, 30)  # 序号, 问题页面, 问题, 证据, 依据
RECTIFY_COLUMNS_MM = (12, 58, 25, 25, 40)  # 序号, 整改措施, 责任人, 完成时限, 整改结果
RECTIFY_ROW_MM = 10  # room to write by hand
# characters XML 1.0 cannot hold (a crawled page may contain them): Word would refuse the file
_NUMERALS = "零一二三四五六七八九"
TABLE_TEXT, TABLE_HEADING = "Table Text", "Table Heading"  # paragraph styles of table cells
TWIPS_PER_MM = 1440 / 25.4
_W = {tag: qn(f"w:{tag}") for tag in ("tr", "trPr", "trHeight", "tblHeader", "tc", "tcPr", "tcW", "p", "pPr", "pStyle",
                                      "r", "br", "t", "val", "hRule", "w", "type")}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _clean(text) -> str:
    return NOT_XML.sub("", "" if text is None else str(text))


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (the section numbers of an official document, n < 100)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _NUMERALS[tens]) + "十" if tens else "") + (_NUMERALS[ones] if ones or not tens else "")


def _fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian fonts of a run or style, dropping the theme's own choice
    (a theme font attribute wins over a named font in Word)."""
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(slot), None)
    for slot, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(slot), name)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(3)
    for name, size in (("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element.get_or_add_rPr(), HEADING_FONT)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    for name, bold in ((TABLE_TEXT, False), (TABLE_HEADING, True)):
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(TABLE_PT)
        style.font.bold = bold
        style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.header_distance = section.footer_distance = Mm(12)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the document out."""
    def mark(kind: str) -> None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(char)

    mark("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    mark("separate")
    paragraph.add_run("1")  # shown until Word updates the field
    mark("end")


def _header_footer(doc, copy: dict) -> None:
    t, site = copy["t"], copy["site"]
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    code = f"　{t['code']}{t['colon']}{site['code']}" if site["code"] else ""
    head.text = _clean(f"{site['name']}{code}　{t['report']}")
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in head.runs:
        run.font.size = Pt(9)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, rest = t["page_of"].split("{page}")
    middle, after = rest.split("{pages}")
    foot.add_run(before)
    _field(foot, "PAGE")
    foot.add_run(middle)
    _field(foot, "NUMPAGES")
    foot.add_run(after)
    for run in foot.runs:
        run.font.size = Pt(9)


def _row(tbl, values, twips: list[int], style_id: str, header: bool = False, height: int | None = None) -> None:
    """One table row, written as WordprocessingML directly (python-docx's cell API costs
    milliseconds a cell; a scan can have tens of thousands of findings). A value is one line or a
    list of lines; ``header``: printed again at the top of every page the table runs onto."""
    tr = SubElement(tbl, _W["tr"])
    if header or height:
        trpr = SubElement(tr, _W["trPr"])
        if height:
            SubElement(trpr, _W["trHeight"], {_W["val"]: str(height), _W["hRule"]: "atLeast"})
        if header:
            SubElement(trpr, _W["tblHeader"], {_W["val"]: "true"})
    for value, width in zip(values, twips):
        tc = SubElement(tr, _W["tc"])
        SubElement(SubElement(tc, _W["tcPr"]), _W["tcW"], {_W["w"]: str(width), _W["type"]: "dxa"})
        paragraph = SubElement(tc, _W["p"])
        SubElement(SubElement(paragraph, _W["pPr"]), _W["pStyle"], {_W["val"]: style_id})
        run = SubElement(paragraph, _W["r"])
        for i, line in enumerate([value] if isinstance(value, str) else value):
            if i:
                SubElement(run, _W["br"])
            text = SubElement(run, _W["t"], {_XML_SPACE: "preserve"})
            text.text = _clean(line)


def _table(doc, headers: list[str], rows, widths_mm, row_height_mm: float | None = None):
    """A bordered table of fixed column widths, its header row repeated on every page."""
    table = doc.add_table(rows=0, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: the grid's widths, not the text's, decide
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    twips = [round(width * TWIPS_PER_MM) for width in widths_mm]
    height = round(row_height_mm * TWIPS_PER_MM) if row_height_mm else None
    _row(table._tbl, headers, twips, doc.styles[TABLE_HEADING].style_id, header=True)
    for values in rows:
        _row(table._tbl, values, twips, doc.styles[TABLE_TEXT].style_id, height=height)
    return table


def _labelled(doc, label: str, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(_clean(label)).bold = True
    paragraph.add_run(_clean(text))


def _overall(doc, copy: dict) -> None:
    t = copy["t"]
    doc.add_heading(t["overall"], level=1)
    verdict = doc.add_paragraph()
    verdict.add_run(f"{t['verdict']}{t['colon']}")
    verdict.add_run(copy["verdict"]).bold = True
    verdict.add_run(f"{t['pair_sep']}{t['score']}{t['colon']}")
    verdict.add_run(f"{copy['score']}{t['points']}").bold = True
    verdict.add_run(f"（{t['pass_score']} {copy['pass_score']}{t['points']}）{t['pair_sep']}"
                    + t["findings_total"].format(n=copy["findings_total"]))
    doc.add_heading(t["vetoes"], level=2)
    _table(doc, [t["veto_item"], t["veto_result"], t["veto_count"], t["veto_pages"]],
           ([v["item"], v["result"], f"{v['count']} / {v['at_least']}",
             v["pages"] or ""] for v in copy["vetoes"]), (38, 16, 22, 84))
    doc.add_heading(t["indicators"], level=2)
    _table(doc, [t["indicator"], t["share"], t["lost"], t["problems"]],
           ([i["name"], i["share"], i["lost"], str(i["problems"])] for i in copy["indicators"]), (88, 24, 24, 24))
    if copy["lines"]:
        doc.add_heading(t["explained"], level=2)
        for n, line in enumerate(copy["lines"], 1):
            doc.add_paragraph(_clean(f"{n}. {line}"))


def _section(doc, number: int, s: dict, t: dict, zh: bool) -> None:
    points = f"（{t['lost']} {s['lost']} / {t['share']} {s['share']}）" if s["indicator"] else ""
    doc.add_heading(_clean(f"（{chinese_number(number)}）{s['name']}{points}" if zh else f"2.{number} {s['name']}{points}"),
                    level=2)
    if not s["findings"]:
        doc.add_paragraph(t["none_found"] if s["checked"] else t["unchecked"])
        return
    rows = []
    for item in s["findings"]:
        if item["basis_same_as"]:
            basis = [t["same_as"].format(n=item["basis_same_as"])]
        else:
            basis = [item["title"], item["rule"], item["basis"]]
        page = [item["url"], f"{t['involved']}{t['colon']}{item['involved']}"] if item["involved"] else item["url"]
        rows.append([str(item["no"]), page, f"[{t[item['severity']]}] {item['message']}", item["evidence"], basis])
    _table(doc, [t["no"], t["page"], t["problem"], t["evidence"], t["basis"]], rows, FINDING_COLUMNS_MM)
    doc.add_heading(t["remedy"], level=3)
    for rule in s["rules_here"]:
        _labelled(doc, f"{rule['title']}（{rule['rule']}）{t['colon']}", rule["remedy"])
    doc.add_heading(t["rectify"], level=3)
    _table(doc, [t["no"], t["measures"], t["owner"], t["deadline"], t["result"]],
           ([str(item["no"]), "", "", "", ""] for item in s["findings"]), RECTIFY_COLUMNS_MM, RECTIFY_ROW_MM)


def _signature(doc, t: dict) -> None:
    doc.add_paragraph()
    line = doc.add_paragraph()
    line.paragraph_format.space_before = Pt(18)
    gap = "\u3000" * 6
    line.add_run(f"{t['inspector']}{t['colon']}{gap}{t['reviewer']}{t['colon']}{gap}{t['date']}{t['colon']}{t['date_blank']}")


def document(copy: dict):
    """The Word document of a filed copy (reports.filed.build)."""
    t = copy["t"]
    zh = copy["lang"] == "zh"
    doc = Document()
    _styles(doc)
    _page(doc)
    _header_footer(doc, copy)
    doc.core_properties.title = _clean(copy["title"])[:255]  # python-docx refuses a longer one (a long site name)
    doc.core_properties.author = copy["tool"]
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_clean(copy["title"]))
    run.bold = True
    run.font.size = Pt(18)
    _fonts(run._r.get_or_add_rPr(), HEADING_FONT)
    site = copy["site"]
    _table(doc, [t["site"], site["name"]], [
        [t["url"], site["url"]], [t["code"], site["code"] or t["blank"]], [t["as_of"], copy["as_of"]],
        [t["scan_time"], copy["scan_time"]], [t["scan"], f"#{copy['scan_id']}"],
        [t["tool"], copy["tool"]]], (40, TEXT_WIDTH_MM - 40))
    for note in copy["notes"]:  # what limits this self-inspection, before any conclusion
        doc.add_paragraph().add_run(_clean(note)).bold = True
    _overall(doc, copy)
    doc.add_heading(t["details"], level=1)
    for number, s in enumerate(copy["sections"], 1):
        _section(doc, number, s, t, zh)
    _signature(doc, t)
    return doc


def write(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules, lang: str = "zh", check_no: int = 0) -> Path:
    """``out_dir/自查报告.docx`` (``self-inspection-report.docx`` in English); the file appears whole or not at all."""
    copy = filed.build(conn, scan_id, rules, lang, check_no)
    path = out_dir / f"{filed.FILE_NAMES[lang]}.docx"
    partial = out_dir / f".{path.name}.part"
    try:
        document(copy).save(str(partial))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path
