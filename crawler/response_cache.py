"""Responses kept on disk: every response of a scan for ``--resume``, and a site's pages across
scans so that a re-scan asks only "has it changed?" and re-parses only what did.

Two SQLite files, because they live differently:

- the scan's own file ``<db>.jobs/scan-N.responses.db`` holds every answer of the running scan
  (404s and probes too), committed as it arrives (WAL, survives ``kill -9``; see ``CacheFile``:
  the answers of the last half second are committed together). Scrapy's JOBDIR writes its queue only on a clean close, so ``--resume`` starts
  again from the start URLs and this file replays, without asking the server, exactly what the
  first run saw; then the rest is fetched. Deleted when the scan finishes.
- the site's file ``<cache_dir>/<host>.db`` outlives scans. It keeps answers that can be
  revalidated (2xx/3xx with an ETag or Last-Modified, not HEAD) and, per page, what the
  extractor made of its body (``ExtractionMemo``). A re-scan sends every such request again
  with If-None-Match / If-Modified-Since (``RevalidatePolicy``): an auditor never takes a page
  from a cache without asking the server, a page may have become 404. 304 → the stored body, and
  the stored extraction when the body is the one it was made from. Table ``scan_stats`` tells,
  per scan, how many answers were revalidated and extractions reused. ``--full`` writes this
  file without reading it.

Answers a server asks to be retried (429, 5xx) are kept in neither. Headers are stored as JSON,
bodies compressed (storage.packing). The memo holds pickled extractions: the file is written by zwgk itself
beside the user's database (the trust of the database), as Scrapy's own cache storages pickle.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import zlib
from pathlib import Path

import zstandard

from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.utils.httpobj import urlparse_cached

from crawler import text_marks
from crawler.write_errors import WRITE_ERRORS, write_failed
from storage.integrity import damage, set_aside
from storage.packing import UNPICKLABLE, compress, decompress, pack, unpack

REPLAY = "zwgk_replay"  # request.meta: the answer comes from this scan's own file (--resume)
STATS = ("httpcache/hit", "httpcache/miss", "httpcache/revalidate", "httpcache/invalidate",
         "zwgk/extract_memo_hit", "zwgk/extract_memo_miss", "zwgk/extract_memo_unstorable")


logger = logging.getLogger(__name__)
# what reading a damaged cache raises: SQLite's own errors, a garbled compressed body, garbled JSON or pickle
DAMAGED = (sqlite3.DatabaseError, zstandard.ZstdError, zlib.error, ValueError, EOFError, TypeError, KeyError)
# the tables of the two files, exactly: a file with other columns is not one zwgk wrote (set aside)
SCAN_TABLES = {"responses": "fingerprint blob primary key, url text, status int, headers text, body blob, latency real"}
COMMIT_SECONDS = 0.1  # how long a file's first uncommitted write waits for others to be committed with (CacheFile)
COMMIT_ROWS = 200  # … or how many may wait
SITE_TABLES = {"responses": "fingerprint blob primary key, url text, status int, headers text, body blob",
               "scan_stats": "db text, scan_id int, stats text",
               "extractions": "request text primary key, digest blob, anchor text, extract blob"}


def _connect(path: str) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def open_cache(path: str, tables: dict[str, str]) -> sqlite3.Connection:
    """A cache file checked before it is trusted: a damaged one (SQLite's quick_check, or tables
    that are not the ones zwgk writes) is set aside and a new one made in its place. Raises one of
    WRITE_ERRORS when no file can be written there at all."""
    problem = damage(path)
    if problem is None:
        try:
            conn = _connect(path)
            for name, columns in tables.items():
                conn.execute(f"create table if not exists {name} ({columns})")
                have = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
                want = [c.split()[0] for c in columns.split(", ")]
                if have != want:
                    conn.close()
                    problem = f"table {name} has columns {have}"
                    break
            else:
                return conn
        except sqlite3.DatabaseError as exc:
            if not str(exc).startswith(("database or disk is full", "disk I/O error", "attempt to write a readonly")):
                problem = str(exc)
            else:
                raise
    _set_aside(path, problem)
    conn = _connect(path)
    for name, columns in tables.items():
        conn.execute(f"create table if not exists {name} ({columns})")
    return conn


def _set_aside(path: str, problem: str) -> None:
    """Logged once per file: what was damaged, where it went, and that the crawl fetches it again."""
    aside = set_aside(path)
    if aside:
        logger.warning("缓存文件已损坏，已移到 %s 并重新抓取 damaged cache file set aside, its pages are fetched again: %s (%s)",
                       aside, path, problem.splitlines()[0][:200] if problem else "")


def _response(row, request):
    url, status, headers, body = row
    headers = Headers({k.encode("latin-1"): [v.encode("latin-1") for v in vs] for k, vs in json.loads(headers).items()})
    body = decompress(body)
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body, request=request)


def _row(fingerprint: bytes, response) -> tuple:
    headers = {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()}
    return fingerprint, response.url, response.status, json.dumps(headers), compress(response.body)


def revalidatable(request, response) -> bool:
    """What the site's file keeps: an answer the server can later confirm with a 304."""
    return (request.method != "HEAD" and 200 <= response.status < 400
            and (b"ETag" in response.headers or b"Last-Modified" in response.headers)
            and b"no-store" not in (response.headers.get(b"Cache-Control") or b"").lower())


