"""Document pages whose metadata arrives by script: one render per template, then JSON.

A single-page-app portal lists ``detail.html?id=123``; the page itself is a shell whose script
fetches the document (``/api/doc?id=123`` or a POST with the id in its body) and writes the title,
the metadata table and the body. The crawler renders the first such page of a template once
(crawler.render records every request with its answer), reads the rendered page as any document,
and ``learn`` finds in the recorded requests the one that carries the page's id and whose answer
holds the rendered values: where the id goes (URL or body), and which field of the answer each
metadata label, the title and the body come from. The other documents of that template are then
fetched as JSON over plain HTTP and written as the page a reader would see (``page_html``), which
the ordinary extractor reads — no browser.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from html import escape
from urllib.parse import parse_qsl, urlsplit

from crawler.dates import parse_datetime
from crawler.extract.labels import DATE_FIELDS
from crawler.list_api import json_of
from crawler.render import Call, _date_text

ID_TOKEN = r"(?<![\w]){}(?![\w])"


@dataclass
class DetailApi:
    """How a document page's content is fetched without its script."""
    id_param: str  # the page URL's query parameter holding the document id
    method: str
    url: str  # the API URL, with {id} where the id goes
    body: str  # the request body, with {id} where the id goes ('' for GET)
    content_type: str
    labels: list  # [label as the page shows it, path in the answer, is a date]
    title_path: list | None
    body_path: list | None

    def as_json(self) -> dict:
        return asdict(self)

    def request_for(self, page_url: str) -> tuple[str, str, str, str] | None:
        """(method, url, body, content type) of the document behind ``page_url``, or None when the
        URL carries no id."""
        ident = dict(parse_qsl(urlsplit(page_url).query, keep_blank_values=True)).get(self.id_param)
        if not ident:
            return None
        quoted = json.dumps(ident)[1:-1] if _is_json(self.body) else ident
        return self.method, self.url.replace("{id}", ident), self.body.replace("{id}", quoted), self.content_type

    def page_html(self, answer: str, head: str = "") -> str | None:
        """The page a reader sees, written from one answer (None when it holds no document)."""
        data = json_of(answer)
        if data is None:
            return None
        title = _text(_at(data, self.title_path)) if self.title_path else ""
        rows = []
        for label, path, is_date in self.labels:
            value = _at(data, path)
            if value is None:
                continue
            shown = (_date_text(value) or "")[:10] if is_date else _text(value)
            rows.append(f"<tr><th>{escape(label)}</th><td>{escape(shown)}</td></tr>")
        if not rows and not title:
            return None
        body = _at(data, self.body_path) if self.body_path else ""
        return (f"<html><head><meta charset='utf-8'>{head}<title>{escape(title)}</title></head><body>"
                f"<h1>{escape(title)}</h1><table class='detail-meta'>{''.join(rows)}</table>"
                f"<div id='zoom'>{body if isinstance(body, str) else ''}</div></body></html>")


def template_key(url: str) -> str:
    """Pages of one template: same path, same query parameter names."""
    parts = urlsplit(url)
    names = sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{'&'.join(names)}"


def learn(calls: list[Call], page, page_url: str) -> DetailApi | None:
    """The request behind a rendered document page (``page``: its PageExtract), or None."""
    params = [(k, v) for k, v in parse_qsl(urlsplit(page_url).query, keep_blank_values=True) if v]
    shown = {f.label: f for f in page.fields.values() if f.value}
    for call in calls:
        data = json_of(call.answer)
        if data is None:
            continue
        for name, ident in params:
            token = re.compile(ID_TOKEN.format(re.escape(ident)))
            in_url, in_body = token.search(call.url), token.search(call.body or "")
            if not (in_url or in_body):
                continue
            leaves = list(_leaves(data, ()))
            labels = []
            for label, f in shown.items():
                is_date = f.field in DATE_FIELDS
                path = next((p for p, v in leaves if _same(v, f, is_date)), None)
                if path is not None:
                    labels.append([label, list(path), is_date])
            if len(labels) < 2:
                continue
            title_path = next((list(p) for p, v in leaves if isinstance(v, str) and v.strip() and _text(v) == page.doc_title), None)
            body_path = _body_path(leaves, page.body_text)
            url = token.sub("{id}", call.url) if in_url else call.url
            body = token.sub("{id}", call.body) if in_body else (call.body or "")
            return DetailApi(name, call.method, url, body, call.content_type, labels, title_path, body_path)
    return None


def _same(value, field, is_date: bool) -> bool:
    if isinstance(value, (dict, list)) or value is None:
        return False
    if is_date:
        written = _date_text(value)
        parsed = parse_datetime(written) if written else None
        return bool(parsed and field.parsed and parsed.date().isoformat() == field.parsed[:10])
    return _text(value) == field.value


def _body_path(leaves, body_text: str) -> list | None:
    start = body_text[:30]
    if not start:
        return None
    for path, value in leaves:
        if isinstance(value, str) and len(value) > 20 and start[:15] in _text(re.sub(r"<[^>]*>", " ", value)):
            return list(path)
    return None


def _leaves(node, path: tuple):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        return
    else:
        yield path, node


def _at(data, path):
    node = data
    for key in path or ():
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _text(value) -> str:
    return " ".join(str(value).split())


def _is_json(text: str) -> bool:
    return text.strip().startswith(("{", "["))
