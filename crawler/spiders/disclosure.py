"""The disclosure spider: walks a portal from its start URLs, follows every column and every
page of its pagination, and yields one item per fetched URL for the SQLite pipeline.

Every URL is requested once (Scrapy's dupefilter). In-scope HTML pages are fetched with GET and
parsed; attachments, images and other hosts' pages are only probed (HEAD, then GET where HEAD is
refused) so the link check can read their status from the database later.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.extract.links import Link
from crawler.extract.page import extract_page, is_attachment_url
from crawler.pagination import hanweb
from crawler.scope import Scope, netloc
from crawler.store import now

HEAD_REFUSED = {400, 403, 404, 405, 406, 500, 501}  # servers that mishandle HEAD: retry with GET
HOME_ALIASES = ("index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "default.html", "default.htm")


def error_kind(failure) -> str:
    """dns | refused | timeout | reset | tls | redirect | robots | too_large | connect | other."""
    if failure.check(DNSLookupError, CannotResolveHostError):
        return "dns"
    if failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
        return "refused"
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "timeout"
    if failure.check(DownloadCancelledError):
        return "too_large"
    if failure.check(ConnectionLost, ResponseFailed, ResponseNeverReceived, DownloadFailedError):
        text = repr(failure.value)
        return "tls" if "SSL" in text or "TLS" in text else "reset"
    if failure.check(IgnoreRequest):
        text = str(failure.value)
        if "redirect" in text:
            return "redirect"
        if "robots" in text.lower() or "Forbidden by robots.txt" in text:
            return "robots"
        return "ignored"
    if failure.check(ConnectError):
        return "connect"
    if "SSL" in repr(failure.value):
        return "tls"
    return "other"


class DisclosureSpider(scrapy.Spider):
    name = "zwgk"

    def __init__(self, start_urls, scan_id: int, allow_hosts=(), max_depth: int = 10,
                 check_links: bool = True, max_pages: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.max_pages = max_pages  # 0: no limit; counts every stored URL, probes included
        self.stored = 0
        self.start_urls = list(start_urls)
        self.scan_id = scan_id
        self.scope = Scope(self.start_urls, tuple(allow_hosts))
        self.max_depth = max_depth
        self.check_links = check_links
        # /index.html next to a start URL / is the same home page: probed, not crawled twice
        self.home_aliases = {urljoin(u, name) for u in self.start_urls for name in HOME_ALIASES} - set(self.start_urls)
        # Every page repeats the navigation: without this, ~15 duplicate requests per page go
        # through the middlewares to the dupefilter. Hashes only (8 bytes of state per URL).
        self.yielded: set[int] = set()

    def _first_time(self, url: str) -> bool:
        key = hash(url)
        if key in self.yielded:
            return False
        self.yielded.add(key)
        return True

    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(
                url, callback=self.parse_page, errback=self.on_error,
                meta={"zwgk": {"home": True, "hops": 0}},
            )

    # -- requests -----------------------------------------------------------------------

    def _page_request(self, url: str, hops: int, **info) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.on_error, meta={"zwgk": {"hops": hops, **info}}
        )

    def _probe(self, url: str, method: str = "HEAD", **info) -> scrapy.Request:
        return scrapy.Request(
            url, method=method, callback=self.parse_probe, errback=self.on_error,
            # a probe is one request, like a reader's click: robots.txt governs crawling, not this
            meta={"zwgk": {"probe": True, **info}, "dont_obey_robotstxt": True}, priority=-1,
            dont_filter=method == "GET",  # the GET retry of a refused HEAD has the same URL
        )

    def _records_request(self, req, info: dict) -> scrapy.FormRequest:
        """A Hanweb dataproxy.jsp POST for one range of a column's records."""
        return scrapy.FormRequest(
            req.url, formdata=req.formdata, callback=self.parse_hanweb, errback=self.on_error,
            meta={"zwgk": {**info, "first_position": req.first_position}},
        )

    def _follow(self, links, hops: int, listed_in: dict | None = None, skip: frozenset = frozenset()):
        for link in links:
            url = link.url
            if url in skip or not self._first_time(url):
                continue  # pagination pages: requested by the adapter with their column attached
            crawlable = link.tag in ("a", "area", "iframe", "frame") and not is_attachment_url(url)
            if url in self.scope and crawlable and url not in self.home_aliases:
                if hops + 1 <= self.max_depth:
                    info = {"anchor": link.anchor}
                    if listed_in:
                        info.update(listed_in)
                    yield self._page_request(url, hops + 1, **info)
            elif self.check_links:
                yield self._probe(url)

    def _pagination_requests(self, page, column_url: str, column_type: str, hops: int, page_no: int):
        for req in page.pagination.pages:
            if not self._first_time(req.url):
                continue  # every page of a TRS column names all the others
            info = {"column_url": column_url, "column_type": column_type, "page_no": req.page_no or page_no + 1,
                    "pager": page.pagination.pager}
            if req.method == "POST":
                yield self._records_request(req, {**info, "hops": hops, "proxy": page.pagination.proxy,
                                                  "needs_total": page.pagination.total_records is None})
            else:
                yield self._page_request(req.url, hops, **info)

    # -- callbacks ----------------------------------------------------------------------

    def _admit(self) -> bool:
        """Whether one more page row may be stored under --max-pages (responses still in flight
        when the limit is reached are dropped, so the limit is exact)."""
        if self.max_pages and self.stored >= self.max_pages:
            return False
        self.stored += 1
        return True

    def _limit_reached(self) -> bool:
        return bool(self.max_pages) and self.stored >= self.max_pages

    def _page_row(self, response, info: dict, **extra) -> dict:
        request = response.request
        redirects = request.meta.get("redirect_urls", [])
        return {
            "scan_id": self.scan_id,
            "url": redirects[0] if redirects else request.url,
            "final_url": response.url,
            "method": request.method,
            "status": response.status,
            "content_type": (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
            "fetched_at": now(),
            "redirects": json.dumps(redirects + [response.url]) if redirects else None,
            "depth": info.get("hops"),
            "referer": (request.headers.get(b"Referer") or b"").decode("latin-1") or None,
            "size": len(response.body) if request.method != "HEAD" else _int(response.headers.get(b"Content-Length")),
            "elapsed_ms": int(request.meta.get("download_latency", 0) * 1000),
            **extra,
        }

    def parse_page(self, response):
        if not self._admit():
            return
        info = response.meta.get("zwgk", {})
        if info.get("home") and response.url not in self.scope:
            # http://example.gov.cn → https://www.example.gov.cn/: the site lives where the start
            # URL leads, so that host is in scope too
            self.scope.hosts.add(netloc(response.url))
        page = extract_page(
            response.url, response.body,
            (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
            is_home=info.get("home", False),
            listed_in_type=info.get("listed_in_type"),
            anchor=info.get("anchor"),
        )
        hops = info.get("hops", 0)
        column_url = info.get("column_url")
        if page.kind in ("column", "home") and column_url is None:
            column_url = response.url  # after redirects: /old/ → /gzdt/index.html is that column
        row = self._page_row(
            response, info, kind=page.kind, charset=page.charset, charset_declared=page.charset_declared,
            charset_note=page.charset_note, title=page.title, column_url=column_url or info.get("listed_in"),
            meta_tags=json.dumps(page.meta_tags, ensure_ascii=False) if page.meta_tags else None,
            footer=json.dumps(page.footer, ensure_ascii=False) if page.footer else None, probe=0,
        )
        item = {"page": row, "links": page.links}
        if page.kind in ("document", "interpretation"):
            item["document"] = page
        if page.kind in ("column", "home") or (column_url and page.items):
            is_first = column_url == row["url"]
            item["column"] = {
                "url": column_url,
                "page_no": info.get("page_no", 1),
                "items": page.items,
                "page": page if is_first else None,
            }
        yield item
        if self._limit_reached():
            raise CloseSpider("max_pages")
        if response.status >= 400 or page.kind == "attachment":
            return
        column_type = info.get("column_type") or page.column_type
        # The home page's "latest" box is not a document's column: only real columns list it.
        listed = {"listed_in": column_url, "listed_in_type": column_type} if column_url and page.kind != "home" else None
        pagination = frozenset(p.url for p in page.pagination.pages) if page.pagination and column_url else frozenset()
        if pagination:
            # before the generic links, so the dupefilter keeps the requests that carry the column
            yield from self._pagination_requests(page, column_url, column_type, hops, info.get("page_no", 1))
        yield from self._follow(page.links, hops, listed, pagination)

    def parse_hanweb(self, response):
        if not self._admit():
            return
        info = response.meta["zwgk"]
        text = response.body.decode(response.encoding or "utf-8", "replace")
        items = hanweb.records_to_items(text, info["column_url"], info.get("first_position") or 1)
        row = self._page_row(response, info, kind="column", column_url=info["column_url"], probe=0)
        # the records are the column's links as a reader sees them: stored for the link check
        links = [Link(item.url, "a", item.title, "body", False) for item in items]
        yield {"page": row, "links": links, "column": {"url": info["column_url"], "page_no": info.get("page_no"), "items": items, "page": None}}
        if self._limit_reached():
            raise CloseSpider("max_pages")
        total = hanweb.total_records(text)
        if info.get("needs_total") and total:
            # The first group told how many records there are: ask for the rest.
            proxy = info["proxy"]
            first = (info.get("first_position") or 1) + proxy["chunk"]
            for req in hanweb.range_requests(proxy["url"], proxy["fields"], proxy["per_page"], proxy["chunk"], first, total):
                yield self._records_request(req, {**info, "page_no": req.page_no, "needs_total": False})
        listed = {"listed_in": info["column_url"], "listed_in_type": info.get("column_type")}
        yield from self._follow(links, info.get("hops", 0), listed)

    def parse_probe(self, response):
        info = response.meta["zwgk"]
        if response.request.method == "HEAD" and response.status in HEAD_REFUSED:
            yield self._probe(response.url, "GET", head_status=response.status)
            return
        if not self._admit():
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        kind = "attachment" if is_attachment_url(response.url) or (content_type and "html" not in content_type) else "other"
        yield {"page": self._page_row(response, info, kind=kind, probe=1), "links": []}
        if self._limit_reached():
            raise CloseSpider("max_pages")

    def on_error(self, failure):
        if not self._admit():
            return
        request = failure.request
        info = request.meta.get("zwgk", {})
        redirects = request.meta.get("redirect_urls", [])
        kind = error_kind(failure)
        if kind == "redirect" and len(set(redirects)) < len(redirects):
            kind = "redirect_loop"
        yield {
            "page": {
                "scan_id": self.scan_id,
                "url": redirects[0] if redirects else request.url,
                "final_url": request.url,
                "method": request.method,
                "status": None,
                "kind": "attachment" if is_attachment_url(request.url) else "other",
                "fetched_at": now(),
                "redirects": json.dumps(redirects + [request.url]) if redirects else None,
                "error": f"{type(failure.value).__name__}: {failure.value}"[:500],
                "error_kind": kind,
                "depth": info.get("hops"),
                "probe": int(bool(info.get("probe"))),
            },
            "links": [],
        }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
