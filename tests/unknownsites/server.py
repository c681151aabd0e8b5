"""Serve a generated ``Site`` on 127.0.0.1 (threaded ``http.server``, free port), always stopped on exit.

Lookup: a handler registered for the path (list APIs, the SPA document API, query-paged lists)
gets the whole request; otherwise a static route by path answers GET, ignoring the query as a
file server does (405 to POST); a folder asked without its trailing slash is redirected (301);
anything else is 404. HEAD is answered like GET without a body. ``@@ORIGIN@@`` in bodies becomes
the real origin. Every request is appended to ``server.log`` as a ``Hit``.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from .model import ORIGIN, Request, Response, Site

NOT_FOUND = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>".encode()


@dataclass
class Hit:
    method: str
    target: str            # path?query as sent
    body: bytes
    status: int
    kind: str | None = None      # "api" (list API), "list" (static list page), "doc" (SPA document API)
    column: str | None = None    # column key
    page: int | None = None      # 1-based page served
    items: int | None = None     # items on it


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, method: str) -> None:
        srv: SiteServer = self.server.owner  # type: ignore[attr-defined]
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path, _, query = self.path.partition("?")
        req = Request(method="GET" if method == "HEAD" else method, path=unquote(path), query=query, body=body,
                      headers={k.lower(): v for k, v in self.headers.items()})
        resp = srv.lookup(req)
        info = resp.info or {}
        srv.log.append(Hit(method, self.path, body, resp.status, info.get("kind"), info.get("column"),
                           info.get("page"), info.get("items")))
        out = resp.body.replace(ORIGIN.encode(), srv.origin.encode())
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for k, v in resp.headers:
            self.send_header(k, v.replace(ORIGIN, srv.origin))
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(out)

    def do_GET(self):
        self._answer("GET")

    def do_HEAD(self):
        self._answer("HEAD")

    def do_POST(self):
        self._answer("POST")


class SiteServer:
    def __init__(self, site: Site):
        self.site = site
        self.log: list[Hit] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def home(self) -> str:
        return self.origin + "/"

    def url(self, text: str) -> str:
        """A ground-truth URL (with the ``@@ORIGIN@@`` placeholder) as served."""
        return self.site.resolve(text, self.origin)

    def lookup(self, req: Request) -> Response:
        handler = self.site.handlers.get(req.path)
        if handler is not None:
            return handler(req)
        resp = self.site.routes.get(req.path)
        if resp is not None:
            if req.method != "GET":
                return Response(405, b"Method Not Allowed", "text/plain")
            return resp
        if req.path + "/" in self.site.routes:
            return Response(301, b"", headers=[("Location", ORIGIN + req.path + "/")])
        return Response(404, NOT_FOUND)


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
