"""A tiny real HTTP server on 127.0.0.1 for crawler tests: a function answers each request, and
every request is logged so a test can count what the crawler asked for."""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        self.server.requests.append((method, self.path, body))
        status, headers, payload, delay = self.server.answer(method, parts.path, parts.query, body)
        if delay:
            time.sleep(delay)
        self.send_response(status)
        headers = {"Content-Type": "text/html; charset=utf-8", **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(payload)

    def do_GET(self):  # noqa: N802
        self._answer("GET")

    def do_HEAD(self):  # noqa: N802
        self._answer("HEAD")

    def do_POST(self):  # noqa: N802
        self._answer("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.requests: list[tuple[str, str, bytes]] = []


@contextlib.contextmanager
def serve(answer):
    """answer(method, path, query, body) -> (status, headers, body bytes, delay seconds).
    Yields the server: ``server.base`` is its URL, ``server.requests`` the request log."""
    server = _Server(answer)
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def page(title: str, body: str, head: str = "", charset: str = "utf-8") -> bytes:
    return (f'<html><head><meta charset="{charset}"><title>{title}</title>{head}</head>'
            f"<body>{body}</body></html>").encode(charset)
