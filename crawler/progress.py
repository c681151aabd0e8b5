"""Progress on a terminal (pages fetched, queued, errors, rate); silent in CI and in pipes."""

from __future__ import annotations

import os
import sys
from time import monotonic

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    def __init__(self, crawler):
        self.crawler = crawler
        self.fetched = self.errors = self.documents = 0
        self.started = monotonic()
        self.loop = None
        self.live = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ZWGK_PROGRESS") or os.environ.get("CI") or not sys.stderr.isatty():
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response, signal=signals.response_received)
        crawler.signals.connect(ext.item, signal=signals.item_scraped)
        return ext

    def opened(self, spider):
        from rich.console import Console
        from rich.live import Live

        self.live = Live(console=Console(stderr=True), refresh_per_second=4, transient=True)
        self.live.start()
        self.loop = task.LoopingCall(self.render)
        self.loop.start(0.5)

    def response(self, response, request, spider):
        self.fetched += 1
        if response.status >= 400:
            self.errors += 1

    def item(self, item, response, spider):
        if item.get("error_kind"):  # what the pipeline returns: network failures
            self.errors += 1

    def render(self):
        stats = self.crawler.stats
        queued = (stats.get_value("scheduler/enqueued") or 0) - (stats.get_value("scheduler/dequeued") or 0)
        rate = self.fetched / max(monotonic() - self.started, 0.001)
        self.live.update(f"已抓取 fetched {self.fetched}  队列 queued {queued}  错误 errors {self.errors}  {rate:.0f} 页/秒 pages/s")

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.live:
            self.live.stop()
