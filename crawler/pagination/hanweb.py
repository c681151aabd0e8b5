"""Hanweb jcms (大汉) "jpage" columns: records are not links on the page but come from
``/module/web/jpage/dataproxy.jsp`` (or ``/module/jslib/jquery/jpage/dataproxy.jsp``).

The column page inlines the first records in ``<script type="text/xml"><datastore>…`` and
configures the pager in its own script (``proxyUrl``, ``perPage``, ``totalRecord``, the form
fields ``col/appid/webid/path/columnid/unitid/webname/permissiontype``, or a ``jpageform_<id>``
form). The browser then POSTs ``dataproxy.jsp?startrecord=a&endrecord=b&perpage=n`` with those
fields and gets ``<recordset><record><![CDATA[<li>…</li>]]></record>…`` plus ``<totalrecord>``.
Here the same requests are made for the whole record range.
"""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import html

from crawler.extract.listing import ListItem, extract_list_items
from crawler.pagination import PageRange, PageRequest, Pagination
from crawler.urls import MalformedURL, canonical

DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|\btotalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
PER_PAGE = re.compile(r"\bperPage\s*[:=]\s*['\"]?(\d+)", re.I)
GROUP_SIZE = re.compile(r"\bgroupSize\s*[:=]\s*['\"]?(\d+)", re.I)
PROXY_URL = re.compile(r"""(?:proxyUrl|url|action)\s*[:=]\s*['"]([^'"]*dataproxy\.jsp[^'"]*)['"]""", re.I)
NEXTGROUP_HREF = re.compile(r"""href=['"]([^'"]*dataproxy\.jsp\?[^'"]*)['"]""", re.I)
JS_PARAMS = re.compile(r"""(?:ajaxParam|param|params)\s*[:=]\s*\{([^}]*)\}""", re.I)
JS_PAIR = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([\w./-]+))""")
FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname", "permissiontype")


def records_to_items(xml_text: str, base: str, first_position: int) -> list[ListItem]:
    """The list items inside ``<record><![CDATA[…]]></record>`` elements, numbered from first_position."""
    items: list[ListItem] = []
    for cdata in RECORD.findall(xml_text):
        if not cdata.strip():
            continue
        fragment = html.fragment_fromstring(cdata, create_parent="ul")
        for item in extract_list_items(fragment, base):
            item.position = first_position + len(items)
            items.append(item)
    return items


def total_records(xml_text: str) -> int | None:
    m = TOTAL_RECORD.search(xml_text)
    return int(m[1] or m[2]) if m else None


def _form_fields(text: str, root) -> dict[str, str]:
    fields: dict[str, str] = {}
    for form in root.iter("form"):
        if (form.get("id") or "").startswith("jpageform") or "dataproxy" in (form.get("action") or ""):
            for inp in form.iter("input"):
                if inp.get("name"):
                    fields[inp.get("name")] = inp.get("value") or ""
    m = JS_PARAMS.search(text)
    if m:
        for key, a, b, c in JS_PAIR.findall(m[1]):
            fields.setdefault(key, a or b or c)
    href = NEXTGROUP_HREF.search(text)
    if href:
        for key, value in parse_qsl(urlsplit(href[1].replace("&amp;", "&")).query, keep_blank_values=True):
            if key not in ("page", "startrecord", "endrecord", "perpage"):
                fields.setdefault(key, value)
    fields.setdefault("col", "1")
    fields.setdefault("appid", "1")
    fields.setdefault("permissiontype", "0")
    return fields


def range_requests(proxy: str, fields: dict, per_page: int, chunk: int, start: int, total: int) -> PageRange:
    """The POSTs for records start … total, one group of ``chunk`` records each (made on demand:
    ``<totalrecord>`` is a claim the spider follows lazily)."""
    make = partial(_range_request, proxy, fields, per_page, chunk, start, total)
    return PageRange(1, -(-(total - start + 1) // chunk) if total >= start else 0, make)


def _range_request(proxy: str, fields: dict, per_page: int, chunk: int, start: int, total: int, group: int) -> PageRequest:
    first = start + (group - 1) * chunk
    last = min(first + chunk - 1, total) if first <= total else first + chunk - 1  # past the total: a whole group
    url = f"{proxy}{'&' if '?' in proxy else '?'}startrecord={first}&endrecord={last}&perpage={per_page}"
    return PageRequest(url, (first - 1) // per_page + 1, "POST", dict(fields), first)


def detect(url: str, text: str, root) -> Pagination | None:
    if "dataproxy.jsp" not in text and "<datastore" not in text.lower():
        return None
    store = DATASTORE.search(text)
    inline = records_to_items(store[1], url, 1) if store else []
    proxy_m = PROXY_URL.search(text) or NEXTGROUP_HREF.search(text)
    if proxy_m is None:
        return Pagination("hanweb", [], None, total_records(text), inline) if inline else None
    try:
        proxy = canonical(urljoin(url, proxy_m[1].replace("&amp;", "&").split("?")[0]))
    except (ValueError, MalformedURL):
        return Pagination("hanweb", [], None, total_records(text), inline) if inline else None
    per_page = int(PER_PAGE.search(text)[1]) if PER_PAGE.search(text) else 15
    group = int(GROUP_SIZE.search(text)[1]) if GROUP_SIZE.search(text) else 3
    fields = _form_fields(text, root)
    total = total_records(text)
    chunk = per_page * group
    conf = {"url": proxy, "fields": fields, "per_page": per_page, "chunk": chunk}
    if total is None:
        # Ask for the first group: its <totalrecord> tells the spider how many more to request.
        return Pagination("hanweb", range_requests(proxy, fields, per_page, chunk, 1, chunk), None, None, inline, conf)
    pages = range_requests(proxy, fields, per_page, chunk, 1, total)
    return Pagination("hanweb", pages, -(-total // per_page), total, inline, conf)
