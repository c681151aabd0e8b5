"""The HTML report with 100 000 findings in real Chromium: only a page of rows is in the DOM, the
filters count over the whole set, paging reaches the last finding, hostile text stays text, and
without JavaScript the first rows and a note are there. Timings are printed, never asserted
(benchmarks/report_benchmark.py prints the same figures for 10 000 and 100 000 findings)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from browser import browser_page
from conftest import run_zwgk

RULES = ["links.broken", "metadata.missing_field", "identity.missing_meta", "freshness.publication_delay", "content.wording"]
SEVERITIES = ["error", "warning", "info"]
COLUMNS = [("http://127.0.0.1:8000/zwgk/tzgg/", "通知公告"), ("http://127.0.0.1:8000/zwgk/zcwj/", "政策文件"),
           ("http://127.0.0.1:8000/zwgk/gzdt/", "工作动态")]
HOSTILE = "</script><script>alert(1)</script><b>bold</b>"
STATIC_ROWS = 200  # reports.html.STATIC_ROWS, restated: the test states what a reader without JavaScript gets
PAGE_SIZE = 100  # the pager's default


def finding_row(i: int) -> dict:
    """The i-th finding (rank i): rule, severity, column and a search marker cycle with different
    periods, so every filter combination has its own count; rank 0 carries hostile markup."""
    column = COLUMNS[i % len(COLUMNS)][0]
    url = f"{column}t{i}.html"
    return {"rule": RULES[i % len(RULES)], "severity": SEVERITIES[(i // len(RULES)) % len(SEVERITIES)], "url": url,
            "message_zh": (HOSTILE + " " if i == 0 else "") + f"第 {i} 号问题 marker{i % 7}x",
            "message_en": f"problem {i} marker{i % 7}x", "evidence": json.dumps({"n": i, "target": url}),
            "fingerprint": f"fp{i:06d}", "column_url": column, "rank": i}


def document_row(i: int) -> tuple[str, str, str]:
    """url, publication date and index number of the i-th document."""
    return f"http://127.0.0.1:8000/zwgk/doc{i}.html", f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", f"IDX-{i:06d}"


def build_scan_db(path: Path, findings: int, documents: int) -> int:
    """A finished scan with ``findings`` findings and ``documents`` ledger rows, written directly."""
    from checks.engine import ensure_findings_table
    from storage.sqlite import create_scan, finish_scan, open_db

    db = open_db(str(path))
    scan_id = create_scan(db, "127.0.0.1:8000", ["http://127.0.0.1:8000/"], {}, "test")
    finish_scan(db, scan_id, "finished")
    conn = db.conn
    with conn:
        conn.execute("update scans set as_of = '2026-11-20' where id = ?", (scan_id,))
        ensure_findings_table(conn)
        conn.executemany("insert into columns (scan_id, url, name, type, kind) values (?, ?, ?, ?, 'list')",
                         [(scan_id, url, name, name) for url, name in COLUMNS])
        conn.executemany(
            "insert into findings (scan_id, rule, severity, url, message_zh, message_en, evidence, fingerprint, column_url, rank) "
            "values (:scan_id, :rule, :severity, :url, :message_zh, :message_en, :evidence, :fingerprint, :column_url, :rank)",
            ({"scan_id": scan_id, **finding_row(i)} for i in range(findings)))
        conn.executemany(
            "insert into documents (scan_id, url, kind, title, index_no, publish_date) values (?, ?, 'document', ?, ?, ?)",
            ((scan_id, url, f"文件 {i}", index_no, date) for i in range(documents) for url, date, index_no in [document_row(i)]))
    conn.close()
    return scan_id


def write_report(tmp: Path, findings: int, documents: int, lang: str = "zh") -> Path:
    db = tmp / "scale.db"
    build_scan_db(db, findings, documents)
    out = tmp / f"out-{lang}"
    run_zwgk("report", "--db", db, "--out", out, "--format", "html", "--lang", lang)
    return out / "index.html"


def set_filter(page, element: str, value: str) -> float:
    """Set one filter as a user would and return the milliseconds until the page has laid out the result."""
    return page.evaluate("""([id, value]) => {
        const el = document.getElementById(id), t0 = performance.now();
        el.value = value;
        el.dispatchEvent(new Event(id === "f-text" ? "input" : "change"));
        void document.body.offsetHeight;  // layout of the new rows included
        return performance.now() - t0;
    }""", [element, value])


def open_report(page, index: Path) -> dict:
    """Open the report; the time to its first rows (the script's mark, from navigation start) and the
    wall time Playwright saw for the load."""
    start = time.perf_counter()
    page.goto(index.as_uri(), timeout=120_000)
    page.wait_for_selector("#findings-table tr.finding", timeout=120_000)
    wall = (time.perf_counter() - start) * 1000
    ready = page.evaluate("performance.getEntriesByName('zwgk-report-ready')[0].startTime")
    return {"load_ms": wall, "ready_ms": ready}


def matching_count(page) -> int:
    numbers = re.findall(r"\d+", page.locator("#f-count").inner_text())
    return int(numbers[0])


N = 100_000
DOCS = 1_000


@pytest.fixture(scope="module")
def big_report(tmp_path_factory):
    start = time.perf_counter()
    index = write_report(tmp_path_factory.mktemp("scale"), N, DOCS)
    print(f"\n[report scale] {N} findings: report written in {time.perf_counter() - start:.1f} s, "
          f"{index.stat().st_size / 1e6:.1f} MB")
    return index


def test_100000_findings_page_filter_and_escape(big_report):
    rows = [finding_row(i) for i in range(N)]
    html = big_report.read_text(encoding="utf-8")
    assert HOSTILE not in html and "<b>bold</b>" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html  # the server-side first page
    errors, dialogs = [], []
    with browser_page() as page:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        timing = open_report(page, big_report)
        body_rows = page.locator("#findings-table tbody tr")
        assert body_rows.count() == PAGE_SIZE
        assert page.locator("tr").count() < 1_000  # findings, ledger and summary pages together, not 100 000
        assert matching_count(page) == N and str(N) in page.locator("#f-count").inner_text()

        # hostile markup in a message is shown as text and never runs
        first = body_rows.first
        assert HOSTILE in first.inner_text()
        assert page.locator("#findings-table b", has_text="bold").count() == 0
        assert dialogs == []

        cases = [("f-rule", "links.broken", lambda r: r["rule"] == "links.broken"),
                 ("f-severity", "warning", lambda r: r["rule"] == "links.broken" and r["severity"] == "warning"),
                 ("f-text", "marker3x", lambda r: r["rule"] == "links.broken" and r["severity"] == "warning"
                  and "marker3x" in r["message_zh"]),
                 ("f-rule", "", lambda r: r["severity"] == "warning" and "marker3x" in r["message_zh"]),
                 ("f-severity", "", lambda r: "marker3x" in r["message_zh"]),
                 ("f-column", COLUMNS[1][0], lambda r: "marker3x" in r["message_zh"] and r["column_url"] == COLUMNS[1][0]),
                 ("f-text", "", lambda r: r["column_url"] == COLUMNS[1][0]),
                 ("f-column", "", lambda r: True)]
        filter_ms = []
        for element, value, keep in cases:
            filter_ms.append(set_filter(page, element, value))
            expected = [r for r in rows if keep(r)]
            assert matching_count(page) == len(expected), (element, value)
            shown = page.locator("#findings-table tbody tr.finding")
            assert shown.count() == min(PAGE_SIZE, len(expected))
            assert shown.first.get_attribute("data-rule") == expected[0]["rule"]
            assert shown.first.locator("td").first.inner_text() == str(expected[0]["rank"] + 1)
        text_ms = filter_ms[2]

        # paging: the last page holds the last finding, of the whole set and of a filtered one
        page.click("#findings-pager [data-go=last]")
        assert body_rows.last.locator("td").first.inner_text() == str(N)
        assert rows[-1]["fingerprint"] in body_rows.last.text_content()  # inside the closed details
        assert f"{N // PAGE_SIZE} / {N // PAGE_SIZE}" in page.locator("#findings-pager .pager-status").inner_text()
        set_filter(page, "f-rule", "content.wording")
        last_wording = [r for r in rows if r["rule"] == "content.wording"][-1]
        page.click("#findings-pager [data-go=last]")
        assert body_rows.last.locator("td").first.inner_text() == str(last_wording["rank"] + 1)
        page.fill("#findings-pager .pager-page", "3")
        page.dispatch_event("#findings-pager .pager-page", "change")
        third = [r for r in rows if r["rule"] == "content.wording"][2 * PAGE_SIZE]
        assert body_rows.first.locator("td").first.inner_text() == str(third["rank"] + 1)
        page.select_option("#findings-pager .pager-size", "500")
        assert body_rows.count() == 500
        set_filter(page, "f-rule", "")

        # sorting covers the whole set: descending by # puts the last finding first
        start = time.perf_counter()
        page.locator("#findings-table th.sortable").nth(0).click()
        page.locator("#findings-table th.sortable").nth(0).click()
        sort_ms = (time.perf_counter() - start) * 1000
        assert body_rows.first.locator("td").first.inner_text() == str(N)

        # the ledger pages too
        ledger = page.locator("#ledger-table tbody tr")
        assert ledger.count() == PAGE_SIZE
        page.click("#ledger-pager [data-go=last]")
        assert ledger.count() == (DOCS % PAGE_SIZE or PAGE_SIZE)
        # the ledger's order: newest publication first, then by url
        ledger_order = sorted(sorted(document_row(i) for i in range(DOCS)), key=lambda d: d[1], reverse=True)
        assert ledger.last.locator("td").first.inner_text() == ledger_order[-1][2]
        assert errors == [] and dialogs == []
    print(f"[report scale] {N} findings in Chromium: first rows {timing['ready_ms']:.0f} ms after navigation start "
          f"(goto until rows: {timing['load_ms']:.0f} ms); filter by rule {filter_ms[0]:.0f} ms, "
          f"by severity {filter_ms[1]:.0f} ms, first text search {text_ms:.0f} ms, clear text {filter_ms[6]:.0f} ms; "
          f"two sorts by # {sort_ms:.0f} ms")


def test_100000_findings_without_javascript(big_report):
    with browser_page() as page:
        page = page.context.browser.new_page(java_script_enabled=False)
        page.goto(big_report.as_uri(), timeout=120_000)
        assert page.locator("#findings-table tbody tr.finding").count() == STATIC_ROWS
        assert page.locator("#ledger-table tbody tr").count() == STATIC_ROWS
        note = page.locator("#findings .static-only")
        assert note.is_visible() and "JavaScript" in note.inner_text() and str(N) in note.inner_text()
        assert page.locator("#findings-pager").is_hidden()
        assert page.locator("#verdict").is_visible()  # the summary is plain HTML
        assert HOSTILE in page.locator("#findings-table tbody tr").first.inner_text()


def test_english_pager_wording(tmp_path):
    index = write_report(tmp_path, 250, 10, lang="en")
    with browser_page() as page:
        page.goto(index.as_uri())
        assert page.locator("#f-count").inner_text() == "250 of 250 rows match"
        assert page.locator("#findings-pager .pager-status").inner_text() == "rows 1–100, page 1 of 3"
        assert page.locator("#findings-pager [data-go=next]").inner_text() == "Next"
        assert page.locator("#ledger-pager").is_visible()
        # a print lists every matching row, then the page shows one page again: the rows counted while
        # Chromium prints (a listener added after the report's own) and after
        page.evaluate("""window.__printed = [];
            window.addEventListener("beforeprint", () => window.__printed.push(
                document.querySelectorAll("#findings-table tbody tr.finding").length,
                document.querySelectorAll("#ledger-table tbody tr").length));""")
        page.pdf(path=str(tmp_path / "report.pdf"))
        assert page.evaluate("window.__printed") == [250, 10]
        assert page.locator("#findings-table tbody tr.finding").count() == 100
        html = index.read_text(encoding="utf-8")
        assert "JavaScript is off: only the first 200 of 250 rows" in html
