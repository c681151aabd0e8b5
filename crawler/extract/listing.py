"""The items a column (栏目) lists: title, link, listed date and position.

A list row is the ``li``/``tr``/``dd``/``p`` around a link, else the nearest block around it that
repeats among its siblings (``<div class="item">`` rows). Rows are grouped by their parent; a
group is a document list when most of its rows show a date or its links look like document
URLs, which keeps navigation and "related columns" boxes out. Many portals pin old items to the
top, so the position is kept and a column's newest item is later found by date, not position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.dates import iso, parse_datetime
from crawler.extract.links import absolute, base_url, zone_and_hidden
from crawler.urls import MalformedURL
from crawler.text import clean

ROW_TAGS = ("li", "tr", "dd", "dt", "p")
PAGER_WORDS = {
    "首页", "上一页", "下一页", "尾页", "末页", "上页", "下页", "第一页", "最后一页", "前一页",
    "后一页", "<", ">", "<<", ">>", "«", "»", "‹", "›", "更多", "more", "更多>>", "更多>",
}
DOCUMENT_URL = re.compile(
    r"/t\d{8}_\d+\.s?html?$|/art_\d+_\d+\.html$|/(?:m?post|content)_\d+\.s?html?$|"
    r"\.(?:pdf|docx?|xlsx?|wps|ofd|zip|rar)$",
    re.I,
)


@dataclass
class ListItem:
    url: str
    title: str
    listed_date: str | None  # ISO date shown in the row, None if the row shows none
    date_text: str  # the date as written
    position: int  # 1-based position on this page


def is_pager_anchor(text: str) -> bool:
    text = clean(text)
    return text in PAGER_WORDS or text.isdigit() or text.startswith(("下一页", "尾页", "上一页", "首页"))


def _row(a):
    el = a.getparent()
    for _ in range(4):
        if el is None:
            break
        if el.tag in ROW_TAGS:
            return el
        el = el.getparent()
    return _repeated_block(a)


row_of = _row  # the list row around a link (crawler.extract.messages reads a message's labelled times there)


# a list date without its year (「03-12」「[3/5]」「3月5日」), in a row whose title is elsewhere
MONTH_DAY = re.compile(r"(?<![\d/.:-])(?:0?[1-9]|1[0-2])(?:-|/|月)(?:0?[1-9]|[12]\d|3[01])日?(?![\d/.:-]|\s*页)")
_LISTISH = re.compile(r"list|lst|items|rows|news|result", re.I)


def _repeated_block(a):
    """A row written as a ``div``/``section``/``span`` … block: the nearest ancestor (within three
    levels) whose parent holds at least two siblings of the same tag and class."""
    el = a.getparent()
    for _ in range(3):
        parent = el.getparent() if el is not None else None
        if parent is None:
            return None
        if isinstance(el.tag, str) and el.tag not in ("body", "html", "form", "table", "ul", "ol"):
            same = sum(1 for s in parent if s.tag == el.tag and s.get("class") == el.get("class"))
            if same >= 2 or (same == 1 and el.get("class") and _LISTISH.search(f"{parent.get('id') or ''} {parent.get('class') or ''}")):
                return el  # (a last page may hold a single row: then its container must say it is a list)
        el = parent
    return None


def extract_list_items(root, page_url: str, encoding: str = "utf-8") -> list[ListItem]:
    base = base_url(root, page_url)
    cache: dict = {}
    groups: dict = {}
    order: list = []
    seen_rows: set = set()
    for a in root.iter("a"):
        href = a.get("href")
        if not href:
            continue
        text = clean(a.text_content())
        title = clean(a.get("title") or "") or text
        if not title or is_pager_anchor(text):
            continue
        # Hidden rows still count: tabbed lists keep their other tabs in display:none panels.
        zone, _hidden = zone_and_hidden(a, cache)
        if zone != "body":
            continue
        row = _row(a)
        if row is None or row in seen_rows:
            continue
        try:
            url = absolute(base, href, encoding)
        except MalformedURL:
            continue  # recorded once, as a malformed link of the page
        if url is None:
            continue
        seen_rows.add(row)
        row_text = clean(" ".join(row.itertext()))  # cells apart: 「…/2026-54791」「2026-10-22」 must not run together
        outside = row_text.replace(text, " ", 1) if text else row_text
        when = parse_datetime(outside)
        date_text = ""
        if when is not None:
            m = re.search(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?::\d{2})?)?", outside)
            date_text = m[0] if m else ""
        elif m := MONTH_DAY.search(outside):
            date_text = m[0]  # 「03-12」: a date without its year (listed_date stays empty; the checks read it)
        key = row.getparent()
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((url, title, when, date_text))
    items: list[ListItem] = []
    for key in order:
        rows = groups[key]
        dated = sum(1 for r in rows if r[2] is not None or r[3])
        documentish = sum(1 for r in rows if DOCUMENT_URL.search(r[0]))
        if dated * 2 < len(rows) and documentish * 2 < len(rows):
            continue
        for url, title, when, date_text in rows:
            items.append(ListItem(url, title, iso(when.date()) if when else None, date_text, len(items) + 1))
    return items
