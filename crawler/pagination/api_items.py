"""List items from the JSON that search and list APIs answer (Fujian /fjdzapp/search, Guangdong
gkmlpt /gkmlpt/api/all): the records are links with a title and a date, as a reader sees them
in the rendered list."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from crawler.dates import iso, parse_datetime
from crawler.extract.links import absolute
from crawler.extract.listing import ListItem
from crawler.urls import MalformedURL

BEIJING = timezone(timedelta(hours=8))


def load(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def date_of(value) -> tuple[str | None, str]:
    """(ISO date, as written) from an ISO/年月日 string or an epoch in seconds or milliseconds."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit() and len(value) >= 9):
        seconds = float(value) / (1000 if float(value) > 1e11 else 1)
        try:
            return datetime.fromtimestamp(seconds, BEIJING).date().isoformat(), str(value)
        except (OverflowError, OSError, ValueError):
            return None, str(value)
    when = parse_datetime(value) if isinstance(value, str) else None
    return (iso(when.date()) if when else None), (value if isinstance(value, str) else "")


def items_of(records, base: str, first_position: int, url_keys, title_keys, date_keys) -> list[ListItem]:
    items: list[ListItem] = []
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        href = next((record[k] for k in url_keys if isinstance(record.get(k), str) and record[k].strip()), None)
        title = next((record[k] for k in title_keys if isinstance(record.get(k), str) and record[k].strip()), "")
        if not href:
            continue
        try:
            url = absolute(base, href)
        except MalformedURL:
            continue
        if url is None:
            continue
        listed, written = date_of(next((record[k] for k in date_keys if record.get(k) not in (None, "")), None))
        items.append(ListItem(url, title.strip(), listed, written or "", first_position + len(items)))
    return items
