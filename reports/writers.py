"""Output format name → writer(conn, scan_id, out_dir, rules, lang, check_no=0) → path (check_no: which
check of the scan, 0 = the audit's own)."""

from reports import ci_formats, findings_json, html, tables

WRITERS = {
    "html": lambda conn, scan_id, out, rules, lang, check_no=0: html.write(conn, scan_id, out, rules, lang, check_no),
    "json": lambda conn, scan_id, out, rules, lang, check_no=0: findings_json.write(conn, scan_id, out, check_no, rules),
    "csv": tables.write_csv,
    "xlsx": tables.write_xlsx,
    "sarif": ci_formats.write_sarif,
    "junit": ci_formats.write_junit,
    # the filed copy (自查报告存档件); imported when asked for (python-docx, Playwright)
    "docx": lambda conn, scan_id, out, rules, lang, check_no=0: _docx().write(conn, scan_id, out, rules, lang, check_no),
    "pdf": lambda conn, scan_id, out, rules, lang, check_no=0: _pdf().write(conn, scan_id, out, rules, lang, check_no),
}


class FormatUnavailable(Exception):
    """A format this machine cannot write (pdf without a working Chromium); str() is one line in
    Chinese and English for the reader."""


def _docx():
    from reports import docx_report

    return docx_report


def _pdf():
    from reports import pdf

    return pdf


def unavailable(name: str) -> str | None:
    """Why format ``name`` cannot be written on this machine (one line, Chinese and English), or None."""
    return _pdf().unavailable() if name == "pdf" else None
