"""Serve a :class:`DemoPortal` on 127.0.0.1 (and ::1 where the machine has it) in threads.

Used by ``zwgk demo``, the tests and the benchmark; every server started here is stopped by
the context manager.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from zwgk.demo.portal import DemoPortal


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    portal: DemoPortal

    def _serve(self, method: str, with_body: bool = True) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.portal.handle(method, parts.path, parts.query, body)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if with_body:
            self.wfile.write(payload)

    def do_GET(self):  # noqa: N802 (http.server naming)
        self._serve("GET")

    def do_POST(self):  # noqa: N802
        self._serve("POST")

    def do_HEAD(self):  # noqa: N802
        self._serve("GET", with_body=False)

    def log_message(self, format, *args):  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, portal, family=socket.AF_INET):
        self.address_family = family
        self.portal = portal
        super().__init__(address, _Handler)


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@contextlib.contextmanager
def serve_portal(portal: DemoPortal | None = None, port: int = 0, **portal_args):
    """Yields {"v4": "http://127.0.0.1:PORT", "v6": "http://[::1]:PORT" or None, "portal": …}.

    The portal also answers as "localhost" on a second port, which the crawl sees as another
    host (the demo's external links go there)."""
    external = _Server(("127.0.0.1", 0), None)
    dead_port = free_port()
    if portal is None:
        portal = DemoPortal(dead_port=dead_port, external_port=external.server_address[1], **portal_args)
    external.portal = portal
    servers = [external, _Server(("127.0.0.1", port), portal)]
    v6 = None
    if has_ipv6_loopback():
        try:
            servers.append(_Server(("::1", servers[1].server_address[1]), portal, socket.AF_INET6))
            v6 = f"http://[::1]:{servers[1].server_address[1]}"
        except OSError:
            pass
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True) for s in servers]
    for t in threads:
        t.start()
    try:
        yield {"v4": f"http://127.0.0.1:{servers[1].server_address[1]}", "v6": v6, "portal": portal,
               "external": f"http://localhost:{external.server_address[1]}"}
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
        for t in threads:
            t.join(timeout=5)
