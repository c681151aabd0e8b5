"""Decode a page whatever it declares.

Government servers often send no charset or the wrong one (an HTTP ``charset=utf-8`` on a GBK
page), and GB2312 declarations are routinely used for GBK text (characters such as 喆 or 镕),
so GB2312/GBK are read as GB18030, a superset of both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

_GB_FAMILY = {"gb18030", "gbk", "gb2312", "cp936"}


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str  # codec actually used
    declared: str  # "header:utf-8 meta:gbk" — what the server and page said
    note: str  # why the used codec differs from the declaration, or ""


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name)
    if resolved in _GB_FAMILY:
        return "gb18030"
    return resolved


def _try(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


_CHARSET_LABEL = re.compile(rb"""charset\s*=\s*["']?([\w.:-]+)""", re.I)


def _as_written(raw: bytes | str | None) -> str | None:
    if not raw:
        return None
    m = _CHARSET_LABEL.search(raw.encode("latin-1") if isinstance(raw, str) else raw)
    return m[1].decode("ascii", "replace").lower() if m else None


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    header_name = http_content_type_encoding(content_type) if content_type else None
    meta_name = html_body_declared_encoding(body[:8192])
    # as written by the server and the page (gb2312, gbk …), for the report
    declared = " ".join(
        f"{where}:{written or name}"
        for where, name, written in (
            ("header", header_name, _as_written(content_type)),
            ("meta", meta_name, _as_written(body[:8192]) if meta_name else None),
        )
        if name
    )
    bom_name, bom = read_bom(body)
    if bom_name:
        return Decoded(body[len(bom):].decode(bom_name, "replace"), bom_name, declared, "")

    header, meta = _codec(header_name), _codec(meta_name)
    first_declared = header or meta
    # Valid UTF-8 with non-ASCII bytes is practically never GBK text by accident, so it wins
    # even against a GB declaration (common after a CMS migration).
    if not body.isascii():
        text = _try(body, "utf-8")
        if text is not None:
            note = "" if first_declared in (None, "utf-8") else f"declared {first_declared}, body is valid utf-8"
            return Decoded(text, "utf-8", declared, note)
    for codec in (header, meta):
        if codec:
            text = _try(body, codec)
            if text is not None:
                note = "" if codec == first_declared else f"declared {first_declared} does not decode, {codec} does"
                return Decoded(text, codec, declared, note)
    text = _try(body, "gb18030")
    if text is not None:
        note = "" if first_declared == "gb18030" else f"declared {first_declared or 'nothing'}, body is gb18030"
        return Decoded(text, "gb18030", declared, note)
    codec = first_declared or "utf-8"
    return Decoded(body.decode(codec, "replace"), codec, declared, "undecodable bytes replaced")
