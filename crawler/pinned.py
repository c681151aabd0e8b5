"""An HTTP(S) request over a socket already connected to one chosen address — the IPv6 probes (over
one family), the cloak step's views and the monitor's visits: the name is not resolved again, so
the address the address policy allowed is the one asked. Certificates are not judged here: these
measure reachability and content, and a browser would warn, not fail to load."""

from __future__ import annotations

import http.client
import socket
import ssl
from urllib.parse import urlsplit


def over_socket(sock: socket.socket, url: str, port: int, timeout: float | None = None):
    """(connection, request target, the socket to close) for ``url`` over the connected ``sock``."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        sock = context.wrap_socket(sock, server_hostname=parts.hostname)
        conn = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout)
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    conn.sock = sock
    return conn, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), sock
