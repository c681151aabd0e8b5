"""A list that only a browser shows (an unknown CMS whose list page fetches its items as JSON):
rendered once in the system Chromium, its documents crawled; without rendering the column is
reported as script-only, never as 空白栏目."""

from __future__ import annotations

import json
import re

from browser import needs_browser
from conftest import FAST, query, run_zwgk
from http_site import page, serve

META = '<meta name="SiteName" content="示范市人民政府"><meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3599000001">'
DOCS = 7
LIST_SCRIPT = """<ul id="list"></ul><script>
fetch('/api/list?column=tzgg&page=1').then(r => r.json()).then(data => {
  document.getElementById('list').innerHTML = data.rows.map(
    row => '<li><a href="' + row.link + '">' + row.name + '</a><span>' + row.date + '</span></li>').join('');
});
</script>"""


def answer(method, path, query_string, body):
    if path == "/":
        return 200, {}, page("首页", "<a href='/xxgk/tzgg/'>通知公告</a>", META), 0
    if path == "/xxgk/tzgg/":
        head = META + '<meta name="ColumnName" content="通知公告"><meta name="ColumnType" content="通知公告">'
        return 200, {}, page("通知公告", LIST_SCRIPT, head), 0
    if path == "/api/list":
        rows = [{"name": f"通知{k}", "link": f"/xxgk/tzgg/doc{k}.html", "date": "2026-11-0" + str(k)} for k in range(1, DOCS + 1)]
        return 200, {"Content-Type": "application/json"}, json.dumps({"rows": rows}, ensure_ascii=False).encode(), 0
    if re.fullmatch(r"/xxgk/tzgg/doc\d\.html", path):
        return 200, {}, page("通知", "<h1>通知</h1><p>发布日期：2026-11-02</p>", META + '<meta name="ArticleTitle" content="通知">'), 0
    return 404, {}, page("404", "页面不存在"), 0


def audit(tmp_path, *extra):
    with serve(answer) as server:
        run_zwgk("audit", server.base + "/", "--db", tmp_path / "r.db", "--out", tmp_path / "out", "--format", "json",
                 "--no-ipv6", "--no-cloak-check", "--as-of", "2026-11-10", "--quiet", "--fail-on", "never", *FAST, *extra)
        findings = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
        return server.base, {(f["rule"], f["url"].replace(server.base, "")) for f in findings}


def test_script_only_list_is_rendered_and_crawled(tmp_path):
    needs_browser()
    base, findings = audit(tmp_path)
    docs = {u.replace(base, "") for (u,) in query(tmp_path / "r.db", "select item_url from column_items")}
    assert docs == {f"/xxgk/tzgg/doc{k}.html" for k in range(1, DOCS + 1)}
    assert query(tmp_path / "r.db", "select count(*) from documents") == [(DOCS,)]
    assert query(tmp_path / "r.db", "select column_url from rendered") == [(base + "/xxgk/tzgg/",)]
    assert not {f for f in findings if f[0] in ("freshness.blank_column", "crawl.script_only_column")}


def test_without_rendering_the_column_is_script_only_not_blank(tmp_path):
    base, findings = audit(tmp_path, "--no-render")
    with serve(answer) as server:  # and the summary's first line and the report's first screen say what was not read
        proc = run_zwgk("audit", server.base + "/", "--db", tmp_path / "s.db", "--out", tmp_path / "out2", "--format", "html",
                        "--no-ipv6", "--no-cloak-check", "--as-of", "2026-11-10", "--fail-on", "never", "--no-render", *FAST)
    assert "未能读取" in proc.stdout.splitlines()[0] and "could not be read" in proc.stdout.splitlines()[0]
    report = (tmp_path / "out2" / "index.html").read_text(encoding="utf-8")
    assert 'id="unread"' in report and "/xxgk/tzgg/" in report.split('id="unread"')[1].split("</div>")[0]
    assert ("crawl.script_only_column", "/xxgk/tzgg/") in findings
    assert not {f for f in findings if f[0] == "freshness.blank_column"}
    assert query(tmp_path / "r.db", "select kind from columns where url like '%/xxgk/tzgg/'") == [("script_only",)]


# ---- issue 19: the list's own API learned from one render, then paged without the browser ----

