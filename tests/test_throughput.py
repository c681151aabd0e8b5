"""Misbehaving hosts must not slow the whole scan: a portal of 2 000 pages with 3 pages that
answer after 15 s, 200 links to missing pages and a 429 with Retry-After is crawled within twice
the time of the same portal without them (a 15 s page cannot take less than 15 s, so the bound
is twice the larger of the clean crawl and that wait). The slow pages are broken links with the
reason ``slow``: a reader does not wait that long."""

from __future__ import annotations

import json
import re
import time

from conftest import FAST, run_zwgk
from http_site import page, serve

COLUMNS, DOCS_PER_COLUMN = 20, 100  # 2 000 documents
SLOW_SECONDS = 15
SLOW = {f"/c{c}/d{d}.html" for c, d in ((0, 5), (7, 50), (13, 99))}
MISSING_PER_COLUMN = 10  # 200 links to missing pages


def make_site(defects: bool):
    throttled = {"once": True}

    def answer(method, path, query_string, body):
        if path == "/":
            links = [f"<a href='/c{c}/'>栏目{c}</a>" for c in range(COLUMNS)]
            if defects:
                links += [f"<a href='{p}'>慢</a>" for p in sorted(SLOW)] + ["<a href='/busy.html'>忙</a>"]
            return 200, {}, page("首页", "".join(links)), 0
        if path == "/busy.html" and defects and throttled["once"]:
            throttled["once"] = False
            return 429, {"Retry-After": "2"}, page("429", "稍后再试"), 0
        if path == "/busy.html":
            return 200, {}, page("忙", "<p>ok</p>"), 0
        m = re.fullmatch(r"/c(\d+)/", path)
        if m:
            c = int(m[1])
            rows = "".join(f"<li><a href='/c{c}/d{d}.html'>文件{d}</a><span>2026-11-02</span></li>" for d in range(DOCS_PER_COLUMN))
            return 200, {}, page(f"栏目{c}", f"<ul>{rows}</ul>"), 0
        m = re.fullmatch(r"/c(\d+)/d(\d+)\.html", path)
        if m:
            c, d = int(m[1]), int(m[2])
            extra = f"<a href='/c{c}/gone{d}.html'>旧文件</a>" if defects and d < MISSING_PER_COLUMN else ""
            delay = SLOW_SECONDS if defects and path in SLOW else 0
            return 200, {}, page(f"文件{d}", f"<h1>文件{d}</h1><p>正文</p>{extra}"), delay
        return 404, {}, page("404", "页面不存在"), 0

    return answer


def audit(tmp_path, name: str, defects: bool):
    with serve(make_site(defects)) as server:
        started = time.monotonic()
        run_zwgk("audit", server.base + "/", "--db", tmp_path / f"{name}.db", "--out", tmp_path / name, "--format", "json",
                 "--no-ipv6", "--quiet", "--fail-on", "never", "--select", "links", *FAST)
        elapsed = time.monotonic() - started
        findings = json.loads((tmp_path / name / "findings.json").read_text(encoding="utf-8"))["findings"]
        return elapsed, [(f["url"].replace(server.base, ""), f["evidence"].get("error"), f["evidence"].get("status"))
                         for f in findings if f["rule"] == "links.broken"]


def test_slow_pages_and_404s_do_not_collapse_throughput(tmp_path):
    clean_time, clean_broken = audit(tmp_path, "clean", defects=False)
    defect_time, broken = audit(tmp_path, "defects", defects=True)
    assert clean_broken == []
    slow = sorted(url for url, error, _status in broken if error == "slow")
    missing = [url for url, _error, status in broken if status == 404]
    assert slow == sorted(SLOW)
    assert len(missing) == COLUMNS * MISSING_PER_COLUMN
    assert len(broken) == len(slow) + len(missing)  # the 429 answered after its Retry-After: not broken
    print(f"clean {clean_time:.1f}s, with defects {defect_time:.1f}s")
    assert defect_time <= 2 * max(clean_time, SLOW_SECONDS), (clean_time, defect_time)
