"""Working days by the holiday calendar in ``checks/holidays/`` (data only; the counting is
re-implemented here so the ground truth does not borrow the rule engine's code)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

HOLIDAYS_DIR = Path(__file__).resolve().parents[2] / "checks" / "holidays"


@lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset, frozenset]:
    off, on = set(), set()
    for path in sorted(HOLIDAYS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        off |= {date.fromisoformat(str(d)) for d in data.get("holidays") or []}
        on |= {date.fromisoformat(str(d)) for d in data.get("workdays") or []}
    return frozenset(off), frozenset(on)


def is_workday(day: date) -> bool:
    off, on = _calendar()
    return day in on or (day.weekday() < 5 and day not in off)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]."""
    n, d = 0, start
    while d < end:
        d += timedelta(days=1)
        n += is_workday(d)
    return n


def back_working_days(end: date, k: int) -> date:
    """The latest working day ``start`` (or ``end`` when k == 0) with exactly k working days in (start, end]."""
    if k == 0:
        return end
    d, n = end, 0
    while True:
        n += is_workday(d)
        d -= timedelta(days=1)
        if n == k:
            break
    while not is_workday(d):
        d -= timedelta(days=1)
    assert working_days_between(d, end) == k, (d, end, k)
    return d


def add_working_days(start: date, k: int) -> date:
    d, n = start, 0
    while n < k:
        d += timedelta(days=1)
        n += is_workday(d)
    return d


def months_before(day: date, months: int) -> date:
    idx = day.year * 12 + day.month - 1 - months
    year, month = divmod(idx, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise ValueError(day)


def limit_start(as_of: date, limit: dict) -> date:
    """The oldest still-fresh date under {days: N} / {months: N} / {years: N} (rules.yaml limits)."""
    if "days" in limit:
        return as_of - timedelta(days=int(limit["days"]))
    if "months" in limit:
        return months_before(as_of, int(limit["months"]))
    return months_before(as_of, 12 * int(limit.get("years", 1)))
