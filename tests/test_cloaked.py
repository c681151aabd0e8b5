"""Cloaked hijacks and duplicate index numbers, on a real local site crawled and audited by the
CLI with the system Chromium: a home page that shows gambling text and casino links only to
Baiduspider, a page whose script sends a visitor arriving from a search page to an off-site casino
host, one whose script rewrites itself with gambling text for such a visitor, one that does so
server-side on a Sogou Referer; a normal page whose own ads, clock, session id and recommendation
block change on every request, and a page whose three partner links off the domain change on
every request (no finding); a Baiduspider redirect to the mobile site of the same
government domain (no finding). Documents: two different ones sharing one 索引号 (a finding), one
document under two URLs, placeholders and a bare prefix (none).

The site is www.cloak-test.gov.cn, pinned to 127.0.0.1 with --resolve; the casino host has no
address anywhere and the browser's requests to it are refused (recorded, never fetched)."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import threading
import time

import pytest

from conftest import FAST_WITH_CLOAK as FAST, run_zwgk
from crawler.render import Renderer
from http_site import _Handler, _Server

HOST = "www.cloak-test.gov.cn"
CASINO = "http://www.hg-casino-888.test/"
SPAM_BLOCK = ('<div class="hot">皇冠hg体育赌场 百家乐 真人荷官在线 <a href="http://www.hg-casino-888.test/">澳门葡京</a> '
              '<a href="http://bet365-vip.test/">体育投注</a> <a href="http://amxpj.test/">在线赌场</a></div>')
REFERRER_REDIRECT = ("<script>if (/baidu|sogou|so\\.com/.test(document.referrer)) "
                     f"{{ setTimeout(function () {{ window.location.href = '{CASINO}'; }}, 3000); }}</script>")  # after 3 s
REFERRER_REWRITE = ("<script>if (/baidu|sogou|so\\.com/.test(document.referrer)) { document.title = '六合彩 一肖一码'; "
                    "document.body.innerHTML = '<h1>澳门葡京 真人视讯 时时彩</h1><a href=\"http://amxpj.test/\">进入</a>'; "
                    "var f = document.createElement('iframe'); f.src = 'http://play.hg-casino-888.test/'; "
                    "document.body.appendChild(f); }</script>")
_seen = threading.local()
_turns = itertools.count()


class Handler(_Handler):
    """http_site's handler, with the request headers where the site's answer function reads them."""

    def _answer(self, method):
        _seen.headers = self.headers
        super()._answer(method)


def header(name: str) -> str:
    return _seen.headers.get(name) or ""


def page(title: str, body: str, head: str = "") -> bytes:
    nav = ('<div class="nav"><a href="/index.html">首页</a> <a href="/zwgk/tzgg/index.html">通知公告</a> '
           '<a href="/zwgk/gzdt/index.html">工作动态</a> <a href="/news/ads.html">便民服务</a> <a href="/news/partners.html">合作单位</a></div>')
    return (f'<html><head><meta charset="utf-8"><title>{title}</title><meta name="SiteName" content="测试市人民政府">'
            f'<meta name="SiteDomain" content="{HOST}">{head}</head><body>{nav}{body}'
            '<div class="footer">主办：测试市人民政府办公室 网站标识码：3799000001</div></body></html>').encode()


# (url, title, 发文字号, date, 索引号)
DOCS = [
    ("/zwgk/tzgg/202611/t20261102_1.html", "测试市关于做好冬季供暖工作的通知", "测政办发〔2026〕1号", "2026-11-02", "379900001/2026-00001"),
    ("/zwgk/tzgg/202611/t20261103_2.html", "测试市关于开展安全生产检查的通知", "测政办发〔2026〕2号", "2026-11-03", "379900001/2026-00001"),
    ("/zwgk/tzgg/202611/t20261104_3.html", "测试市关于公布政务服务事项清单的通知", "测政办发〔2026〕3号", "2026-11-04", "379900001/2026-00003"),
    ("/zwgk/gzdt/202611/t20261104_3.html", "测试市关于公布政务服务事项清单的通知", "测政办发〔2026〕3号", "2026-11-04", "379900001/2026-00003"),
    ("/zwgk/gzdt/202611/t20261105_5.html", "测试市秋季植树工作动态", "测政办发〔2026〕5号", "2026-11-05", "无"),
    ("/zwgk/gzdt/202611/t20261106_6.html", "测试市召开经济运行分析会", "测政办发〔2026〕6号", "2026-11-06", "无"),
    ("/zwgk/gzdt/202611/t20261107_7.html", "测试市推进数字政府建设", "测政办发〔2026〕7号", "2026-11-07", "379900001/"),
    ("/zwgk/gzdt/202611/t20261108_8.html", "测试市开展消防宣传月活动", "测政办发〔2026〕8号", "2026-11-08", "379900001/"),
]


def document(title, doc_no, day, index_no) -> bytes:
    cells = [("索 引 号", index_no), ("发文机关", "测试市人民政府办公室"), ("成文日期", day), ("标\u3000\u3000题", title),
             ("发文字号", doc_no), ("发布日期", day)]
    table = "".join(f"<tr><td><b>{k}：</b></td><td>{v}</td></tr>" for k, v in cells)
    head = f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{day} 09:30">'
    return page(title, f'<table class="bd1">{table}</table><h1>{title}</h1><div class="TRS_Editor"><p>现将有关事项通知如下。</p></div>', head)


def column(name: str, prefix: str) -> bytes:
    items = "".join(f'<li><a href="{url}">{title}</a><span>{day}</span></li>' for url, title, _, day, _ in DOCS if url.startswith(prefix))
    head = f'<meta name="ColumnName" content="{name}"><meta name="ColumnType" content="{name}">'
    return page(f"{name}_测试市人民政府", f'<h2>{name}</h2><ul class="list">{items}</ul>', head)


def answer(method, path, query, body):
    ua, referer = header("User-Agent"), header("Referer")
    if path in ("/", "/index.html"):
        extra = SPAM_BLOCK if "Baiduspider" in ua else ""  # the server-side cloak: only for Baidu's crawler
        links = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t, *_ in DOCS[:3])
        body = (f'<h1>测试市人民政府</h1><ul>{links}</ul><a href="/news/go.html">要闻</a> <a href="/news/paint.html">图片新闻</a> '
                f'<a href="/news/sogou.html">专题</a> <a href="/news/mobile.html">移动版</a> <a href="/news/spider302.html">专栏</a> '
                f'<a href="/news/sniff.html">视频</a> <a href="/news/refsrv.html">通知</a> <a href="https://www.gov.cn/">中国政府网</a>{extra}')
        return 200, {}, page("测试市人民政府", body), 0
    if path == "/news/go.html":
        return 200, {}, page("要闻", "<p>今日要闻：全市经济运行平稳。</p>" + REFERRER_REDIRECT), 0
    if path == "/news/paint.html":
        return 200, {}, page("图片新闻", "<p>图片新闻：城市新貌。</p>" + REFERRER_REWRITE), 0
    if path == "/news/sogou.html":  # the server-side cloak on the Referer of a search page
        extra = SPAM_BLOCK if "sogou.com" in referer else ""
        return 200, {}, page("专题", f"<p>专题：学习贯彻会议精神。</p>{extra}"), 0
    if path == "/news/refsrv.html":  # the server answers a search visitor with a script redirect of its own
        if "baidu.com" in referer:
            return 200, {}, page("跳转中", f"<script>window.location.href = '{CASINO}';</script>"), 0
        return 200, {}, page("通知", "<p>通知：本周六正常办公。</p>"), 0
    if path == "/news/spider302.html":  # 360's crawler is sent to the casino by the server
        if "360Spider" in ua:
            return 302, {"Location": CASINO}, b"", 0
        return 200, {}, page("专栏", "<p>专栏文章。</p>"), 0
    if path == "/news/sniff.html":  # a script that shows spam when the browser says it is Baidu's crawler
        script = ("<script>if (navigator.userAgent.indexOf('Baiduspider') >= 0) { document.getElementById('s').innerHTML = "
                  "'<a href=\"http://bet365-vip.test/\">百家乐 在线赌场</a>'; }</script>")
        return 200, {}, page("视频", f"<p>视频新闻。</p><div id='s'></div>{script}"), 0
    if path == "/news/mobile.html":  # search engines are sent to the mobile site of the same government domain
        if "spider" in ua.lower():
            return 302, {"Location": "http://m.cloak-test.gov.cn/news/mobile.html"}, b"", 0
        return 200, {}, page("移动版", "<p>移动版网站介绍。</p>"), 0
    if path == "/news/ads.html":  # ordinary differences on every request: nothing to find
        sid = "%016x" % random.getrandbits(64)
        own = random.sample(["/zwgk/tzgg/index.html", "/zwgk/gzdt/index.html", "/news/go.html", DOCS[0][0], DOCS[2][0]], 3)
        ads = "".join(f'<a href="{u}?sid={sid}">推荐阅读{i}</a> ' for i, u in enumerate(own))
        clock = time.strftime("%Y-%m-%d %H:%M:%S") + f".{time.time_ns() % 1000000:06d}"
        script = ("<script src='/static/cdn-analytics.js'></script><script>document.getElementById('now').innerHTML = "
                  "'现在时间 ' + new Date().toISOString() + ' 访问量 ' + Math.floor(Math.random() * 100000);</script>")
        body = (f'<p>便民服务：社保查询 公积金查询 <a href="https://www.12345.gov.cn/">12345热线</a></p><p>更新时间：{clock} 会话：{sid}</p>'
                f'<p id="now"></p><div class="ad">{ads}</div><p>今日访问量：{random.randint(1, 10**6)}</p>{script}')
        return 200, {}, page("便民服务", body), 0
    if path == "/news/partners.html":  # three partner sites off the domain, others on every request: a rotation
        turn = next(_turns)
        links = "".join(f'<a href="http://partner{(turn * 3 + i) % 600}.example.com/">合作单位</a> ' for i in range(3))
        return 200, {}, page("合作单位", f"<p>合作单位：</p>{links}<script>var pageSize = 20;</script>"), 0
    if path == "/static/cdn-analytics.js":
        return 200, {"Content-Type": "application/javascript"}, b"window._stat = 1;", 0
    if path == "/zwgk/tzgg/index.html":
        return 200, {}, column("通知公告", "/zwgk/tzgg/"), 0
    if path == "/zwgk/gzdt/index.html":
        return 200, {}, column("工作动态", "/zwgk/gzdt/"), 0
    for url, title, doc_no, day, index_no in DOCS:
        if path == url:
            return 200, {}, document(title, doc_no, day, index_no), 0
    return 404, {}, page("未找到", "<p>页面不存在</p>"), 0


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    if not Renderer.available():
        pytest.skip("no Chromium")
    out = tmp_path_factory.mktemp("cloak")
    server = _Server(answer)
    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        started = time.monotonic()
        proc = run_zwgk("audit", f"http://{HOST}:{port}/", "--db", out / "c.db", "--quiet", "--as-of", "2026-11-20",
                        "--resolve", f"{HOST}:{port}:127.0.0.1", "--no-ipv6", "--out", out, "--format", "json",
                        # the other hosts the pages link (real names): pinned to loopback, never reached
                        *(a for h in ("www.gov.cn:443", "www.12345.gov.cn:443", "m.cloak-test.gov.cn:80")
                          for a in ("--resolve", f"{h}:127.0.0.1")),
                        "--select", "content.cloaked_hijack", "--select", "metadata.duplicate_index_no", *FAST, check=False)
        seconds = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    with sqlite3.connect(out / "c.db") as conn:
        conn.row_factory = sqlite3.Row
        views = [dict(r) for r in conn.execute("select * from cloak_views order by url, view")]
    return {"findings": data["findings"], "views": views, "db": out / "c.db", "requests": server.requests, "port": port, "seconds": seconds,
            "base": f"http://{HOST}:{port}"}


def cloaked(audited) -> dict:
    return {f["url"].split(str(audited["port"]), 1)[1]: f for f in audited["findings"] if f["rule"] == "content.cloaked_hijack"}


def test_spam_only_for_baiduspider_is_found(audited):
    home = cloaked(audited)["/"]
    views = {v["view"]: v for v in home["evidence"]["views"]}
    assert set(views) == {"ua:baidu"}, views  # Sogou and 360 crawlers and every visitor see the normal page
    terms = set(views["ua:baidu"]["spam_terms"])
    assert {"皇冠hg", "百家乐", "真人荷官"} <= terms and not {"赌场", "体育赌场"} & terms  # 皇冠hg体育赌场 is one spam text
    assert "皇冠hg体育赌场" in views["ua:baidu"]["added_excerpt"]
    assert {link["url"] for link in views["ua:baidu"]["added_links"]} >= {"http://www.hg-casino-888.test/", "http://bet365-vip.test/"}
    assert "百度爬虫" in home["message"] and "Baiduspider" in home["message_en"]


def test_script_sending_search_visitors_off_site_is_found_and_never_fetched(audited):
    go = cloaked(audited)["/news/go.html"]
    views = {v["view"]: v for v in go["evidence"]["views"]}
    assert set(views) == {"render:baidu", "render:sogou", "render:so"}, views  # not Baiduspider without a Referer
    assert all(v["redirect_to"] == CASINO for v in views.values())
    assert "跳转到站外网站" in go["message"]
    # the casino host was never asked for (it has no address; the browser refused it before any lookup)
    assert all(h not in path for _, path, _ in audited["requests"] for h in ("casino", "amxpj", "bet365"))


def test_script_rewriting_the_page_for_search_visitors_is_found(audited):
    paint = cloaked(audited)["/news/paint.html"]
    views = {v["view"]: v for v in paint["evidence"]["views"]}
    assert set(views) == {"render:baidu", "render:sogou", "render:so"}, views
    assert all(v["compared_with"] == "normal:render" for v in views.values())
    assert {"澳门葡京", "时时彩"} <= set(views["render:baidu"]["spam_terms"])
    assert "图片新闻" in views["render:baidu"]["normal_excerpt"]  # what the normal view showed instead
    frames = [link["url"] for link in views["render:baidu"]["added_links"] if link.get("frame")]
    assert frames == ["http://play.hg-casino-888.test/"]  # laid over the page, refused by the browser, never fetched


def test_server_side_referer_cloak_is_found(audited):
    views = {v["view"] for v in cloaked(audited)["/news/sogou.html"]["evidence"]["views"]}
    assert views == {"referer:sogou"}


def test_server_answering_a_search_visitor_with_a_script_redirect_is_found(audited):
    # the normal page has no script at all: the Referer view's own script is what gets it rendered
    views = {v["view"]: v for v in cloaked(audited)["/news/refsrv.html"]["evidence"]["views"]}
    assert set(views) == {"render:baidu"} and views["render:baidu"]["redirect_to"] == CASINO


def test_server_redirecting_a_crawler_off_site_is_found(audited):
    views = {v["view"]: v for v in cloaked(audited)["/news/spider302.html"]["evidence"]["views"]}
    assert set(views) == {"ua:360"} and views["ua:360"]["redirect_to"] == CASINO


def test_script_sniffing_the_user_agent_is_found(audited):
    views = {v["view"]: v for v in cloaked(audited)["/news/sniff.html"]["evidence"]["views"]}
    assert set(views) == {"render:ua:baidu"}, views
    assert set(views["render:ua:baidu"]["spam_terms"]) == {"百家乐", "在线赌场"}


def test_ordinary_differences_and_same_domain_redirects_are_not_findings(audited):
    found = cloaked(audited)
    assert set(found) == {"/", "/news/go.html", "/news/paint.html", "/news/sogou.html", "/news/spider302.html",
                          "/news/sniff.html", "/news/refsrv.html"}, sorted(found)
    ads = [v for v in audited["views"] if v["url"].endswith("/news/ads.html")]
    # really looked at, really different every time (clock, session id, rotation, script-written counter)
    assert {"normal", "ua:baidu", "referer:baidu", "render:baidu"} <= {v["view"] for v in ads}
    assert all(v["error"] is None for v in ads)
    # the partner links differed from the normal view's: looked at once more, the view and the normal
    # view, and what was not shown twice (rotation) was dropped; the normal view keeps both looks
    partners = {v["view"]: v for v in audited["views"] if v["url"].endswith("/news/partners.html")}
    assert all(json.loads(v["added_links"]) == [] for name, v in partners.items() if name != "normal")
    assert sum(1 for _, path, _ in audited["requests"] if path == "/news/partners.html") >= 1 + 6 + 1 + 6
    assert not {"render:baidu", "normal:render"} & set(partners)  # its script cannot tell visitors apart: not rendered
    mobile = {v["view"]: v for v in audited["views"] if v["url"].endswith("/news/mobile.html")}
    assert mobile["ua:baidu"]["redirect_to"] == "http://m.cloak-test.gov.cn/news/mobile.html"
    assert mobile["normal"]["redirect_to"] is None


def test_views_that_could_not_be_fetched_are_recorded_not_judged(audited):
    # the browser's requests to the casino host are refused: the views record where the page went
    go = [v for v in audited["views"] if v["url"].endswith("/news/go.html") and v["view"] in ("render:baidu", "render:sogou", "render:so")]
    assert go and all(v["redirect_to"] == CASINO and v["added_text"] is None for v in go)


def test_duplicate_index_numbers(audited):
    found = [f for f in audited["findings"] if f["rule"] == "metadata.duplicate_index_no"]
    assert len(found) == 1, found  # not the same document under two URLs, not 无, not the bare prefix 379900001/
    evidence = found[0]["evidence"]
    assert evidence["index_no"] == "379900001/2026-00001" and evidence["document_count"] == 2
    assert sorted(d["title"] for d in evidence["documents"]) == ["测试市关于做好冬季供暖工作的通知", "测试市关于开展安全生产检查的通知"]
    # the ads page links the first one with a session id too: one document under two URLs, listed together
    assert [sorted({u.split("?")[0] for u in d["urls"]}) for d in evidence["documents"]] == [[audited["base"] + DOCS[0][0]], [audited["base"] + DOCS[1][0]]]
    assert found[0]["severity"] == "warning"


def test_without_the_second_look_the_rule_is_not_checked_rather_than_passed(audited, tmp_path):
    import shutil

    from checks.engine import rules_for_run, run_checks

    db = tmp_path / "no-look.db"
    shutil.copy(audited["db"], db)
    with sqlite3.connect(db) as conn:
        conn.execute("delete from cloak_views")
    found = run_checks(str(db), 1, rules_for_run(None), select=("content.cloaked_hijack",), workers=1)
    assert found == []
    with sqlite3.connect(db) as conn:
        (skipped,) = conn.execute("select skipped from scan_checks order by check_no desc limit 1").fetchone()
    assert json.loads(skipped) == ["content.cloaked_hijack"]
