"""Following a column's pager without believing it.

Real pagers lie: a TRS column calls ``createPageHTML(999999, …)`` over three real pages, a
Hanweb ``<totalrecord>`` counts deleted records, a query pager answers page 1 for any page
number. Requesting every claimed page sends thousands of requests for pages that do not exist;
capping the claim cuts real columns short. So a claim is tested first: the claimed last page is
requested beside page 2. If it is real (it lists items no earlier page listed), the claim holds
and the rest is requested a window at a time. If it is not, the column is walked one page at a
time until the first page that is missing (4xx, failure, soft 404), empty, or only repeats items
already seen — at most two wasted requests whatever the claim, and the column keeps both the
claim and what was really there (``pagers`` table, ``crawl.pager_overclaim``).

Plain data and logic only; the spider turns the indexes this returns into requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from crawler.pagination import PageRange, PageRequest

WINDOW = 16  # requests of one column in flight once its claim is confirmed
EXTEND_SEARCH = 64  # how far past the known pages a page's own pager may reach


@dataclass
class ColumnPager:
    column_url: str
    pager: str  # trs | hanweb | query | links
    pages: Sequence[PageRequest]  # what the pager claims beyond the column page itself
    claimed_pages: int | None = None
    claimed_records: int | None = None
    seen: set[int] = field(default_factory=set)  # hashes of the item URLs listed so far
    verify: int | None = None  # index of the claimed last page, requested first
    verified: bool | None = None  # None: its answer has not come yet
    next_index: int = 0
    in_flight: set[int] = field(default_factory=set)
    good: int = 0
    wasted: int = 0
    bad_pending: bool = False  # a page failed before the claim was tested
    stopped: bool = False  # the real end was found before the claimed one
    last_missing: bool = False

    def remember(self, item_urls: Iterable[str]) -> None:
        self.seen.update(hash(u) for u in item_urls)

    def extend(self, linked: PageRange) -> None:
        """A page of an unclaimed pager (下一页 chains, page numbers without 「共N页」) links pages
        beyond those known: they are the column's too, followed the same way. ``linked`` is the
        pager as that page sees it; its last page is found among this pager's next pages by URL
        (a page numbered from 0 reads its neighbours' numbers differently)."""
        pages = self.pages
        if self.claimed_pages is not None or self.stopped or not isinstance(pages, PageRange) or not len(linked):
            return
        target = linked.make(linked.last).url
        for n in range(pages.last + 1, pages.last + 1 + EXTEND_SEARCH):
            if pages.make(n).url == target:
                pages.last = n
                return

    def start(self) -> list[int]:
        if len(self.pages) <= 2:
            self.verified = True  # two requests at most: nothing to test
            return self._pump()
        self.verify = len(self.pages) - 1
        self.next_index = 1
        self.in_flight |= {0, self.verify}
        return [0, self.verify]

    def page_done(self, index: int, ok: bool, item_urls: list[str] | None) -> list[int]:
        """Record one page's answer (ok: a 2xx/3xx page that is not an error page) and return
        the indexes to request next."""
        self.in_flight.discard(index)
        hashes = {hash(u) for u in item_urls or ()}
        real = ok and bool(hashes) and not hashes <= self.seen
        if real:
            self.seen |= hashes
            self.good += 1
        else:
            self.wasted += 1
        if index == len(self.pages) - 1 and not real:
            self.last_missing = True  # whatever else happened, the claimed last page is not there
        if index == self.verify:
            self.verified = real
            if not real and self.bad_pending:
                self.stopped = True
        elif not real:
            if self.verified is None:
                self.bad_pending = True
            elif self.verified is False:
                self.stopped = True
        return self._pump()

    def _pump(self) -> list[int]:
        if self.stopped or self.verified is None:
            return []
        out: list[int] = []
        if self.verified:
            while len(self.in_flight) < WINDOW and self.next_index < len(self.pages):
                if self.next_index != self.verify:
                    out.append(self.next_index)
                    self.in_flight.add(self.next_index)
                self.next_index += 1
            return out
        # the claim was false: one page at a time, up to the first that is not real
        if not self.in_flight and self.next_index < (self.verify or 0):
            out.append(self.next_index)
            self.in_flight.add(self.next_index)
            self.next_index += 1
        elif not self.in_flight:
            self.stopped = True  # every page before the false last one was real
        return out

    @property
    def done(self) -> bool:
        if self.in_flight:
            return False
        return self.stopped or (self.verified is not None and self.next_index >= len(self.pages))

    def _short_of_records(self) -> bool:
        """Hanweb's proxy answered every range it was asked and still listed fewer records than
        its ``<totalrecord>``: the count is the site's error, not a gap in the crawl."""
        return (self.pager == "hanweb" and bool(self.claimed_records) and self.done and not self.wasted
                and len(self.seen) < self.claimed_records)

    def summary(self) -> dict:
        """The row of the ``pagers`` table."""
        return {
            "column_url": self.column_url, "pager": self.pager,
            "claimed_pages": self.claimed_pages, "claimed_records": self.claimed_records,
            "requested": self.good + self.wasted, "real": self.good, "wasted": self.wasted, "listed_items": len(self.seen),
            "overclaimed": int(self.stopped or self.verified is False or self.last_missing or self._short_of_records()),
        }
