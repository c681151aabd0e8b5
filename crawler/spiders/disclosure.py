"""The disclosure spider: walks a portal from its start URLs, follows every column and every
page of its pagination, and yields one item per fetched URL for the SQLite pipeline.

Every URL is requested once (Scrapy's dupefilter). In-scope HTML pages are fetched with GET and
parsed; attachments, images and other hosts' pages are only probed (HEAD, then GET where HEAD is
refused) so the link check can read their status from the database later.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from html import escape
from time import monotonic
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DontCloseSpider,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotSupported,
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

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredSemaphore
from twisted.internet.threads import deferToThread

from crawler.address_policy import AddressPolicy
from crawler.attachments import DEFAULT_MAX_BYTES, attachment_row, close_workers, is_readable_attachment, read_attachment, unread
from crawler.column_pager import PAST_END, ColumnPager
from crawler.dns import parse_resolve
from crawler.extract.links import Link
from crawler.extract.messages import rendered_messages
from crawler.extract.page import PageExtract, extract_page, is_attachment_url
from crawler.pagination import PageRange, fujian, gkmlpt, hanweb
from crawler.parse_pool import ParsePool
from crawler.detail_api import DetailApi, learn as learn_detail, template_key
from crawler.list_api import ListApi, learn, merge, rendered_empty_notice, rendered_items
from crawler.render import Renderer
from crawler.report_tables import attachment_report, is_annual_report, page_report
from crawler.response_cache import ExtractionMemo
from crawler.scope import Scope, netloc
from storage.schema import now
from crawler.urls import canonical, page_identity

RENDER_RETRY = {"timeout", "crashed", "network", "busy"}
# a render finds a column's documents: before the documents already found, so that the downloads
# never wait for the browser (at most RENDERS_AT_ONCE renders run, whatever the queue holds)
RENDER_PRIORITY = 1
RENDERS_AT_ONCE = 2  # the renderer's most (crawler.render): a render mostly waits for the page's network to go idle
MAX_CLICKED_PAGES = 50
MAX_DETAIL_RENDERS = 200  # document pages of one template rendered one by one when no request can be learned  # pages of a list whose API could not be learned, clicked through in the browser
RECORD_PAGERS = {"hanweb": hanweb, "fujian": fujian, "gkmlpt": gkmlpt}
HEAD_REFUSED = {400, 403, 404, 405, 406, 500, 501}  # servers that mishandle HEAD: retry with GET
HOME_ALIASES = ("index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "default.html", "default.htm")
STRAGGLER_SECONDS = 2.0  # a depth with no page answering for this long lets the next depth begin (slow stragglers)


def reads_links(callback):
    """A callback (or errback) that may answer a request counted by DisclosureSpider._reading: the
    request is answered when the callback has yielded all it yields, whatever happens inside."""
    if inspect.isasyncgenfunction(callback):
        async def wrapper(self, answer):
            try:
                async for output in callback(self, answer):
                    yield output
            finally:
                self._answered(answer.request)
    else:
        def wrapper(self, answer):
            try:
                yield from callback(self, answer)
            finally:
                self._answered(answer.request)
    return functools.wraps(callback)(wrapper)


def error_kind(failure, address_refused: bool = False) -> str:
    """dns | address_policy | refused | timeout | reset | tls | redirect | bad_redirect |
    offsite_redirect | robots | too_large | connect | unsupported | other (an unforeseen failure)."""
    if failure.check(DNSLookupError, CannotResolveHostError):
        return "address_policy" if address_refused else "dns"
    if failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
        return "refused"
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "timeout"
    if failure.check(DownloadCancelledError):
        return "too_large"
    if failure.check(ConnectionLost, ResponseFailed, ResponseNeverReceived, DownloadFailedError):
        text = repr(failure.value)
        return "tls" if "SSL" in text or "TLS" in text else "reset"
    if failure.check(NotSupported):
        return "unsupported"
    if failure.check(IgnoreRequest):
        text = str(failure.value)
        for marker, kind in (("address policy", "address_policy"), ("bad redirect", "bad_redirect"),
                             ("offsite redirect", "offsite_redirect")):
            if text.startswith(marker):
                return kind
        if re.search(r"max(?:imum)?[ _]?size|larger than", text, re.I):
            return "too_large"  # a decompression bomb
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
                 check_links: bool = True, max_pages: int = 0, max_attachment_bytes: int = DEFAULT_MAX_BYTES,
                 render: bool = True, workers: int = 1, text_marks=None, learned=None, **kwargs):
        super().__init__(**kwargs)
        # --workers N: pages are extracted in N - 1 processes beside this one, which runs Scrapy
        self.parse_workers = workers - 1
        self.parse_pool: ParsePool | None = None
        self.text_marks = dict(text_marks or {})  # rule id → MarkSpec (crawler.text_marks)
        self.max_attachment_bytes = max_attachment_bytes  # 0: attachments are only probed
        self.render = render and Renderer.available()  # script-only lists rendered in the system Chromium
        self.renderer: Renderer | None = None
        self.render_slots = DeferredSemaphore(RENDERS_AT_ONCE)  # pages of one browser: renders mostly wait for the network
        self.max_pages = max_pages  # 0: no limit; counts every stored URL, probes included
        self.stored = 0
        self.start_urls = [canonical(u) for u in start_urls]
        self.scan_id = scan_id
        self.scope = Scope(self.start_urls, tuple(allow_hosts))
        self.max_depth = max_depth
        self.too_deep: set[int] = set()  # request identities of in-scope pages skipped for depth
        # Breadth first: a page one hop further than those being read waits until every page of
        # this depth is read, so a page's depth is its shortest distance from a start URL and
        # --max-depth keeps the same pages whatever order the answers arrive in. Only requests whose
        # answers are read for links count (pages, pager pages, list APIs, renders): a link check
        # of a slow host elsewhere holds nothing up.
        self.level = 0
        self.next_level: list[tuple[str, int, str, dict | None]] = []  # (url, hops, anchor, listed_in)
        self.reading: dict[int, int] = {}  # depth → its requests asked and not yet read
        self.last_answer = monotonic()  # when a request read for links last answered
        self.chains: dict[str, ColumnPager] = {}  # column URL → its 下一页 chain (pages linked one by one)
        self.check_links = check_links
        # /index.html next to a start URL / is the same home page: probed, not crawled twice
        self.home_aliases = {canonical(urljoin(u, name)) for u in self.start_urls for name in HOME_ALIASES} - set(self.start_urls)
        self.home_urls = set(self.start_urls) | self.home_aliases
        self.report_pages: set[str] = set()  # annual report pages: the files they attach are read for tables
        # Every page repeats the navigation: without this, ~15 duplicate requests per page go
        # through the middlewares to the dupefilter. Hashes only (8 bytes of state per URL).
        self.yielded: set[int] = set()
        self.pagers: dict[str, ColumnPager] = {}  # column URL → its pager, while it is followed
        self.column_lists: dict[int, str] = {}  # hash of a column's first-page items → column URL
        self.api_lists: dict[str, dict] = {}  # column URL → its learned list API while it is paged
        self.detail_apis: dict[str, dict] = {}  # detail page template → how its documents are read
        # what the last scan of this site learned by rendering: reused without a browser
        learned = learned or {}
        self.known_lists = {url: ListApi.from_json(api) for url, api in learned.get("lists", {}).items()}
        for template, api in learned.get("details", {}).items():
            self.detail_apis[template] = {"mode": "json", "api": DetailApi(**api), "record": {
                "scan_id": scan_id, "template": template, "renders": 0, "detail_api": json.dumps(api, ensure_ascii=False),
                "documents": 0, "error": None, "reused": 1}}
        self.renders = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._answered, signal=signals.request_dropped)
        crawler.signals.connect(spider._watch_stragglers, signal=signals.spider_opened)
        return spider

    def _watch_stragglers(self, spider=None) -> None:
        """A depth whose last pages are slow (a page that answers after 15 s, one that times out and
        is retried) does not hold the next depth back longer than STRAGGLER_SECONDS without an
        answer: a fast site keeps its exact depths, a slow page costs seconds, not its whole wait."""
        from twisted.internet.task import LoopingCall

        loop = LoopingCall(self._release_stragglers)
        loop.start(1.0, now=False)
        self.crawler.signals.connect(lambda spider=None: loop.running and loop.stop(), signal=signals.spider_closed,
                                     weak=False)

    def _release_stragglers(self) -> None:
        if self.next_level and self.reading.get(self.level, 0) > 0 and monotonic() - self.last_answer > STRAGGLER_SECONDS:
            self._next_level()

    def _reading(self, request: scrapy.Request) -> scrapy.Request:
        """A request whose answer is read for links: this depth is done when none is left."""
        request.meta["zwgk"]["reading"] = self.level + 1  # 1-based: 0 would read as "not counted"
        self.reading[self.level] = self.reading.get(self.level, 0) + 1
        return request

    def _answered(self, request: scrapy.Request) -> None:
        level = request.meta.get("zwgk", {}).pop("reading", 0) - 1
        if level >= 0:
            self.last_answer = monotonic()
            self.reading[level] -= 1
            # this depth's own pages decide; a straggler of an earlier depth (released) holds nothing
            if self.reading.get(self.level, 0) <= 0:
                self._next_level()

    def _next_level(self) -> bool:
        """Every page of this depth is read: the pages one hop further are asked for now."""
        if not self.next_level or self.crawler.engine is None or not self.crawler.engine.running:
            return False
        held, self.next_level = self.next_level, []
        self.level += 1
        for url, hops, anchor, listed_in in held:
            self.crawler.engine.crawl(self._page_request(url, hops, anchor=anchor, **(listed_in or {})))
        return True

    def _on_idle(self):
        if self._next_level():  # nothing left to do: whatever the count says, this depth is done
            raise DontCloseSpider

    def _first_time(self, url: str, method: str = "GET", body: str = "") -> bool:
        """A request's identity is method + URL + body: three Hanweb columns POST to one URL."""
        key = self._identity(url, method, body)
        if key in self.yielded:
            return False
        self.yielded.add(key)
        return True

    def _requested(self, url: str) -> bool:
        """Whether a GET of ``url`` was yielded already (as _first_time would tell, marking nothing)."""
        return self._identity(url) in self.yielded

    @staticmethod
    def _identity(url: str, method: str = "GET", body: str = "") -> int:
        return hash((method, url, body))

    async def start(self):
        if self.parse_workers > 0:
            self.parse_pool = ParsePool(self.parse_workers)
        for url in self.start_urls:
            self._first_time(url)
            self._first_time(page_identity(url), "PAGE")
            yield self._reading(scrapy.Request(
                url, callback=self.parse_page, errback=self.on_error,
                meta={"zwgk": {"home": True, "hops": 0}},
            ))

    # -- requests -----------------------------------------------------------------------

    def _page_request(self, url: str, hops: int = 0, **info) -> scrapy.Request:
        return self._reading(scrapy.Request(
            url, callback=self.parse_page, errback=self.on_error, meta={"zwgk": {"hops": hops, **info}}
        ))

    def _probe(self, url: str, method: str = "HEAD", **info) -> scrapy.Request:
        return scrapy.Request(
            url, method=method, callback=self.parse_probe, errback=self.on_error,
            # a probe is one request, like a reader's click: robots.txt governs crawling, not this
            meta={"zwgk": {"probe": True, **info}, "dont_obey_robotstxt": True}, priority=-1,
            dont_filter=method == "GET",  # the GET retry of a refused HEAD has the same URL
        )

    def _follow(self, links, hops: int, listed_in: dict | None = None, owned=None):
        for link in links:
            url = link.url
            if link.malformed or (owned is not None and owned(url)):
                continue  # pagination pages: requested by the column's pager with their column attached
            if self._requested(url):
                continue  # the navigation, on every page: nothing below would yield it again
            crawlable = link.tag in ("a", "area", "iframe", "frame") and not is_attachment_url(url)
            page = url in self.scope and crawlable and url not in self.home_aliases
            if page and hops + 1 > self.max_depth:
                # too deep from here, but not marked as seen: a shorter path (the column's list)
                # may reach it later — 上一篇/下一篇 chains run deep long before the lists arrive
                self.too_deep.add(self._identity(url))
                continue
            if not self._first_time(url):
                continue
            if page:
                if not self._first_time(page_identity(url), "PAGE"):
                    if self.check_links:
                        yield self._probe(url)  # dir/index.html beside dir/: one page, its link still checked
                    continue
                if hops + 1 > self.level:  # breadth first: asked when this depth is done (_next_level)
                    self.next_level.append((url, hops + 1, link.anchor, listed_in))
                    continue
                yield self._page_request(url, hops + 1, anchor=link.anchor, **(listed_in or {}))
            elif self.check_links and self.max_attachment_bytes and is_readable_attachment(url) and url in self.scope:
                yield self._attachment_request(url, link.anchor)
            elif self.check_links:
                yield self._probe(url)

    def _attachment_request(self, url: str, anchor: str | None = None) -> scrapy.Request:
        """The site's own attachments are read, not only probed: personal data in the 公示 lists
        attached as Excel/PDF/Word is what inspectors find (checks/content.py)."""
        return scrapy.Request(
            url, callback=self.parse_attachment, errback=self.on_error, priority=-1,
            meta={"zwgk": {"probe": True, "attachment": True, "anchor": anchor}, "dont_obey_robotstxt": True,
                  "download_maxsize": self.max_attachment_bytes},
        )

    def _unit_request(self, pager: ColumnPager, index: int, info: dict) -> scrapy.Request:
        """One page of a column's pager; its answer goes back to the pager (page_done)."""
        return self._reading(self._pager_page(pager, index, info))

    def _pager_page(self, pager: ColumnPager, index: int, info: dict) -> scrapy.Request:
        req = pager.request(index)
        meta = {"zwgk": {**info, "page_no": req.page_no, "pager_unit": index, "first_position": req.first_position}}
        # records from a proxy or an API (Hanweb, Fujian, gkmlpt), or a list page like the first
        callback = self.parse_records if pager.pager in RECORD_PAGERS else self.parse_api_page if pager.pager == "api" else self.parse_page
        if req.body is not None:  # a learned list API's page
            headers = {"Content-Type": req.content_type or "application/x-www-form-urlencoded"} if req.body else {}
            return scrapy.Request(req.url, method=req.method, body=req.body.encode("utf-8") if req.body else None,
                                  headers={**headers, "X-Requested-With": "XMLHttpRequest"}, callback=callback,
                                  errback=self.on_api_error, meta=meta, dont_filter=True)
        if req.method == "POST":
            return scrapy.FormRequest(req.url, formdata=req.formdata, callback=callback,
                                      errback=self.on_error, meta=meta, dont_filter=True)
        # dont_filter: the pager keeps its own account (a page linked elsewhere may be fetched already)
        return scrapy.Request(req.url, callback=callback, errback=self.on_error, meta=meta, dont_filter=True)

    def _start_pager(self, pager: ColumnPager, info: dict):
        self.pagers[pager.column_url] = pager
        info = {k: info[k] for k in ("hops", "column_type", "proxy", "needs_total", "api_candidate") if k in info}
        info.update(column_url=pager.column_url, pager=pager.pager)
        for index in pager.start():
            yield self._unit_request(pager, index, info)
        yield from self._pager_finished(pager)

    def _pager_answer(self, info: dict, ok: bool, items):
        """The answer to one pager page (its ListItems): the pager says what to request next."""
        pager = self.pagers.get(info.get("column_url"))
        if pager is None or info.get("pager_unit") is None:
            return
        for index in pager.page_done(info["pager_unit"], ok, items):
            yield self._unit_request(pager, index, info)
        yield from self._pager_finished(pager)

    def _pager_finished(self, pager: ColumnPager):
        if pager.done and self.pagers.get(pager.column_url) is pager:
            del self.pagers[pager.column_url]
            yield {"pager": {"scan_id": self.scan_id, **pager.summary()}}

    def _explicit_pages(self, page, column_url: str, column_type: str, hops: int, page_no: int):
        """Pagers that only show links (下一页, page numbers): each linked page, once."""
        for req in page.pagination.pages:
            if not self._first_time(req.url):
                continue
            info = {"column_url": column_url, "column_type": column_type, "page_no": req.page_no or page_no + 1,
                    "pager": page.pagination.pager, "hops": hops}
            yield self._page_request(req.url, **info)

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

    def cut_short(self) -> str | None:
        """The limit that left part of the site unvisited: "max_pages", or "max_depth" when a page
        skipped as too deep was never reached by a shorter path; None for a whole crawl."""
        if self._limit_reached():
            return "max_pages"
        if any(key not in self.yielded for key in self.too_deep):
            return "max_depth"
        return None

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
            "request_body": "",
            **extra,
        }

    def _error_page(self, response, page, info: dict) -> str | None:
        """Why an answer is an error page and not a document or column, or None."""
        if response.status >= 400:
            return f"HTTP {response.status}"
        if page.kind == "error":
            return f"soft_404:{page.error_reason}"
        redirects = response.request.meta.get("redirect_urls", [])
        if redirects and not info.get("home") and response.url in self.home_urls and redirects[0] not in self.home_urls:
            return "soft_404:redirect_home"  # a deleted article sent to the home page
        return None

    async def _extract(self, response, *, is_home: bool = False, anchor: str | None = None) -> PageExtract:
        """Everything the audit reads from one fetched page (crawler.extract.page); a page whose
        body has not changed since the last scan is not parsed again (crawler.response_cache)."""
        memo = ExtractionMemo.of(self.crawler)
        key = memo.key(response, is_home=is_home, anchor=anchor, marks=self.text_marks)
        page = memo.get(key)
        if page is not None:
            return page
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        packed = None
        if self.parse_pool is not None:
            page, packed = await self.parse_pool.extract(response.url, response.body, content_type, is_home=is_home,
                                                         anchor=anchor, text_marks=self.text_marks)
        else:
            page = extract_page(response.url, response.body, content_type, is_home=is_home, anchor=anchor,
                                text_marks=self.text_marks)
        memo.put(key, page, packed)
        return page

    @reads_links
    async def parse_page(self, response):
        if not self._admit():
            return
        info = response.meta.get("zwgk", {})
        if info.get("home") and response.url not in self.scope:
            # http://example.gov.cn → https://www.example.gov.cn/: the site lives where the start
            # URL leads, so that host is in scope too
            self.scope.hosts.add(netloc(response.url))
            self.home_urls.add(response.url)
        if info.get("home"):
            self.home_urls.add(response.url)
        try:
            page = await self._extract(response, is_home=info.get("home", False), anchor=info.get("anchor"))
        except Exception as exc:  # Unparsable, or whatever else a hostile page makes the extraction raise
            # a page that cannot be read is a finding (crawl.unparsable_page), not a page that vanishes
            self.logger.warning("页面无法解析 could not parse %s: %s", response.url, exc)
            row = self._page_row(response, info, kind="error", probe=0, error_kind="unparsable",
                                 error=f"{type(exc).__name__}: {exc}"[:500], column_url=info.get("column_url"))
            yield {"page": row, "links": []}
            for output in self._pager_answer(info, False, None):
                yield output
            return
        if self.render and self._detail_shell(page, info):
            page, record = await self._script_document(response, page, info)
            if record is not None:
                yield {"detail_api": record}
        for output in self._page_outputs(response, info, page):
            yield output

    @staticmethod
    def _detail_shell(page, info: dict) -> bool:
        """A page that lists nothing itself and fetches by script, and is listed in a column or
        names a document by a numeric id in its query: most likely a document whose content its
        script writes (a single-page-app detail page)."""
        if not (page.kind == "column" and page.scripted_list and not page.items and not page.pagination
                and not page.empty_list_notice and info.get("pager_unit") is None and not info.get("column_url")
                and "ColumnName" not in page.meta_tags and "ColumnType" not in page.meta_tags):
            return False
        return bool(info.get("listed_in")) or any(v.isdigit() and len(v) >= 3 for _k, v in
                                                  parse_qsl(urlsplit(page.url).query, keep_blank_values=True))

    async def _script_document(self, response, page, info: dict):
        """The document behind a detail shell: the first page of its template rendered (and the
        request behind it learned, crawler.detail_api), the others read from that request's JSON;
        a template whose request cannot be learned is rendered page by page (bounded). Returns the
        page to use and the template's record when it changed."""
        key = template_key(response.url)
        state = self.detail_apis.get(key)
        if state is None:
            state = self.detail_apis[key] = {"mode": "learning", "waiters": [], "api": None,
                                             "record": {"scan_id": self.scan_id, "template": key, "renders": 0, "detail_api": None,
                                                        "documents": 0, "error": None, "reused": 0}}
            result = await self._render(response.url, 0)
            state["record"]["renders"] += 1
            rendered = self._rendered_document(response.url, result.html, page, info)
            if rendered is None:
                state["mode"], state["record"]["error"] = "none", result.error or "not_a_document"
            else:
                state["api"] = learn_detail(result.calls, rendered, response.url)
                state["mode"] = "json" if state["api"] else "render"
                if state["api"]:
                    state["record"]["detail_api"] = json.dumps(state["api"].as_json(), ensure_ascii=False)
                state["record"]["documents"] += 1
            for waiter in state.pop("waiters"):
                waiter.callback(None)
            return (rendered or page), state["record"]
        if state["mode"] == "learning":
            waiter = Deferred()
            state["waiters"].append(waiter)
            await maybe_deferred_to_future(waiter)
        if state["mode"] == "json":
            found = await self._document_from_json(state["api"], response.url, page, info)
            if found is not None:
                state["record"]["documents"] += 1
                return found, state["record"]
        if state["mode"] in ("json", "render") and state["record"]["renders"] < MAX_DETAIL_RENDERS:
            result = await self._render(response.url, 0)
            state["record"]["renders"] += 1
            rendered = self._rendered_document(response.url, result.html, page, info)
            if rendered is not None:
                state["record"]["documents"] += 1
                return rendered, state["record"]
        return page, None

    def _rendered_document(self, url: str, page_html: str, shell, info: dict):
        if not page_html.strip():
            return None
        rendered = extract_page(url, page_html.encode("utf-8"), "text/html; charset=utf-8", anchor=info.get("anchor"),
                                text_marks=self.text_marks)
        return rendered if rendered.kind in ("document", "interpretation") else None

    async def _document_from_json(self, api, url: str, shell, info: dict):
        """One document of a learned template, read from its JSON over plain HTTP."""
        wanted = api.request_for(url)
        if wanted is None:
            return None
        method, api_url, body, content_type = wanted
        headers = {"Content-Type": content_type or "application/x-www-form-urlencoded"} if body else {}
        request = scrapy.Request(api_url, method=method, body=body.encode("utf-8") if body else None, headers=headers,
                                 dont_filter=True, meta={"dont_obey_robotstxt": True})
        try:
            answer = await self.crawler.engine.download_async(request)
        except Exception as exc:  # recorded: the page is then rendered instead
            self.logger.warning("document API of %s failed: %s", url, exc)
            return None
        if answer.status >= 400 or not isinstance(answer, scrapy.http.TextResponse):
            return None
        head = "".join(f'<meta name="{escape(k)}" content="{escape(v)}">' for k, v in shell.meta_tags.items())
        page_html = api.page_html(answer.text, head)
        return self._rendered_document(url, page_html, shell, info) if page_html else None

    def _page_outputs(self, response, info: dict, page: PageExtract):
        """The rows and the next requests of an extracted page."""
        error = self._error_page(response, page, info)
        hops = info.get("hops", 0)
        column_url = info.get("column_url")
        if error:
            page.kind = "error"
        elif page.kind in ("column", "home") and column_url is None:
            # after redirects: /old/ → /gzdt/index.html is that column, known as /gzdt/
            column_url = page_identity(response.url)
            alias_of = self._column_alias(column_url, page)
            if alias_of:
                yield {"alias": {"scan_id": self.scan_id, "url": column_url, "column_url": alias_of, "reason": "same_list"}}
                column_url, page.kind = alias_of, "alias"
        row = self._page_row(
            response, info, kind=page.kind, charset=page.charset, charset_declared=page.charset_declared,
            charset_note=page.charset_note, title=page.title, column_url=column_url or info.get("listed_in"),
            meta_tags=json.dumps(page.meta_tags, ensure_ascii=False) if page.meta_tags else None,
            footer=json.dumps(page.footer, ensure_ascii=False) if page.footer else None, probe=0,
            footer_text=page.footer_text or None,
        )
        if error and error.startswith("soft_404"):
            row.update(error_kind="soft_404", error=error.split(":", 1)[1])
        item = {"page": row, "links": [] if error else page.links}
        if error:
            if info.get("pager_unit") == PAST_END:  # nothing past a claimed end: the crawler's question, not a site's page
                self.stored -= 1  # nor one of --max-pages
            else:
                yield item
            yield from self._pager_answer(info, False, None)
            return
        if page.kind in ("document", "interpretation"):
            item["document"] = page
        if page.kind not in ("column", "home", "alias") and is_annual_report(page.title, page.doc_title, info.get("anchor")):
            # an annual disclosure report: its tables are read (checks/annual_report.py)
            item["annual_report"] = page_report(self.scan_id, row["url"], response.body, row["content_type"],
                                                page.doc_title or page.title, info.get("listed_in"))
            self.report_pages.add(response.url)
        if getattr(page, "messages", None):  # a consulting board's messages (an extraction cached by an older zwgk has none)
            item["messages"] = message_rows(self.scan_id, page.messages, column_url or info.get("listed_in"), row["url"])
        if page.kind in ("column", "home") or (column_url and page.items):
            is_first = page.kind in ("column", "home") and info.get("pager_unit") is None and info.get("page_no") is None
            item["column"] = {
                "url": column_url,
                "page_no": info.get("page_no", 1),
                "items": page.items,
                "page": page if is_first else None,
            }
        yield item
        if self._limit_reached():
            raise CloseSpider("max_pages")
        if page.kind == "attachment":
            return
        if page.related_lookup is not None:
            yield self._related_request(page.related_lookup, row["url"], hops)
        if page.framed_list and page.kind == "column" and column_url and info.get("pager_unit") is None:
            yield from self._framed_lists(page, column_url, hops, info)
        if (page.kind == "column" and page.scripted_list and not page.items and not page.pagination
                and info.get("pager_unit") is None and column_url and column_url in self.known_lists
                and column_url not in self.api_lists):
            # the list request the last scan learned: paged from page 1 without rendering
            self.api_lists[column_url] = {"seen": set(), "candidates": [self.known_lists[column_url]], "base": response.url,
                                          "reused": True, "record": {
                "scan_id": self.scan_id, "column_url": column_url, "renders": 0, "empty_notice": 0, "list_api": None,
                "api_pages": 0, "api_wasted": 0, "clicked_pages": 0, "error": None, "reused": 1}}
            yield self._api_request(column_url, 0, 1, hops)
        elif (self.render and page.kind == "column" and page.scripted_list and not page.items and not page.pagination
                and info.get("pager_unit") is None and column_url):
            # a list only a browser shows: rendered once (the page itself comes from the response cache)
            yield self._render_request(response.url, column_url, hops)
        if info.get("pager_unit") is not None and page.pagination and isinstance(page.pagination.pages, PageRange):
            pager = self.pagers.get(column_url)
            if pager is not None and pager.pager == page.pagination.pager:
                pager.extend(page.pagination.pages)
        yield from self._pager_answer(info, True, page.items)
        column_type = info.get("column_type") or page.column_type
        # The home page's "latest" box is not a document's column: only real columns list it.
        listed = {"listed_in": column_url} if column_url and page.kind != "home" else None
        owned = None
        if page.pagination and column_url:
            owned = yield from self._paginate(page, column_url, column_type, hops, info)
        if (self.render and page.script_pager and page.kind == "column" and column_url and info.get("pager_unit") is None
                and info.get("page_no") in (None, 1) and column_url not in self.pagers):
            # a pager only its script draws (its page naming in a script file): rendered once for its links
            yield self._reading(scrapy.Request(
                response.url, callback=self.parse_rendered_pager, errback=self.on_error, dont_filter=True,
                meta={"zwgk": {"hops": hops, "column_url": column_url, "column_type": column_type, "render": True}},
                priority=RENDER_PRIORITY))
        yield from self._follow(page.links, hops, listed, owned)

    def _paginate(self, page, column_url: str, column_type, hops: int, info: dict):
        """The requests of a column page's pager; returns the test for the URLs it owns."""
        pagination = page.pagination
        owned = pagination.owns
        if isinstance(pagination.pages, PageRange):
            if info.get("pager_unit") is None and column_url not in self.pagers and page.kind == "column":
                pager = ColumnPager(column_url, pagination.pager, pagination.pages, pagination.total_pages, pagination.total_records)
                if pagination.pager != "hanweb":  # Hanweb's first POST repeats the inline records
                    pager.remember(page.items)
                yield from self._start_pager(pager, {"hops": hops, "column_type": column_type, "proxy": pagination.proxy,
                                                     "needs_total": pagination.total_records is None})
        else:
            explicit = {p.url for p in pagination.pages}
            owned = explicit.__contains__
            # what the page lists: its items, or when no list is recognised, the links of its body
            listed = page.items or [link for link in page.links if link.position == "body" and not owned(link.url)]
            chain = self.chains.get(column_url)
            if chain is None:
                self.chains[column_url] = chain = ColumnPager(column_url, pagination.pager, [])
                chain.remember(listed)
            elif chain.stopped:
                return owned  # cut already: pages asked before the cut still come
            elif not chain.chain_page(listed):  # page after page nothing new: the chain is cut here
                yield {"pager": {"scan_id": self.scan_id, **chain.summary()}}
                return owned
            yield from self._explicit_pages(page, column_url, column_type, hops, info.get("page_no", 1))
        return owned

    @reads_links
    async def parse_rendered_pager(self, response):
        """A column whose pager its script draws: the pager's links read from the rendered page."""
        info = response.meta["zwgk"]
        column_url = info["column_url"]
        result = await self._render(response.url, 0)
        rendered = extract_page(response.url, result.html.encode("utf-8"), "text/html; charset=utf-8") if result.html.strip() else None
        yield {"rendered": {"scan_id": self.scan_id, "column_url": column_url, "renders": 1, "empty_notice": 0, "list_api": None,
                            "api_pages": 0, "api_wasted": 0, "clicked_pages": 0, "error": result.error, "reused": 0}}
        if rendered is None or not rendered.pagination or column_url in self.pagers:
            return
        rendered.kind = "column"
        for request in self._paginate(rendered, column_url, info.get("column_type"), info.get("hops", 0), {"page_no": 1}):
            yield request

    def _render_request(self, url: str, column_url: str, hops: int) -> scrapy.Request:
        return self._reading(scrapy.Request(url, callback=self.parse_rendered, errback=self.on_error, dont_filter=True,
                                            meta={"zwgk": {"hops": hops, "column_url": column_url, "render": True}},
                                            priority=RENDER_PRIORITY))

    def _framed_lists(self, page, column_url: str, hops: int, info: dict):
        """A same-site <iframe> is part of its page: the framed page's list and pager belong to the
        outer column (page_no 1 keeps the framed page from becoming a column of its own)."""
        for link in page.links:
            if link.tag not in ("iframe", "frame") or link.url not in self.scope or is_attachment_url(link.url):
                continue
            if not self._first_time(link.url):
                continue
            self._first_time(page_identity(link.url), "PAGE")
            yield self._page_request(link.url, hops, column_url=column_url, page_no=1, framed=True,
                                     column_type=info.get("column_type") or page.column_type)

    def _column_alias(self, column_url: str, page) -> str | None:
        """The column already crawled under another URL that lists exactly these items (a
        search URL of its list page, a second entry point), or None."""
        if not page.items or page.kind != "column":
            return None
        # the same items under the same name and pager: a section index's 最新公开 box that happens
        # to show a column's first page is not that column
        key = hash((tuple(i.url for i in page.items), page.meta_tags.get("ColumnName"),
                    page.pagination.pager if page.pagination else None))
        known = self.column_lists.setdefault(key, column_url)
        return known if known != column_url else None

    @reads_links
    def parse_records(self, response):
        """A Hanweb dataproxy.jsp range, a Fujian /fjdzapp/search page or a gkmlpt API page: the
        records are the column's items and links (stored as links of the column page, where a
        reader sees them)."""
        if not self._admit():
            return
        info = response.meta["zwgk"]
        adapter = RECORD_PAGERS[info["pager"]]
        text = response.body.decode(response.encoding or "utf-8", "replace")
        items = adapter.records_to_items(text, info["column_url"], info.get("first_position") or 1)
        if info.get("pager_unit") == PAST_END and not items:  # nothing past a claimed end: not a site's page
            self.stored -= 1  # nor one of --max-pages
            yield from self._pager_answer(info, response.status < 400, items)
            return
        body = response.request.body.decode("latin-1") if response.request.method == "POST" else ""
        row = self._page_row(response, info, kind="column" if response.status < 400 else "error",
                             column_url=info["column_url"], probe=0, request_body=body)
        links = item_links(items)
        yield {"page": row, "links": [], "column": {"url": info["column_url"], "page_no": info.get("page_no"), "items": items, "page": None},
               "column_links": links}
        if self._limit_reached():
            raise CloseSpider("max_pages")
        total = adapter.total_records(text)
        pager = self.pagers.get(info["column_url"])
        if info.get("needs_total") and total and items and pager is not None and len(pager.pages) == 1:
            # The first answer told how many records there are: the rest is that claim, followed lazily.
            rest = ColumnPager(pager.column_url, pager.pager, self._continuation(info, total, len(items)),
                               None, total, seen=pager.seen, shapes=pager.shapes, good=1)
            rest.claimed_pages = (-(-total // info["proxy"]["per_page"]) if pager.pager == "hanweb"
                                  else rest.pages[-1].page_no if len(rest.pages) else 1)
            rest.remember(items)
            yield from self._start_pager(rest, {**info, "needs_total": False})
        else:
            yield from self._pager_answer(info, response.status < 400, items)
        yield from self._follow(links, info.get("hops", 0), {"listed_in": info["column_url"]})

    async def _render(self, url: str, clicks: int):
        if self.renderer is None:
            pins = parse_resolve(self.settings.getlist("ZWGK_RESOLVE"))
            self.renderer = Renderer(self._may_render, timeout=15.0, user_agent=self.settings.get("USER_AGENT"), concurrency=RENDERS_AT_ONCE,
                                     pin=lambda host, port: pins.get((host.lower(), port)))
        self.renders += 1
        result = await maybe_deferred_to_future(self.render_slots.run(self._rendered, url, clicks))
        if result.error in RENDER_RETRY:  # a busy machine or a browser that died: once more
            self.renders += 1
            result = await maybe_deferred_to_future(self.render_slots.run(self._rendered, url, clicks))
        if result.error:
            self.logger.warning("render of %s failed: %s %s", url, result.error, result.detail or "")
        return result

    def _rendered(self, url: str, clicks: int) -> Deferred:
        """The render's result, without a thread waiting for it: the process's sites share one browser
        and a render may wait for a page of it."""
        from twisted.internet import reactor  # the running one (importing it at module level would install one)

        answer = Deferred()
        future = self.renderer.submit(url, clicks)
        future.add_done_callback(lambda done: reactor.callFromThread(answer.callback, done.result()))
        return answer

    @reads_links
    async def parse_rendered(self, response):
        """A list only a browser shows: rendered once, its next-page control clicked once, so that
        the request its scripts make for the list is learned (crawler.list_api) and the rest of the
        list is paged over plain HTTP; when nothing can be learned, the rendered pager is clicked
        through instead. Items come from the rendered page (or, when it shows none, from the JSON
        its scripts fetched)."""
        info = response.meta["zwgk"]
        column_url = info["column_url"]
        result = await self._render(response.url, 1)
        base = result.final_url or response.url
        items = rendered_items(result.html, result.json, base)
        messages = message_rows(self.scan_id, rendered_messages(result.html, base), column_url, response.url)
        record = {"scan_id": self.scan_id, "column_url": column_url, "renders": 1, "empty_notice": 0, "list_api": None,
                  "api_pages": 0, "api_wasted": 0, "clicked_pages": 0, "error": result.error, "reused": 0}
        if not items:
            # still nothing: 空白栏目 only when the rendered page says so in visible text; otherwise the
            # column stays script_only (crawl.script_only_column)
            record["empty_notice"] = int(bool(result.html.strip()) and rendered_empty_notice(result.html))
            yield {"rendered": record, "column": {"url": column_url, "page_no": 1, "items": [], "page": None}, "column_links": []}
            return
        apis = learn(result.calls, items, base)
        links = item_links(items)
        if apis:
            self.api_lists[column_url] = {"seen": {i.url for i in items}, "record": record, "candidates": apis, "base": base}
            yield self._api_request(column_url, 0, 2, info.get("hops", 0))
        else:
            later = [rendered_items(h, [], base) for h in result.pages_after]
            if later and merge(items, later[0]):
                # a pager that works but whose requests teach nothing: clicked through in the browser
                result = await self._render(response.url, MAX_CLICKED_PAGES)
                record["renders"] += 1
                seen = {i.url for i in items}
                for page_no, html_after in enumerate(result.pages_after, 2):
                    new = merge([], [i for i in rendered_items(html_after, [], base) if i.url not in seen])
                    if not new:
                        break
                    seen |= {i.url for i in new}
                    items = items + new
                    record["clicked_pages"] = page_no
        yield {"rendered": record, "column": {"url": column_url, "page_no": 1, "items": items, "page": None},
               "column_links": item_links(items), "messages": messages}
        for request in self._follow(links if apis else item_links(items), info.get("hops", 0), {"listed_in": column_url}):
            yield request

    def _api_request(self, column_url: str, candidate: int, page_no: int, hops: int) -> scrapy.Request:
        state = self.api_lists[column_url]
        api = state["candidates"][candidate]
        method, url, body, content_type = api.page_request(page_no)
        meta = {"zwgk": {"hops": hops, "column_url": column_url, "page_no": page_no, "api_candidate": candidate}}
        headers = {"Content-Type": content_type or "application/x-www-form-urlencoded"} if body else {}
        headers["X-Requested-With"] = "XMLHttpRequest"
        return self._reading(scrapy.Request(url, method=method, body=body.encode("utf-8") if body else None, headers=headers,
                                            callback=self.parse_api_page, errback=self.on_api_error, meta=meta, dont_filter=True))

    @reads_links
    def parse_api_page(self, response):
        """Page k of a learned list API: its items are the column's; the next page is asked for
        until the total the API gave, or the first page with nothing new (one wasted request)."""
        if not self._admit():
            return
        info = response.meta["zwgk"]
        column_url, page_no, candidate = info["column_url"], info["page_no"], info["api_candidate"]
        state = self.api_lists.get(column_url)
        if state is None:
            return
        api = state["candidates"][candidate]
        text = response.text if response.status < 400 and isinstance(response, scrapy.http.TextResponse) else ""
        items = api.read_items(text, state["base"]) if text else []
        records, pages = api.totals(text) if text else (None, None)
        if records is not None or pages is not None:  # each answer's own total (a reused request's may be old)
            api.total_records, api.total_pages = records, pages
        body = response.request.body.decode("utf-8", "replace") if response.request.method == "POST" else ""
        row = self._page_row(response, info, kind="column" if response.status < 400 else "error",
                             column_url=column_url, probe=0, request_body=body)
        new = [i for i in items if i.url not in state["seen"]]
        state["seen"] |= {i.url for i in new}
        record = state["record"]
        yield {"page": row, "links": [], "column": {"url": column_url, "page_no": page_no, "items": new, "page": None},
               "column_links": item_links(new)}
        if self._limit_reached():
            raise CloseSpider("max_pages")
        yield from self._follow(item_links(new), info.get("hops", 0), {"listed_in": column_url})
        if info.get("pager_unit") is not None:  # a page of the claimed total: the column's pager decides
            if new:
                record["api_pages"] = max(record["api_pages"], page_no)
            else:
                record["api_wasted"] += 1
            yield {"rendered": record}
            yield from self._pager_answer(info, response.status < 400, items)
            return
        if new:
            api.pages_confirmed = page_no
            record["api_pages"] = page_no
            record["list_api"] = json.dumps(api.as_json(), ensure_ascii=False)
            last = api.last_page
            if last is not None and last > page_no + 1 and column_url not in self.pagers:
                # the paging is confirmed and the answer says how far it goes: the rest as the
                # column's pager (the claimed last page tested first, then a window at a time)
                pager = ColumnPager(column_url, "api", PageRange(page_no + 1, last, api.page), api.total_pages or last,
                                    api.total_records)
                pager.remember(state["seen"])
                yield {"rendered": record}
                yield from self._start_pager(pager, {"hops": info.get("hops", 0), "api_candidate": candidate})
                return
            chain = state.setdefault("chain", ColumnPager(column_url, "api", []))
            if last is None and not chain.chain_page(items):  # no total, and page after page nothing new
                yield {"pager": {"scan_id": self.scan_id, **chain.summary()}}
            elif last is None or page_no < last:
                yield self._api_request(column_url, candidate, page_no + 1, info.get("hops", 0))
                yield {"rendered": record}
                return
        else:
            record["api_wasted"] += 1
            if page_no == 1 and state.get("reused"):
                # the request learned last time lists nothing now: the page is rendered again
                del self.api_lists[column_url]
                record["reused"] = 0
                if self.render:
                    yield self._render_request(column_url, column_url, info.get("hops", 0))
                return
            if page_no == 2 and candidate + 1 < len(state["candidates"]):
                yield self._api_request(column_url, candidate + 1, 2, info.get("hops", 0))  # the next guess
                return
            if page_no == 2 and record["list_api"] is None and api.last_page in (None, 1):
                record["list_api"] = json.dumps(api.as_json(), ensure_ascii=False)  # one page: nothing more to page
        yield {"rendered": record}

    @reads_links
    def on_api_error(self, failure):
        """A learned API page that failed: recorded like any failed request, and the paging ends."""
        yield from self.on_error(failure)
        info = failure.request.meta.get("zwgk", {})
        state = self.api_lists.get(info.get("column_url"))
        if state is not None:
            state["record"]["api_wasted"] += 1
            yield {"rendered": state["record"]}

    def _may_render(self, url: str) -> bool:
        """What a rendered page may fetch: the audited site only (its address is allowed already)."""
        return url.startswith(("http://", "https://")) and url in self.scope

    def _related_request(self, req, page_url: str, hops: int) -> scrapy.FormRequest:
        return self._reading(scrapy.FormRequest(req.url, formdata=req.formdata, callback=self.parse_related, errback=self.on_error,
                                                meta={"zwgk": {"hops": hops, "related_to": page_url}}, dont_filter=True))

    @reads_links
    def parse_related(self, response):
        """A Fujian page's policy ↔ interpretation partners from /fjdzapp/search: links of that page."""
        if not self._admit():
            return
        info = response.meta["zwgk"]
        text = response.body.decode(response.encoding or "utf-8", "replace")
        items = fujian.related_items(text, info["related_to"]) if response.status < 400 else []
        row = self._page_row(response, info, kind="other" if response.status < 400 else "error", probe=0,
                             request_body=response.request.body.decode("latin-1"))
        links = item_links(items)
        yield {"page": row, "links": [], "related": {"source": info["related_to"], "links": links}}
        if self._limit_reached():
            raise CloseSpider("max_pages")
        yield from self._follow(links, info.get("hops", 0))

    @staticmethod
    def _continuation(info: dict, total: int, first_count: int):
        proxy = info["proxy"]
        if info["pager"] == "hanweb":
            first = (info.get("first_position") or 1) + proxy["chunk"]
            return hanweb.range_requests(proxy["url"], proxy["fields"], proxy["per_page"], proxy["chunk"], first, total)
        return gkmlpt.continuation(proxy, total, first_count)

    async def parse_attachment(self, response):
        if not self._admit():
            return
        info = response.meta["zwgk"]
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        row = self._page_row(response, info, kind="attachment" if response.status < 400 else "error", probe=1)
        item = {"page": row, "links": []}
        if response.status < 400:
            referer = (response.request.headers.get(b"Referer") or b"").decode("latin-1") or None
            # an annual report's attachment (linked from the report's page, or named as one): tables read too
            report = referer in self.report_pages or is_annual_report(info.get("anchor"), unquote(urlsplit(response.url).path))
            # parsed in a worker process with a hard time limit, off the reactor
            text = await maybe_deferred_to_future(deferToThread(
                read_attachment, response.url, response.body, content_type, self.max_attachment_bytes, tables=report))
            item["attachment"] = attachment_row(self.scan_id, row["url"], referer, content_type, len(response.body), text)
            if report:
                item["annual_report"] = attachment_report(self.scan_id, row["url"], referer, info.get("anchor"), text)
        yield item
        if self._limit_reached():
            raise CloseSpider("max_pages")

    def closed(self, reason):
        if self.parse_pool is not None:
            self.parse_pool.close()
        close_workers()
        if self.renderer is not None:
            self.renderer.close()

    @reads_links
    def parse_probe(self, response):
        info = response.meta["zwgk"]
        redirects = response.request.meta.get("redirect_urls", [])
        if response.request.method == "HEAD" and response.status in HEAD_REFUSED:
            yield self._probe(redirects[0] if redirects else response.url, "GET", head_status=response.status)
            return
        if not self._admit():
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        kind = "attachment" if is_attachment_url(response.url) or (content_type and "html" not in content_type) else "other"
        row = self._page_row(response, info, kind=kind, probe=1)
        if redirects and response.url in self.home_urls and redirects[0] not in self.home_urls:
            row.update(kind="error", error_kind="soft_404", error="redirect_home")  # a deleted file sent to the home page
        yield {"page": row, "links": []}
        if self._limit_reached():
            raise CloseSpider("max_pages")

    @reads_links
    def on_error(self, failure):
        if not self._admit():
            return
        request = failure.request
        info = request.meta.get("zwgk", {})
        redirects = request.meta.get("redirect_urls", [])
        policy = AddressPolicy.of(self.crawler)
        refusal = policy.refused.get(urlsplit(request.url).hostname or "") if policy else None
        kind = error_kind(failure, refusal is not None)
        if kind == "redirect" and len(set(redirects)) < len(redirects):
            kind = "redirect_loop"
        yield from self._pager_answer(info, False, None)
        if info.get("pager_unit") == PAST_END:
            self.stored -= 1  # nothing past a claimed end: the crawler's question, not a site's page (nor one of --max-pages)
            return
        attachment = None
        if info.get("attachment") and kind == "too_large":
            # larger than --max-attachment-size: not read, but not a broken link either
            kind = "attachment_not_read"
            attachment = attachment_row(self.scan_id, request.url, None, None, None, unread(request.url, "too_large", str(failure.value)[:300]))
        yield {
            "attachment": attachment,
            "page": {
                "scan_id": self.scan_id,
                "url": redirects[0] if redirects else request.url,
                "final_url": request.url,
                "method": request.method,
                "status": None,
                "kind": "attachment" if is_attachment_url(request.url) else "other",
                "fetched_at": now(),
                "redirects": json.dumps(redirects + [request.url]) if redirects else None,
                "error": (refusal if kind == "address_policy" and refusal else f"{type(failure.value).__name__}: {failure.value}")[:500],
                "error_kind": kind,
                "depth": info.get("hops"),
                "probe": int(bool(info.get("probe"))),
                "column_url": info.get("column_url") if info.get("pager_unit") is not None else None,
                "request_body": request.body.decode("latin-1") if request.method == "POST" else "",
            },
            "links": [],
        }


def message_rows(scan_id: int, messages, column_url: str | None, list_url: str) -> list[dict]:
    """The ``messages`` rows of a page's consulting-board messages (crawler.extract.messages)."""
    return [{"scan_id": scan_id, "url": m.url, "source": m.source, "column_url": column_url, "list_url": list_url,
             "title": m.title, "asked_at": m.asked_at, "answered_at": m.answered_at, "status": m.status,
             "replier": m.replier, "position": m.position} for m in messages]


def item_links(items) -> list[Link]:
    """Records from a proxy, an API or a rendered list are links a reader sees on the column page."""
    return [Link(item.url, "a", item.title, "body", False, item.url) for item in items]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
