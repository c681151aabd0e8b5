"""Running a crawl: Scrapy settings from the command-line options, scan bookkeeping, resume."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler.dns import parse_resolve, parse_server
from crawler.scope import bare_host
from storage.sqlite import clear_scan_rows, create_scan, open_db, resumable_scan
from crawler import write_errors
from crawler.text_marks import digests

VERSION = "0.1.0"
# ASCII only: HTTP header values are Latin-1 on the wire
USER_AGENT = f"zwgk-audit/{VERSION} (government disclosure self-inspection; +https://pypi.org/project/zwgk-audit/; contact: set --contact)"


@dataclass
class CrawlOptions:
    start_urls: list[str]
    db: str
    allow_hosts: tuple[str, ...] = ()
    max_pages: int = 0  # 0 = no limit
    max_depth: int = 10
    concurrency: int = 16
    # polite by default, for the library as for the command line: a real portal, not a test server
    per_host: int = 2
    delay: float = 0.5  # seconds between two requests to a host, at least (no random jitter)
    timeout: float = 30.0
    max_size_mb: int = 50
    max_attachment_mb: int = 20  # attachments read for their text up to this size; 0: only probed
    render: bool = True  # render script-only lists in the system Chromium when it is installed
    obey_robots: bool = True
    resume: bool = False
    check_links: bool = True
    dns_server: str | None = None
    resolve: list[str] = field(default_factory=list)
    contact: str | None = None
    progress: bool = True
    log_level: str = "WARNING"
    allow_private: bool = False  # connect to internal addresses (crawler.address_policy)
    workers: int = 1  # processes the crawl of one site uses (all share one downloader's politeness)
    incremental: bool = True  # a re-scan of a site sends conditional requests and re-parses only what changed
    cache_dir: str | None = None  # where each site's cache lives across scans; None: beside the database
    text_marks: dict = field(default_factory=dict)  # rule id → crawler.text_marks.MarkSpec, from the rules


class CrawlError(Exception):
    """A crawl that cannot start (bad option, database not writable …): exit code 2."""


def jobdir_for(db_path: str, scan_id: int) -> str:
    return str(Path(db_path).with_suffix("").as_posix() + f".jobs/scan-{scan_id}")


def response_cache_for(db_path: str, scan_id: int) -> str:
    """Every response of an unfinished scan (crawler.response_cache): what --resume replays."""
    return str(Path(db_path).with_suffix("").as_posix() + f".jobs/scan-{scan_id}.responses.db")


def site_cache_for(opts: CrawlOptions) -> str:
    """The site's responses and extractions across scans (crawler.response_cache): one file per
    host of the first start URL, beside the database unless --cache-dir says otherwise (a scan
    database on a server still has its crawl's cache on the crawling machine)."""
    folder = Path(opts.cache_dir) if opts.cache_dir else Path(Path(opts.db).with_suffix("").as_posix() + ".cache")
    return str(folder / (re.sub(r"[^A-Za-z0-9.-]", "_", urlsplit(opts.start_urls[0]).netloc.lower()) + ".db"))


RETRYABLE = [408, 429, 500, 502, 503, 504, 522, 524]  # asked again on resume, never replayed


def user_agent(contact: str | None) -> str:
    """The crawl's User-Agent, with the auditor's --contact when given."""
    return USER_AGENT if not contact else USER_AGENT.replace("contact: set --contact", f"contact: {contact}")


def scrapy_settings(opts: CrawlOptions, scan_id: int) -> dict:
    from scrapy.settings import default_settings

    settings = {
        "BOT_NAME": "zwgk",
        "USER_AGENT": user_agent(opts.contact),
        "ROBOTSTXT_OBEY": opts.obey_robots,
        "CONCURRENT_REQUESTS": opts.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": opts.per_host,
        "DOWNLOAD_DELAY": opts.delay,
        # --delay is a floor: Scrapy would space a host's requests by 0.5-1.5 times it (and shorten a
        # Retry-After the same way); older Scrapy knows only RANDOMIZE_DOWNLOAD_DELAY
        **({"DOWNLOAD_DELAY_JITTER": 0.0} if hasattr(default_settings, "DOWNLOAD_DELAY_JITTER")
           else {"RANDOMIZE_DOWNLOAD_DELAY": False}),
        # Politeness is the per-host concurrency, --delay and the server's own Retry-After.
        # AutoThrottle is off: it raises a host's delay after one slow page and never lowers it
        # on 404s, so a few slow or missing pages left whole scans at a few pages per second.
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_TIMEOUT": opts.timeout,
        "DOWNLOAD_MAXSIZE": opts.max_size_mb * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "REDIRECT_MAX_TIMES": 10,
        "HTTPERROR_ALLOW_ALL": True,
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy ≥ 2.19 would serve an HTTP endpoint that runs Python code sent to it: never in an auditor
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": opts.log_level,
        "LOG_FORMATTER": "crawler.quiet_log.QuietLogFormatter",  # no record built per response unless logged
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "DOWNLOADER": "crawler.downloader.PoliteDownloader",  # --per-host held under the asyncio reactor
        "REACTOR_THREADPOOL_MAXSIZE": 20,
        "DNS_TIMEOUT": 10,
        "TWISTED_DNS_RESOLVER": "crawler.dns.ControlledResolver",
        "ZWGK_RESOLVE": list(opts.resolve),
        "ZWGK_DNS_SERVER": opts.dns_server,
        "ZWGK_DB": opts.db,
        "ZWGK_ALLOW_PRIVATE": opts.allow_private,
        "ZWGK_SCOPE_HOSTS": sorted({urlsplit(u).hostname for u in opts.start_urls if urlsplit(u).hostname}
                                   | {bare_host(h) for h in opts.allow_hosts}),
        "ZWGK_PROGRESS": opts.progress,
        "ITEM_PIPELINES": {"crawler.pipelines.SQLitePipeline": 300},
        # Components the audit does not use cost time on every request at hundreds of pages/s.
        # UrlLengthMiddleware would silently drop URLs over 2083 characters: an auditor wants them.
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,  # hops are bounded by the spider
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,  # scope is the spider's
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
            "crawler.address_policy.AddressPolicyMiddleware": 50,  # before anything is sent, robots.txt included
            "crawler.middlewares.RetryAfterMiddleware": 560,
            "crawler.middlewares.NeverAnsweredRetryMiddleware": 555,  # before Scrapy's retry (550) sees the failure
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
            "crawler.middlewares.RedirectMiddleware": 600,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "crawler.middlewares.MetaRefreshMiddleware": 580,  # only pages that can carry one are decoded
            "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
            "crawler.response_cache.RevalidateCacheMiddleware": 900,
        },
        "EXTENSIONS": {"crawler.progress.Progress": 500},
        # the request queue on disk (memory does not grow with the frontier); rebuilt at every start
        "JOBDIR": jobdir_for(opts.db, scan_id),
        "SCHEDULER_DISK_QUEUE": "crawler.request_queue.MethodsLifoDiskQueue",
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_STORAGE": "crawler.response_cache.SQLiteCacheStorage",
        # this scan's answers replayed by --resume; earlier scans' pages revalidated (If-None-Match …)
        "HTTPCACHE_POLICY": "crawler.response_cache.RevalidatePolicy",
        "HTTPCACHE_IGNORE_HTTP_CODES": RETRYABLE,
        "ZWGK_RESPONSE_CACHE": response_cache_for(opts.db, scan_id),
        "ZWGK_SITE_CACHE": site_cache_for(opts),
        "ZWGK_SITE_CACHE_READ": opts.incremental,  # --full: every page fetched and parsed anew, the cache rewritten
        "STATS_DUMP": False,
        # Scrapy parses each callback's source to warn about generator return values: costly, not needed
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        # Scrapy starts this many asyncio workers per callback output: few items per page here
        "CONCURRENT_ITEMS": 4,
    }
    return settings


