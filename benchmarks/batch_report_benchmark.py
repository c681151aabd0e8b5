"""Size, speed and memory of the batch outputs (reports/batch.py).

    python3 benchmarks/batch_report_benchmark.py [--sites 14000] [--findings 100000] [--browser] [--trace]

1. ``--sites`` synthetic sites (a few findings each, every tenth unreachable, some with a
   single-veto item): time to write index.html and 问题清单.xlsx, and their sizes; with ``--trace``
   the peak Python memory of that step (tracemalloc, the inputs already built).
2. One site with ``--findings`` findings and one with a tenth of that: the peak Python memory
   (tracemalloc) while the XLSX is written, the findings list itself already built. The write-only
   workbook streams rows, so the two peaks should be close.
3. With ``--browser`` (Debian's chromium): time until the index of step 1 is loaded and its script
   has run, and one sort and one filter on the full table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from reports.batch import families_of, ranking, write_batch_outputs, write_xlsx  # noqa: E402

RULES = ["links.broken", "metadata.missing_field", "freshness.publication_delay", "content.personal_data", "identity.missing_meta"]


def finding(i: int, rule: str) -> dict:
    return {"rule": rule, "severity": "error" if i % 3 == 0 else "warning", "url": f"http://www.example.gov.cn/zwgk/{i}.html",
            "message": f"第{i}号文件缺少成文日期", "message_en": f"document {i} lacks its written date",
            "evidence": {"field": "written_date", "linked_from": [f"http://www.example.gov.cn/list_{i % 50}.html"]},
            "fingerprint": f"{i:016x}", "column_url": None}


def site(i: int, n_findings: int) -> dict:
    if i % 10 == 9:
        return {"name": f"示范县{i}人民政府", "code": f"{i:010d}", "url": f"http://site{i}.example.gov.cn/",
                "organiser": f"示范县{i}人民政府办公室", "status": "unreachable", "error": "connection refused", "report": None,
                "scan_id": None, "previous": None}
    findings = [finding(j, RULES[(i + j) % len(RULES)]) for j in range(n_findings)]
    vetoes = [dict(finding(0, "content.hidden_link"))] if i % 17 == 0 else []
    by_family: dict[str, int] = {}
    for f in findings + vetoes:
        by_family[f["rule"].split(".")[0]] = by_family.get(f["rule"].split(".")[0], 0) + 1
    score = max(0.0, 100 - 2.5 * (i % 30))
    return {"name": f"示范县{i}人民政府", "code": f"{i:010d}", "url": f"http://site{i}.example.gov.cn/",
            "organiser": f"示范县{i}人民政府办公室", "status": "audited", "error": None, "report": f"sites/{i}/index.html",
            "scan_id": i, "previous": {"score": score + 5, "findings": n_findings + 1, "batch": "2026-10"} if i % 2 else None,
            "score": score, "passed": not vetoes and score >= 60, "vetoes": vetoes, "by_family": by_family,
            "by_severity": {"error": sum(f["severity"] == "error" for f in findings + vetoes),
                            "warning": sum(f["severity"] == "warning" for f in findings), "info": 0},
            "findings": findings + vetoes, "rule_texts": {}}


def xlsx_peak(n_findings: int, out: Path) -> tuple[float, float]:
    one = ranking([site(0, n_findings)])
    tracemalloc.start()
    start = time.perf_counter()
    write_xlsx(out / f"one-{n_findings}.xlsx", one, families_of(one))
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20, seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=14000)
    ap.add_argument("--findings", type=int, default=100000)
    ap.add_argument("--browser", action="store_true")
    ap.add_argument("--trace", action="store_true", help="peak Python memory of step 1 (tracemalloc slows it several times)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        sites = [site(i, 5) for i in range(args.sites)]
        if args.trace:
            tracemalloc.start()
        start = time.perf_counter()
        paths = write_batch_outputs(out / "batch", sites)
        seconds = time.perf_counter() - start
        memory = f", peak Python memory {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB (timed under tracemalloc)" if args.trace else ""
        tracemalloc.stop()
        print(f"{args.sites} sites: outputs written in {seconds:.1f} s{memory}; "
              f"index.html {paths['index'].stat().st_size / 2**20:.1f} MiB, 问题清单.xlsx {paths['xlsx'].stat().st_size / 2**20:.1f} MiB")
        for n in (args.findings // 10, args.findings):
            peak, seconds = xlsx_peak(n, out)
            print(f"one site, {n} findings: XLSX written in {seconds:.1f} s, peak Python memory {peak:.1f} MiB")
        if args.browser:
            from browser import browser_page

            with browser_page() as page:
                start = time.perf_counter()
                page.goto(paths["index"].as_uri())
                page.wait_for_selector("#filters:not([hidden])")
                print(f"index in Chromium: loaded and script run in {time.perf_counter() - start:.2f} s")
                start = time.perf_counter()
                page.click("#ranking-table th:nth-child(7)")
                page.evaluate("document.querySelector('#ranking-table tbody tr').textContent")
                print(f"sort by score: {time.perf_counter() - start:.2f} s")
                start = time.perf_counter()
                page.fill("#f-text", "示范县1234")
                print(f"filter by text: {time.perf_counter() - start:.2f} s; {page.text_content('#f-count')}")


if __name__ == "__main__":
    main()
