"""问题清单 (problem list for rectification) and 台账 (document ledger) as CSV and XLSX."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from reports.findings_json import findings_of

FINDING_HEADERS = ["序号 No.", "严重程度 Severity", "规则 Rule", "问题 Problem", "页面 Page", "证据 Evidence", "依据 Basis", "整改要求 What to do", "指纹 Fingerprint"]
LEDGER_HEADERS = ["索引号", "标题", "发文机关", "成文日期", "发布日期", "发文字号", "主题分类", "有效性", "类型 kind", "网址 URL"]
LEDGER_COLUMNS = ["index_no", "title", "publisher", "written_date", "publish_date", "doc_no", "category", "validity", "kind", "url"]
SEVERITY_ZH = {"error": "错误 error", "warning": "警告 warning", "info": "提示 info"}


def finding_row(number: int, f: dict, rule) -> list:
    """One line of the 问题清单 (``rule``: anything with ``basis`` and ``description_zh``, or None)."""
    return [number, SEVERITY_ZH[f["severity"]], f["rule"], f["message"], f["url"],
            json.dumps(f["evidence"], ensure_ascii=False), rule.basis if rule else "",
            rule.description_zh if rule else "", f["fingerprint"]]


def finding_rows(conn: sqlite3.Connection, scan_id: int, rules) -> list[list]:
    return [finding_row(i, f, rules.get(f["rule"])) for i, f in enumerate(findings_of(conn, scan_id), 1)]


def ledger_rows(conn: sqlite3.Connection, scan_id: int) -> list[list]:
    return [list(r) for r in conn.execute(
        f"select {', '.join(LEDGER_COLUMNS)} from documents where scan_id = ? order by publish_date desc, url", (scan_id,))]


def write_csv(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules, lang="zh") -> Path:
    path = out_dir / "findings.csv"
    # UTF-8 with BOM: Excel on Chinese Windows opens it without mangling the characters
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FINDING_HEADERS)
        writer.writerows(finding_rows(conn, scan_id, rules))
    return path


def _safe_cell(value):
    """Text that a spreadsheet would run as a formula (=, +, -, @) is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_xlsx(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules, lang="zh") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "问题清单"
    for title, headers, rows in (("问题清单", FINDING_HEADERS, finding_rows(conn, scan_id, rules)),
                                 ("台账", LEDGER_HEADERS, ledger_rows(conn, scan_id))):
        if title != sheet.title:
            sheet = book.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_safe_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = min(60, max(8, *(len(str(c.value or "")) for c in column[:200])))
            sheet.column_dimensions[column[0].column_letter].width = width
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    path = out_dir / "findings.xlsx"
    book.save(path)
    return path
