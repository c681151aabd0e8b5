"""Downloader middlewares: honour ``Retry-After`` on 429/503 (Scrapy's RetryMiddleware retries
them without waiting as the server asked), keep redirects from being dropped as duplicates, keep a
page's redirects inside the audited site, and look for a meta refresh only in a page that can carry
one."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from crawler.address_policy import AddressPolicy
from crawler.scope import netloc

logger = logging.getLogger(__name__)
# Scrapy reads a meta refresh from a page's first 4 096 characters, which must then contain the word
# "refresh" (any case; UTF-16 puts a zero byte beside each letter): in at most 4 × 4 096 bytes
REFRESH = (b"refresh", b"r\x00e\x00f\x00r\x00e\x00s\x00h")
REFRESH_BYTES = 4 * 4096


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's, for the pages that can carry a meta refresh: Scrapy's decodes every HTML page whole
    (``response.text``) to read its first 4 096 characters, 3.4 % of the crawl's process in a profile;
    a page without the word "refresh" near its start is passed on untouched."""

    def process_response(self, request, response, spider=None):
        head = response.body[:REFRESH_BYTES].lower()
        if not any(word in head for word in REFRESH):
            return response
        return super().process_response(request, response)


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

    def __init__(self, settings, crawler=None):
        super().__init__(settings)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings, crawler)

    def process_response(self, request, response, spider=None):
        try:
            result = super().process_response(request, response)
        except ValueError as exc:  # Location with an invalid port, an unclosed IPv6 literal …
            raise IgnoreRequest(f"bad redirect: {exc}") from None
        if result is response or not hasattr(result, "dont_filter"):
            return result
        result.dont_filter = True
        scheme = urlsplit(result.url).scheme
        if scheme not in ("http", "https"):
            raise IgnoreRequest(f"bad redirect: to a non-http address {result.url[:200]}")
        return self._within_scope(request, result)

    def _within_scope(self, request, redirected):
        """A page's redirect is followed only within the audited site; a redirect elsewhere is
        checked like a link to there (a probe), and only when links are checked at all."""
        spider = getattr(self.crawler, "spider", None)
        info = request.meta.get("zwgk", {})
        if spider is None or info.get("probe") or redirected.url in spider.scope:
            return redirected
        if info.get("home"):  # example.gov.cn → www.example.gov.cn: the site lives there
            spider.scope.hosts.add(netloc(redirected.url))
            AddressPolicy.of(self.crawler).add_scope_host(urlsplit(redirected.url).hostname or "")
            return redirected
        if not spider.check_links:
            raise IgnoreRequest(f"offsite redirect: {redirected.url[:200]} (not checked: --no-link-check)")
        probe = redirected.replace(method="HEAD", body=b"", callback=spider.parse_probe, errback=spider.on_error)
        probe.meta["zwgk"] = {**info, "probe": True}
        probe.meta["dont_obey_robotstxt"] = True
        return probe


class NeverAnsweredRetryMiddleware:
    """Send again a request that a kept-alive connection lost before any answer came back.

    A server may close a pooled connection just as the next request goes out on it (an HTTP/1.0
    server that closes after every answer without saying so; an idle timeout): the request fails
    with ResponseNeverReceived and the server never saw it. Twisted sends such a GET or HEAD again
    by itself, never a POST — so a Hanweb or Fujian list POST failed three times in a row on three
    stale connections and its records were lost. Each failure discards one stale connection; at
    most the host's pooled connections plus two are tried."""

    def __init__(self, crawler):
        self.limit = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8) + 2

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception, spider=None):
        from twisted.web._newclient import ResponseNeverReceived

        if not isinstance(exception, ResponseNeverReceived) and not isinstance(exception.__cause__, ResponseNeverReceived):
            return None
        tries = request.meta.get("never_answered", 0)
        if tries >= self.limit:
            return None
        retry = request.replace(dont_filter=True)
        retry.meta["never_answered"] = tries + 1
        return retry


def _restore_delay(slot, raised: float, normal: float) -> None:
    if slot.delay == raised:  # not raised again meanwhile by a later Retry-After
        slot.delay = normal
