"""Query-string pagination: ``?page=N``, ``?pageNum=N``, ``?uid=…&pageNum=N``, ``cur_page=N``.

The page count comes from the pager text (「共N页」) or the highest page number linked.
"""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.extract.links import absolute
from crawler.extract.listing import is_pager_anchor
from crawler.pagination import PageRange, PageRequest, Pagination
from crawler.text import clean
from crawler.urls import MalformedURL, canonical

PARAMS = ("page", "pageNum", "pageNo", "pageIndex", "pageindex", "pageno", "cur_page", "currentPage", "curPage", "p")
TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页")


def _with_param(url: str, name: str, value: int) -> str:
    # latin-1 round trip: the other parameters keep their bytes, whatever the page's encoding
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True, encoding="latin-1") if k != name]
    query.append((name, str(value)))
    return canonical(urlunsplit(parts._replace(query=urlencode(query, encoding="latin-1"))))


def _page_param(url: str, path: str) -> str | None:
    target = urlsplit(url)
    if target.path != path:
        return None
    return next((name for name, value in parse_qsl(target.query) if name in PARAMS and value.isdigit()), None)


def detect(url: str, text: str, root) -> Pagination | None:
    here = urlsplit(url)
    template, param, highest = None, None, 0
    for a in root.iter("a"):
        href = a.get("href")
        if not href or not is_pager_anchor(a.text_content()):
            continue
        try:
            joined = absolute(url, href)
        except MalformedURL:
            continue
        if joined is None:
            continue
        target = urlsplit(joined)
        if target.path != here.path:
            continue
        for name, value in parse_qsl(target.query):
            if name in PARAMS and value.isdigit():
                template, param = urlunsplit(target), name
                highest = max(highest, int(value))
    if template is None:
        return None
    total = TOTAL_PAGES.search(clean(root.text_content()))
    count = int(total[1]) if total else highest
    # this page is page 1; the rest is the pager's claim, followed lazily
    pages = PageRange(2, count, partial(_page, template, param))
    return Pagination("query", pages, int(total[1]) if total else None, owns=partial(_is_page, here.path, param))


def _page(template: str, param: str, n: int) -> PageRequest:
    return PageRequest(_with_param(template, param, n), n)


def _is_page(path: str, param: str, url: str) -> bool:
    return _page_param(url, path) == param
