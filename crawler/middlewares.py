"""Downloader middlewares: honour ``Retry-After`` on 429/503 (Scrapy's RetryMiddleware retries
them without waiting as the server asked), and keep redirects from being dropped as duplicates."""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    from email.utils import parsedate_to_datetime
    from datetime import datetime, timezone

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class RetryAfterMiddleware:
    """On 429/503 with Retry-After: slow the host's download slot to that delay and retry."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("ZWGK_MAX_RETRY_AFTER", 120)
        self.max_retries = crawler.settings.getint("RETRY_TIMES", 2)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if response.status not in (429, 503):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        tries = request.meta.get("retry_after_times", 0)
        if wait is None or wait > self.max_wait or tries >= self.max_retries:
            return response
        slot_key = request.meta.get("download_slot") or urlparse_cached(request).hostname
        slot = self.crawler.engine.downloader.slots.get(slot_key)
        if slot is not None and wait > slot.delay:
            # the host asked for a pause, not for a slower crawl ever after: restore the delay then
            from twisted.internet import reactor

            normal = slot.delay
            slot.delay = wait
            reactor.callLater(wait, _restore_delay, slot, wait, normal)
        logger.info("%s answered %s, waiting %.1fs as Retry-After asks", request.url, response.status, wait)
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_times"] = tries + 1
        return retry


class RedirectMiddleware(ScrapyRedirectMiddleware):
    """Scrapy's redirect handling, except that the redirected request bypasses the dupefilter.

    Otherwise a redirect to an already crawled page (``/old.html`` → ``/index.html``) or a loop
    is dropped silently and the linking URL never gets a row; with this, the first ends with the
    target's response and the loop ends at REDIRECT_MAX_TIMES with an error the link check sees.
    """

    def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if result is not response and hasattr(result, "dont_filter"):
            result.dont_filter = True
        return result


def _restore_delay(slot, raised: float, normal: float) -> None:
    if slot.delay == raised:  # not raised again meanwhile by a later Retry-After
        slot.delay = normal
