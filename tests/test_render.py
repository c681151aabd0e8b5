"""crawler.render: one page rendered in the system Chromium with its XHR/fetch JSON captured, every
request asked of may_fetch, bounded in time, and no Chromium left behind; items_from_json on the
JSON shapes of real portals. Real Chromium, real HTTP servers on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from browser import CHROMIUM
from http_site import page, serve
from crawler.browser import chromium_groups as _chromium_groups
from crawler.render import Renderer, items_from_json

TIMEOUT = 10.0  # a render on a machine loaded by the whole suite (3 processes, Chromium in several) needs its margin


def _require_browser():
    if not Renderer.available(CHROMIUM):
        # .ci/run installs Debian's chromium and sets ZWGK_REQUIRE_BROWSER, so CI never skips
        if os.environ.get("ZWGK_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (or Playwright missing)")
        pytest.skip("Chromium is not installed (apt-get install chromium) or Playwright is missing")


class Listener:
    """A bare TCP port that counts every connection made to it (a forbidden address)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.sock.close()


FORBIDDEN = Listener()

LIST_FETCH = """<ul id="list"></ul><script>
fetch("/api/list?page=1").then(r => r.json()).then(j => {
  document.getElementById("list").innerHTML = j.data.list.map(x => '<li><a href="' + x.link + '">' + x.name + '</a><span>' + x.date + '</span></li>').join("");
});</script>"""

LIST_XHR = """<div id="list"></div><script>
var xhr = new XMLHttpRequest();
xhr.open("POST", "/fjdzapp/search");
xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
xhr.onload = function () {
  var j = JSON.parse(xhr.responseText), out = "";
  for (var i = 0; i < j.docs.length; i++) out += '<p><a href="' + j.docs[i].chnldocurl + '">' + j.docs[i].doctitle + '</a></p>';
  document.getElementById("list").innerHTML = out;
};
xhr.send("channelId=123&page=1&pageSize=20");</script>"""

LIST_JSONP = """<ul id="list"></ul><script>
function show(j) { document.getElementById("list").innerHTML = j.articles.map(a => '<li><a href="' + a.url + '">' + a.title + '</a></li>').join(""); }
var s = document.createElement("script"); s.src = "/api/jsonp?callback=show"; document.head.appendChild(s);</script>"""

GENERIC = {"code": 0, "data": {"total": 2, "list": [
    {"name": "关于印发示范市城市管理办法的通知", "link": "/zwgk/tzgg/202603/t20260311_1.html", "date": "2026-03-11"},
    {"name": "示范市2025年政府信息公开工作年度报告", "link": "/zwgk/ndbg/202601/t20260120_2.html", "date": "2026年01月20日"}]}}
FUJIAN = {"docs": [{"doctitle": "示范市人民政府关于做好春季森林防火工作的通知", "chnldocurl": "./202603/t20260305_3.htm",
                    "docreltime": "2026-03-05 10:21:00"},
                   {"doctitle": "示范市公共资源交易管理办法", "chnldocurl": "http://www.example.gov.cn/zwgk/zfxxgkzl/t20260210_4.htm",
                    "docreltime": "2026-02-10"}],
          "pageCount": 6, "recordCount": 107}
GKMLPT = {"total": 70, "articles": [
    {"id": 5123, "title": "示范区2026年财政预算公开", "url": "http://www.demo.gov.cn/gkmlpt/content/5/5123/post_5123.html",
     "create_time": 1772867400, "publisher": "示范区财政局"},
    {"id": 5124, "title": "示范区水务局2025年部门决算", "url": "http://www.demo.gov.cn/gkmlpt/content/5/5124/post_5124.html",
     "create_time": 1772953800000, "publisher": "示范区水务局"}]}


