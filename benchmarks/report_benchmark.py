"""Size and speed of the HTML report with many findings, in the system Chromium.

    python3 benchmarks/report_benchmark.py [--findings 10000 100000] [--documents 1000]

For each count, a scan database is written directly (the rows tests/test_report_scale.py uses:
five rules, three severities, three columns), the report is generated in this process and opened
in headless Chromium through Playwright. Printed per count: the time to write the report, the file
size, the time from navigation start to the first rows (the page's own performance mark), the
load as Playwright saw it, the time to apply a filter by rule, by severity, the first text search
(which builds the search text) and a second one, to sort by # twice, and the DOM's row count.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import browser_page  # noqa: E402
from test_report_scale import build_scan_db, open_report, set_filter  # noqa: E402


def measure(findings: int, documents: int, folder: Path) -> dict:
    from checks.engine import rules_for_run
    from reports import html

    db = folder / f"report-{findings}.db"
    scan_id = build_scan_db(db, findings, documents)
    out = folder / f"out-{findings}"
    out.mkdir()
    start = time.perf_counter()
    with sqlite3.connect(db) as conn:
        index = html.write(conn, scan_id, out, rules_for_run())
    figures = {"write_s": time.perf_counter() - start, "size_mb": index.stat().st_size / 1e6}
    with browser_page() as page:
        figures |= open_report(page, index)
        figures["dom_rows"] = page.locator("tr").count()
        figures["rule_ms"] = set_filter(page, "f-rule", "links.broken")
        figures["severity_ms"] = set_filter(page, "f-severity", "warning")
        set_filter(page, "f-rule", "")
        set_filter(page, "f-severity", "")
        figures["text_first_ms"] = set_filter(page, "f-text", "marker3x")
        figures["text_again_ms"] = set_filter(page, "f-text", "marker5x")
        set_filter(page, "f-text", "")
        figures["sort_ms"] = page.evaluate("""() => {
            const th = document.querySelector("#findings-table th.sortable"), t0 = performance.now();
            th.click(); th.click();
            void document.body.offsetHeight;
            return performance.now() - t0;
        }""")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--documents", type=int, default=1_000)
    args = parser.parse_args()
    print(f"{'findings':>9} {'write s':>8} {'MB':>6} {'first rows ms':>14} {'load ms':>8} {'DOM tr':>7} {'rule ms':>8} "
          f"{'sev ms':>7} {'text 1st ms':>12} {'text ms':>8} {'2 sorts ms':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.findings:
            f = measure(n, args.documents, Path(tmp))
            print(f"{n:>9} {f['write_s']:>8.1f} {f['size_mb']:>6.1f} {f['ready_ms']:>14.0f} {f['load_ms']:>8.0f} "
                  f"{f['dom_rows']:>7} {f['rule_ms']:>8.0f} {f['severity_ms']:>7.0f} {f['text_first_ms']:>12.0f} "
                  f"{f['text_again_ms']:>8.0f} {f['sort_ms']:>11.0f}", flush=True)


if __name__ == "__main__":
    main()
