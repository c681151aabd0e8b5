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

A pager can also lie the other way: a generated site answers every page number (「共999999页」 and
each page linking the next), each page listing "new" items made from the same template with ever
larger numbers. Once a claim holds, the page just past the claimed last one is asked too: a real
column has nothing there. A pager not proven finite that way (that page lists new items, or the
pager claims nothing: 下一页 chains, page numbers without 「共N页」) is cut after TRAP_PAGES pages in
a row that list no item not listed before, or after SAME_SHAPE_PAGES pages in a row whose new items'
titles differ from earlier ones in their numbers alone (a real series such as 「第N期」 bulletins
can look like that for a while, so that bound is longer) — and recorded (``pagers.endless``, ``crawl.endless_pager``).
A real column, however long, lists genuinely new items and is never cut.

Plain data and logic only; the spider turns the indexes this returns into requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from crawler.pagination import PageRange, PageRequest

WINDOW = 16  # requests of one column in flight once its claim is confirmed
EXTEND_SEARCH = 64  # how far past the known pages a page's own pager may reach
TRAP_PAGES = 10  # pages in a row listing no new item after which a pager not proven finite is cut
SAME_SHAPE_PAGES = 50  # … pages in a row whose new items differ from earlier ones in their numbers alone
PAST_END = -1  # the index of the page just past the claimed last one
_NUMBERS = re.compile(r"\d+")


def shape(item) -> int:
    """An item as its template writes it: its title (a link's anchor, or its URL) with every
    number masked, so that 「文件1001」 and 「文件1002」 are one shape."""
    text = item if isinstance(item, str) else getattr(item, "title", "") or getattr(item, "anchor", "") or item.url
    return hash(_NUMBERS.sub("#", text))


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
    shapes: set[int] = field(default_factory=set)  # shape() of the items listed so far
    run: int = 0  # pages in a row that listed no new item
    same_shape_run: int = 0  # pages in a row whose new items only renumber earlier ones
    past_end: PageRequest | None = None  # the page just past the claimed last, asked once the claim holds
    finite: bool | None = None  # that page is not there: the pager ends where it says
    endless: bool = False  # cut: page after page listed nothing new, and nothing showed where it ends

    def remember(self, items: Iterable) -> None:
        """Items (ListItem, or bare URLs) already listed, by the column page or an earlier pager."""
        for item in items:
            self.seen.add(hash(getattr(item, "url", item)))
            self.shapes.add(shape(item))

    def request(self, index: int) -> PageRequest:
        return self.past_end if index == PAST_END else self.pages[index]

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

    def _count(self, ok: bool, items) -> bool:
        """Take one page's items into account: whether it is real (lists an item no earlier page
        listed); the run of pages with nothing new goes on or ends."""
        items = list(items or ())
        hashes = [hash(getattr(i, "url", i)) for i in items]
        real = ok and bool(hashes) and not set(hashes) <= self.seen
        novel = real and any(h not in self.seen and shape(i) not in self.shapes for h, i in zip(hashes, items))
        self.run = 0 if real else self.run + 1
        self.same_shape_run = 0 if novel else self.same_shape_run + 1
        if real:
            self.remember(items)
        return real

    def _nothing_new(self) -> bool:
        return self.run >= TRAP_PAGES or self.same_shape_run >= SAME_SHAPE_PAGES

    def _cut_if_endless(self) -> None:
        if self._nothing_new() and self.finite is not True and PAST_END not in self.in_flight and not self.stopped:
            self.stopped = self.endless = True

    def chain_page(self, items) -> bool:
        """One page of a chain known only as each page links the next (下一页 links, page numbers
        without a range): whether the pages it links are followed."""
        if self._count(True, items):
            self.good += 1
        else:
            self.wasted += 1
        self._cut_if_endless()
        return not self.stopped

    def page_done(self, index: int, ok: bool, items) -> list[int]:
        """Record one page's answer (ok: a 2xx/3xx page that is not an error page; items: its
        ListItems or their URLs) and return the indexes to request next."""
        self.in_flight.discard(index)
        real = self._count(ok, items)
        if index == PAST_END:  # not a page of the claim: its answer says whether the claim ends
            self.finite = not real
            self.good += real
            self._cut_if_endless()
            return self._pump()
        if real:
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
        self._cut_if_endless()
        return self._pump()

    def _pump(self) -> list[int]:
        if self.stopped or self.verified is None:
            return []
        out: list[int] = []
        if self.verified:
            if self.verify is not None and self.past_end is None and isinstance(self.pages, PageRange):
                # the claim holds: is there anything past it? (a generated site answers every number)
                self.past_end = self.pages.make(self.pages.last + 1)
                out.append(PAST_END)
                self.in_flight.add(PAST_END)
            if self._nothing_new() and self.finite is not True:
                return out  # nothing new for a while: no more until the page past the claim tells
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
            "overclaimed": int((self.stopped and not self.endless) or self.verified is False or self.last_missing
                               or self._short_of_records()),
            "endless": int(self.endless),
        }