class CacheFile:
    """A cache file's connection whose writes are committed together: COMMIT_SECONDS after the first
    uncommitted one, at COMMIT_ROWS rows and on close, instead of one commit per row (a WAL commit
    costs as much CPU as three rows). A ``kill -9`` loses at most the last tenth of a second's
    answers, which a ``--resume`` fetches again. ``failed(exc)`` says what a failed write means for
    this file; it may ``drop()`` the file. Used from the reactor thread only (the commit comes on a
    timer of the reactor's)."""

    def __init__(self, path: str, tables: dict[str, str], failed):
        self.path, self.failed = path, failed
        self.conn: sqlite3.Connection | None = open_cache(path, tables)
        self.rows = 0
        self.due = None  # the timed commit of the open transaction

    def read(self, sql: str, params: tuple):
        return self.conn.execute(sql, params).fetchone()

    def write(self, sql: str, params: tuple) -> None:
        try:
            if not self.conn.in_transaction:
                self.conn.execute("begin")
                if self.due is None:
                    from twisted.internet import reactor  # the one Scrapy installed

                    self.due = reactor.callLater(COMMIT_SECONDS, self.commit)
            self.conn.execute(sql, params)
        except WRITE_ERRORS as exc:
            self.failed(exc)
            return
        self.rows += 1
        if self.rows >= COMMIT_ROWS:
            self.commit()

    def commit(self) -> None:
        self.rows = 0
        self._cancel()
        if self.conn is not None and self.conn.in_transaction:
            try:
                self.conn.execute("commit")
            except WRITE_ERRORS as exc:
                self.failed(exc)

    def drop(self) -> None:
        """Closed without committing (a damaged file, set aside by the caller)."""
        self._cancel()
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def close(self) -> None:
        self.commit()
        self.drop()

    def _cancel(self) -> None:
        if self.due is not None:
            if self.due.active():
                self.due.cancel()
            self.due = None


