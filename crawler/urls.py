"""One canonical form for every URL the crawler stores or compares.

A page links ``/uploadfile/依申请公开流程图.docx``, the server is asked for
``/uploadfile/%E4%BE%9D…docx``; a GBK page links ``list.jsp?kw=通知`` and a browser sends the
query in GBK. Unless links, pages, column items and findings all hold the same text for the
same address, a broken link never meets its failed fetch. The form is the WHATWG one as w3lib
implements it (path in UTF-8, query in the page's encoding), with a lower-case host, no default
port and no fragment. The text as written is kept beside it where it matters (``links.href``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import safe_url_string

DEFAULT_PORTS = {"http": 80, "https": 443}
# dir/index.html, dir/default.htm … serve the directory's own page (one column, one identity)
DIRECTORY_INDEX = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.I)
# a browser reads any number of slashes or backslashes after http(s): as the start of the host
# (WHATWG): http:///a.gov.cn/x is http://a.gov.cn/x (w3lib reads it so only from 2.6 on)
SCHEME_SLASHES = re.compile(r"^(https?:)[/\\]*", re.I)


class MalformedURL(ValueError):
    """An address that no browser could request (bad port, broken IPv6 literal …)."""


@lru_cache(maxsize=8192)  # a portal's navigation and footer links are on every page
def canonical(url: str, encoding: str = "utf-8") -> str:
    """The canonical form of an absolute http(s) URL; raises MalformedURL if it has none."""
    try:
        safe = safe_url_string(SCHEME_SLASHES.sub(r"\1//", url.strip()), encoding=encoding or "utf-8")
        parts = urlsplit(safe)
        port = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except (ValueError, UnicodeError, LookupError) as exc:
        raise MalformedURL(str(exc)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MalformedURL(f"not an http(s) URL: {url[:200]}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[parts.scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += f":{parts.password}"
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def try_canonical(url: str, encoding: str = "utf-8") -> str | None:
    try:
        return canonical(url, encoding)
    except MalformedURL:
        return None


def page_identity(url: str) -> str:
    """What makes two page URLs the same page: ``dir/index.html`` is ``dir/``."""
    parts = urlsplit(url)
    if parts.query:
        return url
    return urlunsplit(parts._replace(path=DIRECTORY_INDEX.sub("/", parts.path)))


def directory_of(url: str) -> str:
    """http://x/zwgk/index.html → http://x/zwgk/ (the pages of a section live below it)."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
