"""URL spelling shared by the generator, the server and the test.

Ground-truth URLs are written the way a browser (WHATWG URL standard) sends them: the path
percent-encoded as UTF-8, the query percent-encoded in the *page's* encoding (a GBK page's
``?lm=公示`` becomes ``?lm=%B9%AB%CA%BE``), upper-case hex, lower-case host, no fragment.

While a site is generated the origin is not known yet (the server picks a free port), so URLs
carry the placeholders ``@@ORIGIN@@`` (``http://127.0.0.1:PORT``) and ``@@PORT@@``; the server
substitutes them in every body and ``Site.resolve`` in every ground-truth URL.
"""

from __future__ import annotations

import re
from urllib.parse import quote_from_bytes, unquote_to_bytes

ORIGIN = "@@ORIGIN@@"
PORT = "@@PORT@@"

PATH_SAFE = "/!$&'()*+,;=:@-._~"
QUERY_SAFE = "-._~!$'()*+,;:@/?"


def canon_path(path: str) -> str:
    """A path (raw Chinese or already percent-encoded) as the server keys it."""
    return quote_from_bytes(unquote_to_bytes(path), safe=PATH_SAFE)


def canon_query(query: str, encoding: str = "utf-8") -> str:
    """A query string: raw non-ASCII characters encoded in ``encoding``, existing %XX kept as bytes."""
    if not query:
        return ""
    out = []
    for part in query.split("&"):
        key, eq, value = part.partition("=")
        pieces = []
        for piece in (key, value):
            raw = b"".join(
                unquote_to_bytes(chunk) if chunk.isascii() else chunk.encode(encoding)
                for chunk in re.split(r"([^\x00-\x7f]+)", piece) if chunk
            )
            pieces.append(quote_from_bytes(raw, safe=QUERY_SAFE.replace("&", "").replace("=", "")))
        out.append(pieces[0] + (eq + pieces[1] if eq else ""))
    return "&".join(out)


def canon_target(target: str, encoding: str = "utf-8") -> str:
    """``path?query`` (fragment dropped) in canonical form."""
    target = target.split("#", 1)[0]
    path, q, query = target.partition("?")
    return canon_path(path) + ("?" + canon_query(query, encoding) if q else "")


def wire_target(raw: str) -> str:
    """A request target as received (latin-1 decoded request line) → canonical form."""
    raw_bytes = raw.encode("latin-1", "replace")
    text = raw_bytes.decode("utf-8", "surrogateescape")
    path, q, query = text.partition("?")
    path_c = quote_from_bytes(unquote_to_bytes(path.encode("utf-8", "surrogateescape")), safe=PATH_SAFE)
    if not q:
        return path_c
    parts = []
    for part in query.split("&"):
        key, eq, value = part.partition("=")
        enc = [quote_from_bytes(unquote_to_bytes(p.encode("utf-8", "surrogateescape")), safe=QUERY_SAFE) for p in (key, value)]
        parts.append(enc[0] + (eq + enc[1] if eq else ""))
    return path_c + "?" + "&".join(parts)
