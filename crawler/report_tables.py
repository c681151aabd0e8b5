"""The tables of an annual disclosure report (政府信息公开工作年度报告), as rows of cells.

Only pages and attachments that are annual reports are read this way (``is_annual_report``): an
HTML page's tables with lxml, a PDF's with pdfplumber (ruled tables; a table drawn without ruling
lines is read as lines of words), a Word file's with python-docx, a spreadsheet's rows. What the
tables mean (which row is 予以公开, which column 自然人) is decided by the checks
(checks/report_format.py), which read only the stored rows.

A table is a list of rows, a row a list of cells (str). Cells are laid on the table's grid: a cell
spanning several columns or rows (colspan/rowspan, merged cells) keeps its text in its first
position and ``None`` in the others, so a column of numbers stays a column.

A legacy Word (.doc) report's text is read (crawler.attachments) but not its tables (no maintained
library reads them): such a report is stored with problem ``unsupported`` and said to be unread.
"""

from __future__ import annotations

import io
import re
import unicodedata

MAX_TABLES = 40  # per report (a report has three; a PDF may cut each in several)
MAX_ROWS = 400  # per table
MAX_SPAN = 60  # a rowspan/colspan larger than this is a broken page, not a table
MAX_PAGES = 40  # PDF pages read for tables

_REPORT = re.compile(r"政府信息公开.{0,16}?(?:年度报告|年报)|信息公开年报|政务公开.{0,6}年度报告")
_YEAR = re.compile(r"(20[1-3]\d)\s*年(?:度)?")
_PERIOD = re.compile(r"(20[1-3]\d)\s*年\s*1\s*月\s*1\s*日\s*(?:至|到|—|-)")
# 一、总体情况 … 六、其他需要报告的事项: the numbered lines a reader sees as part headings
_HEADING = re.compile(r"^(?:[（(]?[一二三四五六七八][)）]?\s*[、.．，,]|第[一二三四五六]部分[、:：.．]?)\s*\S.{0,38}$")
# what a table of the report holds (tables of the page around it are not stored)
_REPORT_TABLE = re.compile(r"自然人|结转|行政复议|行政诉讼|规章|规范性文件|行政许可|行政处罚|本年新收|予以公开|尚未审结")


def is_annual_report(*texts: str | None) -> bool:
    """Whether a title, link text or file name names an annual disclosure report."""
    return any(t and _REPORT.search(re.sub(r"\s+", "", t)) for t in texts)


def report_year(title: str | None, text: str | None = "") -> int | None:
    """The year a report covers: from its title when the title names the report (2023年…年度报告), else
    from its statistics period (…2023年1月1日至…), else from any year in the title."""
    title = re.sub(r"\s+", "", title or "")
    m = _YEAR.search(title) if is_annual_report(title) else None
    m = m or _PERIOD.search(text or "") or _YEAR.search(title)
    return int(m[1]) if m else None


def headings(text: str | None, limit: int = 60) -> list[str]:
    """The lines of ``text`` that look like part headings (一、总体情况 …), in order."""
    found = []
    for line in (text or "").splitlines():
        line = unicodedata.normalize("NFKC", line).strip()
        if line and _HEADING.match(line) and not re.search(r"\d{3,}", line):
            found.append(line[:60])
            if len(found) >= limit:
                break
    return found


def _cell_text(element) -> str:
    text = "".join(element.itertext())
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _span(value, default=1) -> int:
    try:
        return max(1, min(MAX_SPAN, int(str(value).strip() or default)))
    except ValueError:
        return default


def html_tables(root) -> list[list[list[str | None]]]:
    """The report tables of a parsed HTML page (lxml root): innermost tables whose text is a
    report's, laid on their grid (rowspan/colspan positions after the first are None)."""
    tables = []
    for table in root.iter("table"):
        if table.find(".//table") is not None:
            continue  # a layout table around the real ones
        if not _REPORT_TABLE.search(re.sub(r"\s+", "", "".join(table.itertext()))):
            continue
        grid: dict[tuple[int, int], str | None] = {}
        rows = [tr for tr in table.iter("tr") if tr.getparent() is not None][:MAX_ROWS]
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr:
                if cell.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                rowspan, colspan = _span(cell.get("rowspan")), _span(cell.get("colspan"))
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = _cell_text(cell) if dr == dc == 0 else None
                c += colspan
        width = max((c for _, c in grid), default=-1) + 1
        tables.append([[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))])
        if len(tables) >= MAX_TABLES:
            break
    return tables


def html_report(body: bytes, content_type: str | None) -> tuple[list, str]:
    """(tables, visible text) of a report page."""
    import lxml.html

    from crawler.encoding import decode_html

    root = lxml.html.fromstring(decode_html(body, content_type).text or "<html></html>")
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    # a part heading is its own paragraph (or bold run) even when the page source has no line breaks
    blocks = [_cell_text(el) for el in root.iter("p", "h1", "h2", "h3", "h4", "h5", "li", "strong", "b", "font", "span")]
    blocks += [t.strip() for el in root.iter() if isinstance(el.tag, str) for t in (el.text, el.tail) if t and t.strip()]
    text = "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())
    return html_tables(root), text + "\n" + "\n".join(b for b in blocks if 0 < len(b) <= 60)


# ----------------------------------------------------------------------------- files (run in the
# attachment worker process, under its memory cap and time limit: crawler.attachments.parse)

