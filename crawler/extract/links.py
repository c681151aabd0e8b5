"""Every link on a page, with where it sits (navigation, body, footer) and whether it is hidden.

Hidden links matter because hijacked government pages carry gambling and pornography links
inside ``display:none`` blocks (暗链/黑链). Links written only inside ``<script>`` are not
links: only elements are read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

from crawler.text import clean
from crawler.urls import MalformedURL, canonical

LINK_ATTRS = {"a": "href", "area": "href", "img": "src", "iframe": "src", "frame": "src", "embed": "src"}
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#", "vbscript:", "sms:")
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])|"
    r"(?:^|[;\s])(?:width|height)\s*:\s*0(?:px)?\s*(?:;|$)|"
    r"(?:left|top|text-indent)\s*:\s*-\s*\d{3,}",
    re.I,
)
_NAV = re.compile(r"(?:^|[\s_-])(?:nav|menu|daohang|dh|topbar|header|head|breadcrumb|crumb|position|location|weizhi)(?:$|[\s_-]|\d)", re.I)
FOOTER_MARKER = re.compile(r"(?:^|[\s_-])(?:foot|footer|bottom|copyright|copy|bq|banquan|dibu)(?:$|[\s_-]|\d)", re.I)


class Link(NamedTuple):
    """A named tuple: a page's links (60 on a portal page) travel pickled from the parse worker to
    the crawl's process and into the site's cache, and tuples unpickle twice as fast as objects."""

    url: str  # canonical absolute URL (crawler.urls); the raw href when malformed
    tag: str  # a, img, iframe …
    anchor: str  # anchor text (or img alt / title)
    position: str  # nav | body | footer
    hidden: bool  # hidden by inline style or the hidden attribute (on itself or an ancestor)
    href: str = ""  # the attribute as written
    malformed: bool = False  # no browser could request it: recorded, never followed


def zone_and_hidden(el, cache: dict) -> tuple[str, bool]:
    # Keyed by the element itself, not id(): lxml proxies are transient and ids get reused.
    # Ancestors first, without recursion: a page may nest thousands of elements.
    if el in cache:
        return cache[el]
    chain = [el]
    parent = el.getparent()
    while parent is not None and parent not in cache:
        chain.append(parent)
        parent = parent.getparent()
    zone, hidden = cache[parent] if parent is not None else ("body", False)
    for node in reversed(chain):
        tag = node.tag if isinstance(node.tag, str) else ""
        style = node.get("style") or ""
        if node.get("hidden") is not None or (style and _HIDDEN_STYLE.search(style)):
            hidden = True
        if zone == "body":
            marker = f'{node.get("id") or ""} {node.get("class") or ""}'
            if tag in ("nav", "header") or (marker.strip() and _NAV.search(marker)):
                zone = "nav"
            elif tag == "footer" or (marker.strip() and FOOTER_MARKER.search(marker)):
                zone = "footer"
        cache[node] = (zone, hidden)
    return zone, hidden


def base_url(root, page_url: str) -> str:
    for base in root.iter("base"):
        href = base.get("href")
        if href:
            try:
                return urljoin(page_url, href.strip())
            except ValueError:
                continue  # a broken <base href>: the page's own URL is the base
    return page_url


def directory(base: str) -> str:
    """``http://h/a/b.html?q`` → ``http://h/a/``: all that urljoin takes from the base for an href
    with a path or a host of its own. An unparsable base is returned as it is (urljoin then says so)."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return base
    return urlunsplit((parts.scheme, parts.netloc, parts.path[:parts.path.rfind("/") + 1] or "/", "", ""))


@lru_cache(maxsize=8192)  # the navigation and footer of a portal: the same hrefs from the same directories
def _resolved(directory: str, href: str, encoding: str) -> str:
    try:
        joined = urljoin(directory, href)
    except ValueError as exc:  # e.g. an unclosed IPv6 literal
        raise MalformedURL(str(exc)) from None
    return canonical(joined, encoding)


def absolute(base: str, href: str, encoding: str = "utf-8", base_directory: str | None = None) -> str | None:
    """The canonical URL an href leads to; None for hrefs that are not web links (mailto: …).
    Raises MalformedURL for an http(s) link no browser could request. ``base_directory`` is
    ``directory(base)``, when the caller resolves many hrefs against one base."""
    href = href.strip().replace("\\", "/")
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    if ":" in href.split("/", 1)[0] and not href.lower().startswith(("http:", "https:")):
        return None  # another scheme (ftp:, weixin: …): not checked
    try:
        own_path = bool(urlsplit(href).path)
    except ValueError:  # urljoin will say what is wrong with it
        own_path = False
    # an href with no path of its own (「?page=2」, 「#top」, 「//」): the base's whole path and query matter
    return _resolved((base_directory or directory(base)) if own_path else base, href, encoding)


def extract_links(root, page_url: str, encoding: str = "utf-8") -> list[Link]:
    base = base_url(root, page_url)
    base_directory = directory(base)
    cache: dict = {}
    out: list[Link] = []
    for el in root.iter(*LINK_ATTRS):
        raw = el.get(LINK_ATTRS[el.tag])
        if not raw:
            continue
        try:
            url = absolute(base, raw, encoding, base_directory)
        except MalformedURL:
            zone, hidden = zone_and_hidden(el, cache)
            out.append(Link(raw.strip()[:2000], el.tag, clean(el.text_content() if el.tag == "a" else el.get("alt") or "")[:500],
                            zone, hidden, raw[:2000], True))
            continue
        if url is None:
            continue
        zone, hidden = zone_and_hidden(el, cache)
        if el.tag == "a":
            anchor = clean(el.text_content()) or clean(el.get("title") or "")
        else:
            anchor = clean(el.get("alt") or el.get("title") or "")
        out.append(Link(url, el.tag, anchor[:500], zone, hidden, raw[:2000]))
    return out
