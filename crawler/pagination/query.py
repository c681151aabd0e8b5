"""Query-string pagination: ``?page=N``, ``?pageNum=N``, ``?uid=…&pageNum=N``, ``cur_page=N``.

The page count comes from the pager text (「共N页」) or the highest page number linked. A pager
numbered from 0 (the link "2" asks for ``?page=1``, or the first page's 下一页 goes to ``?page=1``) is
followed as such.
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
NEXT_WORDS = re.compile(r"^(?:下一页|下页|后一页|下一頁)|^(?:>|>>|»|›)$")


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
    template, param, highest, next_value, label_shift = None, None, 0, None, None
    for a in root.iter("a"):
        href = a.get("href")
        label = a.text_content()
        if not href or not is_pager_anchor(label):
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
                if NEXT_WORDS.search(clean(label)):
                    next_value = int(value)
                elif clean(label).isdigit() and label_shift is None:
                    label_shift = int(value) - int(clean(label))  # the link "2" asks for ?p=1: numbered from 0
    if template is None:
        return None
    current = dict(parse_qsl(here.query)).get(param)
    # numbered from 0: the first page (no page parameter, or 0) links 下一页 to 1
    if label_shift in (0, -1):
        shift = label_shift
    else:
        shift = -1 if next_value == 1 and current in (None, "0") else 0
    total = TOTAL_PAGES.search(clean(root.text_content()))
    count = int(total[1]) if total else highest - shift
    # this page is page 1; the rest is the pager's claim, followed lazily
    pages = PageRange(2, count, partial(_page, template, param, shift))
    return Pagination("query", pages, int(total[1]) if total else None, owns=partial(_is_page, here.path, param))


def _page(template: str, param: str, shift: int, n: int) -> PageRequest:
    return PageRequest(_with_param(template, param, n + shift), n)


def _is_page(path: str, param: str, url: str) -> bool:
    return _page_param(url, path) == param
