"""Working days by the official calendar, on real holiday edge cases."""

from datetime import date

import pytest

from checks.workdays import CalendarError, UnknownYear, WorkCalendar

CAL = WorkCalendar()


@pytest.mark.parametrize("day, working", [
    (date(2025, 9, 28), True),   # Sunday, make-up working day before National Day 2025
    (date(2025, 10, 1), False),  # National Day
    (date(2025, 10, 8), False),  # National Day + Mid-Autumn, 8 days off
    (date(2025, 10, 11), True),  # Saturday, make-up working day
    (date(2026, 2, 14), True),   # Saturday before Spring Festival 2026, make-up working day
    (date(2026, 2, 16), False),  # 除夕 eve holiday
    (date(2026, 2, 23), False),  # last day of the 2026 Spring Festival holiday
    (date(2026, 2, 28), True),   # Saturday, make-up working day
    (date(2026, 3, 2), True),    # an ordinary Monday
    (date(2026, 3, 7), False),   # an ordinary Saturday
])
def test_is_workday(day, working):
    assert CAL.is_workday(day) is working


def test_spring_festival_2026_twenty_working_days():
    # 2-10 → 3-12 is 30 calendar days but only 18 working days (7 weekdays off, 2 make-up Saturdays)
    assert CAL.working_days_between(date(2026, 2, 10), date(2026, 3, 12)) == 18
    assert CAL.add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 16)


def test_national_day_2025_span():
    # 9-26 (Fri) → 10-13 (Mon): 9-28, 9-29, 9-30, 10-9, 10-10, 10-11, 10-13 = 7 working days
    assert CAL.working_days_between(date(2025, 9, 26), date(2025, 10, 13)) == 7


def test_unknown_year_is_an_error_not_a_weekday_guess():
    with pytest.raises(UnknownYear) as err:
        CAL.working_days_between(date(2026, 12, 20), date(2040, 1, 10))
    assert err.value.year == 2027  # the first day past the calendar's last year


def test_user_calendar_file_extends_and_bad_file_is_clear(tmp_path):
    (tmp_path / "2031.yaml").write_text("year: 2031\nholidays: [2031-01-01]\nworkdays: [2031-01-04]\n", encoding="utf-8")
    cal = WorkCalendar((tmp_path,))
    assert cal.is_workday(date(2031, 1, 4)) and not cal.is_workday(date(2031, 1, 1))
    (tmp_path / "2032.yaml").write_text("year: 2032\nholidays: [2031-05-01]\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="dates outside 2032"):
        WorkCalendar((tmp_path,))
