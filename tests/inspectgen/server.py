"""Serve a generated portal on 127.0.0.1 (a free port), always stopped on exit.

Unlike ``tests/http_site.py`` an answer here sees the request's headers, because a cloaked hijack
answers by User-Agent or Referer. Requests are keyed by (host, target): the Host header picks the
portal ("") or one of the named off-site hosts the test pins with ``--resolve``; ``target`` is the
path with its query. A route's value is a ``Response`` or a callable ``(Request) -> Response``.
Every request is logged in ``server.log`` (host, target, User-Agent, Referer).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOT_FOUND = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>".encode()
PORT = "{{PORT}}"   # written into pages that must name the server's port; replaced when served


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list = field(default_factory=list)


@dataclass
class Request:
    method: str
    host: str
    target: str
    headers: dict   # lower-case names


class _Handler(BaseHTTPRequestHandler):
    server_version = "inspectgen/1"
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def _answer(self, method: str) -> None:
        srv: SiteServer = self.server.owner  # type: ignore[attr-defined]
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower().strip("[]")
        host = host if host in srv.site.other_hosts else ""
        req = Request(method, host, self.path, {k.lower(): v for k, v in self.headers.items()})
        resp = srv.lookup(req)
        srv.log.append((host, self.path, req.headers.get("user-agent", ""), req.headers.get("referer", ""), resp.status))
        body = resp.body.replace(PORT.encode(), str(srv.port).encode())
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for k, v in resp.headers:
            self.send_header(k, v.replace(PORT, str(srv.port)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self._answer("GET")

    def do_HEAD(self):  # noqa: N802
        self._answer("HEAD")

    def do_POST(self):  # noqa: N802
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self._answer("POST")


class SiteServer:
    def __init__(self, site):
        self.site = site
        self.log: list = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def lookup(self, req: Request) -> Response:
        found = self.site.routes.get((req.host, req.target))
        if found is None and "?" in req.target:   # a route for any query (a counter's pixel)
            found = self.site.routes.get((req.host, req.target.split("?", 1)[0] + "?*"))
        if found is None:
            return Response(404, NOT_FOUND)
        return found(req) if callable(found) else found

    def url(self, target: str) -> str:
        """The absolute URL of a portal target (``/zwgk/…``) on this server."""
        return self.origin + target

    def resolve_args(self) -> list[str]:
        """Pin every named off-site host to this server, so no request leaves 127.0.0.1."""
        out = []
        for h in self.site.other_hosts:
            for port in (self.port, 80, 443):
                out += ["--resolve", f"{h}:{port}:127.0.0.1"]
        return out


@contextlib.contextmanager
def serve(site):
    srv = SiteServer(site)
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(timeout=5)