def site(forbidden_base: str = FORBIDDEN.base):
    def answer(method, path, query, body):
        if path == "/fetch.html":
            return 200, {}, page("列表", LIST_FETCH), 0
        if path == "/xhr.html":
            return 200, {}, page("列表", LIST_XHR), 0
        if path == "/jsonp.html":
            return 200, {}, page("列表", LIST_JSONP), 0
        if path == "/api/list":
            return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(GENERIC, ensure_ascii=False).encode(), 0
        if path == "/fjdzapp/search" and method == "POST" and b"channelId=123" in body:
            # GBK JSON served as text/html, as some portals do
            return 200, {"Content-Type": "text/html; charset=GBK"}, json.dumps(FUJIAN, ensure_ascii=False).encode("gbk"), 0
        if path == "/api/jsonp":
            return 200, {"Content-Type": "application/javascript"}, f"show({json.dumps(GKMLPT)});".encode(), 0
        if path == "/hostile.html":
            return 200, {}, page("hostile", f"""<link rel="preconnect" href="{forbidden_base}">
<link rel="dns-prefetch" href="{forbidden_base}"><img src="/logo.png"><img src="{forbidden_base}/img.png">
<iframe src="{forbidden_base}/frame"></iframe><ul id="list"></ul><script>
fetch("{forbidden_base}/steal").catch(() => 0);
fetch("http://10.255.255.1/").catch(() => 0);
fetch("/bounce").catch(() => 0);
try {{ new WebSocket("{forbidden_base.replace('http', 'ws')}/ws"); }} catch (e) {{}}
try {{ navigator.sendBeacon("{forbidden_base}/beacon", "x"); }} catch (e) {{}}
try {{ new EventSource("{forbidden_base}/events"); }} catch (e) {{}}
fetch("/api/list").then(r => r.json()).then(j => {{ document.getElementById("list").innerHTML = "<li>" + j.data.list[0].name + "</li>"; }});
</script>"""), 0
        if path == "/bounce":
            return 302, {"Location": forbidden_base + "/after-redirect"}, b"", 0
        if path == "/moved":
            return 301, {"Location": "/sub/dir/fetch.html"}, b"", 0
        if path == "/sub/dir/fetch.html":
            return 200, {}, page("列表", LIST_FETCH.replace('"/api/list?page=1"', '"../../api/list"')), 0
        if path == "/poll.html":
            return 200, {}, page("poll", '<p id="n">0</p><script>let n = 0; setInterval(() => fetch("/api/list").then(() => document.getElementById("n").textContent = ++n), 100);</script>'), 0
        if path == "/spin.html":
            return 200, {}, page("spin", "<p>before</p><script>while (true) {}</script>"), 0
        if path == "/late-spin.html":
            return 200, {}, page("late", '<p>before</p><script>setTimeout(() => { while (true) {} }, 200);</script>'), 0
        if path == "/dialogs.html":
            return 200, {}, page("dialogs", '<p id="d">x</p><script>alert("hi"); confirm("ok?"); window.open("/fetch.html"); document.getElementById("d").textContent = "after dialogs";</script>'), 0
        if path == "/file.pdf":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", 0
        return 404, {}, page("页面不存在", "<h1>404 页面不存在</h1>"), 0
    return answer


@pytest.fixture(scope="module")
def served():
    with serve(site()) as server:
        yield server


@pytest.fixture(scope="module")
def renderer(served):
    _require_browser()
    port = served.base.rsplit(":", 1)[1]

    def may_fetch(url: str) -> bool:  # the crawler's scope + address policy, here: only the site's port
        return url.startswith(f"http://127.0.0.1:{port}/")

    r = Renderer(may_fetch, timeout=TIMEOUT, executable=CHROMIUM)
    yield r
    r.close()


def test_fetch_list_is_rendered_and_json_captured(renderer, served):
    result = renderer.render(served.base + "/fetch.html")
    assert result.error is None, result.detail
    assert "关于印发示范市城市管理办法的通知" in result.html and "t20260120_2.html" in result.html
    assert [u for u, _ in result.json] == [served.base + "/api/list?page=1"]
    assert json.loads(result.json[0][1]) == GENERIC
    assert result.status == 200 and result.final_url == served.base + "/fetch.html"
    items = items_from_json(result.json, result.final_url)
    assert [i[0] for i in items] == [served.base + "/zwgk/tzgg/202603/t20260311_1.html",
                                     served.base + "/zwgk/ndbg/202601/t20260120_2.html"]


def test_xhr_post_gbk_json_and_jsonp(renderer, served):
    result = renderer.render(served.base + "/xhr.html")
    assert result.error is None, result.detail
    assert "示范市公共资源交易管理办法" in result.html
    assert len(result.json) == 1 and json.loads(result.json[0][1]) == FUJIAN  # GBK, sent as text/html
    assert ("POST", "/fjdzapp/search", b"channelId=123&page=1&pageSize=20") in served.requests

    result = renderer.render(served.base + "/jsonp.html")
    assert result.error is None, result.detail
    assert "示范区水务局2025年部门决算" in result.html
    assert [json.loads(t) for _, t in result.json] == [GKMLPT]  # the JSON inside show(…)


