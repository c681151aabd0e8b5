"""Issue 19's residuals on small generated sites: a 下一页 chain outside the disclosure section
followed to its real end, table cells kept apart in the stored text (an ID number beside a mobile
number), and an empty Hanweb column whose proxy answers no records reported as 空白栏目."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from conftest import FAST, query, run_zwgk
from http_site import page, serve

META = '<meta name="SiteName" content="示范市人民政府"><meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3599000001">'
CHAIN_PAGES, PER_PAGE = 4, 15


def chain_site(method, path, qs, body):
    """新闻中心 › 要闻动态 outside the section: ``list.jsp?page=N`` pages that link only 上一页/下一页."""
    if path == "/":
        return 200, {}, page("首页", "<a href='/xwzx/ywdt/list.jsp'>要闻动态</a><a href='/zwgk/'>政府信息公开</a>", META), 0
    if path == "/xwzx/ywdt/list.jsp":
        n = min(int(parse_qs(qs).get("page", ["1"])[0]), CHAIN_PAGES)
        rows = "".join(f"<li><a href='/xwzx/ywdt/art{(n - 1) * PER_PAGE + k}.html'>要闻第{(n - 1) * PER_PAGE + k}篇</a>"
                       f"<span>2026-10-{k:02d}</span></li>" for k in range(1, PER_PAGE + 1))
        prev = f"<a href='list.jsp?page={n - 1}'>上一页</a>" if n > 1 else ""
        nxt = f"<a href='list.jsp?page={n + 1}'>下一页</a>" if n < CHAIN_PAGES else ""
        return 200, {}, page("要闻动态", f"<ul class='list'>{rows}</ul><div class='page'>{prev}{nxt}</div>", META), 0
    if path.startswith("/xwzx/ywdt/art"):
        return 200, {}, page("要闻", "<h1>要闻</h1><p>发布日期：2026-10-02</p>", META + '<meta name="ArticleTitle" content="要闻">'), 0
    return hanweb_site(method, path, qs, body)


HANWEB_PAGE = """<div id="3001" class="default_pgContainer"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup>
<recordset></recordset></datastore></script></div><script src="/module/web/jpage/jpage.js"></script>
<script type="text/javascript">$(document).ready(function(){ $('#3001').jpage({ dataStore: dataStore,
proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, groupSize: 3, barPosition: 'bottom',
ajaxParam: {col: 1, appid: 1, webid: 7, path: '/', columnid: 2001, sourceContentType: 1, unitid: 3001, webname: '示范市', permissiontype: 0} }); });</script>"""
PERSONAL = ("<table><tr><th>姓名</th><th>性别</th><th>身份证号</th><th>联系电话</th><th>岗位</th></tr>"
            "<tr><td>张三</td><td>男</td><td>532510198910185748</td><td>13555614818</td><td>综合管理</td></tr></table>")


def hanweb_site(method, path, qs, body):
    """政府信息公开 with an empty Hanweb column (its proxy answers 0 records) and a 公示 whose table
    puts an unmasked ID number and a mobile number in adjacent cells."""
    if path == "/zwgk/":
        links = "<a href='/col/col2001/index.html'>人事信息</a><a href='/zwgk/gsgg/'>公示公告</a>"
        return 200, {}, page("政府信息公开", links, META), 0
    if path == "/col/col2001/index.html":
        head = META + '<meta name="ColumnName" content="人事信息"><meta name="ColumnType" content="人事信息">'
        return 200, {}, page("人事信息", HANWEB_PAGE, head), 0
    if path == "/module/web/jpage/dataproxy.jsp":
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[]]></nextgroup>\n<recordset>\n</recordset>\n'
               "<totalrecord>0</totalrecord>\n<totalpage>0</totalpage>\n</datastore>\n")
        return 200, {"Content-Type": "text/xml;charset=UTF-8"}, xml.encode(), 0
    if path == "/zwgk/gsgg/":
        head = META + '<meta name="ColumnName" content="公示公告"><meta name="ColumnType" content="通知公告">'
        return 200, {}, page("公示公告", "<ul><li><a href='/zwgk/gsgg/t20261001_1.html'>招聘拟录用人员公示</a><span>2026-10-01</span></li></ul>", head), 0
    if path == "/zwgk/gsgg/t20261001_1.html":
        body_html = ("<table class='meta'><tr><td>索引号：</td><td>003351278/202610-00001</td><td>发布日期：</td><td>2026-10-01</td></tr>"
                     "<tr><td>发文机关：</td><td>示范市人力资源和社会保障局</td><td>成文日期：</td><td>2026-09-28</td></tr></table>"
                     f"<div id='zoom'>{PERSONAL}</div>")
        return 200, {}, page("招聘拟录用人员公示", body_html, META + '<meta name="ArticleTitle" content="招聘拟录用人员公示">'), 0
    return 404, {}, page("404", "页面不存在"), 0


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("residuals")
    with serve(chain_site) as server:
        run_zwgk("audit", server.base + "/", "--db", tmp / "r.db", "--out", tmp / "out", "--format", "json", "--no-ipv6", "--no-cloak-check",
                 "--no-render", "--as-of", "2026-11-10", "--quiet", "--fail-on", "never", *FAST)
        requests = list(server.requests)
        base = server.base
    findings = json.loads((tmp / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
    return {"db": tmp / "r.db", "base": base, "requests": requests,
            "findings": {(f["rule"], f["url"].replace(base, "")) for f in findings}, "raw": findings}


def test_a_next_page_chain_outside_the_section_is_followed_to_its_end(audited):
    db, base = audited["db"], audited["base"]
    listed = {u.replace(base, "") for (u,) in query(db, "select item_url from column_items where column_url like '%/xwzx/ywdt/list.jsp'")}
    assert listed == {f"/xwzx/ywdt/art{k}.html" for k in range(1, CHAIN_PAGES * PER_PAGE + 1)}
    asked = [p for m, p, _ in audited["requests"] if p.startswith("/xwzx/ywdt/list.jsp")]
    assert sorted(asked) == ["/xwzx/ywdt/list.jsp"] + [f"/xwzx/ywdt/list.jsp?page={n}" for n in range(2, CHAIN_PAGES + 1)]


def test_an_id_number_and_a_mobile_in_adjacent_cells_are_both_found(audited):
    (body,) = query(audited["db"], "select body_text from documents where url like '%t20261001_1.html'")[0]
    assert "532510198910185748 13555614818" in body
    personal = [f for f in audited["raw"] if f["rule"] == "content.personal_data" and f["url"].endswith("t20261001_1.html")]
    kinds = json.dumps([f["evidence"] for f in personal], ensure_ascii=False)
    assert personal and "id" in kinds.lower() and ("mobile" in kinds.lower() or "phone" in kinds.lower()), kinds


def test_an_empty_hanweb_column_whose_proxy_answers_no_records_is_blank(audited):
    assert ("freshness.blank_column", "/col/col2001/index.html") in audited["findings"] or \
        ("freshness.blank_column", "/col/col2001/") in audited["findings"], audited["findings"]
    assert not {f for f in audited["findings"] if f[0] == "crawl.script_only_column"}


def zero_based_chain(method, path, qs, body):
    """A 下一页 chain numbered from 0: the first page is list.jsp, its next is ?page=1 (page 2) …"""
    if path == "/":
        return 200, {}, page("首页", "<a href='/news/list.jsp'>要闻动态</a>", META), 0
    if path == "/news/list.jsp":
        n = int(parse_qs(qs).get("page", ["0"])[0])
        n = 0 if n >= CHAIN_PAGES else n  # past the end: the first page again, as some servers answer
        rows = "".join(f"<li><a href='/news/a{n * 10 + k}.html'>要闻第{n * 10 + k}篇</a><span>2026-10-{k + 1:02d}</span></li>"
                       for k in range(10))
        nxt = f"<a href='list.jsp?page={n + 1}'>下一页</a>" if n < CHAIN_PAGES - 1 else ""
        return 200, {}, page("要闻动态", f"<ul>{rows}</ul><div class='page'>{nxt}</div>", META), 0
    if path.startswith("/news/a"):
        return 200, {}, page("要闻", "<h1>要闻</h1><p>发布日期：2026-10-02</p>", META + '<meta name="ArticleTitle" content="要闻">'), 0
    return 404, {}, page("404", "页面不存在"), 0


def test_a_next_page_chain_numbered_from_zero_is_followed_to_its_end(tmp_path):
    with serve(zero_based_chain) as server:
        run_zwgk("crawl", server.base + "/", "--db", tmp_path / "z.db", "--no-ipv6", "--no-cloak-check", "--quiet", *FAST)
        asked = sorted(p for m, p, _ in server.requests if p.startswith("/news/list.jsp"))
    assert asked == ["/news/list.jsp"] + [f"/news/list.jsp?page={n}" for n in range(1, CHAIN_PAGES)]
    assert query(tmp_path / "z.db", "select count(distinct item_url) from column_items") == [(CHAIN_PAGES * 10,)]
    assert query(tmp_path / "z.db", "select real, wasted from pagers") == [(CHAIN_PAGES - 1, 0)]
