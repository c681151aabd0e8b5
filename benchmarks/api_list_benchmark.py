"""Lists only a browser sees, at scale: one render per column, then the learned list API over plain
HTTP — against the same site served as static HTML.

    python3 benchmarks/api_list_benchmark.py [--docs 5000] [--per-page 20] [--columns 25]

A local server (127.0.0.1, a separate process) serves a portal of ``--docs`` documents in
``--columns`` columns twice: once with static list pages (``list.html?page=N`` linked by
下一页 and page numbers), once with column pages whose list a script fills from a JSON API
(``POST /api/list`` with ``{"channel": c, "pageNo": n, "pageSize": s}``, the total in the answer,
links built from a document id). Document pages are the same static HTML in both. Each is
crawled with `zwgk crawl` (polite settings off: ``--delay 0 --per-host 8``, the benchmark's own).
Prints, for each: wall seconds, pages, pages/s, CPU seconds of the crawl's process tree, its peak
RSS (Chromium included), renders, and the API site's pages/s as a share of the static one's.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import glob
import json
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs


sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_site import serve as serve_http  # noqa: E402
from crawl_benchmark import run  # noqa: E402

META = '<meta name="SiteName" content="基准市人民政府"><meta name="SiteIDCode" content="3599000009">'
API_SCRIPT = """<ul id="rows"></ul><div id="pg"></div><script>
var ch = "%s", cur = 1;
function load(n) {
  fetch('/api/list', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({channel: ch, pageNo: n, pageSize: %d})}).then(r => r.json()).then(d => {
    cur = n;
    document.getElementById('rows').innerHTML = d.data.rows.map(r =>
      '<li><a href="/doc/' + r.id + '.html">' + r.title + '</a><span>' + r.date + '</span></li>').join('');
    document.getElementById('pg').innerHTML = d.data.total > n * %d ? '<a href="javascript:void(0)" onclick="load(cur + 1)">下一页</a>' : '';
  });
}
load(1);
</script>"""


def page(title: str, body: str, head: str = "") -> bytes:
    return f'<html><head><meta charset="utf-8"><title>{title}</title>{META}{head}</head><body>{body}</body></html>'.encode()


class Portal:
    def __init__(self, docs: int, columns: int, per_page: int, api: bool):
        self.docs, self.columns, self.per_page, self.api = docs, columns, per_page, api
        self.per_column = docs // columns

    def doc(self, c: int, k: int) -> dict:
        n = c * self.per_column + k
        return {"id": 100000 + n, "title": f"关于第{c}栏目第{k}项工作的通知", "date": f"2026-{1 + k % 11:02d}-{1 + k % 27:02d}"}

    def rows(self, c: int, n: int) -> list[dict]:
        start = (n - 1) * self.per_page
        return [self.doc(c, k) for k in range(start, min(start + self.per_page, self.per_column))]

    def answer(self, method: str, path: str, query: str, body: bytes) -> tuple[int, str, bytes]:
        html = "text/html; charset=utf-8"
        if path == "/":
            nav = "".join(f"<li><a href='/col{c}/list.html'>栏目{c}</a></li>" for c in range(self.columns))
            return 200, html, page("首页", f"<ul class='nav'>{nav}</ul>")
        if path.startswith("/col") and path.endswith("/list.html"):
            c = int(path[4:].split("/")[0])
            head = f'<meta name="ColumnName" content="栏目{c}">'
            if self.api:
                return 200, html, page(f"栏目{c}", API_SCRIPT % (c, self.per_page, self.per_page), head)
            n = int(parse_qs(query).get("page", ["1"])[0])
            pages = -(-self.per_column // self.per_page)
            items = "".join(f"<li><a href='/doc/{d['id']}.html'>{d['title']}</a><span>{d['date']}</span></li>" for d in self.rows(c, n))
            nav = "".join(f"<a href='list.html?page={k}'>{k}</a> " for k in range(1, pages + 1) if k != n)
            nav += f"<a href='list.html?page={n + 1}'>下一页</a>" if n < pages else ""
            return 200, html, page(f"栏目{c}", f"<ul class='list'>{items}</ul><div class='page'>共{pages}页 {nav}</div>", head)
        if path == "/api/list" and method == "POST":
            ask = json.loads(body)
            data = {"code": 0, "data": {"total": self.per_column, "rows": self.rows(int(ask["channel"]), int(ask["pageNo"]))}}
            return 200, "application/json", json.dumps(data, ensure_ascii=False).encode()
        if path.startswith("/doc/"):
            n = int(path[5:].split(".")[0]) - 100000
            c, k = divmod(n, self.per_column)
            d = self.doc(c, k)
            table = (f"<table><tr><td>索引号：</td><td>003351278/2026-{n:05d}</td><td>发布日期：</td><td>{d['date']}</td></tr>"
                     f"<tr><td>发文机关：</td><td>基准市人民政府办公室</td><td>成文日期：</td><td>{d['date']}</td></tr></table>")
            return 200, html, page(d["title"], f"<h1>{d['title']}</h1>{table}<div id='zoom'><p>{'正文内容。' * 60}</p></div>")
        return 404, html, page("404", "页面不存在")


def serve(portal: Portal, port_queue) -> None:
    """Serve the portal (tests/http_site.py's server) until this process is ended."""
    def answer(method, path, query, body):
        status, content_type, payload = portal.answer(method, path, query, body)
        return status, {"Content-Type": content_type}, payload, 0

    with serve_http(answer) as server:
        port_queue.put(server.server_address[1])
        while True:
            time.sleep(3600)


# the site is on loopback, not a real portal: no per-host politeness (zwgk's defaults are --per-host 2 --delay 0.5)
CRAWL_OPTIONS = ["--delay", "0", "--per-host", "8"]


def crawl(url: str, db: str) -> tuple[float, float, int]:
    """(seconds, CPU seconds of the crawl's process tree, peak RSS MiB of that tree)."""
    return run([sys.executable, "-m", "zwgk.cli", "crawl", url, "--db", db, *CRAWL_OPTIONS, "--quiet"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--columns", type=int, default=25)
    ap.add_argument("--per-page", type=int, default=20)
    ap.add_argument("--keep", metavar="DIR", help="write the two scan databases there (default: a temporary folder)")
    a = ap.parse_args()
    print(f"zwgk crawl options: {' '.join(CRAWL_OPTIONS)}", flush=True)
    rates = {}
    with tempfile.TemporaryDirectory() as scratch:
        tmp = a.keep or scratch
        os.makedirs(tmp, exist_ok=True)
        for api in (False, True):
            portal = Portal(a.docs, a.columns, a.per_page, api)
            ports = multiprocessing.Queue()
            server = multiprocessing.Process(target=serve, args=(portal, ports), daemon=True)
            server.start()
            try:
                port = ports.get(timeout=10)
                db = os.path.join(tmp, f"{'api' if api else 'static'}.db")
                for old in glob.glob(db + "*") + glob.glob(db[:-3] + ".*"):  # a kept earlier run: a first scan again
                    shutil.rmtree(old) if os.path.isdir(old) else os.remove(old)
                seconds, cpu, peak = crawl(f"http://127.0.0.1:{port}/", db)
            finally:
                server.terminate()
                server.join(5)
            conn = sqlite3.connect(db)
            pages = conn.execute("select count(*) from pages").fetchone()[0]
            documents = conn.execute("select count(*) from documents").fetchone()[0]
            renders = conn.execute("select coalesce(sum(renders), 0) from rendered").fetchone()[0]
            conn.close()
            name = "API-driven lists" if api else "static lists"
            rates[api] = pages / seconds
            print(f"{name:17} {a.docs} documents in {a.columns} columns: {seconds:6.1f} s, {pages} pages ({documents} documents), "
                  f"{pages / seconds:6.1f} pages/s, {cpu:6.1f} CPU s, peak RSS {peak} MiB, renders {renders}", flush=True)
    print(f"API-driven / static pages/s: {rates[True] / rates[False]:.0%} (target ≥ 80 %)")


if __name__ == "__main__":
    main()
