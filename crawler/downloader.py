"""Scrapy's downloader with ``--per-host`` kept under the asyncio reactor.

Scrapy 2.19 starts each of a slot's downloads as an asyncio task, and a download enters
``slot.transferring`` only once its task runs. The loop in ``_process_queue`` stops when the
slot has no free transfer place left, so it saw the places free and emptied the whole queue at
once: with ``--per-host 1`` a server saw 9 requests at a time, with the crawl's concurrency as the
only bound (tests/test_workers.py counts them in the server). Here a request takes its place
when it leaves the queue; Scrapy's own ``_download`` gives it back when the answer is in.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class PoliteDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return  # a delayed call will process the queue
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # before the task runs: the loop sees the place taken
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:  # one request per delay
                self._process_queue(slot)
                break