def prepare_scan(opts: CrawlOptions) -> tuple[int, bool]:
    """(scan id, resumed?) — a new scan, or with --resume the unfinished one of the same URLs.

    Every option is checked before the database is touched, so a bad option never leaves a
    scan behind (an empty "finished" one, or one stuck in "running")."""
    from storage.integrity import verify_scan_db
    from storage.schema import UnusableDatabase

    parse_resolve(opts.resolve)  # raise on bad syntax before anything is written
    parse_server(opts.dns_server)
    if not opts.start_urls:
        raise CrawlError("没有起始网址 no start URL")
    for url in opts.start_urls:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            parts, port = None, None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
            raise CrawlError(f"不是有效的网址 not a valid http(s) URL: {url}")
    bounds = {"max_pages": 0, "max_depth": 0, "concurrency": 1, "per_host": 1, "delay": 0, "max_size_mb": 1, "workers": 1}
    for name, low in bounds.items():
        if not getattr(opts, name) >= low:  # also false for nan
            raise CrawlError(f"{name} must be at least {low}, not {getattr(opts, name)}")
    if not opts.timeout > 0:
        raise CrawlError(f"timeout must be positive, not {opts.timeout}")
    try:
        verify_scan_db(opts.db)  # damage is found before anything is written into it
        db = open_db(opts.db)
    except UnusableDatabase as exc:
        raise CrawlError(str(exc)) from exc
    except Exception as exc:  # sqlite3 errors, permission errors …
        raise CrawlError(f"无法打开数据库 cannot open database {opts.db}: {exc}") from exc
    try:
        if opts.resume:
            scan_id = resumable_scan(db, opts.start_urls)
            if scan_id is not None:
                # rebuilt from the start URLs: what was fetched comes back from the response cache
                clear_scan_rows(db, scan_id)
                settings = json.loads(db["scans"].get(scan_id)["settings"] or "{}")
                settings["text_marks"] = digests(opts.text_marks)  # the pages are extracted again with these
                db["scans"].update(scan_id, {"status": "running", "settings": json.dumps(settings, ensure_ascii=False)})
                return scan_id, True
        site = urlsplit(opts.start_urls[0]).netloc
        settings = {k: v for k, v in vars(opts).items() if k not in ("db",)}
        settings["text_marks"] = digests(opts.text_marks)
        return create_scan(db, site, opts.start_urls, settings, VERSION), False
    finally:
        db.close()


