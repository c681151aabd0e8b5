"""A plain-urllib client of a column's list API, written from the ground truth's ``api`` dict alone
(the self-tests use it to check the server; a crawler test can use it to know what a page holds)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import urlencode

CST = timezone(timedelta(hours=8))


def build_request(api: dict, k: int, resolve, size: int | None = None, callback: str = "cb_test") -> urllib.request.Request:
    """The request for 1-based page ``k`` of the list, encoded as the mechanism encodes it."""
    size = size or api["size"]
    p = dict(api["consts"])
    if api["scheme"] == "page1":
        p[api["page_param"]] = k
    elif api["scheme"] == "page0":
        p[api["page_param"]] = k - 1
    elif api["scheme"] == "offset":
        p[api["page_param"]] = (k - 1) * size
    else:
        p[api["page_param"]] = (k - 1) * size + 1
        p[api["end_param"]] = k * size
    if api["size_param"]:
        p[api["size_param"]] = size
    url, body, headers = resolve(api["endpoint"]), None, {}
    place, outer = api["place"], dict(api["outer"])
    if place.startswith("nested"):
        outer[api["nest_param"]] = json.dumps(p)
        if place == "nested-query":
            url += "?" + urlencode(outer)
        else:
            body = urlencode(outer).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif place == "query":
        url += "?" + urlencode(p)
        if api["method"] == "POST":
            body = b""
    else:
        if outer:
            url += "?" + urlencode(outer)
        if place == "form":
            body, headers["Content-Type"] = urlencode(p).encode(), "application/x-www-form-urlencoded"
        else:
            body, headers["Content-Type"] = json.dumps(p).encode(), "application/json"
    if api["format"] == "jsonp":
        url += ("&" if "?" in url else "?") + urlencode({api["callback_param"]: callback})
    if api["cache_buster"]:
        url += ("&" if "?" in url else "?") + f"{api['cache_buster']}=1700000000000"
    return urllib.request.Request(url, data=body, headers=headers, method=api["method"])


def _dig(obj, path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.inputs, self._a = [], {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self._a = [a.get("href"), a.get("title") or "", ""]
        elif tag == "input":
            self.inputs[a.get("name")] = a.get("value")

    def handle_data(self, data):
        if self._a is not None:
            self._a[2] += data
        elif self.rows and not self.rows[-1][2] and re.fullmatch(r"\s*\d{4}-\d\d-\d\d\s*", data):
            self.rows[-1][2] = data.strip()

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None:
            href, title, text = self._a
            self.rows.append([href, title or text, ""])
            self._a = None


def parse_response(api: dict, body: bytes, resolve) -> tuple[list, int | None]:
    """([(url, title, 'YYYY-MM-DD')], total records or pages as given, or None)."""
    text = body.decode("utf-8")
    if api["format"] == "html":
        p = _Anchors()
        p.feed(text)
        rows = [(resolve("@@ORIGIN@@" + h) if h.startswith("/") else resolve(h), t, d) for h, t, d in p.rows]
        total = api.get("total")
        return rows, int(p.inputs[total["input"]]) if total else None
    if api["format"] == "jsonp" and not text.lstrip().startswith("{"):
        text = re.sub(r"^[^(]*\(|\);?\s*$", "", text.strip())
    data = json.loads(text)
    rows = []
    for it in _dig(data, api["items_path"]) or []:
        link = it[api["url_key"]]
        if api["url_field"] == "id":
            link = resolve("@@ORIGIN@@" + api["url_template"].format(id=link))
        elif str(link).startswith("/"):
            link = resolve("@@ORIGIN@@" + link)
        else:
            link = resolve(link)
        d = it[api["date_key"]]
        if isinstance(d, (int, float)):
            d = datetime.fromtimestamp(d / 1000, CST).date().isoformat()
        rows.append((link, it[api["title_key"]], str(d)[:10]))
    total = _dig(data, api["total"]["path"]) if api.get("total") else None
    return rows, total


def fetch_page(api: dict, k: int, resolve, **kw) -> tuple[int, list, int | None]:
    """(status, rows, total) of page k."""
    try:
        with urllib.request.urlopen(build_request(api, k, resolve, **kw), timeout=10) as r:
            rows, total = parse_response(api, r.read(), resolve)
            return r.status, rows, total
    except urllib.error.HTTPError as e:
        return e.code, [], None