PAGED_DOCS = {"gsgg": 12, "zcwj": 9}
# 公示公告: POST with a JSON body {"pageNo": n, "pageSize": 5}, a total, links built from an id;
# 政策文件: GET with the page as an offset inside a JSON-encoded query parameter, no total, a
# millisecond cache-buster; 人事信息: an empty list whose notice the script writes (visible).
PAGED_SCRIPTS = {
    "gsgg": """<div class="box"><ul id="rows"></ul><div class="pg"></div></div><script>
var cur = 1;
function load(n) {
  var x = new XMLHttpRequest(); x.open('POST', '/svc/q.do'); x.setRequestHeader('Content-Type', 'application/json');
  x.onload = function () { var d = JSON.parse(x.responseText); cur = n;
    document.getElementById('rows').innerHTML = d.data.records.map(function (r) {
      return '<li><a href="/doc/view.html?id=' + r.docId + '">' + r.biaoti + '</a><span>' + r.fbrq + '</span></li>'; }).join('');
    document.querySelector('.pg').innerHTML = (d.data.total > n * 5) ? '<a href="javascript:void(0)" onclick="load(cur + 1)">下一页</a>' : '';
  };
  x.send(JSON.stringify({channel: 'gsgg', pageNo: n, pageSize: 5}));
}
load(1);
</script>""",
    "zcwj": """<ul class="list"></ul><button id="more">加载更多</button><script>
var off = 0;
function more() {
  var p = encodeURIComponent(JSON.stringify({chan: 'zcwj', start: off, limit: 4}));
  fetch('/svc/list?params=' + p + '&_=' + Date.now()).then(r => r.json()).then(d => {
    if (!d.items.length) { document.getElementById('more').style.display = 'none'; return; }
    document.querySelector('.list').insertAdjacentHTML('beforeend', d.items.map(
      r => '<li><a href="' + r.url + '">' + r.title + '</a> <em>' + r.pubDate + '</em></li>').join(''));
    off += 4;
  });
}
document.getElementById('more').onclick = more; more();
</script>""",
    "rsxx": """<ul id="r"></ul><script>
fetch('/svc/list?params=' + encodeURIComponent(JSON.stringify({chan: 'rsxx', start: 0, limit: 4}))).then(r => r.json()).then(d => {
  document.getElementById('r').innerHTML = d.items.length ? d.items.map(r => '<li>' + r.title + '</li>').join('') : '<li class="empty">暂无相关信息</li>';
});
</script>""",
}
PAGED_NAMES = {"gsgg": "公示公告", "zcwj": "政策文件", "rsxx": "人事信息", "tzgg": "通知公告"}
# 通知公告: a static list of single-page-app detail pages: /spa/view.html?docid=N is one shell whose
# script file fetches the document as JSON and writes its title, metadata table and body
SPA_DOCS = 5
SPA_SHELL = ("<h1 id='t'></h1><table id='meta' class='xxgk'></table><div id='body' class='content'></div>"
             "<script src='/js/view.js'></script>")
SPA_SCRIPT = """var id = new URLSearchParams(location.search).get('docid');
fetch('/api/article?docid=' + id).then(r => r.json()).then(d => { var a = d.data;
  document.getElementById('t').textContent = a.wtitle; document.title = a.wtitle;
  document.getElementById('meta').innerHTML = [['索引号', a.syh], ['发文机关', a.fwjg], ['成文日期', a.cwrq], ['发布日期', a.fbrq]]
    .map(r => '<tr><th>' + r[0] + '：</th><td>' + r[1] + '</td></tr>').join('');
  document.getElementById('body').innerHTML = a.content; });"""


def _spa_doc(k):
    return {"wtitle": f"关于第{k}批项目的通知", "syh": f"003351278/2026-{k:05d}", "fwjg": "示范市发展和改革委员会",
            "cwrq": f"2026-10-{k:02d}", "fbrq": f"2026-10-{k + 2:02d}", "content": f"<p>第{k}批项目名单如下，请各单位认真组织实施，确保按期完成。</p>"}


def _paged_doc(chan, k):
    day = f"2026-10-{k + 1:02d}"
    if chan == "gsgg":
        return {"docId": 5000 + k, "biaoti": f"公示公告第{k}号", "fbrq": day}
    return {"url": f"/zcwj/t2026_{k}.html", "title": f"政策文件第{k}号", "pubDate": day}


