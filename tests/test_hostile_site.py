"""A hostile site: a link trap, a decompression bomb, a trickling page, a redirect loop,
connection resets, redirects to ``javascript:`` and to an invalid port, and a page of 100 000
links. The crawl ends by itself, within CI's time, with bounded memory (measured), and every
failure is a broken link with its reason, never an exception or an unexplained ``other``."""

from __future__ import annotations

import gzip
import json
import re
import resource
import socket
import struct
import subprocess
import sys
import time

import pytest

from conftest import FAST
from http_site import page, serve

LINKS = 100_000
BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), 9)  # 64 MiB of zeros in ~64 KiB


def answer(method, path, query, body):
    if path == "/":
        links = ["/trap/0.html", "/bomb.html", "/trickle.html", "/loop/a.html", "/reset.html", "/to-js.html",
                 "/to-bad-port.html", "/many.html", "/ok.html"]
        return 200, {}, page("首页", "".join(f"<a href='{u}'>{u}</a>" for u in links)), 0
    m = re.fullmatch(r"/trap/(\d+)\.html", path)
    if m:  # a calendar-like trap: every page links a new one, forever
        n = int(m[1])
        return 200, {}, page(f"第{n}页", f"<a href='/trap/{n + 1}.html'>下一天</a><a href='/trap/{n}.html?v={n}'>刷新</a>"), 0
    if path == "/bomb.html":
        return 200, {"Content-Encoding": "gzip"}, BOMB, 0
    if path.startswith("/loop/"):
        return 302, {"Location": "/loop/b.html" if path.endswith("a.html") else "/loop/a.html"}, b"", 0
    if path == "/to-js.html":
        return 302, {"Location": "javascript:alert(1)"}, b"", 0
    if path == "/to-bad-port.html":
        return 302, {"Location": "http://127.0.0.1:99999/x"}, b"", 0
    if path == "/many.html":
        links = "".join(f"<a href='/same.html?id={i % 50}#n{i}'>{i}</a>" for i in range(LINKS))
        return 200, {}, page("链接很多", links), 0
    return 200, {}, page("正常", "<p>正常页面</p>"), 0


class HostileServer:
    """The site above, plus two answers http.server cannot give: a trickle and a reset."""

    def __init__(self):
        self.context = serve(self._answer)

    def _answer(self, method, path, query, body):
        return answer(method, path, query, body)

    def __enter__(self):
        self.server = self.context.__enter__()
        handler = self.server.RequestHandlerClass
        original = handler._answer

        def hostile(handler_self, method):
            if handler_self.path == "/trickle.html":
                handler_self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
                for _ in range(60):  # one byte a second: never finishes within the crawl's timeout
                    try:
                        handler_self.wfile.write(b"<")
                        handler_self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(1)
                return
            if handler_self.path == "/reset.html":
                handler_self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                handler_self.close_connection = True
                return  # closed with RST, nothing sent
            return original(handler_self, method)

        handler._answer = hostile
        self.original = original
        return self.server

    def __exit__(self, *exc):
        self.server.RequestHandlerClass._answer = self.original
        return self.context.__exit__(*exc)


def test_hostile_site_ends_bounded_and_explained(tmp_path):
    with HostileServer() as server:
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "zwgk.cli", "audit", server.base + "/", "--db", str(tmp_path / "h.db"), "--out",
             str(tmp_path / "out"), "--format", "json", "--no-ipv6", "--quiet", "--fail-on", "never", "--select", "links",
             "--timeout", "3", "--max-size", "5", "--max-depth", "6", *FAST],
            capture_output=True, text=True, timeout=280)
        took = time.monotonic() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert proc.returncode == 0, proc.stderr
    print(f"hostile site: {took:.1f} s, peak RSS of the crawler {peak_mib:.0f} MiB")
    assert took < 240
    assert peak_mib < 600, peak_mib
    findings = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
    broken = {f["url"].replace(server.base, ""): f["evidence"]["error"] or f"HTTP {f['evidence']['status']}"
              for f in findings if f["rule"] == "links.broken"}
    assert broken == {
        "/bomb.html": "too_large",
        "/trickle.html": "timeout",
        "/loop/a.html": "redirect_loop",
        "/reset.html": "reset",
        "/to-js.html": "bad_redirect",
        "/to-bad-port.html": "bad_redirect",
    }
    import sqlite3

    with sqlite3.connect(tmp_path / "h.db") as conn:
        # the endless trap leaves pages deeper than --max-depth unvisited: the scan says it is partial
        assert conn.execute("select status, limited_by from scans").fetchall() == [("partial", "max_depth")]
        kinds = {k for (k,) in conn.execute("select distinct error_kind from pages where error_kind is not null")}
        assert "other" not in kinds and "ignored" not in kinds, kinds
        # the trap is cut by --max-depth, its ?v= variants too
        trap = conn.execute("select count(*) from pages where url like '%/trap/%'").fetchone()[0]
        assert 0 < trap <= 2 * 6
        # 100 000 hrefs, 50 distinct targets once fragments are dropped
        assert conn.execute("select count(distinct target_url) from links where source_url like '%/many.html'").fetchone()[0] == 50