def learned_before(db_path: str, scan_id: int) -> dict:
    """What rendering taught the last finished scan of the same site: each column's list request
    and each detail template's document request (JSON), reused without rendering."""
    db = open_db(db_path)
    try:
        row = db.execute("select site from scans where id = ?", (scan_id,)).fetchone()
        before = db.execute("select max(id) from scans where site = ? and id < ? and status = 'finished'",
                            (row[0], scan_id)).fetchone()[0] if row else None
        if before is None:
            return {}
        lists = dict(db.execute("select column_url, list_api from rendered where scan_id = ? and list_api is not null", (before,)))
        details = dict(db.execute("select template, detail_api from detail_apis where scan_id = ? and detail_api is not null",
                                  (before,)))
        return {"lists": {k: json.loads(v) for k, v in lists.items()}, "details": {k: json.loads(v) for k, v in details.items()}}
    finally:
        db.close()


class PreparedCrawl:
    """One crawl between its bookkeeping and the reactor: its scan, Scrapy settings, the spider's
    arguments, the lock on its request queue and the space held for a failed write. The same for
    a crawl in a process of its own (:func:`run_crawl`) and one of many on a shared reactor
    (zwgk.site_host)."""

    def __init__(self, opts: CrawlOptions):
        self.opts = opts
        self.lock = None
        self.reserve = Reserve(opts.db)
        try:
            self.scan_id, resumed = prepare_scan(opts)
            self.settings = scrapy_settings(opts, self.scan_id)
            # the queue is rebuilt from the start URLs at every start: a resume replays the response cache
            shutil.rmtree(self.settings["JOBDIR"], ignore_errors=True)
            if not resumed:
                # a leftover cache of an earlier database's scan with the same id must not be replayed
                _remove_cache(self.settings["ZWGK_RESPONSE_CACHE"])
            self.lock = _lock_jobdir(self.settings["JOBDIR"])
        except BaseException:
            self.reserve.release()
            raise

    def spider_arguments(self) -> dict:
        opts = self.opts
        return dict(start_urls=opts.start_urls, scan_id=self.scan_id, allow_hosts=opts.allow_hosts,
                    max_depth=opts.max_depth, check_links=opts.check_links, max_pages=opts.max_pages,
                    max_attachment_bytes=min(opts.max_attachment_mb, opts.max_size_mb) * 1024 * 1024, render=opts.render,
                    workers=opts.workers, text_marks=opts.text_marks, learned=learned_before(opts.db, self.scan_id))

    def release(self, crawler=None) -> None:
        """After the reactor is done with the crawl (or never ran it): parse workers, lock, reserve."""
        spider = getattr(crawler, "spider", None)
        if spider is not None and spider.parse_pool is not None:
            spider.parse_pool.close()  # the reactor stopped before the spider closed (a signal)
        if self.lock is not None:
            self.lock.close()
            self.lock = None
        self.reserve.release()

    def end(self) -> int:
        """The scan's final status recorded; what only an interrupted scan needs, removed. The scan id."""
        status = _final_status(self.opts.db, self.scan_id)
        if status in ("finished", "partial"):  # only an interrupted scan needs its responses for --resume
            shutil.rmtree(self.settings["JOBDIR"], ignore_errors=True)
            _remove_cache(self.settings["ZWGK_RESPONSE_CACHE"])
            _remove_if_empty(Path(self.settings["JOBDIR"]).parent)
        return self.scan_id


