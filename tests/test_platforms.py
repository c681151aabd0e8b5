"""Lists that only a search API shows (Fujian trt /fjdzapp/search, Guangdong gkmlpt), the
disclosure section's own index, news outside the section, a hidden menu of the portal's own
departments, and a 规范性文件 known by its number. A hand-written site on 127.0.0.1 following
cms-patterns.md (Fujian and gkmlpt sections) and the real Pingtan pages."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest

from conftest import FAST, query, run_zwgk
from http_site import page, serve

DOMAIN = "www.demo.gov.test"
META = (f'<meta name="SiteName" content="示范市人民政府"><meta name="SiteDomain" content="{DOMAIN}">'
        '<meta name="SiteIDCode" content="3599000001">')
FOOTER = "<div class='footer'>主办：示范市人民政府办公室　网站标识码：3599000001　闽ICP备12345678号　闽公网安备 35000002000001号</div>"
FUJIAN_TOTAL, FUJIAN_PER_PAGE, FUJIAN_STATIC = 20, 5, 2
GKMLPT_TOTAL = 130


def column_page(name: str, body: str, column_type: str = "通知公告") -> bytes:
    head = META + f'<meta name="ColumnName" content="{name}"><meta name="ColumnType" content="{column_type}">'
    return page(name, body + FOOTER, head)


def metadata_block(title: str, doc_no: str, published: str = "2026-11-02") -> str:
    rows = [("索引号", "003599000/2026-00001"), ("主题分类", "综合政务"), ("发文机关", "示范市人民政府"), ("成文日期", "2026-10-30"),
            ("标题", title), ("发文字号", doc_no), ("发布日期", published), ("有效性", "有效")]
    return "<table class='bd1'>" + "".join(f"<tr><td><b>{k}：</b></td><td>{v}</td></tr>" for k, v in rows) + "</table>"


def document(title: str, doc_no: str = "示政〔2026〕1号", extra: str = "") -> bytes:
    head = META + f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2026-11-02 09:00">' \
                  '<meta name="ContentSource" content="示范市人民政府">'
    return page(title, metadata_block(title, doc_no) + f"<div class='TRS_Editor'><p>{title}正文。</p></div>{extra}{FOOTER}", head)


def fujian_list() -> bytes:
    groups = []
    for start in range(1, FUJIAN_STATIC * FUJIAN_PER_PAGE + 1, FUJIAN_PER_PAGE):
        rows = "".join(f"<li><a href='/xxgk/tzgg/202611/t20261102_{n}.htm' title='通知{n}'>通知{n}</a><span>2026-11-02</span></li>"
                       for n in range(start, start + FUJIAN_PER_PAGE))
        groups.append(f'<div ms-visible="$showStatic({start})"><ul class="list">{rows}</ul></div>')
    script = (f"<script>var SiteInfo = {{ searchId: 200210, defaultPgTemp: 'pgBar_pt.html' }};</script>"
              f"<script>var pageChnlInfo={{ quickMode:'动静结合', maxStaticIndex: {FUJIAN_STATIC}, "
              f"classsql: '' || 'chnlid=1780', recordCount:'{FUJIAN_TOTAL}', sortfield:'-docorderpri,-docreltime', "
              f"prepage:{FUJIAN_PER_PAGE}, cache:true }}</script>"
              "<script>require(['list2.trsapi'], function(listModel) { listModel({ listArgs: { channelid: SiteInfo.searchId, "
              "classsql: pageChnlInfo.classsql }, listApi: { url: \"/fjdzapp/search\" } }) })</script>")
    return column_page("通知公告", "".join(groups) + script)


def fujian_related_script(docid: str) -> str:
    return (f"<script>var docid = '{docid}'; $.ajax({{ url: \"/fjdzapp/search\", type: \"post\", data: {{ "
            f"channelid: 100600, classsql: \"(docid2=\" + docid + \")+(reldocid=\" + docid + \")\" }} }});</script>")


def answer(method, path, query_string, body):
    q = parse_qs(query_string)
    if path == "/":
        hidden = ("<div class='m-menu' style='display:none'><a href='http://jyj.demo.gov.test/'>市教育局</a>"
                  "<a href='http://www.xpj-yule.test/'>澳门娱乐城</a></div>")
        links = "<a href='/xxgk/index.html'>政府信息公开</a><a href='/xwzx/'>新闻中心</a>"
        return 200, {}, page("示范市人民政府", links + hidden + FOOTER, META), 0
    if path == "/xxgk/index.html":  # the section index: sub-columns, no documents
        links = "".join(f"<li><a href='{u}'>{n}</a></li>" for u, n in (
            ("/xxgk/tzgg/", "通知公告"), ("/xxgk/zcwj/", "政策文件"), ("/xxgk/zcjd/", "政策解读"), ("/gkmlpt/index", "部门信息公开目录")))
        return 200, {}, column_page("政府信息公开", f"<ul class='sub'>{links}</ul>", "信息公开目录"), 0
    if path == "/xxgk/tzgg/":
        return 200, {}, fujian_list(), 0
    if path == "/fjdzapp/search" and method == "POST":
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("channelid") == "100600":  # policy ↔ interpretation index
            hits = [{"docid2": "9103", "srcdoctitle": "《通知3》解读", "srcdocpuburl": "/xxgk/zcjd/jd_3.html"}] \
                if "9003" in form["classsql"] else []
            return 200, {"Content-Type": "application/json"}, json.dumps({"data": hits}).encode(), 0
        assert form["channelid"] == "200210" and form["classsql"] == "chnlid=1780", form
        n = int(form["page"])
        first = (n - 1) * FUJIAN_PER_PAGE + 1
        docs = [{"doctitle": f"通知{k}", "chnldocurl": f"/xxgk/tzgg/202611/t20261102_{k}.htm", "docreltime": "2026-11-02 10:00:00"}
                for k in range(first, min(first + FUJIAN_PER_PAGE, FUJIAN_TOTAL + 1))]
        data = {"docs": docs, "pageCount": -(-FUJIAN_TOTAL // FUJIAN_PER_PAGE), "recordCount": FUJIAN_TOTAL}
        return 200, {"Content-Type": "application/json"}, json.dumps(data, ensure_ascii=False).encode(), 0
    m = re.fullmatch(r"/xxgk/tzgg/202611/t20261102_(\d+)\.htm", path)
    if m and 1 <= int(m[1]) <= FUJIAN_TOTAL:
        k = m[1]
        related = fujian_related_script(f"90{int(k):02d}") if k == "3" else ""
        return 200, {}, document(f"通知{k}", f"示规〔2026〕{k}号" if k == "3" else f"示政〔2026〕{k}号", related), 0
    if path == "/xxgk/zcjd/jd_3.html":  # links back to its policy: the pair exists only through the API on one side
        return 200, {}, document("《通知3》解读", extra="<a href='/xxgk/tzgg/202611/t20261102_3.htm'>原文</a>"), 0
    if path == "/xxgk/zcjd/":
        rows = "<li><a href='/xxgk/zcjd/jd_3.html'>《通知3》解读</a><span>2026-11-02</span></li>" \
               "<li><a href='/xxgk/zcjd/jd_bh.html'>《示范市古树名木保护办法》解读</a><span>2026-11-02</span></li>"
        return 200, {}, column_page("政策解读", f"<ul class='list'>{rows}</ul>", "政策解读"), 0
    if path == "/xxgk/zcjd/jd_bh.html":  # links its policy; the policy does not link back: one way
        return 200, {}, document("《示范市古树名木保护办法》解读", extra="<a href='/xxgk/zcwj/bh.html'>原文</a>"), 0
    if path == "/xxgk/zcwj/":
        rows = "<li><a href='/xxgk/zcwj/bh.html'>示范市古树名木保护办法</a><span>2026-11-02</span></li>"
        return 200, {}, column_page("政策文件", f"<ul class='list'>{rows}</ul>", "政策文件"), 0
    if path == "/xxgk/zcwj/bh.html":
        return 200, {}, document("示范市古树名木保护办法", "示府规〔2026〕9号"), 0
    if path == "/gkmlpt/index":
        script = "<script>window._CONFIG = { SID: '755031', API: '/gkmlpt/api/all/' };</script><div id='list'></div>"
        return 200, {}, column_page("信息公开目录", script, "信息公开目录"), 0
    if path == "/gkmlpt/api/all/0":
        assert q["sid"] == ["755031"]
        n = int(q["page"][0])
        ids = range(12568001 + (n - 1) * 100, 12568001 + min(n * 100, GKMLPT_TOTAL))
        articles = [{"id": i, "title": f"部门文件{i}", "url": f"/gkmlpt/content/12/12568/post_{i}.html",
                     "create_time": 1793577600, "publisher": "示范市教育局"} for i in ids]
        return 200, {"Content-Type": "application/json"}, json.dumps({"total": GKMLPT_TOTAL, "articles": articles}).encode(), 0
    m = re.fullmatch(r"/gkmlpt/content/12/12568/post_(\d+)\.html", path)
    if m:
        return 200, {}, document(f"部门文件{m[1]}"), 0
    if path == "/xwzx/":  # news: outside the disclosure section
        rows = "".join(f"<li><a href='/xwzx/ywdt/{k}.html'>要闻{k}</a><span>2026-11-0{k}</span></li>" for k in range(1, 4))
        return 200, {}, column_page("要闻动态", f"<ul class='list'>{rows}</ul>", "工作动态"), 0
    m = re.fullmatch(r"/xwzx/ywdt/(\d)\.html", path)
    if m:
        head = META + f'<meta name="ArticleTitle" content="要闻{m[1]}">'
        return 200, {}, page(f"要闻{m[1]}", f"<h1>要闻{m[1]}</h1><p>发布时间：2026-11-0{m[1]} 09:00　来源：示范市融媒体中心</p>"
                                             f"<div class='TRS_Editor'><p>新闻正文。</p></div>{FOOTER}", head), 0
    return 404, {}, page("404", "页面不存在"), 0


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("platforms")
    with serve(answer) as server:
        port = server.base.rsplit(":", 1)[1]
        pins = ["--resolve", f"jyj.demo.gov.test:80:127.0.0.1", "--resolve", f"www.xpj-yule.test:80:127.0.0.1"]
        run_zwgk("audit", server.base + "/", "--db", tmp / "s.db", "--out", tmp / "out", "--format", "json", "--no-ipv6",
                 "--as-of", "2026-11-10", "--quiet", "--fail-on", "never", *FAST, *pins)
        findings = json.loads((tmp / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
        yield {"db": tmp / "s.db", "base": server.base, "port": port, "findings": findings,
               "requests": list(server.requests)}


def found(scan, rule):
    return {f["url"].replace(scan["base"], "") for f in scan["findings"] if f["rule"] == rule}


def test_fujian_api_pages_are_read(scan):
    docs = {u.replace(scan["base"], "") for (u,) in query(scan["db"], "select url from documents where url like '%/xxgk/tzgg/%'")}
    assert docs == {f"/xxgk/tzgg/202611/t20261102_{k}.htm" for k in range(1, FUJIAN_TOTAL + 1)}
    pages = sorted(parse_qs(b.decode())["page"][0] for m, p, b in scan["requests"] if p == "/fjdzapp/search" and b"200210" in b)
    assert pages == ["3", "4"]  # the static pages 1-2 are not asked again
    assert not found(scan, "crawl.incomplete_column")


def test_gkmlpt_catalogue_is_listed_through_its_api(scan):
    docs = query(scan["db"], "select count(*) from documents where url like '%/gkmlpt/content/%'")
    assert docs == [(GKMLPT_TOTAL,)]
    kinds = dict(query(scan["db"], "select url, kind from columns"))
    assert kinds[scan["base"] + "/gkmlpt/index"] == "catalogue"
    listed = query(scan["db"], "select listed_date from column_items where item_url like '%post_12568001.html'")
    assert listed == [("2026-11-02",)]  # create_time 1793577600 = 2026-11-02 00:00 Beijing time


def test_section_index_and_catalogue_are_not_blank_columns(scan):
    kinds = dict(query(scan["db"], "select url, kind from columns"))
    assert kinds[scan["base"] + "/xxgk/"] == "section"
    assert not found(scan, "freshness.blank_column")


def test_news_outside_the_section_is_not_audited_as_disclosure(scan):
    assert not [u for u in found(scan, "metadata.missing_field") | found(scan, "metadata.empty_field") if "/xwzx/" in u]
    assert query(scan["db"], "select count(*) from documents where url like '%/xwzx/ywdt/%'") == [(3,)]


def test_hidden_menu_of_own_departments_is_not_a_hidden_link(scan):
    targets = {f["evidence"]["target"] for f in scan["findings"] if f["rule"] == "content.hidden_link"}
    assert targets == {"http://www.xpj-yule.test/"}


def test_policy_known_by_its_number_and_links_found_through_the_api(scan):
    # 保护办法 is a 规范性文件 by its number (示府规〔2026〕9号): its interpretation links it, it does not link back
    assert found(scan, "linkage.one_way") == {"/xxgk/zcwj/bh.html"}
    # 通知3 (示规〔2026〕3号) links its interpretation only through /fjdzapp/search: paired both ways, no finding
    links = query(scan["db"], "select source_url, target_url from links where target_url like '%/xxgk/zcjd/jd_3.html'")
    assert (scan["base"] + "/xxgk/tzgg/202611/t20261102_3.htm", scan["base"] + "/xxgk/zcjd/jd_3.html") in links
    assert "/xxgk/tzgg/202611/t20261102_3.htm" not in found(scan, "linkage.missing_interpretation")
