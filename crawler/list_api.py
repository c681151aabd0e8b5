"""Learning a list's own API from one render, then paging it without the browser.

A column page that shows its list only through script is rendered once (crawler.render); every
request its scripts made is recorded (method, URL, body, answer), and so are the requests made
when the renderer clicked the page's 下一页 / 加载更多 control. ``learn`` finds the request whose
answer holds the items the rendered page shows (JSON, JSONP or an HTML fragment), reads how its
items map to the links a reader clicks (a URL field, or a URL built from an id field), and infers
its paging from what varies:

* the page parameter may sit in the query, a form body, a JSON body, or JSON-encoded inside
  another parameter (``?params={"pageNo":2}``), under any name;
* with the request after the click, the parameters whose whole number changed are the page, and
  their difference is the step: +1 for a page number (0- or 1-based), +page size for an offset or
  a ``startrecord``/``endrecord`` pair — all of them move together;
* without one (no control to click), whole-number parameters are guessed in order (page-like names
  first: at most two guesses), and the first that brings new items over plain HTTP is kept;
* cache-busting parameters (``_=`` millisecond stamps) keep the first request's value;
* a total (records or pages, under the usual keys) ends the paging exactly; without one, paging
  stops at the first page that lists nothing new (``crawler.column_pager`` does the same for
  static pagers).

``ListApi`` is plain data (JSON-serialisable: stored with the scan, shown in the report's
appendix); ``page_request(k)`` is page k's request, ``read_items(text)`` the items of an answer.
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import asdict, dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from crawler.dates import iso, parse_datetime
from crawler.extract.listing import ListItem, extract_list_items
from crawler.extract.page import EMPTY_LIST_TEXT
from crawler.extract.visible_text import visible_text
from crawler.pagination import PageRequest
from crawler.render import Call, _arrays, _date_text, _json_text, _pick, items_from_json

PAGE_NAME = re.compile(r"page|pg|pn$|^p$|cur|start|offset|from|skip|index|record|begin|num", re.I)
SIZE_NAME = re.compile(r"size|limit|rows|per|count|len|num", re.I)
TOTAL_RECORD_KEYS = ("total", "totalcount", "totalrecord", "totalrecords", "recordcount", "totalnum", "totalsize",
                     "totalelements", "totalrow", "totalrows", "records", "count", "rowcount", "allcount", "totalitems")
TOTAL_PAGE_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal", "totalpagecount", "pagenum_total", "maxpage")
MAX_GUESSES = 2
STAMP = re.compile(r"^\d{10,13}$")


@dataclass
class ListApi:
    """How a column's list is fetched, page by page, without the browser."""
    method: str
    url: str  # page 1's URL
    body: str  # page 1's body ('' for GET)
    content_type: str  # of the body
    answer: str  # json | html
    page_params: list  # [place, name, path, first value, step]: place query | form | json; path inside a JSON value
    per_page: int
    url_template: str | None = None  # a link built from a field: "…/detail.html?id={id}"; None: the answer's URL field
    id_key: str | None = None
    title_key: str | None = None
    total_records: int | None = None
    total_pages: int | None = None
    learned_from: str = "click"  # click | guess
    pages_confirmed: int = 1

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ListApi:
        return cls(**data)

    @property
    def last_page(self) -> int | None:
        if self.total_pages:
            return self.total_pages
        if self.total_records is not None and self.per_page:
            return max(1, math.ceil(self.total_records / self.per_page))
        return None

    def page_request(self, k: int) -> tuple[str, str, str, str]:
        """(method, url, body, content type) of page k (1-based)."""
        parts = urlsplit(self.url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        form = parse_qsl(self.body, keep_blank_values=True) if self.body and not _is_json(self.body) else None
        body_json = json.loads(self.body) if self.body and _is_json(self.body) else None
        for place, name, path, first, step in self.page_params:
            value = first + (k - 1) * step
            if place == "query":
                query = _set_pair(query, name, path, value)
            elif place == "form":
                form = _set_pair(form or [], name, path, value)
            else:
                body_json = _set_path(body_json, path, value)
        url = urlunsplit(parts._replace(query=urlencode(query, safe="/:,")))
        if body_json is not None:
            body = json.dumps(body_json, ensure_ascii=False, separators=(",", ":"))
        elif form is not None:
            body = urlencode(form)
        else:
            body = ""
        return self.method, url, body, self.content_type

    def page(self, k: int) -> PageRequest:
        """Page k as a column pager's request (crawler.column_pager follows a claimed total)."""
        method, url, body, content_type = self.page_request(k)
        return PageRequest(url, k, method=method, body=body, content_type=content_type or None)

    def read_items(self, text: str, base_url: str) -> list[ListItem]:
        """The list items in one answer of this API."""
        if self.answer == "html":
            return _html_items(text, base_url)
        data = json_of(text)
        if data is None:
            return []
        if self.url_template is None:
            found = items_from_json([("", json.dumps(data, ensure_ascii=False))], base_url)
            return [ListItem(u, t or "", _iso_date(d), d or "", n) for n, (u, t, d) in enumerate(found, 1)]
        out, seen = [], set()
        for array in _arrays(data):
            for obj in array:
                if not isinstance(obj, dict) or self.id_key not in obj or self.title_key not in obj:
                    continue
                url = urljoin(base_url, self.url_template.replace("{id}", str(obj[self.id_key])))
                if url in seen:
                    continue
                seen.add(url)
                when = next((d for d in map(_date_text, obj.values()) if d), None)
                out.append(ListItem(url, _clean(str(obj[self.title_key])), _iso_date(when), when or "", len(out) + 1))
        return out

    def totals(self, text: str) -> tuple[int | None, int | None]:
        """(records, pages) an answer claims, when it says."""
        data = json_of(text) if self.answer == "json" else None
        if isinstance(data, dict):
            return _find_total(data, TOTAL_RECORD_KEYS), _find_total(data, TOTAL_PAGE_KEYS)
        match = re.search(r"共\s*(\d+)\s*条", text)
        pages = re.search(r"共\s*(\d+)\s*页", text)
        return (int(match[1]) if match else None), (int(pages[1]) if pages else None)


def learn(calls: list[Call], page_items: list[ListItem], base_url: str) -> list[ListApi]:
    """Candidate APIs for a rendered list, the likeliest first (empty: nothing could be learned).
    ``page_items``: the items the rendered page showed before any click."""
    first = [c for c in calls if c.phase == 0]
    scored = sorted(((_overlap(c, page_items, base_url), n, c) for n, c in enumerate(first)), key=lambda t: (-t[0], t[1]))
    if not scored or scored[0][0] == 0:
        return []
    call = scored[0][2]
    reader = _reader(call, page_items, base_url)
    if reader is None:
        return []
    answer, template, id_key, title_key = reader
    items = _items_of(call, answer, template, id_key, title_key, base_url)
    per_page = len(items)
    if per_page == 0:
        return []
    params = _flatten(call)
    later = [c for c in calls if c.phase == 1 and c.method == call.method and _endpoint(c.url) == _endpoint(call.url)]
    candidates: list[ListApi] = []
    make = lambda page_params, how: ListApi(call.method, call.url, call.body, call.content_type, answer, page_params, per_page,
                                            template, id_key, title_key, learned_from=how)
    for other in later[:1]:
        moved = _moved(params, _flatten(other))
        if moved:
            candidates.append(make(moved, "click"))
    if not candidates:
        for key, value in _guesses(params, per_page):
            candidates.append(make([key + [value[0], value[1]]], "guess"))
    for api in candidates:
        api.total_records, api.total_pages = api.totals(call.answer)
    return candidates


# ---- reading the answers ----

def json_of(text: str):
    """The JSON (or JSONP's JSON) of an answer, or None."""
    body = _json_text(text.encode("utf-8"), "application/json") or _json_text(text.encode("utf-8"), "text/javascript", jsonp=True)
    try:
        return json.loads(body) if body is not None else None
    except ValueError:
        return None


def _html_items(text: str, base_url: str) -> list[ListItem]:
    if not text.strip() or "<a" not in text.lower():
        return []
    root = lxml_html.fragment_fromstring(text, create_parent="div")
    items = extract_list_items(root, base_url)
    if items:
        return items
    out = []
    for a in root.iter("a"):
        href, title = (a.get("href") or "").strip(), _clean(a.text_content())
        if href and title and not href.lower().startswith(("javascript:", "#", "mailto:")):
            out.append(ListItem(urljoin(base_url, href), title, None, "", len(out) + 1))
    return out


def _clean(text: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", "", text).split())


def _overlap(call: Call, items: list[ListItem], base_url: str) -> int:
    """How many of the rendered items' titles the answer carries."""
    data = json_of(call.answer)
    text = json.dumps(data, ensure_ascii=False) if data is not None else call.answer
    return sum(1 for i in items if i.title and i.title in text)


def _reader(call: Call, page_items: list[ListItem], base_url: str):
    """(answer kind, URL template, id key, title key) that reads the rendered items from this answer."""
    shown = {i.url for i in page_items}
    data = json_of(call.answer)
    if data is None:
        return ("html", None, None, None) if {i.url for i in _html_items(call.answer, base_url)} & shown else None
    plain = {u for u, _t, _d in items_from_json([("", json.dumps(data, ensure_ascii=False))], base_url)}
    if plain & shown:
        return "json", None, None, None
    by_title = {i.title: i.url for i in page_items if i.title}
    for array in _arrays(data):
        for obj in array:
            if not isinstance(obj, dict):
                continue
            title_key = next((k for k, v in obj.items() if isinstance(v, str) and _clean(v) in by_title), None)
            if title_key is None:
                continue
            url = by_title[_clean(obj[title_key])]
            for key, value in obj.items():
                if key == title_key or isinstance(value, (dict, list, bool)) or value in (None, ""):
                    continue
                token = str(value)
                found = re.search(("(?<![\\w])" if token[:1].isalnum() else "") + re.escape(token)
                                  + ("(?![\\w])" if token[-1:].isalnum() else ""), url)
                if not found or len(token) < 1:
                    continue
                template = url[:found.start()] + "{id}" + url[found.end():]
                made = {urljoin(base_url, template.replace("{id}", str(o[key])))
                        for a in _arrays(data) for o in a if isinstance(o, dict) and key in o and title_key in o}
                if made & shown and len(made & shown) >= min(len(shown), len(made)) // 2:
                    return "json", template, key, title_key
    return None


def _items_of(call, answer, template, id_key, title_key, base_url) -> list[ListItem]:
    probe = ListApi(call.method, call.url, call.body, call.content_type, answer, [], 0, template, id_key, title_key)
    return probe.read_items(call.answer, base_url)


def _find_total(data, keys) -> int | None:
    for array_or_obj in [data, *[v for v in data.values() if isinstance(v, dict)],
                         *[w for v in data.values() if isinstance(v, dict) for w in v.values() if isinstance(w, dict)]]:
        value = _pick(array_or_obj, list(keys))
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


# ---- the request's parameters ----

def _is_json(text: str) -> bool:
    text = text.strip()
    if not text.startswith(("{", "[")):
        return False
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def _endpoint(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _flatten(call: Call) -> dict:
    """{(place, name, path): value} of every scalar parameter of a request, also inside JSON values."""
    out: dict = {}
    for name, value in parse_qsl(urlsplit(call.url).query, keep_blank_values=True):
        _flatten_value(out, "query", name, value)
    if call.body:
        if _is_json(call.body):
            _walk(out, "json", "", json.loads(call.body), ())
        else:
            for name, value in parse_qsl(call.body, keep_blank_values=True):
                _flatten_value(out, "form", name, value)
    return out


def _flatten_value(out: dict, place: str, name: str, value: str) -> None:
    if value.strip().startswith("{") and _is_json(value):
        _walk(out, place, name, json.loads(value), ())
    else:
        out[(place, name, ())] = value


def _walk(out: dict, place: str, name: str, node, path: tuple) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _walk(out, place, name, v, (*path, k))
    elif not isinstance(node, list):
        out[(place, name, path)] = node


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,9}", value.strip()):
        return int(value)
    return None


def _moved(before: dict, after: dict) -> list:
    """The page parameters: whole numbers that grew between the two requests (stamps aside)."""
    moved = []
    for key, value in before.items():
        a, b = _as_int(value), _as_int(after.get(key))
        if a is None or b is None or b <= a or STAMP.match(str(value)):
            continue
        moved.append([key[0], key[1], list(key[2]), a, b - a])
    return moved


def _guesses(params: dict, per_page: int) -> list[tuple[list, tuple[int, int]]]:
    """Page parameters to try when no click showed one: page-like names first, 0/1 values."""
    out = []
    for (place, name, path), value in params.items():
        number = _as_int(value)
        label = str(path[-1]) if path else name
        if number is None or STAMP.match(str(value)) or SIZE_NAME.search(label) and not PAGE_NAME.search(label):
            continue
        if number in (0, 1):
            step = per_page if re.search(r"start|offset|from|skip|record|begin", label, re.I) and number == 0 else 1
            out.append(([place, name, list(path)], (number, step), bool(PAGE_NAME.search(label))))
    out.sort(key=lambda t: not t[2])
    return [(k, v) for k, v, _ in out[:MAX_GUESSES]]


def _set_pair(pairs: list, name: str, path: list, value: int) -> list:
    out = []
    for k, v in pairs:
        if k == name:
            if path:
                data = json.loads(v)
                v = json.dumps(_set_path(data, path, value), ensure_ascii=False, separators=(",", ":"))
            else:
                v = str(value)
        out.append((k, v))
    return out


def _set_path(data, path: list, value: int):
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    old = node[path[-1]]
    node[path[-1]] = str(value) if isinstance(old, str) else value
    return data


def merge(before: list[ListItem], new: list[ListItem]) -> list[ListItem]:
    """Items of ``new`` not in ``before``, by URL."""
    seen = {i.url for i in before}
    return [i for i in new if i.url not in seen]


def rendered_items(page_html: str, json_answers, base: str) -> list[ListItem]:
    """The list items of a rendered page, or, when it shows none, those of the JSON its scripts fetched."""
    items = extract_list_items(lxml_html.document_fromstring(page_html), base) if page_html.strip() else []
    if not items:
        items = [ListItem(url, title or "", _iso_date(when), when or "", n)
                 for n, (url, title, when) in enumerate(items_from_json(json_answers, base), 1)]
    return items


def rendered_empty_notice(page_html: str) -> bool:
    """Whether the rendered page says, in text a reader sees, that the list is empty."""
    return bool(EMPTY_LIST_TEXT.search(visible_text(lxml_html.document_fromstring(page_html))))


def _iso_date(text: str | None) -> str | None:
    when = parse_datetime(text)
    return iso(when.date()) if when else None
