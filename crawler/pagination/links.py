"""The generic fallback: pagers written as plain links (首页 / 下一页 / 尾页 / page numbers).

When the "next" and "last" links share a numbered pattern (``list_2.html`` … ``list_9.html``)
every page in between is requested at once; otherwise the next page is followed and the
adapter runs again there.
"""

from __future__ import annotations

import re
from functools import partial

from crawler.extract.links import absolute
from crawler.extract.listing import is_pager_anchor
from crawler.pagination import PageRange, PageRequest, Pagination, matching
from crawler.text import clean
from crawler.urls import MalformedURL

NUMBERED = re.compile(r"^(.*?)(\d+)(\.s?html?|\.jsp|\.php|\.aspx?)?$")


def detect(url: str, text: str, root) -> Pagination | None:
    next_url = last_url = None
    numbered: dict[int, str] = {}
    for a in root.iter("a"):
        href = a.get("href")
        label = clean(a.text_content())
        if not href or href.strip().lower().startswith(("javascript:", "#")) or not is_pager_anchor(label):
            continue
        try:
            target = absolute(url, href)
        except MalformedURL:
            continue
        if target is None or target == url:
            continue
        if label.startswith(("下一页", "下页", "后一页")) or label in (">", "›", "»"):
            next_url = next_url or target
        elif label.startswith(("尾页", "末页", "最后一页")) or label in (">>",):
            last_url = last_url or target
        elif label.isdigit():
            numbered[int(label)] = target
    if next_url is None and last_url is None and not numbered:
        return None
    pages: list[PageRequest] = []
    if next_url and last_url:
        a, b = NUMBERED.match(next_url), NUMBERED.match(last_url)
        if a and b and a[1] == b[1] and (a[3] or "") == (b[3] or ""):
            first, last = int(a[2]), int(b[2])
            # the page number in the URL and the page's own number may be off by one (index_1 = page 2)
            offset = next((n - int(NUMBERED.match(u)[2]) for n, u in numbered.items() if NUMBERED.match(u) and NUMBERED.match(u)[1] == a[1]), 0)
            prefix, suffix = a[1], a[3] or ""
            own = re.compile(re.escape(prefix) + r"\d+" + re.escape(suffix) + "$")
            pages = PageRange(first + offset, last + offset, partial(_numbered, prefix, offset, suffix))
            return Pagination("links", pages, last + offset, owns=matching(own))
    pages = [PageRequest(u, n) for n, u in sorted(numbered.items())]
    if next_url:
        pages.append(PageRequest(next_url, 0))  # page number unknown: the spider numbers it
    if last_url:
        pages.append(PageRequest(last_url, 0))
    return Pagination("links", pages)


def _numbered(prefix: str, offset: int, suffix: str, n: int) -> PageRequest:
    return PageRequest(f"{prefix}{n - offset}{suffix}", n)
