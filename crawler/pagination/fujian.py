"""Fujian provincial "trt" template (Pingtan …, published by TRS): the first ``maxStaticIndex``
pages of a list are rendered into the page itself, the rest come from a search API
(``/fjdzapp/search``) whose responses we have no sample of. The declared total
(``pageChnlInfo.recordCount``) is recorded so the audit can say how much of the column it saw
instead of silently reporting a short column as complete."""

from __future__ import annotations

import re

from crawler.pagination import Pagination

PAGE_CHNL_INFO = re.compile(r"pageChnlInfo\s*=\s*\{(.*?)\}", re.S)


def detect(url: str, text: str, root) -> Pagination | None:
    m = PAGE_CHNL_INFO.search(text)
    if not m:
        return None
    records = re.search(r"recordCount\s*:\s*['\"]?(\d+)", m[1])
    per_page = re.search(r"prepage\s*:\s*['\"]?(\d+)", m[1])
    if not records:
        return None
    total = int(records[1])
    pages = -(-total // int(per_page[1])) if per_page and int(per_page[1]) else None
    return Pagination("fujian", [], pages, total)
