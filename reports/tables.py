"""问题清单 (problem list for rectification) and 台账 (document ledger) as CSV and XLSX."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

from reports.evidence import for_reader
from reports.findings_json import findings_of

# the same columns in findings.csv, findings.xlsx and each site's sheet of a batch's 问题清单.xlsx:
# the page to edit first (for a broken link the page holding it), the dead target or other address
# beside it, the evidence in words (reports.evidence), the rule's id and the fingerprint last
FINDING_HEADERS = ["序号 No.", "严重程度 Severity", "问题 Problem", "整改页面 Page to fix",
                   "链接目标/涉及网址 Link target / URL involved", "证据 Evidence", "依据 Basis", "整改要求 What to do",
                   "规则编号 Rule", "指纹 Fingerprint"]
LEDGER_HEADERS = ["索引号", "标题", "发文机关", "成文日期", "发布日期", "发文字号", "主题分类", "有效性", "类型 kind", "网址 URL"]
LEDGER_COLUMNS = ["index_no", "title", "publisher", "written_date", "publish_date", "doc_no", "category", "validity", "kind", "url"]
SEVERITY_ZH = {"error": "错误 error", "warning": "警告 warning", "info": "提示 info"}


def finding_row(number: int, f: dict, rule, lang: str = "zh") -> list:
    """One line of the 问题清单 (``rule``: anything with ``basis`` and ``description_zh``, or None);
    the evidence as "label：value" lines."""
    shown = for_reader(f, lang)
    colon = "：" if lang == "zh" else ": "
    remedy = ""
    if rule:
        remedy = rule.description_zh if lang == "zh" else (getattr(rule, "description_en", "") or rule.description_zh)
    return [number, SEVERITY_ZH[f["severity"]], shown["message"], shown["page_to_fix"], shown["involved_url"],
            "\n".join(f"{label}{colon}{value}" for label, value in shown["evidence"]), rule.basis if rule else "",
            remedy, f["rule"], f["fingerprint"]]


def finding_rows(conn: sqlite3.Connection, scan_id: int, rules, check_no: int = 0, lang: str = "zh") -> list[list]:
    return [finding_row(i, f, rules.get(f["rule"]), lang)
            for i, f in enumerate(findings_of(conn, scan_id, check_no=check_no), 1)]


def ledger_rows(conn: sqlite3.Connection, scan_id: int) -> list[list]:
    return [list(r) for r in conn.execute(
        f"select {', '.join(LEDGER_COLUMNS)} from documents where scan_id = ? order by publish_date desc, url", (scan_id,))]


def write_csv(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules, lang="zh", check_no: int = 0) -> Path:
    path = out_dir / "findings.csv"
    # UTF-8 with BOM: Excel on Chinese Windows opens it without mangling the characters
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FINDING_HEADERS)
        writer.writerows(finding_rows(conn, scan_id, rules, check_no, lang))
    return path


EXCEL_CELL_MAX = 32767  # Excel counts both in UTF-16 units: 😀 is two
# what an XLSX (XML 1.0) cannot hold at all: openpyxl refuses the controls, lxml the rest
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def excel_cut(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UTF-16 code units, as Excel counts length (never inside a pair)."""
    if len(text) * 2 <= units:
        return text
    count = 0
    for i, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > units:
            return text[:i]
    return text


def safe_cell(value):
    """A value as a workbook cell: text a spreadsheet would run as a formula (=, +, -, @) written as
    text, what XML cannot hold shown as �, cut to what one Excel cell holds (32 767 UTF-16 units; a
    longer evidence list would have Excel "repair" the file and drop the sheet). Whatever a site's
    name or a page's text, the workbook is written."""
    if not isinstance(value, str):
        return value
    if value[:1] in ("=", "+", "-", "@"):
        value = "'" + value
    value = NOT_XML.sub("\ufffd", value)
    cut = excel_cut(value, EXCEL_CELL_MAX)
    return value if cut == value else excel_cut(value, EXCEL_CELL_MAX - 1) + "…"


def write_xlsx(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules, lang="zh", check_no: int = 0) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "问题清单"
    for title, headers, rows in (("问题清单", FINDING_HEADERS, finding_rows(conn, scan_id, rules, check_no, lang)),
                                 ("台账", LEDGER_HEADERS, ledger_rows(conn, scan_id))):
        if title != sheet.title:
            sheet = book.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for column in sheet.columns:
            # the longest line of the first rows (evidence runs over several lines), at most 60
            width = min(60, max(8, *(len(line) for c in column[:200] for line in str(c.value or "").split("\n"))))
            sheet.column_dimensions[column[0].column_letter].width = width
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    path = out_dir / "findings.xlsx"
    book.save(path)
    return path
