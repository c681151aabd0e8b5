"""One 索引号 on two different documents of a site (条例第十二条: the 公开目录 indexes each piece of
information; an index number naming two documents indexes neither)."""

from __future__ import annotations

import re
from bisect import bisect_right
from urllib.parse import urlsplit

from checks.metadata import index_no_problem
from checks.registry import Finding, rule
from crawler.text import squash

SEPARATORS = "-‐－—_/／.．·:："
_TITLE_NOISE = re.compile(r"[\s\u3000·•|｜_\-—–:：]+")


def index_key(value: str | None) -> str:
    """The index number as compared: blanks removed, full-width separators as ASCII, case folded."""
    text = squash(value or "").casefold()
    return text.translate(str.maketrans({"－": "-", "‐": "-", "—": "-", "／": "/", "．": ".", "：": ":"}))


def _same_document(a, b) -> bool:
    """One document under two URLs (an alias, a redirect, a copy in a second column): the same final
    URL, or the same title with the same 发文字号 and no date that differs."""
    if a["page"] and a["page"] == b["page"]:
        return True
    titles = _TITLE_NOISE.sub("", a["title"] or ""), _TITLE_NOISE.sub("", b["title"] or "")
    if all(titles) and titles[0] != titles[1]:
        return False  # (a page without a title cannot be told apart: not counted as another document)
    if squash(a["doc_no"] or "") != squash(b["doc_no"] or ""):
        return False
    for name in ("written_date", "publish_date"):
        if a[name] and b[name] and a[name][:10] != b[name][:10]:
            return False
    return True


def _only_a_prefix(key: str, keys: list[str]) -> bool:
    """``key`` followed by a separator begins another index number of the site (``keys`` sorted)."""
    j = bisect_right(keys, key)
    while j < len(keys) and keys[j].startswith(key):
        if keys[j][len(key)] in SEPARATORS:
            return True
        j += 1
    return False


@rule("metadata.duplicate_index_no")
def duplicate_index_no(ctx, params):
    """Two or more different documents carry one 索引号: one finding per index number, with every
    document (title, 发文字号, dates, all its URLs). The same document reachable by two URLs,
    placeholders (无, -, /), values that cannot be an index number and a bare prefix (an
    organisation code alone, ``11370000MB28/``, or a value that only begins other index numbers of
    the site) are not findings."""
    placeholders = {str(p).casefold() for p in params.get("index_no_placeholders", ())}
    rows = ctx.rows("select d.url, d.title, d.doc_no, d.written_date, d.publish_date, d.index_no, "
                    "(select coalesce(p.final_url, p.url) from pages p where p.scan_id = d.scan_id and p.url = d.url "
                    "order by p.request_body limit 1) as page from documents d "
                    "where d.scan_id = ? and d.index_no is not null and d.index_no != '' order by d.url")
    groups: dict[str, list] = {}
    shown: dict[str, str] = {}
    for r in rows:
        if index_no_problem(r["index_no"], placeholders):
            continue
        key = index_key(r["index_no"])
        if key and key[-1] not in SEPARATORS:
            groups.setdefault(key, []).append(r)
            shown.setdefault(key, r["index_no"].strip())
    keys = sorted(groups)
    for key in keys:
        if _only_a_prefix(key, keys):
            continue  # only the beginning of the site's index numbers: a template's default, not an index number
        documents: list[dict] = []
        for r in groups[key]:
            same = next((d for d in documents if any(_same_document(r, other) for other in d["rows"])), None)
            if same is None:
                documents.append({"rows": [r]})
            else:
                same["rows"].append(r)
        if len(documents) < 2:
            continue
        listed = [{"title": d["rows"][0]["title"], "doc_no": d["rows"][0]["doc_no"],
                   "publish_date": d["rows"][0]["publish_date"], "written_date": d["rows"][0]["written_date"],
                   "urls": [r["url"] for r in d["rows"]]} for d in documents]
        value = shown[key]
        titles = "」「".join((d["title"] or urlsplit(d["urls"][0]).path)[:40] for d in listed[:3])
        more = f" 等 {len(listed)} 篇" if len(listed) > 3 else ""
        yield Finding(
            "metadata.duplicate_index_no", listed[0]["urls"][0],
            f"索引号「{value}」被 {len(listed)} 篇不同的文件共用：「{titles}」{more}",
            f"索引号 {value!r} is shared by {len(listed)} different documents",
            {"index_no": value, "documents": listed[:50], "document_count": len(listed)}, key=key,
        )
