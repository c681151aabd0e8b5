"""Working days by the official holiday calendar (法定节假日 and 调休 make-up working weekends).

The calendar is data: one YAML file per year under ``checks/holidays/`` (as the State Council
publishes it each December), plus any directory the user names with ``--calendar-dir`` whose
files override or extend it. A date in a year with no file raises :class:`UnknownYear`, so a
check can say so instead of silently counting weekdays.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml

BUNDLED = Path(__file__).parent / "holidays"


class UnknownYear(Exception):
    def __init__(self, year: int):
        super().__init__(f"no holiday calendar for {year}")
        self.year = year


class CalendarError(ValueError):
    pass


class WorkCalendar:
    def __init__(self, extra_dirs: tuple[str | Path, ...] = ()):
        self.holidays: set[date] = set()
        self.workdays: set[date] = set()
        self.years: set[int] = set()
        self._counted: dict[tuple[date, date], int] = {}
        for directory in (BUNDLED, *map(Path, extra_dirs)):
            for path in sorted(Path(directory).glob("*.yaml")):
                self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            year = int(data["year"])
            holidays = {date.fromisoformat(str(d)) for d in data.get("holidays") or []}
            workdays = {date.fromisoformat(str(d)) for d in data.get("workdays") or []}
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
            raise CalendarError(f"{path}: not a holiday calendar file ({exc})") from None
        if any(d.year != year for d in holidays | workdays):
            raise CalendarError(f"{path}: dates outside {year}")
        # a later file for the same year replaces the earlier one
        self.holidays = {d for d in self.holidays if d.year != year} | holidays
        self.workdays = {d for d in self.workdays if d.year != year} | workdays
        self.years.add(year)

    def is_workday(self, day: date) -> bool:
        if day.year not in self.years:
            raise UnknownYear(day.year)
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
        key = (start, end)
        if key not in self._counted:  # documents of one site share a few hundred dates
            if len(self._counted) >= 65536:
                self._counted.clear()
            self._counted[key] = self._count(start, end)
        return self._counted[key]

    def _count(self, start: date, end: date) -> int:
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def add_working_days(self, start: date, n: int) -> date:
        day = start
        while n > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day
