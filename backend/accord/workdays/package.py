"""What the pinned ``chinesecalendar`` package knows: which years, and each day's verdict.

The package covers the years between its first and last listed holiday (2004–2026 in 1.11.0);
upgrading the pin widens the range by itself. Outside it the package raises; nothing here lets
that happen.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

FIRST_YEAR: int = min(chinese_calendar.holidays).year
LAST_YEAR: int = max(chinese_calendar.holidays).year
VERSION: str = chinese_calendar.__version__


def covers(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def is_working_day(day: dt.date) -> bool:
    """The package's verdict; only for a day of a year it ``covers``."""
    if not covers(day.year):
        raise ValueError(f"chinesecalendar {VERSION} has no data for {day.year}")
    # chinese_calendar.is_workday's own rule, read from its tables directly: the function
    # re-derives the covered range on every call, which dominates long periods. The tests
    # compare the two for every day of the years a deadline can still fall in.
    if day in chinese_calendar.workdays:
        return True
    return day.weekday() < 5 and day not in chinese_calendar.holidays


def holiday_name(day: dt.date) -> str:
    """The Chinese name of the holiday (or of the holiday a working day makes up for)."""
    if not covers(day.year):
        return ""
    english = chinese_calendar.holidays.get(day) or chinese_calendar.workdays.get(day)
    if english is None:
        return ""
    return next((h.chinese for h in chinese_calendar.Holiday if h.value == english), "")