TABLE_KINDS = ("pdf", "docx", "xlsx", "xls", "html")  # the files whose tables are read (a legacy .doc's are not)


def file_tables(kind: str, body: bytes) -> list[list[list[str | None]]]:
    """The tables of an attachment of ``kind`` (pdf, docx, xlsx, xls); [] for other kinds."""
    reader = {"pdf": _pdf_tables, "docx": _docx_tables, "xlsx": _xlsx_tables, "xls": _xls_tables}.get(kind)
    return [t[:MAX_ROWS] for t in reader(body)][:MAX_TABLES] if reader else []


def _clean(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip()


_PART_START = re.compile(r"主动公开政府信息情况|收到和处理政府信息公开申请情况|行政复议.?行政诉讼情况")


def _pdf_tables(body: bytes) -> list:
    import pdfplumber

    tables, flow = [], []  # flow: the lines of consecutive pages without ruling lines, read as one text
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        for page in pdf.pages[:MAX_PAGES]:
            ruled = [t for t in page.extract_tables() if t and len(t) > 1]
            if ruled:
                if flow:
                    tables.append(flow)
                    flow = []
                tables += [[[_clean(c) for c in row] for row in t] for t in ruled]
                continue
            # without ruling lines a page break is not a table's end (a table running onto the next
            # page, its header not repeated, continues in the same flow of lines); a part's heading or
            # table 四's header is a table's start
            for line in _word_rows(page):
                text = "".join(line)
                if flow and not re.search(r"\d", text) and (_PART_START.search(text) or ("行政复议" in text and "行政诉讼" in text)):
                    tables.append(flow)
                    flow = []
                flow.append(line)
    if flow:
        tables.append(flow)
    return [t for t in tables if _REPORT_TABLE.search("".join(c or "" for row in t for c in row))]


def _word_rows(page) -> list[list[str]]:
    """A table drawn without ruling lines: each line of words is a row, each word a cell (the
    columns of numbers are apart enough for pdfplumber to keep them separate words)."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False)
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [[w["text"] for w in sorted(line, key=lambda w: w["x0"])] for line in lines]


def _docx_tables(body: bytes) -> list:
    import docx

    document = docx.Document(io.BytesIO(body))
    tables = []
    for table in document.tables[:MAX_TABLES]:
        rows, above = [], []
        for row in table.rows[:MAX_ROWS]:
            tcs = [cell._tc for cell in row.cells]
            cells = []
            for i, (cell, tc) in enumerate(zip(row.cells, tcs)):
                merged = (i > 0 and tcs[i - 1] is tc) or (i < len(above) and above[i] is tc)
                cells.append(None if merged else _clean(cell.text))
            rows.append(cells)
            above = tcs
        tables.append(rows)
    return tables


def _xlsx_tables(body: bytes) -> list:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        return [[[_clean(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS)]
                for sheet in book.worksheets[:MAX_TABLES]]
    finally:
        book.close()


def _xls_tables(body: bytes) -> list:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, on_demand=True)
    return [[[_clean(v) for v in sheet.row_values(r)] for r in range(min(sheet.nrows, MAX_ROWS))]
            for sheet in (book.sheet_by_index(i) for i in range(min(book.nsheets, MAX_TABLES)))]


# ----------------------------------------------------------------------------- rows for storage

def _rows(scan_id: int, url: str, tables: list) -> list[dict]:
    import json

    return [{"scan_id": scan_id, "url": url, "table_no": t, "row_no": r, "cells": json.dumps(row, ensure_ascii=False)}
            for t, table in enumerate(tables, 1) for r, row in enumerate(table, 1)]


def page_report(scan_id: int, url: str, body: bytes, content_type: str | None, title: str | None,
                source_url: str | None) -> dict:
    """The ``annual_reports`` row and ``report_tables`` rows of a report that is an HTML page."""
    import json

    problem = detail = None
    try:
        tables, text = html_report(body, content_type)
    except Exception as exc:  # noqa: BLE001 — a page the table reader cannot read is said, not dropped
        tables, text, problem, detail = [], "", "corrupt", f"{type(exc).__name__}: {exc}"[:300]
    report = {"scan_id": scan_id, "url": url, "source_url": source_url, "source": "html", "title": title,
              "year": report_year(title, text), "headings": json.dumps(headings(text), ensure_ascii=False),
              "tables": len(tables), "problem": problem, "detail": detail}
    return {"report": report, "rows": _rows(scan_id, url, tables)}


def attachment_report(scan_id: int, url: str, source_url: str | None, title: str | None, result) -> dict:
    """The same for a report attached as a file (``result``: crawler.attachments.AttachmentText)."""
    import json
    from urllib.parse import unquote, urlsplit

    title = title or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    text = result.text or ""
    problem, detail = result.problem, result.detail or None
    if problem is None and result.kind not in TABLE_KINDS:  # a legacy .doc, a text file: its tables are not read
        problem, detail = "unsupported", f"tables of a .{result.kind} file are not read"
    report = {"scan_id": scan_id, "url": url, "source_url": source_url, "source": result.kind, "title": title,
              "year": report_year(title, text), "headings": json.dumps(headings(text), ensure_ascii=False),
              "tables": len(result.tables), "problem": problem, "detail": detail}
    return {"report": report, "rows": _rows(scan_id, url, result.tables)}
