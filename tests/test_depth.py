"""A document first met too deep (at the end of a 上一篇/下一篇 chain) is still crawled when its
column's list, which arrives later, lists it within --max-depth."""

from __future__ import annotations

import sqlite3

from tests.conftest import FAST, run_zwgk
from tests.http_site import page, serve


def _doc(n: int) -> bytes:
    return page(f"文件{n}", f"<h1>文件{n}</h1><p>正文</p><a href='/doc/{n + 1}.html'>下一篇：文件{n + 1}</a>")


def _list(items: list[int], next_page: str | None) -> bytes:
    links = "".join(f"<li><a href='/doc/{n}.html'>文件{n}</a><span>2026-11-0{n + 1}</span></li>" for n in items)
    pager = f"<a href='{next_page}'>下一页</a>" if next_page else ""
    return page("通知公告", f"<ul class='list'>{links}</ul>{pager}")


def answer(method, path, query, body):
    if path == "/":
        return 200, {}, page("首页", "<a href='/tzgg/index.html'>通知公告</a>"), 0
    if path == "/tzgg/index.html":
        return 200, {}, _list([0], "/tzgg/index_1.html"), 0
    if path == "/tzgg/index_1.html":  # the second list page comes late: the chain runs first
        return 200, {}, _list([2], None), 1.5
    if path.startswith("/doc/") and path.endswith(".html"):
        n = int(path[5:-5])
        if n <= 5:
            return 200, {}, _doc(n), 0
    return 404, {}, page("404", "页面不存在"), 0


def test_document_reached_too_deep_first_is_crawled_from_its_list(tmp_path):
    with serve(answer) as server:
        run_zwgk("crawl", server.base + "/", "--db", tmp_path / "d.db", "--quiet", "--no-ipv6", "--max-depth", "3",
                 "--no-render", *FAST)
        requested = [p for m, p, _ in server.requests if m == "GET"]
    with sqlite3.connect(tmp_path / "d.db") as conn:
        fetched = {u[len(server.base):]: s for u, s in conn.execute("select url, status from pages")}
    # /doc/2.html is 4 hops away along the chain (home → list → 0 → 1 → 2) but 2 along the list
    assert fetched.get("/doc/1.html") == 200
    assert fetched.get("/doc/2.html") == 200
    assert requested.count("/doc/2.html") == 1
    # what is only deeper than --max-depth stays out
    assert "/doc/4.html" not in fetched
