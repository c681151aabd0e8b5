"""One canonical form per URL, one identity per column, error pages that are not documents.

Unit cases for crawler.urls, then one crawl of a hand-written site on 127.0.0.1 whose GBK list
page links a Chinese-named attachment that is gone, a search URL of its own list, and whose
column is linked both as ``dir/`` and ``dir/index.html``; among its links a 404, a 410, a soft
404 and a deleted article redirected to the home page.
"""

from __future__ import annotations

import json

import pytest

from conftest import FAST, query, run_zwgk
from crawler.extract.links import extract_links
from crawler.urls import MalformedURL, canonical, page_identity
from http_site import page, serve
from lxml import html


@pytest.mark.parametrize("raw, encoding, expected", [
    ("HTTP://Www.Example.GOV.cn:80/a/b.html#top", "utf-8", "http://www.example.gov.cn/a/b.html"),
    ("https://example.gov.cn:443", "utf-8", "https://example.gov.cn/"),
    ("http://example.gov.cn:8080/x?a=1&b=2", "utf-8", "http://example.gov.cn:8080/x?a=1&b=2"),
    ("http://example.gov.cn/uploadfile/依申请公开流程图.docx", "utf-8",
     "http://example.gov.cn/uploadfile/%E4%BE%9D%E7%94%B3%E8%AF%B7%E5%85%AC%E5%BC%80%E6%B5%81%E7%A8%8B%E5%9B%BE.docx"),
    ("http://example.gov.cn/list.jsp?kw=通知", "gb18030", "http://example.gov.cn/list.jsp?kw=%CD%A8%D6%AA"),
    ("http://example.gov.cn/list.jsp?kw=通知", "utf-8", "http://example.gov.cn/list.jsp?kw=%E9%80%9A%E7%9F%A5"),
    ("http://example.gov.cn/a%20b/%E4%B8%8A.html", "utf-8", "http://example.gov.cn/a%20b/%E4%B8%8A.html"),
    ("http://[::1]:8000/x", "utf-8", "http://[::1]:8000/x"),
    # a browser reads any slashes (or backslashes) after http: as the start of the host (WHATWG)
    ("http:///example.gov.cn/x", "utf-8", "http://example.gov.cn/x"),
    ("HTTPS:\\\\example.gov.cn", "utf-8", "https://example.gov.cn/"),
])
def test_canonical(raw, encoding, expected):
    assert canonical(raw, encoding) == expected
    assert canonical(expected, encoding) == expected  # idempotent


@pytest.mark.parametrize("raw", ["http://127.0.0.1:99999/x", "http://[::1/y", "http:///", "http://", "ftp://example.gov.cn/"])
def test_malformed(raw):
    with pytest.raises(MalformedURL):
        canonical(raw)


def test_page_identity():
    assert page_identity("http://x.test/zwgk/tzgg/index.html") == "http://x.test/zwgk/tzgg/"
    assert page_identity("http://x.test/zwgk/tzgg/default.htm") == "http://x.test/zwgk/tzgg/"
    assert page_identity("http://x.test/zwgk/tzgg/index.shtml") == "http://x.test/zwgk/tzgg/"
    assert page_identity("http://x.test/zwgk/tzgg/list.html") == "http://x.test/zwgk/tzgg/list.html"
    assert page_identity("http://x.test/index.jsp?id=3") == "http://x.test/index.jsp?id=3"


def test_links_of_a_gbk_page_meet_their_fetched_form():
    body = ('<a href="list.jsp?kw=通知&amp;page=2#x">a</a><a href="/上传/文件.pdf">b</a>'
            '<a href="http://127.0.0.1:99999/x">bad</a><a href="mailto:a@b.c">m</a>')
    links = extract_links(html.document_fromstring(body), "http://x.test/zwgk/", "gb18030")
    assert [(link.url, link.malformed) for link in links] == [
        ("http://x.test/zwgk/list.jsp?kw=%CD%A8%D6%AA&page=2", False),
        ("http://x.test/%E4%B8%8A%E4%BC%A0/%E6%96%87%E4%BB%B6.pdf", False),
        ("http://127.0.0.1:99999/x", True),
    ]
    assert links[0].href == "list.jsp?kw=通知&page=2#x"


META = '<meta name="SiteName" content="测试"><meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3500000001">'
DOCS = [f"/zwgk/tzgg/202611/t20261102_{i}.html" for i in range(3)]


