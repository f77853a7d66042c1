"""Working days and periods (期间) on the Chinese calendar: the one place the project counts them.

Where a day's verdict comes from, for its year:

1. the data an administrator entered for it (``CalendarYear``), when there is some;
2. otherwise the pinned ``chinesecalendar`` package, when it covers the year;
3. otherwise nothing: Monday to Friday count as working days, and the answer is *provisional*.

Entered data comes first so that what was traced when it was entered stays what counts, even
after a package upgrade starts covering the same year (the administration page shows where
the two disagree). The service refuses to enter a year the package covers unless that year
already has entered data.

Counting (the policy's rule, as in civil procedure): the day a period starts on is not counted
(期间开始的日不计算在期间内). A period of N working days ends at the end of the Nth working day
after the start. A period of N calendar days ends at the end of the Nth day after the start;
when that day is not a working day (a weekend, or a holiday by the calendar: 法定休假日), the
period ends on the next working day. An adjusted working day (调休上班, a Saturday or Sunday
worked) is a working day for both.

A result is provisional when any day it consulted lies in a year that no source covers. The
functions take an optional ``calendar`` snapshot: code that computes many periods at once loads
one (``WorkdayCalendar.load()``) and passes it, instead of one query per call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal, NamedTuple

from django.utils.translation import gettext as _

from accord.core.api import ServiceError
from accord.workdays import package
from accord.workdays.selectors import entered_verdicts

# Ten years of days: far beyond any time limit the policy or a court sets, and a bound that
# keeps a typo (a period of a million days) from looping for minutes.
MAX_PERIOD_DAYS = 3660

Source = Literal["entered", "package"]

_ONE_DAY = dt.timedelta(days=1)


class WorkingDay(NamedTuple):
    working: bool
    provisional: bool


class Due(NamedTuple):
    """When a period ends: at the end of ``date``. ``provisional`` when it was counted on a year
    without holiday data (weekends only) and may move once the data is entered."""

    date: dt.date
    provisional: bool


class WorkdayCalendar:
    """Both sources at one moment: the entered data is read once, when loaded."""

    def __init__(self, entered: Mapping[int, Mapping[dt.date, bool]] | None = None) -> None:
        self._entered = {year: dict(days) for year, days in (entered or {}).items()}

    @classmethod
    def load(cls) -> WorkdayCalendar:
        return cls(entered_verdicts())

    def source(self, year: int) -> Source | None:
        if year in self._entered:
            return "entered"
        if package.covers(year):
            return "package"
        return None

    def is_working_day(self, day: dt.date) -> WorkingDay:
        _check_date(day)
        entered = self._entered.get(day.year)
        if entered is not None:
            return WorkingDay(entered.get(day, day.weekday() < 5), provisional=False)
        if package.covers(day.year):
            return WorkingDay(package.is_working_day(day), provisional=False)
        return WorkingDay(day.weekday() < 5, provisional=True)

    def add_working_days(self, start: dt.date, n: int) -> Due:
        """The end of the ``n``-th working day after ``start`` (``start`` itself not counted)."""
        _check_date(start)
        _check_count(n)
        day, counted, provisional = start, 0, False
        try:
            while counted < n:
                day += _ONE_DAY
                verdict = self.is_working_day(day)
                provisional = provisional or verdict.provisional
                counted += verdict.working
        except OverflowError as exc:
            raise _out_of_range() from exc
        return Due(day, provisional)

    def add_calendar_days(self, start: dt.date, n: int) -> Due:
        """The end of the ``n``-th day after ``start``, moved to the next working day when that
        day is not one. Only the last day and the days it moves over are consulted."""
        _check_date(start)
        _check_count(n)
        try:
            day = start + dt.timedelta(days=n)
            verdict = self.is_working_day(day)
            provisional = verdict.provisional
            while not verdict.working:
                day += _ONE_DAY
                verdict = self.is_working_day(day)
                provisional = provisional or verdict.provisional
        except OverflowError as exc:
            raise _out_of_range() from exc
        return Due(day, provisional)

    def uncovered_years(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """The years from ``start`` to ``end`` (inclusive) that no source covers."""
        return tuple(y for y in range(start.year, end.year + 1) if self.source(y) is None)


def is_working_day(day: dt.date, *, calendar: WorkdayCalendar | None = None) -> WorkingDay:
    """``(working, provisional)`` for ``day``."""
    return (calendar or WorkdayCalendar.load()).is_working_day(day)


def add_working_days(start: dt.date, n: int, *, calendar: WorkdayCalendar | None = None) -> Due:
    """Due date of a period of ``n`` working days starting on ``start``."""
    return (calendar or WorkdayCalendar.load()).add_working_days(start, n)


def add_calendar_days(start: dt.date, n: int, *, calendar: WorkdayCalendar | None = None) -> Due:
    """Due date of a period of ``n`` calendar days starting on ``start``."""
    return (calendar or WorkdayCalendar.load()).add_calendar_days(start, n)


def _check_date(day: dt.date) -> None:
    # A datetime is a date too, but which day it is depends on a time zone: the caller decides.
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"expected a date, got {type(day).__name__}")


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_PERIOD_DAYS:
        message = _("A period is a whole number of days from 1 to %(max)d.") % {
            "max": MAX_PERIOD_DAYS
        }
        raise ServiceError(message, code="period_invalid", fields={"n": [message]})


def _out_of_range() -> ServiceError:
    return ServiceError(_("The period ends beyond the last date there is."), code="date_invalid")