def test_refused_requests_reach_nothing(renderer, served):
    before = FORBIDDEN.connections
    served.requests.clear()
    result = renderer.render(served.base + "/hostile.html")
    assert result.error is None, result.detail
    assert "关于印发示范市城市管理办法的通知" in result.html  # the allowed fetch still worked
    time.sleep(0.5)
    assert FORBIDDEN.connections == before, "a refused address was connected to"
    assert {u for u, _ in result.json} == {served.base + "/api/list"}
    for url in (FORBIDDEN.base + "/steal", "http://10.255.255.1/", FORBIDDEN.base + "/after-redirect", FORBIDDEN.base + "/frame"):
        assert url in result.refused
    assert not any(path.endswith((".png", "/logo.png")) for _, path, _ in served.requests)  # images are not fetched

    refused = renderer.render(FORBIDDEN.base + "/page.html")
    assert refused.error == "refused" and refused.html == ""
    assert FORBIDDEN.connections == before


def test_redirect_gives_the_document_its_own_url(renderer, served):
    result = renderer.render(served.base + "/moved")
    assert result.error is None, result.detail
    assert result.final_url == served.base + "/sub/dir/fetch.html"
    assert [u for u, _ in result.json] == [served.base + "/api/list"]  # ../../api/list resolved against the new URL
    assert "示范市2025年政府信息公开工作年度报告" in result.html


def test_404_and_non_html(renderer, served):
    missing = renderer.render(served.base + "/nothing-here.html")
    assert missing.error == "http_status" and missing.status == 404 and "页面不存在" in missing.html

    pdf = renderer.render(served.base + "/file.pdf")
    assert pdf.error == "not_html" and pdf.html == "" and "application/pdf" in pdf.detail
    assert pdf.elapsed_ms < TIMEOUT * 1000  # told from its answer, not by waiting for the render's timeout


def test_dialogs_and_popups_do_not_block(renderer, served):
    result = renderer.render(served.base + "/dialogs.html")
    assert result.error is None, result.detail
    assert "after dialogs" in result.html


@pytest.mark.parametrize("path", ["/poll.html", "/spin.html", "/late-spin.html"])
def test_endless_scripts_time_out_and_the_next_render_works(renderer, served, path):
    started = time.monotonic()
    result = renderer.render(served.base + path)
    took = time.monotonic() - started
    assert result.error == "timeout", (result.error, result.detail)
    assert took <= TIMEOUT + 2, took
    if path == "/poll.html":
        assert "before" not in result.html and '<p id="n">' in result.html  # partial html is still returned
    after = renderer.render(served.base + "/fetch.html")
    assert after.error is None and "关于印发示范市城市管理办法的通知" in after.html, after.detail


