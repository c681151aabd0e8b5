"""Query-string pagination: ``?page=N``, ``?pageNum=N``, ``?uid=…&pageNum=N``, ``cur_page=N``.

The page count comes from the pager text (「共N页」) or the highest page number linked.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.extract.listing import is_pager_anchor
from crawler.pagination import PageRequest, Pagination
from crawler.text import clean

PARAMS = ("page", "pageNum", "pageNo", "pageIndex", "pageindex", "pageno", "cur_page", "currentPage", "curPage", "p")
TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页")
MAX_PAGES = 5000


def _with_param(url: str, name: str, value: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, str(value)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def detect(url: str, text: str, root) -> Pagination | None:
    here = urlsplit(url)
    template, param, highest = None, None, 0
    for a in root.iter("a"):
        href = a.get("href")
        if not href or not is_pager_anchor(a.text_content()):
            continue
        target = urlsplit(urljoin(url, href.strip()))
        if target.path != here.path:
            continue
        for name, value in parse_qsl(target.query):
            if name in PARAMS and value.isdigit():
                template, param = urlunsplit(target), name
                highest = max(highest, int(value))
    if template is None:
        return None
    total = TOTAL_PAGES.search(clean(root.text_content()))
    count = min(int(total[1]) if total else highest, MAX_PAGES)
    pages = [PageRequest(_with_param(template, param, n), n) for n in range(1, count + 1)]
    return Pagination("query", pages, int(total[1]) if total else None)
