"""Dates as portals write them: 2026-03-11, 2026年3月11日, 2026/03/11, 2026.03.11, with or
without a time, plus the TRS ``tYYYYMMDD`` URL segment (a fallback only: on real TRS sites the
URL date is the document's creation in the CMS, not the displayed 发布日期)."""

from __future__ import annotations

import re
from datetime import date, datetime

DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?"
)
URL_DATE_RE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+\.s?html?", re.I)
PUBDATE_META_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def _build(m: re.Match) -> datetime | None:
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["H"] is None:
            return datetime(day.year, day.month, day.day)
        return datetime(day.year, day.month, day.day, int(m["H"]), int(m["M"]), int(m["S"] or 0))
    except ValueError:  # 2026-02-30, 25:61 …
        return None


def parse_datetime(text: str | None) -> datetime | None:
    """The first valid date (with its time, if written) in ``text``; None if there is none."""
    if not text:
        return None
    for m in DATE_RE.finditer(text):
        value = _build(m)
        if value is not None:
            return value
    return None


def parse_date(text: str | None) -> date | None:
    value = parse_datetime(text)
    return value.date() if value else None


def url_date(url: str) -> date | None:
    """The ``tYYYYMMDD`` segment of a TRS detail URL (fallback evidence only)."""
    m = URL_DATE_RE.search(url)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or value.second) else value.strftime("%Y-%m-%d")
    return value.isoformat()
