"""Pagers that lie, and several Hanweb columns on one proxy URL, on a real local server.

The site is written here by hand from cms-patterns.md (not by the demo portal): a TRS column
claiming 999 999 pages over 3, a query pager claiming 共50页 over 3 that answers page 1 for any
larger number, and three Hanweb jpage columns whose first POSTs share one URL and differ only
in the form body, one of them with a ``totalRecord`` larger than its records.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest

from conftest import FAST, query, run_zwgk
from http_site import page, serve

SITE_META = '<meta name="SiteName" content="测试市人民政府"><meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3500000001">'


def doc(path: str) -> bytes:
    return page("文件", f"<h1>关于{path}的通知</h1><p>发布日期：2026-11-02</p>",
                SITE_META + '<meta name="ArticleTitle" content="关于测试的通知"><meta name="PubDate" content="2026-11-02 09:00">')


def items(paths: list[str]) -> str:
    return "<ul class='list'>" + "".join(f"<li><a href='{p}'>关于{p}的通知</a><span>2026-11-02</span></li>" for p in paths) + "</ul>"


TRS_PAGES = {k: [f"/zwgk/gzdt/202611/t20261102_{k}{i}.html" for i in range(5)] for k in range(3)}
QUERY_PAGES = {k: [f"/zwgk/tzgg/202611/t20261102_9{k}{i}.html" for i in range(4)] for k in range(1, 4)}
# Hanweb: column id → (unit id, records that exist, totalRecord the page script claims)
HANWEB = {"101": ("7001", 7, 7), "102": ("7002", 20, 20), "103": ("7003", 12, 100)}
PER_PAGE = 5


def hanweb_record(col: str, n: int) -> str:
    return f"<record><![CDATA[\n  <li><a href='/art/2026/11/2/art_{col}_{n}.html' title='第{n}号'>第{n}号...</a><b>2026-11-02</b></li>]]></record>"


def hanweb_column(col: str) -> bytes:
    unit, exists, claim = HANWEB[col]
    inline = "".join(hanweb_record(col, n) for n in range(1, min(exists, 3) + 1))
    script = (f"<script>var jpageConfig = {{proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: {PER_PAGE}, groupSize: 3, "
              f"totalRecord: {claim}}};</script>")
    form = (f"<form id='jpageform_{col}' action='/module/web/jpage/dataproxy.jsp'><input name='col' value='1'>"
            f"<input name='appid' value='1'><input name='webid' value='1'><input name='path' value='/'>"
            f"<input name='columnid' value='{col}'><input name='unitid' value='{unit}'><input name='permissiontype' value='0'></form>")
    datastore = f"<script type='text/xml'><datastore><recordset>{inline}</recordset></datastore></script>"
    return page(f"栏目{col}", f"<div id='{unit}'>{datastore}</div>{script}{form}",
                SITE_META + f'<meta name="ColumnName" content="栏目{col}"><meta name="ColumnType" content="工作动态">')


def answer(method, path, query_string, body):
    q = parse_qs(query_string)
    if path == "/":
        links = ["/zwgk/gzdt/index.html", "/zwgk/tzgg/list.jsp"] + [f"/col/col{c}/index.html" for c in HANWEB]
        return 200, {}, page("首页", "".join(f"<a href='{u}'>栏目</a>" for u in links), SITE_META), 0
    m = re.fullmatch(r"/zwgk/gzdt/index(?:_(\d+))?\.html", path)
    if m:
        k = int(m[1] or 0)
        if k not in TRS_PAGES:
            return 404, {}, page("404", "页面不存在"), 0
        return 200, {}, page("工作动态", items(TRS_PAGES[k]) + "<script>createPageHTML(999999, %d, \"index\", \"html\");</script>" % k,
                             SITE_META + '<meta name="ColumnName" content="工作动态">'), 0
    if path == "/zwgk/tzgg/list.jsp":
        n = int(q.get("page", ["1"])[0])
        shown = QUERY_PAGES.get(n, QUERY_PAGES[1])  # past the end: page 1 again
        pager = "".join(f"<a href='list.jsp?page={k}'>{k}</a>" for k in range(1, 4)) + "<a href='list.jsp?page=2'>下一页</a>"
        return 200, {}, page("通知公告", items(shown) + f"<div>共50页 {pager}</div>", SITE_META + '<meta name="ColumnName" content="通知公告">'), 0
    m = re.fullmatch(r"/col/col(\d+)/index\.html", path)
    if m and m[1] in HANWEB:
        return 200, {}, hanweb_column(m[1]), 0
    if path == "/module/web/jpage/dataproxy.jsp" and method == "POST":
        form = parse_qs(body.decode())
        col = form["columnid"][0]
        unit, exists, claim = HANWEB[col]
        assert form["unitid"][0] == unit
        first, last = int(q["startrecord"][0]), int(q["endrecord"][0])
        records = "".join(hanweb_record(col, n) for n in range(first, min(last, exists) + 1))
        xml = f"<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>{claim}</totalrecord><recordset>{records}</recordset></datastore>"
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode(), 0
    if re.fullmatch(r"/(zwgk/\w+/202611/t\d+_\d+|art/2026/11/2/art_\d+_\d+)\.html", path):
        return 200, {}, doc(path), 0
    return 404, {}, page("404", "页面不存在"), 0


@pytest.fixture(scope="module")
def lying_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pagers")
    with serve(answer) as server:
        run_zwgk("audit", server.base + "/", "--db", tmp / "scan.db", "--out", tmp / "out", "--format", "json",
                 "--no-ipv6", "--no-cloak-check", "--as-of", "2026-11-10", "--quiet", "--fail-on", "never", *FAST)
        yield {"db": tmp / "scan.db", "requests": list(server.requests), "base": server.base,
               "findings": json.loads((tmp / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]}


def test_every_document_of_every_column_is_reached(lying_site):
    urls = {u for (u,) in query(lying_site["db"], "select url from documents")}
    expected = {p for k in TRS_PAGES.values() for p in k} | {p for k in QUERY_PAGES.values() for p in k}
    expected |= {f"/art/2026/11/2/art_{c}_{n}.html" for c, (_u, exists, _c) in HANWEB.items() for n in range(1, exists + 1)}
    assert urls == {lying_site["base"] + p for p in expected}


def test_at_most_two_wasted_requests_per_lying_pager(lying_site):
    requests = lying_site["requests"]
    trs_missing = [p for m, p, _ in requests if re.fullmatch(r"/zwgk/gzdt/index_(\d+)\.html", p) and int(p.split("_")[1].split(".")[0]) >= 3]
    assert 1 <= len(trs_missing) <= 2, trs_missing
    query_repeats = [p for m, p, _ in requests if p.startswith("/zwgk/tzgg/list.jsp?page=") and int(p.rsplit("=", 1)[1]) > 3]
    assert 1 <= len(query_repeats) <= 2, query_repeats
    posts = [(p, parse_qs(b.decode())["columnid"][0]) for m, p, b in requests if m == "POST"]
    empty_103 = [p for p, col in posts if col == "103" and int(parse_qs(p.split("?", 1)[1])["startrecord"][0]) > 12]
    assert 1 <= len(empty_103) <= 2, empty_103


def test_three_hanweb_columns_on_one_proxy_url_each_get_their_rows(lying_site):
    first_posts = [b for m, p, b in lying_site["requests"] if m == "POST" and "startrecord=1&" in p]
    assert sorted(parse_qs(b.decode())["columnid"][0] for b in first_posts) == ["101", "102", "103"]
    rows = query(lying_site["db"], "select count(*) from pages where url like '%dataproxy.jsp?startrecord=1&%'")
    assert rows == [(3,)]


def test_pagers_keep_claim_and_real_count(lying_site):
    rows = {r[0].replace(lying_site["base"], ""): r[1:] for r in query(
        lying_site["db"], "select column_url, pager, claimed_pages, claimed_records, listed_items, overclaimed from pagers")}
    assert rows["/zwgk/gzdt/"] == ("trs", 999999, None, 15, 1)
    assert rows["/zwgk/tzgg/list.jsp"] == ("query", 50, None, 12, 1)
    assert rows["/col/col103/"][0] == "hanweb" and rows["/col/col103/"][2:] == (100, 12, 1)
    assert rows["/col/col102/"][2:] == (20, 20, 0)


def test_findings_say_overclaim_and_nothing_false(lying_site):
    by_rule: dict[str, set[str]] = {}
    for f in lying_site["findings"]:
        by_rule.setdefault(f["rule"], set()).add(f["url"].replace(lying_site["base"], ""))
    assert by_rule.get("crawl.pager_overclaim") == {"/zwgk/gzdt/", "/zwgk/tzgg/list.jsp", "/col/col103/"}
    for rule in ("crawl.incomplete_column", "freshness.blank_column", "freshness.stale_column"):
        assert rule not in by_rule, (rule, by_rule.get(rule))
    # the missing pages past the real end are not links anyone follows: not broken links
    assert not any("index_" in u for u in by_rule.get("links.broken", ()))


def test_a_real_column_longer_than_any_cap_is_crawled_whole(tmp_path):
    pages = 5200  # the old fixed cap was 5 000 pages

    def long_column(method, path, query_string, body):
        if path == "/":
            return 200, {}, page("首页", "<a href='/zwgk/gzdt/index.html'>工作动态</a>"), 0
        m = re.fullmatch(r"/zwgk/gzdt/index(?:_(\d+))?\.html", path)
        if m and int(m[1] or 0) < pages:
            k = int(m[1] or 0)
            return 200, {}, page("工作动态", items([f"/zwgk/gzdt/202611/t20261102_{k}.html"]) +
                                 f"<script>createPageHTML({pages}, {k}, \"index\", \"html\");</script>"), 0
        return 404, {}, page("404", "页面不存在"), 0

    with serve(long_column) as server:
        run_zwgk("crawl", server.base + "/", "--db", tmp_path / "long.db", "--quiet", "--max-depth", "1", "--no-link-check", *FAST)
    assert query(tmp_path / "long.db", "select count(*) from column_items") == [(pages,)]
    assert query(tmp_path / "long.db", "select overclaimed, listed_items from pagers") == [(0, pages)]