def gbk_list() -> bytes:
    rows = "".join(f"<li><a href='{d}'>关于第{i}号的通知</a><span>2026-11-02</span></li>" for i, d in enumerate(DOCS))
    body = (f"<ul>{rows}</ul><p><a href='list.jsp?kw=通知'>搜索通知</a> "
            "<a href='/uploadfile/2026/依申请公开流程图.docx'>依申请公开流程图</a></p>")
    return page("通知公告", body, META + '<meta name="ColumnName" content="通知公告"><meta name="ColumnType" content="通知公告">', "gbk")


def answer(method, path, query_string, body):
    if path == "/":
        links = "".join(f"<a href='{u}'>x</a>" for u in (
            "/zwgk/tzgg/", "/zwgk/tzgg/index.html", "/zwgk/gone.html", "/zwgk/removed.html", "/zwgk/soft.html",
            "/zwgk/tzgg/202610/t20261001_1.html"))
        return 200, {}, page("首页", links, META), 0
    if path in ("/zwgk/tzgg/", "/zwgk/tzgg/index.html", "/zwgk/tzgg/list.jsp"):
        return 200, {"Content-Type": "text/html; charset=gbk"}, gbk_list(), 0
    if path in DOCS:
        return 200, {}, page("通知", "<h1>通知</h1><p>正文</p>", META + '<meta name="ArticleTitle" content="通知">'), 0
    if path == "/zwgk/removed.html":
        return 410, {}, page("410", "已删除"), 0
    if path == "/zwgk/soft.html":
        return 200, {}, page("提示", "<div class='nav'><a href='/'>首页</a></div><p>对不起，您访问的页面不存在或已被删除！</p>", META), 0
    if path == "/zwgk/tzgg/202610/t20261001_1.html":
        return 302, {"Location": "/"}, b"", 0
    return 404, {}, page("404 Not Found", "<h1>404</h1>"), 0


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("identity")
    with serve(answer) as server:
        run_zwgk("audit", server.base + "/", "--db", tmp / "s.db", "--out", tmp / "out", "--format", "json", "--no-ipv6",
                 "--as-of", "2026-11-10", "--quiet", "--fail-on", "never", *FAST)
        findings = json.loads((tmp / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
        yield {"db": tmp / "s.db", "base": server.base, "findings": findings, "requests": list(server.requests)}


def test_one_column_under_three_urls(scan):
    base = scan["base"]
    assert query(scan["db"], "select url from columns where kind = 'column'") == [(base + "/zwgk/tzgg/",)]
    assert query(scan["db"], "select url, column_url from column_aliases") == [
        (base + "/zwgk/tzgg/list.jsp?kw=%CD%A8%D6%AA", base + "/zwgk/tzgg/")]
    # the GBK query was sent as a browser sends it
    assert any(p == "/zwgk/tzgg/list.jsp?kw=%CD%A8%D6%AA" for _m, p, _b in scan["requests"])
    # dir/index.html is the same page as dir/: checked with one HEAD, not crawled again
    assert [m for m, p, _b in scan["requests"] if p == "/zwgk/tzgg/index.html"] == ["HEAD"]


def test_error_pages_are_broken_links_not_documents(scan):
    base = scan["base"]
    docs = {u for (u,) in query(scan["db"], "select url from documents")}
    assert docs == {base + d for d in DOCS}
    broken = {f["url"].replace(base, ""): (f["evidence"]["status"], f["evidence"]["error"], f["evidence"]["detail"])
              for f in scan["findings"] if f["rule"] == "links.broken"}
    assert broken == {
        "/zwgk/gone.html": (404, None, None),
        "/zwgk/removed.html": (410, None, None),
        "/zwgk/soft.html": (200, "soft_404", "text"),
        "/zwgk/tzgg/202610/t20261001_1.html": (200, "soft_404", "redirect_home"),
        "/uploadfile/2026/%E4%BE%9D%E7%94%B3%E8%AF%B7%E5%85%AC%E5%BC%80%E6%B5%81%E7%A8%8B%E5%9B%BE.docx": (404, None, None),
    }
    rules = {f["rule"] for f in scan["findings"]}
    assert "metadata.missing_field" not in {f["rule"] for f in scan["findings"] if "gone" in f["url"] or "removed" in f["url"]}
    assert "freshness.blank_column" not in rules
