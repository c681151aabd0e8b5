"""Server side of the script mechanisms: list APIs, the SPA document API, query-paged static lists.

A list API reads its parameters where its style puts them (query, form body, JSON body, or JSON
inside one parameter of either), picks the column by the channel id, ignores every parameter it
does not know (cache-busters included), answers 405 to the wrong method and 400 to a page
parameter that is not a number. Past the last page it answers an empty list, or page 1 again
when the style's ``past_end`` is ``first``. The log info names the column, the page served
(1-based) and the number of items.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import parse_qsl

from .model import ORIGIN, Column, Request, Response

CST = timezone(timedelta(hours=8))
JSON_CT = "application/json;charset=UTF-8"


def _bad(status: int, text: str) -> Response:
    return Response(status, text.encode(), "text/plain; charset=utf-8")


def request_params(req: Request, method: str, place: str, nest: str | None) -> dict | None:
    """All parameters of a request as one dict, or None when the body cannot be read."""
    params = dict(parse_qsl(req.query, keep_blank_values=True))
    if req.method == "POST":
        if place in ("form", "nested-form"):
            params.update(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
        elif place == "json":
            try:
                body = json.loads(req.body.decode("utf-8") or "{}")
            except ValueError:
                return None
            if not isinstance(body, dict):
                return None
            params.update(body)
    if nest:
        raw = params.pop(nest, None)
        if raw is not None:
            try:
                inner = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                return None
            if not isinstance(inner, dict):
                return None
            params.update(inner)
    return params


def show_date(d, fmt: str, doc_id: int):
    if fmt == "iso":
        return d.isoformat()
    if fmt == "datetime":
        return f"{d.isoformat()} {8 + doc_id % 10:02d}:{doc_id % 60:02d}:{(doc_id * 7) % 60:02d}"
    # epoch milliseconds of 10:30 Beijing time: the same calendar day in UTC and in UTC+8
    return int(datetime(d.year, d.month, d.day, 10, 30, tzinfo=CST).timestamp() * 1000)


def _set(root: dict, path: list, value) -> None:
    for key in path[:-1]:
        root = root.setdefault(key, {})
    root[path[-1]] = value


def json_payload(style: dict, col: Column | None, docs: list, size: int) -> dict:
    rows = []
    for d in docs:
        if style["url_field"] == "url":
            link = (ORIGIN + d.path) if style["url_absolute"] else d.path
        else:
            link = str(d.id) if style["id_as_string"] else d.id
        rows.append({style["title_key"]: d.title, style["url_key"]: link,
                     style["date_key"]: show_date(d.publish, style["date_format"], d.id)})
    root = json.loads(json.dumps(style["noise"]))
    _set(root, style["items_path"], rows)
    total = style.get("total")
    if total:
        n = len(col.docs) if col else 0
        _set(root, total["path"], n if total["kind"] == "records" else -(-n // size))
    return root


def html_fragment(style: dict, col: Column | None, docs: list, size: int) -> str:
    if style["markup"] == "li":
        out = "".join(f'<li><a href="{d.path}" target="_blank" title="{escape(d.title)}">{escape(d.title)}</a>'
                      f'<span class="date">{d.publish.isoformat()}</span></li>\n' for d in docs)
    else:
        out = "".join(f'<div class="row"><a href="{d.path}" target="_blank" title="{escape(d.title)}">{escape(d.title)}</a>'
                      f'<em>{d.publish.isoformat()}</em></div>\n' for d in docs)
    total = style.get("total")
    if total:
        n = len(col.docs) if col else 0
        out += f'<input type="hidden" name="{total["input"]}" value="{n if total["kind"] == "records" else -(-n // size)}">'
    return out


def list_api(style: dict, columns: dict) -> callable:
    """A handler for one API style; ``columns`` maps channel id → Column."""

    def handle(req: Request) -> Response:
        if req.method != style["method"]:
            return _bad(405, "Method Not Allowed")
        params = request_params(req, style["method"], style["place"], style.get("nest_param"))
        if params is None:
            return _bad(400, "bad request body")
        col = columns.get(str(params.get(style["chan_param"], "")))
        default = col.size if col else 10
        try:
            size = default
            if style["size_param"] and params.get(style["size_param"]) not in (None, ""):
                size = max(1, min(100, int(params[style["size_param"]])))
            raw = params.get(style["page_param"])
            scheme = style["scheme"]
            if scheme == "page1":
                start = (max(1, int(raw)) - 1) * size if raw not in (None, "") else 0
            elif scheme == "page0":
                start = max(0, int(raw)) * size if raw not in (None, "") else 0
            elif scheme == "offset":
                start = max(0, int(raw)) if raw not in (None, "") else 0
            else:
                start = max(1, int(raw)) - 1 if raw not in (None, "") else 0
                end = params.get(style["end_param"])
                if end not in (None, ""):
                    size = max(0, min(100, int(end) - start))
        except (TypeError, ValueError):
            return _bad(400, "page parameter is not a number")
        docs = col.docs if col else []
        chunk = docs[start:start + size]
        if not chunk and start > 0 and docs and style["past_end"] == "first":
            start, chunk = 0, docs[:size]
        info = {"kind": "api", "column": col.key if col else None,
                "page": start // size + 1 if size else None, "items": len(chunk)}
        if style["format"] == "html":
            return Response(200, html_fragment(style, col, chunk, size).encode(), "text/html; charset=utf-8", info=info)
        text = json.dumps(json_payload(style, col, chunk, size), ensure_ascii=False)
        if style["format"] == "jsonp":
            cb = params.get(style["callback_param"])
            if cb and re.fullmatch(r"[\w$.]{1,80}", str(cb)):
                return Response(200, f"{cb}({text});".encode(), "application/javascript; charset=utf-8", info=info)
        return Response(200, text.encode(), JSON_CT, info=info)

    return handle


def spa_api(spa: dict, docs: dict) -> callable:
    """The SPA document API: id → the document's fields under the seed's keys."""

    def handle(req: Request) -> Response:
        if req.method != spa["method"]:
            return _bad(405, "Method Not Allowed")
        params = request_params(req, spa["method"], spa["place"], None)
        if params is None:
            return _bad(400, "bad request body")
        doc = docs.get(str(params.get(spa["api_param"], "")))
        if doc is None:
            payload = {"code": 404, "msg": "文档不存在"}
            _set(payload, spa["path"] or ["data"], None)
            return Response(200, json.dumps(payload, ensure_ascii=False).encode(), JSON_CT)
        keys = spa["keys"]
        record = {}
        for label, key in keys.items():
            if label == "正文":
                record[key] = "".join(f"<p>{escape(s)}</p>" for s in doc.body)
            elif label in ("成文日期", "发布日期"):
                d = doc.written if label == "成文日期" else doc.publish
                record[key] = show_date(d, spa["date_format"], doc.id)
            else:
                record[key] = doc.fields[label]
        payload = {"code": 200}
        if spa["path"]:
            _set(payload, spa["path"], record)
        else:
            payload.update(record)
        return Response(200, json.dumps(payload, ensure_ascii=False).encode(), JSON_CT,
                        info={"kind": "doc", "column": doc.column, "page": None, "items": 1})

    return handle


def query_list(col: Column, m: dict, render) -> callable:
    """A static list paged by a query parameter (``list.do?pn=2``); render(k, docs) → page bytes."""

    def handle(req: Request) -> Response:
        if req.method != "GET":
            return _bad(405, "Method Not Allowed")
        raw = dict(parse_qsl(req.query)).get(m["param"])
        try:
            k = int(raw) + (1 if m["zero_based"] else 0) if raw not in (None, "") else 1
        except ValueError:
            k = 1
        k = max(1, k)
        docs = col.page_docs(k)
        if not docs and k > 1 and m["past_end"] == "first":
            k, docs = 1, col.page_docs(1)
        return Response(200, render(k, docs), info={"kind": "list", "column": col.key, "page": k, "items": len(docs)})

    return handle
