"""Scrapy's log records of every response and every item, built only when they are logged.

Scrapy's engine and scraper ask the LOG_FORMATTER for a DEBUG record of each response
("Crawled (200) …") and each item ("Scraped from …") and hand it to logging, which then drops it
at zwgk's usual WARNING level: 2 % of the crawl's process in a profile. A formatter may answer
None to log nothing; this one does so unless DEBUG records of those loggers are wanted."""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter

ENGINE, SCRAPER = logging.getLogger("scrapy.core.engine"), logging.getLogger("scrapy.core.scraper")


class QuietLogFormatter(LogFormatter):
    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if ENGINE.isEnabledFor(logging.DEBUG) else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if SCRAPER.isEnabledFor(logging.DEBUG) else None
