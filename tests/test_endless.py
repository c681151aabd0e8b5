"""Every loop ends by itself (issue 21 point 5), on a real local server.

* Pagers that never end: 「共999999页」 with every page number answering new items from one template
  (文件1001, 文件1002 …), a 下一页 chain that goes on forever, and a query pager with no page count
  whose every page repeats the first one's items. Each is cut after a bounded number of pages and
  recorded (``pagers.endless``, ``crawl.endless_pager``); a real 下一页 chain longer than the cut,
  whose pages list genuinely new items, is crawled whole.
* A depth-limited link trap crawled twice, with concurrency and answers delayed at random: the
  same pages both times, exactly those within --max-depth of the home page by their shortest path.
* A page nested 10 000 elements deep yields its links.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import deque
from urllib.parse import parse_qs

import pytest

from conftest import FAST, query, run_zwgk
from http_site import page, serve

from crawler.column_pager import SAME_SHAPE_PAGES, TRAP_PAGES

TOPICS = ["安全生产", "乡村振兴", "营商环境", "生态环境", "医疗保障", "教育", "交通", "文化旅游", "应急管理", "市场监管"]
AGENCIES = ["市发展改革委", "市财政局", "市教育局", "市卫生健康委", "市住房城乡建设局", "市农业农村局", "市商务局",
            "市文化广电旅游局", "市应急局", "市市场监管局"]
REAL_CHAIN = TRAP_PAGES + 4  # pages of the real 下一页 chain: longer than the shorter cut
DEEP = 10_000


def rows(items: list[tuple[str, str]]) -> str:
    return "<ul class='list'>" + "".join(f"<li><a href='{u}'>{t}</a><span>2026-11-02</span></li>" for u, t in items) + "</ul>"


def endless_site(method, path, qs, body):
    q = parse_qs(qs)
    if path == "/":
        links = ["/gzdt/list.jsp", "/tzgg/list_1.htm", "/gsgg/list.jsp", "/zcwj/list_1.htm", "/zfgb/list_1.htm", "/deep.html"]
        return 200, {}, page("首页", "".join(f"<a href='{u}'>栏目{i}</a>" for i, u in enumerate(links))), 0
    if path == "/gzdt/list.jsp":  # 共999999页, every number answers, new items from one template
        n = int(q.get("page", ["1"])[0])
        items = [(f"/gzdt/doc/{n * 10 + i}.html", f"文件{n * 10 + i}") for i in range(10)]
        pager = f"共999999页 <a href='list.jsp?page={n + 1}'>下一页</a> <a href='list.jsp?page=999999'>尾页</a>"
        return 200, {}, page("工作动态", rows(items) + f"<div class='page'>{pager}</div>"), 0
    m = re.fullmatch(r"/tzgg/list_(\d+)\.htm", path)
    if m:  # a 下一页 chain without end, one template
        n = int(m[1])
        items = [(f"/tzgg/doc/{n * 5 + i}.html", f"通知第{n * 5 + i}号") for i in range(5)]
        return 200, {}, page("通知公告", rows(items) + f"<a href='list_{n + 1}.htm'>下一页</a>"), 0
    if path == "/gsgg/list.jsp":  # no page count; every page repeats the first page's items
        n = int(q.get("p", ["1"])[0])
        items = [(f"/gsgg/doc/{i}.html", f"公示{i}") for i in range(5)]
        return 200, {}, page("公示公告", rows(items) + f"<a href='list.jsp?p={n + 1}'>下一页</a>"), 0
    m = re.fullmatch(r"/zcwj/list_(\d+)\.htm", path)
    if m and int(m[1]) <= REAL_CHAIN:  # a real chain: every page new documents, new titles
        n = int(m[1])
        items = [(f"/zcwj/doc/{n}_{i}.html", f"关于{TOPICS[(n + i) % 10]}工作的{AGENCIES[n % 10]}通知（{n}-{i}）")
                 for i in range(3)]
        nxt = f"<a href='list_{n + 1}.htm'>下一页</a>" if n < REAL_CHAIN else ""
        return 200, {}, page("政策文件", rows(items) + nxt), 0
    m = re.fullmatch(r"/zfgb/list_(\d+)\.htm", path)
    if m and int(m[1]) <= REAL_CHAIN:  # a real series: new issues whose titles differ only in their numbers
        n = int(m[1])
        items = [(f"/zfgb/doc/{n}_{i}.html", f"政府公报2025年第{100 - n * 3 - i}期") for i in range(3)]
        nxt = f"<a href='list_{n + 1}.htm'>下一页</a>" if n < REAL_CHAIN else ""
        return 200, {}, page("政府公报", rows(items) + nxt), 0
    if path == "/deep.html":
        nested = "<div>" * DEEP + "<a href='/found-deep.html'>深处的链接</a>" + "</div>" * DEEP
        return 200, {}, page("很深的页面", nested + "<a href='/after-deep.html'>之后</a>"), 0
    if re.fullmatch(r"/\w+/doc/[\d_]+\.html|/(found|after)-deep\.html", path):
        return 200, {}, page("文件", "<h1>文件</h1><p>发布日期：2026-11-02</p>", '<meta name="ArticleTitle" content="文件">'), 0
    return 404, {}, page("404", "页面不存在"), 0


@pytest.fixture(scope="module")
def endless(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("endless")
    with serve(endless_site) as server:
        started = time.monotonic()
        run_zwgk("audit", server.base + "/", "--db", tmp / "e.db", "--out", tmp / "out", "--format", "json", "--no-ipv6",
                 "--quiet", "--fail-on", "never", "--select", "crawl", "--no-render", *FAST, timeout=120)
        took = time.monotonic() - started
        requests = [p for _m, p, _b in server.requests]
    findings = json.loads((tmp / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
    print(f"endless pagers: {len(requests)} requests, {took:.1f} s")
    return {"db": tmp / "e.db", "requests": requests, "base": server.base, "findings": findings}


def test_endless_pagers_are_cut_after_a_bounded_number_of_pages(endless):
    requests = endless["requests"]
    gzdt = [p for p in requests if p.startswith("/gzdt/list.jsp")]
    tzgg = [p for p in requests if p.startswith("/tzgg/list_")]
    gsgg = [p for p in requests if p.startswith("/gsgg/list.jsp")]
    # the cut: SAME_SHAPE_PAGES pages in a row of renumbered items (TRAP_PAGES of repeated ones), plus
    # what was in flight (a window of 16); page 1, page 2, the claimed last and the one past it
    assert len(gzdt) <= 4 + SAME_SHAPE_PAGES + 16, gzdt
    assert len(tzgg) <= 1 + SAME_SHAPE_PAGES + 1, tzgg
    assert len(gsgg) <= 1 + TRAP_PAGES + 1, gsgg
    assert len(requests) < 1500, len(requests)  # pages, their documents and robots.txt: bounded
    rows = {u.replace(endless["base"], ""): r for u, *r in query(
        endless["db"], "select column_url, pager, claimed_pages, requested, endless, overclaimed from pagers")}
    assert rows["/gzdt/list.jsp"][0] == "query" and rows["/gzdt/list.jsp"][1] == 999999
    for column in ("/gzdt/list.jsp", "/tzgg/list_1.htm", "/gsgg/list.jsp"):
        assert rows[column][3:] == [1, 0], (column, rows[column])


def test_the_cut_is_reported(endless):
    by_rule: dict[str, set[str]] = {}
    for f in endless["findings"]:
        by_rule.setdefault(f["rule"], set()).add(f["url"].replace(endless["base"], ""))
    assert by_rule.get("crawl.endless_pager") == {"/gzdt/list.jsp", "/tzgg/list_1.htm", "/gsgg/list.jsp"}
    assert "crawl.pager_overclaim" not in by_rule


def test_a_real_chain_longer_than_the_cut_is_crawled_whole(endless):
    for column in ("zcwj", "zfgb"):  # new titles; a numbered series (「第N期」) longer than TRAP_PAGES too
        asked = {p for p in endless["requests"] if p.startswith(f"/{column}/list_")}
        assert asked == {f"/{column}/list_{n}.htm" for n in range(1, REAL_CHAIN + 1)}, column
        listed = query(endless["db"], f"select count(distinct item_url) from column_items where column_url like '%/{column}/%'")
        assert listed == [(REAL_CHAIN * 3,)], column


def test_a_page_nested_ten_thousand_deep_yields_its_links(endless):
    targets = {t.replace(endless["base"], "") for (t,) in query(
        endless["db"], "select target_url from links where source_url like '%/deep.html'")}
    assert {"/found-deep.html", "/after-deep.html"} <= targets
    assert "/found-deep.html" in endless["requests"]


# -- depth ----------------------------------------------------------------------------------------

MAX_DEPTH = 4


def trap_links(n: int) -> list[int]:
    """An endless calendar-like trap with shortcuts: many paths of different lengths to a page."""
    return [n + 1, 2 * n + 3, n * 3 + 7, max(0, n - 5)]


def trap_site(delays: random.Random):
    def answer(method, path, qs, body):
        if path == "/":
            return 200, {}, page("首页", "<a href='/t/1.html'>日历</a><a href='/t/40.html'>往期</a>"), 0
        m = re.fullmatch(r"/t/(\d+)\.html", path)
        if m:
            n = int(m[1])
            links = "".join(f"<a href='/t/{k}.html'>第{k}天</a>" for k in trap_links(n))
            # answers delayed at random: a different arrival order each run
            return 200, {}, page(f"第{n}天", links), delays.random() * 0.1
        return 404, {}, page("404", "页面不存在"), 0
    return answer


def within_depth() -> dict[str, int]:
    """Every page within MAX_DEPTH of the home page, at its shortest distance (breadth first)."""
    depth = {"/": 0, "/t/1.html": 1, "/t/40.html": 1}
    todo = deque([1, 40])
    while todo:
        n = todo.popleft()
        d = depth[f"/t/{n}.html"]
        for k in trap_links(n) if d < MAX_DEPTH else ():
            if f"/t/{k}.html" not in depth:
                depth[f"/t/{k}.html"] = d + 1
                todo.append(k)
    return depth


def test_a_depth_limited_trap_stores_the_same_pages_whatever_the_arrival_order(tmp_path):
    stored = []
    for run in range(2):
        with serve(trap_site(random.Random(run))) as server:
            run_zwgk("crawl", server.base + "/", "--db", tmp_path / f"t{run}.db", "--quiet", "--no-ipv6", "--no-render",
                     "--max-depth", MAX_DEPTH, "--no-link-check", "--per-host", "16", "--concurrency", "16", "--delay", "0")
        pages = {u.replace(server.base, ""): d for u, d in query(tmp_path / f"t{run}.db", "select url, depth from pages")}
        stored.append(pages)
    assert stored[0] == stored[1] == within_depth()  # the same pages, each at its shortest distance
