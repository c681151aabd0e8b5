"""Pagination adapters, one per CMS family, tried in order with a generic fallback.

Each adapter looks at a column page and returns a :class:`Pagination` naming the pages of the
column. A pager's own claim (``createPageHTML(999999, …)``, ``<totalrecord>``, 「共50页」) is a
:class:`PageRange`: pages are made on demand, never listed up front, because the spider
follows a claim lazily and stops at the real end (:mod:`crawler.column_pager`). Pagers that
only show links (下一页, page numbers) give an explicit list instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from crawler.extract.listing import ListItem


@dataclass
class PageRequest:
    url: str
    page_no: int  # 1-based page of the column (Hanweb: record group)
    method: str = "GET"
    formdata: dict[str, str] | None = None
    first_position: int | None = None  # absolute position of the first record (Hanweb)
    body: str | None = None  # a raw request body (a learned list API's JSON or form), sent as is
    content_type: str | None = None  # … and its Content-Type


class PageRange(Sequence):
    """Pages ``first … last`` of a column as a pager claims them, made one at a time."""

    def __init__(self, first: int, last: int, make: Callable[[int], PageRequest]):
        self.first, self.last, self.make = first, last, make

    def __len__(self) -> int:
        return max(0, self.last - self.first + 1)

    def __getitem__(self, index: int) -> PageRequest:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.make(self.first + index)


@dataclass
class Pagination:
    pager: str  # trs | hanweb | fujian | gkmlpt | query | links
    pages: Sequence[PageRequest]  # a PageRange (a claim, followed lazily) or an explicit list
    total_pages: int | None = None
    total_records: int | None = None
    inline_items: list[ListItem] = field(default_factory=list)  # Hanweb <datastore> records
    proxy: dict = field(default_factory=dict)  # Hanweb: proxy URL, form fields, perpage, chunk
    owns: Callable[[str], bool] | None = None  # whether a linked URL is one of these pages

    @property
    def claimed(self) -> bool:
        return isinstance(self.pages, PageRange)


# Page makers and ``owns`` tests are partials of module functions, not lambdas: an extraction is
# pickled when it comes back from a parse worker (crawler.parse_pool) and into the extraction memo.
def matching(pattern: re.Pattern) -> Callable[[str], bool]:
    """Whether a URL matches ``pattern`` from its start."""
    return partial(_matches, pattern)


def _matches(pattern: re.Pattern, url: str) -> bool:
    return pattern.match(url) is not None


def discover(url: str, text: str, root) -> Pagination | None:
    from crawler.pagination import fujian, gkmlpt, hanweb, links, query, trs

    for adapter in (hanweb, gkmlpt, trs, fujian, query, links):
        found = adapter.detect(url, text, root)
        if found is not None:
            return found
    return None
