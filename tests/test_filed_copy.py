"""The filed copy of the self-inspection report (自查报告存档件): `--format pdf` (Chromium's print of
reports/templates/filed.html.j2) and `--format docx` (python-docx), read back as text: every finding's
page, a piece of its evidence as a readable line and its basis are there, with the verdict, the
score, the site's name and 标识码 in the header and the page numbers."""

import re
import shutil
import sqlite3

import pytest
from docx import Document
from pypdf import PdfReader

from browser import needs_browser
from conftest import run_zwgk
from zwgk.demo.portal import SITE_ID_CODE, SITE_NAME

HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(2)>'


def flat(text: str) -> str:
    """Text without whitespace: a long URL or basis wraps across lines on paper."""
    return re.sub(r"\s+", "", text)


def expected(db):
    """The report data of the audit's own check, as the writers read it."""
    from checks.engine import rules_for_run
    from reports import data

    rules = rules_for_run()
    conn = sqlite3.connect(db)
    try:
        scan_id = conn.execute("select max(id) from scans").fetchone()[0]
        return data.build(conn, scan_id, rules), rules
    finally:
        conn.close()


def evidence_line(finding) -> str:
    """The first evidence line the filed copy must show for this finding: ``名称：值`` in words."""
    from reports.evidence import readable

    lines = readable(finding["rule"], finding["evidence"], "zh", url=finding["url"])
    assert lines, finding
    label, value = lines[0]
    return f"{label}：{value.splitlines()[0]}"


def assert_complete(text: str, report: dict, rules) -> None:
    from reports.evidence import fix_page

    body = flat(text)
    assert report["findings"]
    for f in report["findings"]:
        assert flat(f["url"]) in body, f["url"]
        assert flat(fix_page(f["rule"], f)) in body, f["rule"]
        assert flat(evidence_line(f)) in body, (f["rule"], evidence_line(f))
        assert flat(rules[f["rule"]].basis) in body, f["rule"]
    card = report["scorecard"]
    assert flat(f"结论：{card['verdict_zh']}") in body
    assert flat(f"得分：{card['score']:g}") in body
    for veto in card["vetoes"]:
        assert flat(veto["item"]) in body
    assert '{"' not in text  # evidence in words, not JSON


@pytest.fixture(scope="module")
def filed(audit, tmp_path_factory):
    needs_browser()
    out = tmp_path_factory.mktemp("filed")
    proc = run_zwgk("report", "--db", audit["db"], "--out", out, "--format", "pdf,docx")
    assert "自查报告.pdf" in proc.stdout and "自查报告.docx" in proc.stdout
    report, rules = expected(audit["db"])
    return {"out": out, "report": report, "rules": rules}


def test_pdf_lists_every_finding_with_header_and_page_numbers(filed):
    pages = [page.extract_text() for page in PdfReader(filed["out"] / "自查报告.pdf").pages]
    assert len(pages) > 3
    assert_complete("\n".join(pages), filed["report"], filed["rules"])
    assert flat(f"{SITE_NAME}网站政府信息公开自查报告") in flat(pages[0])
    for number, text in enumerate(pages, 1):
        assert SITE_NAME in text and SITE_ID_CODE in text  # the header of every page
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text  # the footer


def test_docx_is_the_filed_layout(filed):
    doc = Document(filed["out"] / "自查报告.docx")
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    assert_complete(text, filed["report"], filed["rules"])
    assert doc.paragraphs[0].text == f"{SITE_NAME}网站政府信息公开自查报告"
    assert "检查基准日" in cells and "2026-11-20" in cells and "扫描时间" in cells
    scan_time = cells[cells.index("扫描时间") + 1]
    assert "北京时间" in scan_time
    assert "T" not in scan_time and "Z" not in scan_time  # not the stored UTC stamp
    headers = [[cell.text for cell in table.rows[0].cells] for table in doc.tables]
    assert ["序号", "问题页面", "问题", "证据", "依据"] in headers
    assert ["序号", "整改措施", "责任人", "完成时限", "整改结果"] in headers
    assert "一、总体结论" in text and "二、问题清单及整改" in text
    for indicator in filed["report"]["scorecard"]["indicators"]:
        assert indicator["name_zh"] in text
    assert re.search(r"检查人：\s*审核人：\s*日期：", text)
    header = doc.sections[0].header.paragraphs[0].text
    assert SITE_NAME in header and SITE_ID_CODE in header
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"


def test_english_docx(audit, tmp_path):
    from checks.engine import rules_for_run
    from reports import docx_report

    conn = sqlite3.connect(audit["db"])
    try:
        path = docx_report.write(conn, conn.execute("select max(id) from scans").fetchone()[0], tmp_path, rules_for_run(), "en")
    finally:
        conn.close()
    doc = Document(path)
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert path.name == "self-inspection-report.docx"
    assert "Overall verdict" in text and "Page to fix" in text and "Inspected by" in text


def test_crawled_text_is_escaped_in_the_print_template(audit, tmp_path):
    from checks.engine import rules_for_run
    from reports import docx_report, filed, pdf

    db = tmp_path / "hostile.db"
    shutil.copy(audit["db"], db)
    with sqlite3.connect(db) as conn:
        conn.execute("update findings set message_zh = ? where rank = 0", (HOSTILE + "\x0b\x01",))  # and no XML 1.0 character
        conn.execute("update pages set meta_tags = json_set(meta_tags, '$.SiteName', ?) where kind = 'home'", (HOSTILE,))
    conn = sqlite3.connect(db)
    try:
        copy = filed.build(conn, conn.execute("select max(id) from scans").fetchone()[0], rules_for_run())
    finally:
        conn.close()
    html = pdf.render_html(copy)
    header, _footer = pdf.header_footer(copy)
    for page in (html, header):
        assert HOSTILE not in page and "<script" not in page and "&lt;script&gt;" in page
    docx_report.document(copy).save(str(tmp_path / "hostile.docx"))
    cells = [c.text for t in Document(tmp_path / "hostile.docx").tables for r in t.rows for c in r.cells]
    assert any(HOSTILE in c for c in cells)  # plain text in Word, whole


def test_pdf_without_chromium_is_one_line(audit, demo_site, tmp_path):
    missing = {"ZWGK_CHROMIUM": str(tmp_path / "no-chromium")}
    proc = run_zwgk("report", "--db", audit["db"], "--out", tmp_path / "out", "--format", "pdf", env=missing, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "无法生成 PDF" in lines[0] and "Chromium" in lines[0] and "cannot write the PDF" in lines[0]
    assert "Traceback" not in proc.stderr and "Error:" not in proc.stderr
    assert not (tmp_path / "out" / "自查报告.pdf").exists()
    # an audit that would end in a PDF stops before it crawls
    audit_proc = run_zwgk("audit", demo_site["v4"] + "/", "--db", tmp_path / "a.db", "--out", tmp_path / "out",
                          "--format", "html,pdf", "--quiet", "--no-ipv6", env=missing, check=False)
    assert audit_proc.returncode == 2 and len(audit_proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "a.db").exists()


def test_format_all(monkeypatch, tmp_path):
    from zwgk import pipeline

    everything = pipeline.check_formats("all")
    assert "docx" in everything and "pdf" not in everything and "html" in everything
    assert pipeline.check_formats("json,all") == ["json"] + [f for f in everything if f != "json"]
    monkeypatch.setenv("ZWGK_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(pipeline.AuditInputError, match="Chromium"):
        pipeline.check_formats("all,pdf")
