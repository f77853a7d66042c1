"""For the years the package covers, the calendar says what chinesecalendar says, day by day."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from accord.workdays import package
from accord.workdays.periods import WorkdayCalendar, is_working_day


def every_day(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_of_the_year_agrees_with_the_package(db, year):
    calendar = WorkdayCalendar.load()
    disagreeing = [
        day
        for day in every_day(year)
        if calendar.is_working_day(day) != (chinese_calendar.is_workday(day), False)
    ]
    assert disagreeing == []
    # Not vacuous: the year has holidays on weekdays and weekends worked.
    verdicts = [calendar.is_working_day(day).working for day in every_day(year)]
    weekdays = [day.weekday() < 5 for day in every_day(year)]
    assert any(w and not v for v, w in zip(verdicts, weekdays, strict=True))
    assert any(v and not w for v, w in zip(verdicts, weekdays, strict=True))


def test_the_package_covers_2004_to_2026_and_not_2027():
    assert (package.FIRST_YEAR, package.LAST_YEAR) == (2004, 2026)
    assert package.covers(2026)
    assert not package.covers(2027)
    assert not package.covers(2003)


def test_the_module_function_reads_the_same(db):
    assert is_working_day(dt.date(2026, 10, 1)) == (False, False)
    assert is_working_day(dt.date(2026, 10, 10)) == (True, False)  # a Saturday worked


def test_the_direct_table_read_agrees_with_the_package_on_every_covered_year():
    """``package.is_working_day`` reads chinesecalendar's tables rather than calling it."""
    disagreeing = [
        day
        for year in range(package.FIRST_YEAR, package.LAST_YEAR + 1)
        for day in every_day(year)
        if package.is_working_day(day) != chinese_calendar.is_workday(day)
    ]
    assert disagreeing == []
