"""TRS WCM static lists: ``index.html`` is page 1, ``index_1.html`` page 2 … ``index_{N-1}``.

The pager is an inline script, so the links exist only in a browser: the page count is read
from the script itself — the stock ``createPageHTML(N, cur, "index", "html")``, the hand-written
``var countPage = N`` (Handan) or a ``new Pager({size: N, prefix: 'index', suffix: 'html'})``.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.pagination import PageRequest, Pagination

CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
COUNT_RECORDS = re.compile(r"\b(?:countnum|recordCount|countNum)\s*[=:]\s*['\"]?(\d+)", re.I)
PAGER_OBJ = re.compile(r"new\s+Pager\(\s*\{([^}]*)\}", re.S)
MAX_PAGES = 5000  # a bound on what a script may claim


def _ext_of(url: str) -> str:
    path = urlsplit(url).path
    m = re.search(r"\.(s?html?)$", path)
    return m[1] if m else "html"


def _pages(url: str, count: int, prefix: str, ext: str) -> list[PageRequest]:
    count = min(count, MAX_PAGES)
    pages = [PageRequest(urljoin(url, f"{prefix}.{ext}"), 1)]
    pages += [PageRequest(urljoin(url, f"{prefix}_{k}.{ext}"), k + 1) for k in range(1, count)]
    return pages


def detect(url: str, text: str, root) -> Pagination | None:
    records = COUNT_RECORDS.search(text)
    total_records = int(records[1]) if records else None
    m = CREATE_PAGE.search(text)
    if m:
        count = int(m[1])
        return Pagination("trs", _pages(url, count, m[3], m[4]), count, total_records)
    m = PAGER_OBJ.search(text)
    if m:
        conf = dict(re.findall(r"(\w+)\s*:\s*['\"]?([\w.-]+)['\"]?", m[1]))
        count = next((int(conf[k]) for k in ("size", "count", "pageCount", "total") if conf.get(k, "").isdigit()), None)
        if count:
            return Pagination("trs", _pages(url, count, conf.get("prefix", "index"), conf.get("suffix", _ext_of(url))), count, total_records)
    m = COUNT_PAGE.search(text)
    if m and "index_" in text:
        count = int(m[1])
        return Pagination("trs", _pages(url, count, "index", _ext_of(url)), count, total_records)
    return None