class SQLiteCacheStorage:
    """HTTPCACHE_STORAGE: responses keyed by Scrapy's request fingerprint (method, URL, body).
    Settings: ZWGK_RESPONSE_CACHE (this scan's file), ZWGK_SITE_CACHE (the site's file, or
    None), ZWGK_SITE_CACHE_READ (False under --full: the site's file is written, never read).

    Both files are disposable (storage.integrity): damaged when opened or when read, a file is set
    aside and the page fetched again. A failed write of this scan's file stops the crawl
    (crawler.write_errors: --resume needs it); of the site's file, the crawl goes on without it.
    The site's file is one connection for its answers and the extractions (``ExtractionMemo``
    takes it from the crawler): one transaction holds both."""

    def __init__(self, settings):
        self.path = settings["ZWGK_RESPONSE_CACHE"]
        self.site_path = settings.get("ZWGK_SITE_CACHE")
        self.read_site = settings.getbool("ZWGK_SITE_CACHE_READ")
        self.scan: CacheFile | None = None
        self.site: CacheFile | None = None

    def open_spider(self, spider) -> None:
        self.fingerprinter = spider.crawler.request_fingerprinter
        self._open_scan()
        if self.site_path:
            try:
                self.site = CacheFile(self.site_path, SITE_TABLES, lambda exc: self._drop_site(str(exc)))
            except WRITE_ERRORS as exc:
                logger.warning("无法写入网站缓存，本次不用缓存 site cache not writable, crawling without it: %s (%s)",
                               self.site_path, exc)
        spider.crawler.zwgk_site_file = self.site

    def _open_scan(self) -> None:
        try:
            self.scan = CacheFile(self.path, SCAN_TABLES, lambda exc: write_failed(exc, "已保存的响应 saved responses"))
        except WRITE_ERRORS as exc:
            self.scan = None
            write_failed(exc, "已保存的响应 saved responses")

    def close_spider(self, spider) -> None:
        if self.site is not None and self.site.conn is not None:
            # what the cache did for this scan, e.g. how many pages a re-scan did not parse again
            stats = {key: spider.crawler.stats.get_value(key, 0) for key in STATS}
            self.site.write("insert into scan_stats values (?, ?, ?)",
                            (spider.settings.get("ZWGK_DB"), getattr(spider, "scan_id", None), json.dumps(stats)))
        for file in (self.site, self.scan):
            if file is not None:
                file.close()
        self.site = self.scan = None

    def retrieve_response(self, spider, request):
        fingerprint = self.fingerprinter.fingerprint(request)
        if self.scan is not None:
            try:
                row = self.scan.read("select url, status, headers, body, latency from responses where fingerprint = ?",
                                     (fingerprint,))
                if row is not None:
                    response = _response(row[:4], request)
                    request.meta[REPLAY] = True
                    request.meta["download_latency"] = row[4] or 0.0  # a slow link stays slow when replayed
                    return response
            except DAMAGED as exc:
                self.scan.drop()
                _set_aside(self.path, str(exc))
                self._open_scan()  # this scan's answers are saved from here on
        site = self.site
        if site is None or site.conn is None or not self.read_site:
            return None
        try:
            row = site.read("select url, status, headers, body from responses where fingerprint = ?", (fingerprint,))
            return _response(row, request) if row is not None else None
        except DAMAGED as exc:
            self._drop_site(str(exc))
            return None

    def store_response(self, spider, request, response) -> None:
        row = _row(self.fingerprinter.fingerprint(request), response)
        if self.scan is not None:
            self.scan.write("insert or replace into responses values (?, ?, ?, ?, ?, ?)",
                            (*row, request.meta.get("download_latency")))
        if self.site is not None and self.site.conn is not None and revalidatable(request, response):
            self.site.write("insert or replace into responses values (?, ?, ?, ?, ?)", row)

    def _drop_site(self, problem: str) -> None:
        """The site's file failed: set aside when damaged, and the crawl goes on without it."""
        self.site.drop()
        if damage(self.site_path) or "malformed" in problem or "not a database" in problem:
            _set_aside(self.site_path, problem)
        else:
            logger.warning("网站缓存不可用，本次不用缓存 site cache unusable, crawling without it: %s (%s)",
                           self.site_path, problem)


class RevalidatePolicy(RFC2616Policy):
    """HTTPCACHE_POLICY: this scan's own answers are replayed as they are (--resume); an answer
    from an earlier scan is never fresh — the request goes out with its validators, and only a
    304 brings the stored body back. RFC 2616's heuristics would serve a page unasked for a tenth
    of its age since Last-Modified, and its stale answer on a 5xx or a failed connection: an
    audit must see a 5xx or an unreachable page as it is."""

    def __init__(self, settings):
        super().__init__(settings)
        self.ignore_http_codes = [int(x) for x in settings.getlist("HTTPCACHE_IGNORE_HTTP_CODES")]

    def should_cache_request(self, request) -> bool:
        return urlparse_cached(request).scheme not in self.ignore_schemes

    def should_cache_response(self, response, request) -> bool:
        # every answer of the scan for --resume; the storage picks what the site's file keeps
        return response.status not in self.ignore_http_codes and response.status != 304

    def is_cached_response_fresh(self, cachedresponse, request) -> bool:
        if request.meta.get(REPLAY):
            return True
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(self, cachedresponse, response, request) -> bool:
        return response.status == 304


