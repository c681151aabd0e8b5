"""Guangdong gkmlpt (政府信息公开目录平台): ``/gkmlpt/index`` renders its lists with script from
``GET /gkmlpt/api/all/<category>?page=N&sid=S``, answering ``{"total": N, "articles": [{"id",
"title", "url" or "post_url", "create_time" (epoch seconds), "publisher", …}]}``. Category 0 is
the whole site; the sid is in the index page's script (``SID: '755031'``). The index page is the
catalogue (it lists through the API), not a column of its own."""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urljoin

from crawler.extract.listing import ListItem
from crawler.pagination import PageRange, PageRequest, Pagination
from crawler.pagination.api_items import items_of, load
from crawler.urls import canonical

SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
URL_KEYS = ("url", "post_url", "link")
TITLE_KEYS = ("title", "name")
DATE_KEYS = ("create_time", "publish_time", "date")


def is_index(url: str) -> bool:
    return "/gkmlpt/index" in url or url.rstrip("/").endswith("/gkmlpt")


def detect(url: str, text: str, root) -> Pagination | None:
    if "gkmlpt" not in url and "gkmlpt" not in text:
        return None
    sid = SID.search(text)
    if not sid or not is_index(url):
        return None
    endpoint = canonical(urljoin(url, "/gkmlpt/api/all/0"))
    conf = {"url": endpoint, "sid": sid[1]}
    # the first page tells the total and the page size; the spider asks for the rest (continuation)
    return Pagination("gkmlpt", PageRange(1, 1, partial(_page, endpoint, sid[1], size=100)), None, None, proxy=conf)


def _page(endpoint: str, sid: str, page: int, *, size: int) -> PageRequest:
    return PageRequest(f"{endpoint}?page={page}&sid={sid}", page, first_position=(page - 1) * size + 1)


def continuation(conf: dict, total: int, first_count: int) -> PageRange:
    """Pages 2 … ⌈total / page size⌉, the page size being what page 1 held."""
    size = max(first_count, 1)
    return PageRange(2, -(-total // size), partial(_page, conf["url"], conf["sid"], size=size))


def records_to_items(text: str, base: str, first_position: int) -> list[ListItem]:
    data = load(text)
    records = data.get("articles") if isinstance(data, dict) else None
    return items_of(records, base, first_position, URL_KEYS, TITLE_KEYS, DATE_KEYS)


def total_records(text: str) -> int | None:
    data = load(text)
    value = data.get("total") if isinstance(data, dict) else None
    return int(value) if isinstance(value, (int, str)) and str(value).isdigit() else None
