"""Fujian provincial "trt" template (Pingtan …, published by TRS): the first ``maxStaticIndex``
pages of a list are rendered into the page itself (``ms-visible="$showStatic(n)"``), the rest
come from the search API named in the page's own script (``listApi: {url: "/fjdzapp/search"}``):
a form POST with ``channelid`` (= ``SiteInfo.searchId``), ``classsql`` (``chnlid=<ChnlId>``),
``sortfield``, ``classcol=publishyear``, ``classsort=0``, ``cache``, ``page`` and ``prepage``,
answering JSON ``{"docs" or "data": [{doctitle, chnldocurl or docpuburl, docreltime}],
"pageCount", "recordCount"}``. The declared ``recordCount`` is a claim like any pager's."""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urljoin

from crawler.extract.listing import ListItem
from crawler.pagination import PageRange, PageRequest, Pagination
from crawler.pagination.api_items import items_of, load
from crawler.urls import MalformedURL, canonical

PAGE_CHNL_INFO = re.compile(r"pageChnlInfo\s*=\s*\{(.*?)\}", re.S)
SEARCH_ID = re.compile(r"\bsearchId\s*:\s*['\"]?(\d+)")
LIST_API = re.compile(r"listApi\s*:\s*\{\s*url\s*:\s*['\"]([^'\"]+)['\"]")
QUOTED = re.compile(r"""['"]([^'"]*)['"]""")
URL_KEYS = ("chnldocurl", "docpuburl", "url", "docurl")
TITLE_KEYS = ("doctitle", "title")
DATE_KEYS = ("docreltime", "docpubtime", "pubtime", "time")


def _value(conf: str, name: str) -> str | None:
    """A pageChnlInfo field; for ``classsql: "" || "chnlid=1780"`` the last non-empty string."""
    m = re.search(rf"""\b{name}\s*:\s*((?:['"][^'"]*['"]\s*(?:\|\|\s*)?)+|[\w.-]+)""", conf)
    if not m:
        return None
    strings = [s for s in QUOTED.findall(m[1]) if s]
    if strings:
        return strings[-1]
    return m[1].strip("'\" ") or None


def detect(url: str, text: str, root) -> Pagination | None:
    m = PAGE_CHNL_INFO.search(text)
    if not m:
        return None
    conf = m[1]
    records = _value(conf, "recordCount")
    if not records or not records.isdigit():
        return None
    total = int(records)
    # the overrides in the page depend on the column name (图 → 12 a page, 解读 → 1 static page);
    # the static part is what the page itself lists, so only the API's page size matters here
    per_page = int(_value(conf, "prepage") or 15)
    static_pages = int(_value(conf, "maxStaticIndex") or 5)
    api, channel = LIST_API.search(text), SEARCH_ID.search(text)
    pages_total = -(-total // per_page) if per_page else 0
    if not (api and channel) or pages_total <= static_pages:
        return Pagination("fujian", [], pages_total or None, total)
    try:
        endpoint = canonical(urljoin(url, api[1]))
    except (ValueError, MalformedURL):
        return Pagination("fujian", [], pages_total or None, total)
    form = {"channelid": channel[1], "classsql": _value(conf, "classsql") or "",
            "sortfield": _value(conf, "sortfield") or "-docorderpri,-docreltime", "classcol": "publishyear",
            "classsort": "0", "cache": "true", "prepage": str(per_page)}
    make = partial(_list_request, endpoint, form, per_page)
    return Pagination("fujian", PageRange(static_pages + 1, pages_total, make), pages_total, total)


def _list_request(endpoint: str, form: dict, per_page: int, page: int) -> PageRequest:
    return PageRequest(endpoint, page, "POST", {**form, "page": str(page)}, (page - 1) * per_page + 1)


def records_to_items(text: str, base: str, first_position: int) -> list[ListItem]:
    data = load(text)
    if not isinstance(data, dict):
        return []
    records = data.get("docs") if isinstance(data.get("docs"), list) else data.get("data")
    if isinstance(records, dict):  # {"data": {"docs": […]}} on some department sites
        records = records.get("docs") or records.get("list")
    return items_of(records, base, first_position, URL_KEYS, TITLE_KEYS, DATE_KEYS)


def total_records(text: str) -> int | None:
    data = load(text)
    value = data.get("recordCount") if isinstance(data, dict) else None
    return int(value) if isinstance(value, (int, str)) and str(value).isdigit() else None


RELATED = re.compile(r"""channelid\s*:\s*['"]?(\d+)['"]?\s*,\s*classsql\s*:\s*["']\(docid2=["']\s*\+\s*docid""")
DOC_ID = re.compile(r"""var\s+docid\s*=\s*['"](\d+)['"]""")
RELATED_URL_KEYS = ("srcdocpuburl", "docpuburl", "chnldocurl", "url")
RELATED_TITLE_KEYS = ("srcdoctitle", "doctitle", "title")


def related_lookup(url: str, text: str) -> PageRequest | None:
    """A Fujian detail page finds its policy ↔ interpretation partners at runtime: a POST to
    /fjdzapp/search with ``channelid`` (100600 on Pingtan) and ``classsql=(docid2=ID)+(reldocid=ID)``.
    Those partners are links of the page as a reader sees it (文件与解读互为链接)."""
    if "/fjdzapp/search" not in text or "reldocid" not in text:
        return None
    channel, doc = RELATED.search(text), DOC_ID.search(text)
    if not (channel and doc):
        return None
    try:
        endpoint = canonical(urljoin(url, "/fjdzapp/search"))
    except (ValueError, MalformedURL):
        return None
    return PageRequest(endpoint, 1, "POST", {"channelid": channel[1], "classsql": f"(docid2={doc[1]})+(reldocid={doc[1]})"})


def related_items(text: str, base: str) -> list[ListItem]:
    data = load(text)
    records = data.get("data") if isinstance(data, dict) else None
    if isinstance(records, dict):
        records = records.get("docs") or records.get("list")
    return items_of(records, base, 1, RELATED_URL_KEYS, RELATED_TITLE_KEYS, DATE_KEYS)