@pytest.mark.parametrize("concurrency", [1, 2])
def test_render_from_several_threads(renderer, served, concurrency):
    if concurrency == 2:
        # a second browser starting on a loaded machine: this test is about threads, not about time
        renderer = Renderer(renderer.may_fetch, timeout=TIMEOUT * 3, executable=CHROMIUM, concurrency=2)
    results = []
    threads = [threading.Thread(target=lambda: results.append(renderer.render(served.base + "/fetch.html"))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if concurrency == 2:
        renderer.close()
    assert len(results) == 3 and all(r.error is None and "t20260311_1.html" in r.html for r in results), [r.error for r in results]


def _chromium_pids() -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1: stat.rindex(")")]
            if "chrom" in comm.lower() and stat[stat.rindex(")") + 2] != "Z":
                pids.add(int(entry))
    return pids


@pytest.fixture()
def own_chromium(tmp_path):
    """The system Chromium under another path: renderers given it share a browser of their own, not
    the one the module's renderer holds (a process has one browser per executable)."""
    _require_browser()
    path = tmp_path / "chromium"
    path.symlink_to(os.path.realpath(CHROMIUM))
    return str(path)


def test_renderers_of_a_process_share_one_browser_and_the_last_close_leaves_no_chromium(served, own_chromium):
    """Many sites audited in one process: one Chromium for all their renderers (a context per
    render); a page that hangs kills that browser, and another site's render caught in it runs again
    rather than fail; closing the last renderer leaves no Chromium."""
    before = _chromium_pids()
    groups_before = _chromium_groups()
    first = Renderer(lambda url: url.startswith(served.base), timeout=TIMEOUT, executable=own_chromium)
    second = Renderer(lambda url: url.startswith(served.base), timeout=TIMEOUT, executable=own_chromium)
    assert first.render(served.base + "/fetch.html").error is None
    assert second.render(served.base + "/fetch.html").error is None
    assert len(_chromium_groups() - groups_before) == 1, "one browser for the process, not one per renderer"
    hung = first.submit(served.base + "/spin.html")
    time.sleep(1.0)
    caught = second.submit(served.base + "/fetch.html")
    assert hung.result(60).error == "timeout"
    result = caught.result(60)
    assert result.error is None and "关于印发示范市城市管理办法的通知" in result.html, (result.error, result.detail)
    first.close()
    first.close()  # idempotent
    assert first.render(served.base + "/fetch.html").error == "closed"
    assert second.render(served.base + "/fetch.html").error is None  # the browser stays for the renderer left
    assert _chromium_pids() - before
    second.close()
    deadline = time.monotonic() + 5
    while (_chromium_pids() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not (_chromium_pids() - before), "Chromium processes survived the last close()"


def test_an_idle_browser_is_stopped_and_the_next_render_starts_one(served, monkeypatch, own_chromium):
    """A process that audits many sites must not keep a browser it does not use: one unused for
    IDLE_SECONDS is stopped (its processes gone), and the next render starts a new one."""
    import crawler.browser

    monkeypatch.setattr(crawler.browser, "IDLE_SECONDS", 1.0)
    before = _chromium_groups()
    r = Renderer(lambda url: url.startswith(served.base), timeout=TIMEOUT, executable=own_chromium)
    try:
        assert r.render(served.base + "/fetch.html").error is None
        mine = _chromium_groups() - before
        assert mine
        deadline = time.monotonic() + 15
        while (mine & _chromium_groups()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not (mine & _chromium_groups()), "the idle browser was not stopped"
        result = r.render(served.base + "/fetch.html")
        assert result.error is None, result.detail
        assert "关于印发示范市城市管理办法的通知" in result.html
    finally:
        r.close()


def test_unavailable_without_chromium(tmp_path):
    missing = str(tmp_path / "no-chromium")
    assert not Renderer.available(missing)
    r = Renderer(lambda url: True, executable=missing)
    result = r.render("http://127.0.0.1:9/")
    assert result.error == "unavailable" and result.html == "" and result.json == []
    r.close()


# ---- items_from_json: pure ----

def test_items_gkmlpt_shape():
    items = items_from_json([("http://www.demo.gov.cn/gkmlpt/api/all/0?page=1&sid=757001", json.dumps(GKMLPT))],
                            "http://www.demo.gov.cn/gkmlpt/index")
    assert items == [
        ("http://www.demo.gov.cn/gkmlpt/content/5/5123/post_5123.html", "示范区2026年财政预算公开", "2026-03-07 15:10:00"),
        ("http://www.demo.gov.cn/gkmlpt/content/5/5124/post_5124.html", "示范区水务局2025年部门决算", "2026-03-08 15:10:00"),
    ]  # create_time in seconds and in milliseconds, as Beijing time


def test_items_fujian_shape():
    items = items_from_json([("http://www.example.gov.cn/fjdzapp/search", json.dumps(FUJIAN, ensure_ascii=False))],
                            "http://www.example.gov.cn/zwgk/zfxxgkzl/index.htm")
    assert items == [
        ("http://www.example.gov.cn/zwgk/zfxxgkzl/202603/t20260305_3.htm", "示范市人民政府关于做好春季森林防火工作的通知", "2026-03-05 10:21:00"),
        ("http://www.example.gov.cn/zwgk/zfxxgkzl/t20260210_4.htm", "示范市公共资源交易管理办法", "2026-02-10"),
    ]


def test_items_generic_shape_and_noise():
    body = {"data": {"list": GENERIC["data"]["list"] + [
        {"name": "重复", "link": "/zwgk/tzgg/202603/t20260311_1.html"},  # same URL again: once
        {"name": "图片", "picUrl": "/img/1.jpg"},  # an image field is not a link
        {"name": "脚本", "link": "javascript:void(0)"},
        {"title": "<em>城市</em>管理 办法", "post_url": "/a/b.html", "pub_time": "1772867400"},  # search hit marks, epoch text
        {"title": "无日期", "href": "c.html", "create_time": "待定"},
        "not an object", 42]}}
    items = items_from_json([("http://x.gov.cn/api", json.dumps(body, ensure_ascii=False)), ("http://x.gov.cn/bad", "{not json")],
                            "http://x.gov.cn/zwgk/list/index.html")
    assert items == [
        ("http://x.gov.cn/zwgk/tzgg/202603/t20260311_1.html", "关于印发示范市城市管理办法的通知", "2026-03-11"),
        ("http://x.gov.cn/zwgk/ndbg/202601/t20260120_2.html", "示范市2025年政府信息公开工作年度报告", "2026年01月20日"),
        ("http://x.gov.cn/a/b.html", "城市管理 办法", "2026-03-07 15:10:00"),
        ("http://x.gov.cn/zwgk/list/c.html", "无日期", None),
    ]
    assert items_from_json([], "http://x.gov.cn/") == []
    assert items_from_json([("u", json.dumps({"a": [1, 2], "b": {"c": "d"}}))], "http://x.gov.cn/") == []
