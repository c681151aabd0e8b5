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
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crawler.extract.page import PageExtract, extract_page
from storage.packing import UNPICKLABLE, pack, unpack

logger = logging.getLogger(__name__)
STOPPING = (signal.SIGINT, signal.SIGTERM)  # the crawl's to handle, never a worker's
STOP_SECONDS = 1.0  # how long close() lets a worker finish its page before it is killed


class ParsePool:
    """``workers`` processes that run :func:`extract_page`; :meth:`extract` awaits one."""

    def __init__(self, workers: int):
        # (its queues start multiprocessing's resource tracker, which unblocks signals when started)
        self.executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start)
        # Spawned with SIGINT and SIGTERM blocked, a mask they inherit (as that tracker is): a Ctrl-C
        # to the process group while a worker is still importing reaches the crawl only. One that
        # arrives meanwhile waits for the unblock below, then reaches the crawl.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
        try:
            # started now, while the first requests are downloaded (spawned processes start on demand)
            self.ready = [self.executor.submit(os.getpid) for _ in range(workers)]
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    async def extract(self, url: str, body: bytes, content_type: str | None, **kwargs) -> tuple[PageExtract, bytes | None]:
        """The page's extraction from a worker, and it packed (None when it cannot be pickled); in
        this process until the workers have started, and after a worker died (the pool is then
        broken: the rest of the crawl parses here)."""
        if self.executor is None or not all(f.done() for f in self.ready):
            return extract_page(url, body, content_type, **kwargs), None
        try:
            result = await asyncio.wrap_future(self.executor.submit(extract_packed, url, body, content_type, **kwargs))
        except BrokenProcessPool:
            if self.executor is not None:
                logger.warning("解析进程意外退出，改为在抓取进程内解析 a parse worker died; parsing in the crawl's process")
                self.close()
            return extract_page(url, body, content_type, **kwargs), None
        return (unpack(result), result) if isinstance(result, bytes) else (result, None)

    def close(self) -> None:
        """Stop the workers: idle ones at once, a busy one after STOP_SECONDS at most."""
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
