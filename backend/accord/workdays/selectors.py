"""Reads of the entered holiday data."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from accord.workdays import package
from accord.workdays.models import CalendarDay, CalendarYear, DayKind


def entered_verdicts() -> dict[int, dict[dt.date, bool]]:
    """Every entered year with its listed days: ``{year: {date: is a working day}}``.

    A few dozen rows a year; read whole, in one query (and one for years without days, which
    the service does not make but the table allows)."""
    verdicts: dict[int, dict[dt.date, bool]] = {
        year: {} for year in CalendarYear.objects.values_list("year", flat=True)
    }
    rows = CalendarDay.objects.values_list("calendar_year__year", "date", "kind")
    for year, date, kind in rows:
        verdicts.setdefault(year, {})[date] = kind == DayKind.WORKING_DAY
    return verdicts


def entered_years() -> QuerySet[CalendarYear]:
    """For the administration page: each year with who entered it and its counts."""
    return (
        CalendarYear.objects.select_related("entered_by")
        .annotate(
            holiday_count=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
            working_day_count=Count("days", filter=Q(days__kind=DayKind.WORKING_DAY)),
        )
        .order_by("year")
    )


def entered_year(year: int) -> CalendarYear | None:
    return CalendarYear.objects.select_related("entered_by").filter(year=year).first()


def entered_days(calendar_year: CalendarYear) -> QuerySet[CalendarDay]:
    return calendar_year.days.order_by("date")


def package_disagreements(calendar_year: CalendarYear) -> list[dt.date]:
    """The days of an entered year that the package, once an upgrade covers the year too,
    judges otherwise. Entered data keeps counting (``periods``); the page shows these so that
    an administrator can correct the entry."""
    year = calendar_year.year
    if not package.covers(year):
        return []
    listed = {d.date: d.kind == DayKind.WORKING_DAY for d in entered_days(calendar_year)}
    found = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        if listed.get(day, day.weekday() < 5) != package.is_working_day(day):
            found.append(day)
        day += dt.timedelta(days=1)
    return found