class RevalidateCacheMiddleware(HttpCacheMiddleware):
    """Scrapy's cache middleware, without its "error recovery": a timeout or refused connection
    while revalidating is that page's finding, not a reason to show the old copy."""

    def process_exception(self, request, exception, spider=None):
        request.meta.pop("cached_response", None)
        return None


def _extractor_digest() -> bytes:
    """Extractions made by other code are not reused: a digest of the crawler's sources and lxml."""
    from lxml import etree

    digest = hashlib.sha256(repr(etree.LXML_VERSION).encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.digest()


class ExtractionMemo:
    """What the extractor made of a page, kept in the site's file: keyed by the request (method,
    URL, body) and whether it is the home page, valid while the body, its final URL and content
    type and the extractor's code are the same. The link text a page was reached by (different
    links win from scan to scan) only names a column that has no ColumnName meta tag
    (extract_page): such an extraction is reused only when reached by the same text. Written
    through the cache storage's connection to the file (``SQLiteCacheStorage``), which closes it."""

    _CODE: bytes | None = None

    def __init__(self, file: CacheFile | None, read: bool, stats):
        self.file, self.read, self.stats = file, read, stats
        if file is not None and ExtractionMemo._CODE is None:
            ExtractionMemo._CODE = _extractor_digest()

    @classmethod
    def of(cls, crawler) -> ExtractionMemo:
        memo = getattr(crawler, "zwgk_memo", None)
        if memo is None:
            memo = crawler.zwgk_memo = cls(getattr(crawler, "zwgk_site_file", None),
                                           crawler.settings.getbool("ZWGK_SITE_CACHE_READ"), crawler.stats)
        return memo

    @property
    def usable(self) -> bool:
        return self.file is not None and self.file.conn is not None

    def key(self, response, *, is_home: bool, anchor: str | None, marks: dict) -> tuple[str, bytes, str | None] | None:
        if not self.usable:
            return None
        request = response.request
        digest = hashlib.sha256(self._CODE)
        digest.update(json.dumps([response.url, response.headers.get(b"Content-Type", b"").decode("latin-1")]).encode())
        digest.update(response.body)
        digest.update(json.dumps(text_marks.digests(marks)).encode())  # the content rules' prefilters
        # one URL is fetched as the home page and again as a column's first page: two entries
        asked = [request.method, request.url, request.body.decode("latin-1"), is_home]
        return json.dumps(asked, ensure_ascii=False), digest.digest(), anchor

    def get(self, key):
        """The stored extraction for this key, or None (counted as a memo hit or miss)."""
        if key is None or not self.usable:
            return None
        extract = None
        if self.read:
            try:
                row = self.file.read("select extract from extractions where request = ? and digest = ? "
                                     "and (anchor is null or anchor = ?)", key)
                extract = unpack(row[0]) if row else None
            except sqlite3.DatabaseError as exc:
                self.file.failed(exc)
            except Exception:  # noqa: BLE001 — a garbled pickle raises anything: the page is parsed again
                extract = None
        self.stats.inc_value("zwgk/extract_memo_hit" if extract is not None else "zwgk/extract_memo_miss")
        return extract

    def put(self, key, extract, packed: bytes | None = None) -> None:
        """Keep ``extract``; ``packed`` is it already packed (storage.packing) by a parse worker."""
        if key is None or not self.usable:
            return
        request, digest, anchor = key
        try:
            data = packed or pack(extract)
        except UNPICKLABLE:
            # an extraction holding a function (a pager's page maker) is made again next time
            self.stats.inc_value("zwgk/extract_memo_unstorable")
            return
        named_by_link = anchor if anchor and extract.column_name == anchor else None
        self.file.write("insert or replace into extractions values (?, ?, ?, ?)", (request, digest, named_by_link, data))