def paged_answer(method, path, query_string, body):
    from urllib.parse import parse_qs
    if path == "/":
        nav = "".join(f"<a href='/{c}/'>{n}</a>" for c, n in PAGED_NAMES.items())
        return 200, {}, page("首页", nav, META), 0
    chan = path.strip("/")
    if chan == "tzgg":
        rows = "".join(f"<li><a href='/spa/view.html?docid={700 + k}'>{_spa_doc(k)['wtitle']}</a><span>{_spa_doc(k)['fbrq']}</span></li>"
                       for k in range(1, SPA_DOCS + 1))
        return 200, {}, page("通知公告", f"<ul class='list'>{rows}</ul>", META + '<meta name="ColumnName" content="通知公告">'), 0
    if path == "/spa/view.html":
        return 200, {}, page("详情", SPA_SHELL, META), 0
    if path == "/js/view.js":
        return 200, {"Content-Type": "application/javascript"}, SPA_SCRIPT.encode(), 0
    if path == "/api/article":
        k = int(parse_qs(query_string)["docid"][0]) - 700
        if not 1 <= k <= SPA_DOCS:
            return 200, {"Content-Type": "application/json"}, b'{"code": 404}', 0
        return 200, {"Content-Type": "application/json"}, json.dumps({"code": 0, "data": _spa_doc(k)}, ensure_ascii=False).encode(), 0
    if chan in PAGED_SCRIPTS:
        head = META + f'<meta name="ColumnName" content="{PAGED_NAMES[chan]}">'
        return 200, {}, page(PAGED_NAMES[chan], PAGED_SCRIPTS[chan], head), 0
    if path == "/svc/q.do" and method == "POST":
        ask = json.loads(body)
        n, size = ask["pageNo"], ask["pageSize"]
        rows = [_paged_doc("gsgg", k) for k in range(1, PAGED_DOCS["gsgg"] + 1)][(n - 1) * size: n * size]
        data = {"code": 0, "data": {"total": PAGED_DOCS["gsgg"], "records": rows}}
        return 200, {"Content-Type": "application/json"}, json.dumps(data, ensure_ascii=False).encode(), 0
    if path == "/svc/list":
        ask = json.loads(parse_qs(query_string)["params"][0])
        count = PAGED_DOCS.get(ask["chan"], 0)
        rows = [_paged_doc(ask["chan"], k) for k in range(1, count + 1)][ask["start"]: ask["start"] + ask["limit"]]
        return 200, {"Content-Type": "application/json"}, json.dumps({"items": rows}, ensure_ascii=False).encode(), 0
    if path == "/doc/view.html" or path.startswith("/zcwj/t2026_"):
        return 200, {}, page("文件", "<h1>文件</h1><p>发布日期：2026-10-02</p>", META + '<meta name="ArticleTitle" content="文件">'), 0
    return 404, {}, page("404", "页面不存在"), 0


