"""Page extraction in worker processes, for ``--workers N``.

One Scrapy process keeps the whole crawl (scheduler, downloader, spider state, SQLite writes):
per-host concurrency, ``--delay`` and ``Retry-After`` hold across the workers by construction,
because there is one downloader. What moves out is the one step of a page that needs nothing but
the page itself: :func:`crawler.extract.page.extract_page` (decode, lxml parse, metadata, links,
list items, pagination), the largest part of a page's CPU in a profile of the crawl. A page's
body goes to a worker, its :class:`~crawler.extract.page.PageExtract` comes back packed
(:mod:`storage.packing`: pickled and compressed, a few KB against tens of KB of body), the very
bytes the site's cache keeps of it (``ExtractionMemo``): the crawl's process unpacks it and
does not pack it again.

Workers only when they pay: a page is parsed in the crawl's own process unless that process is
busy parsing (in-process extraction took at least BUSY_SHARE of the last seconds) and the page is
large enough for a worker to be worth its packing and the round trip (MIN_OFFLOAD_BYTES). A polite
crawl, a few pages a second, never starts a worker; a fast crawl of small pages (3 KB: workers cost
24–42 % more CPU for the same pages per second) keeps them in-process; a fast crawl of large pages
sends the pages that would hold the reactor thread up to the workers, started on first need.

The queue is bounded by Scrapy: an extraction is awaited by the page's callback, and Scrapy keeps
no more responses in its callbacks than its scraper slot allows (SCRAPER_SLOT_MAX_ACTIVE_SIZE)
and its concurrency downloads.

Workers are spawned (no copy of the reactor, sockets or the database connections), ignore
SIGINT and SIGTERM (Ctrl-C and a service stop reach the whole process group; the crawl decides
how to stop, and stops them) and exit by themselves when the crawl's process is gone, even after
``kill -9``.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crawler.extract.page import PageExtract, extract_page
from storage.packing import UNPICKLABLE, pack, unpack

logger = logging.getLogger(__name__)
STOPPING = (signal.SIGINT, signal.SIGTERM)  # the crawl's to handle, never a worker's
STOP_SECONDS = 1.0  # how long close() lets a worker finish its page before it is killed
MIN_OFFLOAD_BYTES = 16 * 1024  # smaller pages: packing and the round trip cost about what parsing does
BUSY_SHARE = 0.5  # in-process parsing at least this share of the last LOAD_SECONDS: send pages to the workers
LOAD_SECONDS = 2.0
# ZWGK_PARSE_WORKERS=always sends every page to the workers from the start (tests and benchmarks of
# the workers themselves); unset, the pool decides as above
ALWAYS = "always"


class ParsePool:
    """Up to ``workers`` processes that run :func:`extract_page`, started when they pay; :meth:`extract` awaits one."""

    def __init__(self, workers: int):
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None
        self.ready: list = []
        self.broken = False
        self.load, self.load_at = 0.0, time.monotonic()  # seconds of in-process parsing, decaying over LOAD_SECONDS
        self.offloaded = self.in_process = 0
        self.always = os.environ.get("ZWGK_PARSE_WORKERS") == ALWAYS
        if self.always:
            self._start()

    def _start(self) -> None:
        """Spawn the workers (on first need)."""
        # (its queues start multiprocessing's resource tracker, which unblocks signals when started)
        self.executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start)
        # Spawned with SIGINT and SIGTERM blocked, a mask they inherit (as that tracker is): a Ctrl-C
        # to the process group while a worker is still importing reaches the crawl only. One that
        # arrives meanwhile waits for the unblock below, then reaches the crawl.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
        try:
            # all started now (spawned processes start on demand); pages are parsed here until they answer
            self.ready = [self.executor.submit(os.getpid) for _ in range(self.workers)]
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _busy(self, now: float) -> float:
        """The share of the last LOAD_SECONDS this process spent parsing."""
        self.load *= 0.5 ** ((now - self.load_at) / LOAD_SECONDS)
        self.load_at = now
        return self.load / LOAD_SECONDS

    def _here(self, url: str, body: bytes, content_type: str | None, **kwargs) -> tuple[PageExtract, None]:
        started = time.monotonic()
        page = extract_page(url, body, content_type, **kwargs)
        done = time.monotonic()
        self._busy(done)
        self.load += done - started
        self.in_process += 1
        return page, None

    async def extract(self, url: str, body: bytes, content_type: str | None, **kwargs) -> tuple[PageExtract, bytes | None]:
        """The page's extraction, and it packed (None when it cannot be pickled): from a worker when
        that pays (see the module), else in this process — also until the workers have started, and
        after a worker died (the pool is then broken: the rest of the crawl parses here)."""
        if self.broken or (not self.always and (len(body) < MIN_OFFLOAD_BYTES or self._busy(time.monotonic()) < BUSY_SHARE)):
            return self._here(url, body, content_type, **kwargs)
        if self.executor is None:
            self._start()
        if not all(f.done() for f in self.ready):
            return self._here(url, body, content_type, **kwargs)
        self.offloaded += 1
        try:
            result = await asyncio.wrap_future(self.executor.submit(extract_packed, url, body, content_type, **kwargs))
        except BrokenProcessPool:
            if self.executor is not None:
                logger.warning("解析进程意外退出，改为在抓取进程内解析 a parse worker died; parsing in the crawl's process")
                self.close()
            self.broken = True
            return self._here(url, body, content_type, **kwargs)
        return (unpack(result), result) if isinstance(result, bytes) else (result, None)

    def close(self) -> None:
        """Stop the workers: idle ones at once, a busy one after STOP_SECONDS at most."""
        self.broken = True  # a closed pool parses here and never starts again
        if self.executor is None:
            return
        executor, self.executor = self.executor, None
        # ProcessPoolExecutor before Python 3.14 cannot terminate its workers: they are listed here
        processes = list((executor._processes or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join(STOP_SECONDS)


def extract_packed(url: str, body: bytes, content_type: str | None, **kwargs) -> bytes | PageExtract:
    """In a worker: the extraction packed, or as it is when it cannot be pickled by pack()."""
    page = extract_page(url, body, content_type, **kwargs)
    try:
        return pack(page)
    except UNPICKLABLE:
        return page


def _worker_start() -> None:
    for signum in STOPPING:
        signal.signal(signum, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(0)