def quiet_retries(log_level: str) -> None:
    """Failed retries are findings (stored in the database), not crawler errors. Set after Scrapy's
    logging setup, which resets the levels of existing loggers."""
    if log_level != "INFO":
        for name in ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def run_crawl(opts: CrawlOptions) -> int:
    """Crawl into opts.db; returns the scan id. Blocks until the crawl ends.

    The first SIGINT/SIGTERM writes everything fetched, marks the scan ``interrupted`` and stops
    within 2 s whatever is in flight; a second one exits at once (rows already fetched are
    written, the rest is in the response cache). ``interrupted_by()`` tells which signal."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.disclosure import DisclosureSpider

    _SIGNAL["received"] = None
    write_errors.reset(None)
    # A signal before the crawl has begun (a busy machine takes seconds to get there) is kept: the
    # crawl then does not begin, and the scan is marked interrupted like any other.
    previous = {signum: signal.signal(signum, _before_crawl) for signum in (signal.SIGINT, signal.SIGTERM)}
    prepared = crawler = None
    try:
        prepared = PreparedCrawl(opts)
        process = CrawlerProcess(prepared.settings)
        quiet_retries(opts.log_level)
        crawler = process.create_crawler(DisclosureSpider)
        process.crawl(crawler, **prepared.spider_arguments())
        _install_signal_handlers(crawler, prepared.reserve)
        if _SIGNAL["received"] is None:
            process.start(install_signal_handlers=False)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if prepared is not None:
            prepared.release(crawler)
    return prepared.end()


def _final_status(db_path: str, scan_id: int) -> str:
    """The scan's status once the crawl has ended: interrupted after a signal or a failed write (the
    reason stored when the database takes it; a scan it cannot mark stays "running", resumable too)."""
    import sqlite3

    from storage.sqlite import BUSY_TIMEOUT

    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT)
    try:
        status = conn.execute("select status from scans where id = ?", (scan_id,)).fetchone()[0]
        if (_SIGNAL["received"] or write_errors.failed()) and status != "interrupted":
            with conn:
                conn.execute("update scans set status = 'interrupted', interruption = ? where id = ?",
                             (write_errors.failed(), scan_id))
            status = "interrupted"
    except sqlite3.Error:
        status = "interrupted"  # not even that could be written: the scan stays "running", never finished
    finally:
        conn.close()
    return status


def write_failure() -> str | None:
    """Why the last run_crawl stopped on a failed write (disk full …), in words; None if it did not."""
    return write_errors.failed()


_RESERVES = itertools.count()


class Reserve:
    """A few MiB held beside the database while the crawl runs and released when a write fails, so
    that what was fetched can still be flushed and the scan marked interrupted on a full disk. A
    disk too full for it stops the crawl before it begins (one line, exit 2)."""

    SIZE = 4 * 1024 * 1024

    def __init__(self, db_path: str):
        import errno

        # one per crawl: a process may run several (zwgk.site_host)
        self.path = Path(Path(db_path).with_suffix("").as_posix() + f".jobs/reserve-{os.getpid()}-{next(_RESERVES)}")
        for left in self.path.parent.glob("reserve-*"):  # of a crawl that was killed: given back
            if not _alive(left.name.removeprefix("reserve-").split("-")[0]):
                left.unlink(missing_ok=True)
        try:
            with _make_and_open(self.path, "wb") as handle:
                os.posix_fallocate(handle.fileno(), 0, self.SIZE)
        except OSError as exc:
            self.release()
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise CrawlError(f"数据库所在磁盘空间不足，未开始抓取 not enough free space beside the database, the crawl "
                                 f"did not start: {self.path.parent.parent.resolve()}") from None
            # a place that cannot be written: opening the database says so in its own words

    def release(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
            _remove_if_empty(self.path.parent)
        except OSError:
            pass


def _remove_if_empty(folder: Path) -> None:
    """The scan's jobs folder once nothing in it is needed (no saved responses, no reserve). One
    rmdir, which only an empty folder survives not: other crawls of the same database (zwgk.site_host
    runs several at once) may be adding to it or removing it at the same moment."""
    try:
        folder.rmdir()
    except OSError:  # not empty, or gone already
        pass


def _make_and_open(path: Path, mode: str, parents: bool = False):
    """``path`` opened, its folder made first (and the folders above it with ``parents``) — again if
    another crawl removed that folder (empty) between the two (:func:`_remove_if_empty`)."""
    for attempt in range(3):
        path.parent.mkdir(parents=parents, exist_ok=True)
        try:
            return open(path, mode)
        except FileNotFoundError:
            if attempt == 2:
                raise


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


_SIGNAL: dict = {"received": None}
STOP_WITHIN = 1.5  # seconds the first signal leaves in-flight downloads before the reactor stops


def interrupted_by() -> int | None:
    """The signal that interrupted the last run_crawl (None if it ended by itself)."""
    return _SIGNAL["received"]


def _before_crawl(signum, frame) -> None:
    if not signal_received(signum):
        os._exit(128 + signum)


def interrupt_crawl(crawler) -> None:
    """On the reactor thread: write everything the crawl fetched, mark its scan interrupted, stop it."""
    pipeline = getattr(crawler, "zwgk_pipeline", None)
    if pipeline is not None:
        pipeline.interrupt()
    if crawler.engine is not None and crawler.crawling:
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(crawler.stop_async())  # stop() is deprecated (a warning on every Ctrl-C)


def signal_received(signum: int) -> bool:
    """Record a stopping signal; False when it is the second (the caller exits at once)."""
    if _SIGNAL["received"] is not None:
        return False
    _SIGNAL["received"] = signum
    return True


def _install_signal_handlers(crawler, reserve: Reserve) -> None:
    from twisted.internet import reactor

    def stop_now():
        pipeline = getattr(crawler, "zwgk_pipeline", None)
        if pipeline is not None:
            pipeline.interrupt()  # whatever arrived meanwhile is written too
        if reactor.running:
            reactor.stop()

    def first_signal():
        interrupt_crawl(crawler)
        reactor.callLater(STOP_WITHIN, stop_now)

    def on_write_failure():
        reserve.release()  # room to flush what was fetched and mark the scan interrupted
        reactor.callFromThread(first_signal)

    write_errors.reset(on_write_failure)

    def on_signal(signum, frame):
        if not signal_received(signum):
            os._exit(128 + signum)  # a second signal: at once (fetched rows are written or cached)
        reactor.callFromThread(first_signal)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)


def _remove_cache(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def _lock_jobdir(jobdir: str):
    """One process per scan: two crawls sharing a JOBDIR corrupt its request queue."""
    import fcntl

    handle = _make_and_open(Path(jobdir) / ".lock", "w", parents=True)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise CrawlError(f"该扫描正在另一进程中运行 this scan is already running in another process ({jobdir})") from None
    return handle