def test_a_script_list_is_learned_once_and_paged_over_plain_http(tmp_path):
    needs_browser()
    with serve(paged_answer) as server:
        run_zwgk("audit", server.base + "/", "--db", tmp_path / "r.db", "--out", tmp_path / "out", "--format", "json,html",
                 "--no-ipv6", "--no-cloak-check", "--as-of", "2026-11-10", "--quiet", "--fail-on", "never", *FAST)
        requests = list(server.requests)
        base = server.base
        server.requests.clear()  # the next scan of the same site reuses what was learned (checked below)
        run_zwgk("audit", base + "/", "--db", tmp_path / "r.db", "--out", tmp_path / "out2", "--format", "json",
                 "--no-ipv6", "--no-cloak-check", "--as-of", "2026-11-10", "--quiet", "--fail-on", "never", "--full", *FAST)
        again = list(server.requests)
    db = tmp_path / "r.db"
    listed = {}
    for col, item in query(db, "select column_url, item_url from column_items where scan_id = 1"):
        listed.setdefault(col.replace(base, ""), set()).add(item.replace(base, ""))
    assert listed["/gsgg/"] == {f"/doc/view.html?id={5000 + k}" for k in range(1, 13)}
    assert listed["/zcwj/"] == {f"/zcwj/t2026_{k}.html" for k in range(1, 10)}
    rendered = {c.replace(base, ""): (r, json.loads(api) if api else None, pages, wasted, empty)
                for c, r, api, pages, wasted, empty in query(db, "select column_url, renders, list_api, api_pages, api_wasted, empty_notice "
                                                                                      "from rendered where scan_id = 1")}
    gsgg, zcwj, rsxx = rendered["/gsgg/"], rendered["/zcwj/"], rendered["/rsxx/"]
    assert gsgg[0] == 1 and gsgg[2:4] == (3, 0)  # one render; pages 2 and 3 over HTTP, none wasted (the total says 12)
    assert gsgg[1]["page_params"] == [["json", "", ["pageNo"], 1, 1]] and gsgg[1]["url_template"].endswith("view.html?id={id}")
    assert zcwj[0] == 1 and zcwj[2:4] == (3, 1)  # no total: the first empty page ends it
    assert zcwj[1]["page_params"] == [["query", "params", ["start"], 0, 4]]
    assert rsxx[4] == 1  # the rendered page shows 暂无相关信息: a blank column, not a script-only one
    api_posts = [r for r in requests if r[1] == "/svc/q.do"]
    assert len(api_posts) == 1 + 1 + 2  # the render's load and click, then pages 2 and 3 over plain HTTP
    findings = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
    got = {(f["rule"], f["url"].replace(base, "")) for f in findings if f["rule"] in ("freshness.blank_column", "crawl.script_only_column")}
    assert got == {("freshness.blank_column", "/rsxx/")}
    # the detail pages: one render for the template, the other four from the learned JSON request
    docs = {u.replace(base, ""): (i, p, t) for u, i, p, t in query(db, "select url, index_no, publish_date, title from documents "
                                                                      "where scan_id = 1 and url like '%/spa/view.html%'")}
    assert docs == {f"/spa/view.html?docid={700 + k}": (f"003351278/2026-{k:05d}", f"2026-10-{k + 2:02d}", f"关于第{k}批项目的通知")
                    for k in range(1, SPA_DOCS + 1)}
    assert query(db, "select renders, documents from detail_apis where scan_id = 1") == [(1, SPA_DOCS)]
    assert sum(1 for r in requests if r[1].startswith("/api/article")) == SPA_DOCS  # the render's one, then four over HTTP
    appendix = (tmp_path / "out" / "index.html").read_text(encoding="utf-8").split('id="learned"')[1]
    assert "POST " + base + "/svc/q.do" in appendix and "pageNo = 1 + 1·(k−1)" in appendix and "params.start = 0 + 4·(k−1)" in appendix

    # items paged over plain HTTP carry their dates like rendered ones (a column's newest item decides 栏目更新)
    for scan_id in (1, 2):
        assert query(db, "select count(*) from column_items where scan_id = ? and (column_url like '%/gsgg/' or "
                         "column_url like '%/zcwj/') and listed_date is null", (scan_id,)) == [(0,)]
    # the next scan reused what was learned: no render of the learned lists and detail pages
    scan = query(db, "select max(id) from scans")[0][0]
    assert scan == 2
    listed2 = {}
    for col, item in query(db, "select column_url, item_url from column_items where scan_id = 2"):
        listed2.setdefault(col.replace(base, ""), set()).add(item.replace(base, ""))
    assert {k: v for k, v in listed2.items() if k in ("/gsgg/", "/zcwj/")} == {k: listed[k] for k in ("/gsgg/", "/zcwj/")}
    reused = {c.replace(base, ""): (r, u) for c, r, u in query(db, "select column_url, renders, reused from rendered where scan_id = 2")}
    assert reused["/gsgg/"] == (0, 1) and reused["/zcwj/"] == (0, 1) and reused["/rsxx/"] == (1, 0)  # the empty one learned nothing
    assert query(db, "select renders, documents, reused from detail_apis where scan_id = 2") == [(0, SPA_DOCS, 1)]
    assert sum(1 for r in again if r[1] == "/svc/q.do") == 3  # pages 1-3 over plain HTTP, no browser
    assert sum(1 for r in again if r[1].startswith("/api/article")) == SPA_DOCS


def test_extract_render_shows_what_is_learned(tmp_path):
    needs_browser()
    with serve(paged_answer) as server:
        listed = json.loads(run_zwgk("extract", server.base + "/gsgg/", "--render").stdout)
        detail = json.loads(run_zwgk("extract", server.base + "/spa/view.html?docid=703", "--render").stdout)
    assert listed["rendered"]["items"] == 5 and listed["rendered"]["clicked_pages"] == 1
    assert listed["rendered"]["list_api"]["page_params"] == [["json", "", ["pageNo"], 1, 1]]
    assert listed["rendered"]["list_api"]["total_records"] == PAGED_DOCS["gsgg"]
    assert detail["kind"] == "document" and detail["fields"]["index_no"]["value"] == "003351278/2026-00003"
    assert detail["rendered"]["detail_api"]["id_param"] == "docid"
    assert detail["rendered"]["detail_api"]["url"].endswith("/api/article?docid={id}")
