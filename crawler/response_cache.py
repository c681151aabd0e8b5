"""Every response of a scan, kept as it arrives, so that a killed crawl resumes exactly.

Scrapy's JOBDIR writes its request queue only on a clean close: after ``kill -9`` the resumed
scan found nothing left to fetch and ended "finished" with most of the site missing. Here the
source of truth is what was fetched: each response is committed to a SQLite file beside the
scan database the moment it arrives (WAL, one transaction per response, survives the process
being killed). ``--resume`` starts the crawl again from the start URLs and Scrapy's own HTTP
cache middleware answers every request already made from this file, so the resumed scan
replays exactly what the first run saw and then fetches the rest: the same pages, documents,
links and findings as an uninterrupted crawl. The file is deleted when the scan finishes.

Answers a server asks to be retried (429, 5xx) are not kept: they are asked again on resume.
Headers are stored as JSON, bodies zlib-compressed; nothing is unpickled.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes


class SQLiteCacheStorage:
    """HTTPCACHE_STORAGE: responses keyed by Scrapy's request fingerprint (method, URL, body)."""

    def __init__(self, settings):
        self.path = settings["ZWGK_RESPONSE_CACHE"]
        self.conn: sqlite3.Connection | None = None

    def open_spider(self, spider) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("create table if not exists responses (fingerprint blob primary key, url text, status int, "
                          "headers text, body blob, latency real)")
        self.fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def retrieve_response(self, spider, request):
        row = self.conn.execute("select url, status, headers, body, latency from responses where fingerprint = ?",
                                (self.fingerprinter.fingerprint(request),)).fetchone()
        if row is None:
            return None
        url, status, headers, body, latency = row
        request.meta["download_latency"] = latency or 0.0  # a slow link stays slow when replayed
        headers = Headers({k.encode("latin-1"): [v.encode("latin-1") for v in vs] for k, vs in json.loads(headers).items()})
        body = zlib.decompress(body)
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=status, headers=headers, body=body, request=request)

    def store_response(self, spider, request, response) -> None:
        headers = {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()}
        self.conn.execute(
            "insert or replace into responses values (?, ?, ?, ?, ?, ?)",
            (self.fingerprinter.fingerprint(request), response.url, response.status, json.dumps(headers),
             zlib.compress(response.body, 1), request.meta.get("download_latency")))
