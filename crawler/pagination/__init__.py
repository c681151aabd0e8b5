"""Pagination adapters, one per CMS family, tried in order with a generic fallback.

Each adapter looks at a column page and returns a :class:`Pagination` naming every page of the
column (or, for pagers that only show "next", the next page), so a column with N items yields N.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.extract.listing import ListItem


@dataclass
class PageRequest:
    url: str
    page_no: int  # 1-based page of the column
    method: str = "GET"
    formdata: dict[str, str] | None = None
    first_position: int | None = None  # absolute position of the first record (Hanweb)


@dataclass
class Pagination:
    pager: str  # trs | hanweb | query | links
    pages: list[PageRequest]
    total_pages: int | None = None
    total_records: int | None = None
    inline_items: list[ListItem] = field(default_factory=list)  # Hanweb <datastore> records
    proxy: dict = field(default_factory=dict)  # Hanweb: proxy URL, form fields, perpage, chunk


def discover(url: str, text: str, root) -> Pagination | None:
    from crawler.pagination import fujian, hanweb, links, query, trs

    for adapter in (hanweb, trs, fujian, query, links):
        found = adapter.detect(url, text, root)
        if found is not None:
            return found
    return None
