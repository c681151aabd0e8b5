"""Serve a generated ``Site`` on 127.0.0.1 (threaded ``http.server``), always stopped on exit.

Requests are keyed by (host, method, canonical target): the Host header picks the portal ("")
or one of the other hosts (``Site.resolves``: the off-site hosts, the city's department hosts;
all reached by the crawler through ``--resolve HOST:PORT:127.0.0.1``, like a named portal
``Site.host``); the target is canonicalised as in ``urls.wire_target`` so
``%e5`` and ``%E5`` are the same, while a UTF-8-encoded query where the page meant GBK, or an
unescaped ``&amp;``, is a different URL and answers 404 like a real server. Static routes are
looked up first, then the site's handlers (Hanweb ``dataproxy.jsp``, a lying query pager).
HEAD is answered like GET without a body. Every request is logged in ``server.log``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from .site import Response, Site
from .urls import ORIGIN, PORT, wire_target

NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"


class _Handler(BaseHTTPRequestHandler):
    server_version = "sitegen/1"
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, method: str) -> None:
        srv: SiteServer = self.server.owner  # type: ignore[attr-defined]
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower().strip("[]")
        host_key = host if host in srv.site.resolves and host != srv.site.host else ""
        target = wire_target(self.path)
        form: dict = {}
        if method == "POST":
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        resp = srv.lookup(host_key, method, target, form)
        srv.log.append((host_key, method, target, form, resp.status))
        if resp.delay:
            time.sleep(resp.delay)
        body = resp.body.replace(ORIGIN.encode(), srv.origin.encode()).replace(PORT.encode(), str(srv.port).encode())
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for k, v in resp.headers:
            self.send_header(k, v.replace(ORIGIN, srv.origin).replace(PORT, str(srv.port)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self._answer("GET")

    def do_HEAD(self):
        self._answer("HEAD")

    def do_POST(self):
        self._answer("POST")


class SiteServer:
    def __init__(self, site: Site):
        self.site = site
        self.log: list = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.origin = f"http://{site.host or '127.0.0.1'}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def lookup(self, host: str, method: str, target: str, form: dict) -> Response:
        m = "GET" if method == "HEAD" else method
        resp = self.site.routes.get((host, m, target))
        if resp is not None:
            return resp
        for h in self.site.handlers:
            resp = h(host, m, target, form)
            if resp is not None:
                return resp
        return Response(404, NOT_FOUND)

    def url(self, text: str) -> str:
        return self.site.resolve(text, self.origin, self.port)

    @property
    def home(self) -> str:
        return self.origin + "/"

    def resolve_args(self) -> list[str]:
        out = []
        for h in self.site.resolves:
            out += ["--resolve", f"{h}:{self.port}:127.0.0.1"]
        return out


@contextlib.contextmanager
def serve(site: Site):
    """Start a server for ``site`` on 127.0.0.1 (free port); always shut down afterwards."""
    srv = SiteServer(site)
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(timeout=5)
