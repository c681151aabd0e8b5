"""TRS WCM static lists: ``index.html`` is page 1, ``index_1.html`` page 2 … ``index_{N-1}``.

The pager is an inline script, so the links exist only in a browser: the page count is read
from the script itself — the stock ``createPageHTML(N, cur, "index", "html")``, the hand-written
``var countPage = N`` (Handan) or a ``new Pager({size: N, prefix: 'index', suffix: 'html'})``.
"""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urljoin, urlsplit

from crawler.pagination import PageRange, PageRequest, Pagination, matching
from crawler.urls import page_identity

CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
COUNT_RECORDS = re.compile(r"\b(?:countnum|recordCount|countNum)\s*[=:]\s*['\"]?(\d+)", re.I)
PAGER_OBJ = re.compile(r"new\s+Pager\(\s*\{([^}]*)\}", re.S)


def _ext_of(url: str, text: str = "") -> str:
    """The list pages' extension: the page's own, else what its pager script writes
    (``index.htm`` in a 首页 link, ``"."+"shtml"``), else html."""
    m = (re.search(r"\.(s?html?)$", urlsplit(url).path) or re.search(r"\bindex(?:_\d+)?\.(s?html?)\b", text)
         or re.search(r"""\.["']\s*\+\s*["'](s?html?)\b""", text))
    return m[1] if m else "html"


def _pagination(url: str, count: int, prefix: str, ext: str, total_records: int | None) -> Pagination:
    """Page 1 is ``prefix.ext`` (this page, unless the column page is another file), page k is
    ``prefix_{k-1}.ext``; the script's count is a claim, followed lazily by the spider."""
    make = partial(_page, url, prefix, ext)
    # page 1 is this page, also when it was reached as dir/ or with a search query (?kw=)
    first = 1 if page_identity(make(1).url) != page_identity(urljoin(url, urlsplit(url).path)) else 2
    own = re.compile(re.escape(urljoin(url, prefix)) + r"(?:_\d+)?\." + re.escape(ext) + "$")
    return Pagination("trs", PageRange(first, count, make), count, total_records, owns=matching(own))


def _page(url: str, prefix: str, ext: str, k: int) -> PageRequest:
    return PageRequest(urljoin(url, f"{prefix}.{ext}" if k == 1 else f"{prefix}_{k - 1}.{ext}"), k)


def detect(url: str, text: str, root) -> Pagination | None:
    records = COUNT_RECORDS.search(text)
    total_records = int(records[1]) if records else None
    m = CREATE_PAGE.search(text)
    if m:
        return _pagination(url, int(m[1]), m[3], m[4], total_records)
    m = PAGER_OBJ.search(text)
    if m:
        conf = dict(re.findall(r"(\w+)\s*:\s*['\"]?([\w.-]+)['\"]?", m[1]))
        count = next((int(conf[k]) for k in ("size", "count", "pageCount", "total") if conf.get(k, "").isdigit()), None)
        if count:
            return _pagination(url, count, conf.get("prefix", "index"), conf.get("suffix", _ext_of(url, text)), total_records)
    m = COUNT_PAGE.search(text)
    if m and ("index_" in text or "currentPage" in text):  # Handan writes "index"+"_"+nextPage
        # the extension as the pager script itself writes it (not the navigation's links)
        return _pagination(url, int(m[1]), "index", _ext_of(url, text[m.start():m.start() + 3000]), total_records)
    return None
