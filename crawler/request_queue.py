"""The scheduler's queue on disk (JOBDIR), with Scrapy's own serialisation, made cheap.

Scrapy writes each queued request as ``request.to_dict(spider=…)``, which names the callback by
searching ``inspect.getmembers(spider)`` — every attribute of the spider, properties included,
for every request: a tenth of a millisecond each, more than the rest of scheduling a request.
Here ``to_dict`` is handed a stand-in holding only the request's own callback and errback under
their names on the spider (and listing only them to ``dir()``), so the same dictionary is
written, and read back by Scrapy against the spider itself.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace

from scrapy.squeues import PickleLifoDiskQueue

from crawler.write_errors import write_failed


class _Methods(SimpleNamespace):
    def __dir__(self):
        return list(vars(self))


class MethodsLifoDiskQueue(PickleLifoDiskQueue):
    """SCHEDULER_DISK_QUEUE: Scrapy's PickleLifoDiskQueue, callbacks named without the search."""

    def __init__(self, crawler, key: str):
        super().__init__(crawler, key)
        self.names = {method.__func__: name for name, method in inspect.getmembers(crawler.spider, inspect.ismethod)}

    def push(self, request) -> None:
        methods = {self.names[f.__func__]: f for f in (request.callback, request.errback)
                   if getattr(f, "__func__", None) in self.names}
        # Scrapy's push with the stand-in: to_dict() finds the names there (or raises as it would)
        try:
            super(PickleLifoDiskQueue, self).push(request.to_dict(spider=_Methods(**methods)))
        except OSError as exc:
            # disk full: the crawl stops (crawler.write_errors); --resume starts again from the start
            # URLs and the saved responses, so the request is not needed
            write_failed(exc, "抓取队列 request queue")

    def pop(self):
        try:
            return super().pop()
        except OSError as exc:
            write_failed(exc, "抓取队列 request queue")
            return None  # the crawl is stopping; --resume starts again from the start URLs
