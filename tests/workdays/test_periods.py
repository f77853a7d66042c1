"""Counting periods on the years the package covers: the start day is not counted, N working
days end with the Nth working day after it, calendar days ending on a day off move on."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.core.api import ServiceError
from accord.workdays.periods import (
    MAX_PERIOD_DAYS,
    Due,
    WorkdayCalendar,
    add_calendar_days,
    add_working_days,
)

D = dt.date


@pytest.fixture
def calendar(db) -> WorkdayCalendar:
    return WorkdayCalendar.load()


# --- The start day ---------------------------------------------------------------


def test_the_start_day_is_not_counted(calendar):
    # Tuesday 1 December 2026: one working day ends on Wednesday, not on the day itself.
    assert calendar.add_working_days(D(2026, 12, 1), 1) == Due(D(2026, 12, 2), False)
    assert calendar.add_calendar_days(D(2026, 12, 1), 1) == Due(D(2026, 12, 2), False)


def test_a_period_starting_on_a_friday_ends_after_the_weekend(calendar):
    assert calendar.add_working_days(D(2026, 11, 27), 1) == Due(D(2026, 11, 30), False)
    assert calendar.add_working_days(D(2026, 11, 27), 5) == Due(D(2026, 12, 4), False)


def test_a_period_starting_on_a_holiday_counts_from_the_next_working_day(calendar):
    assert calendar.add_working_days(D(2026, 10, 1), 1) == Due(D(2026, 10, 8), False)


# --- National Day ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # the Sunday worked counts
        (D(2025, 9, 26), 3, D(2025, 9, 30)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # across the holiday week
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # the Saturday worked counts
        (D(2025, 9, 29), 5, D(2025, 10, 13)),
        # 2026: 1–7 October off; Sunday 20 September and Saturday 10 October worked.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 28), 10, D(2026, 10, 16)),
    ],
)
def test_working_days_across_national_day(calendar, start, n, due):
    assert calendar.add_working_days(start, n) == Due(due, False)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 9, 24), 7, D(2025, 10, 9)),  # ends on 1 October: moves past the holiday
        (D(2025, 10, 1), 10, D(2025, 10, 11)),  # ends on the Saturday worked: stays
        (D(2025, 10, 2), 10, D(2025, 10, 13)),  # ends on a Sunday: Monday
        (D(2026, 9, 25), 10, D(2026, 10, 8)),  # ends on 5 October 2026
        (D(2026, 9, 30), 10, D(2026, 10, 10)),  # the Saturday worked
    ],
)
def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day(calendar, start, n, due):
    assert calendar.add_calendar_days(start, n) == Due(due, False)


# --- Spring Festival ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # 2025: 28 January – 4 February off; Sunday 26 January and Saturday 8 February worked.
        (D(2025, 1, 24), 1, D(2025, 1, 26)),
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),
        (D(2025, 2, 5), 3, D(2025, 2, 8)),
        # 2026: 15–23 February off; Saturdays 14 and 28 February worked.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 24), 3, D(2026, 2, 27)),
        (D(2026, 2, 24), 4, D(2026, 2, 28)),
    ],
)
def test_working_days_across_spring_festival(calendar, start, n, due):
    assert calendar.add_working_days(start, n) == Due(due, False)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 1, 20), 10, D(2025, 2, 5)),
        (D(2026, 2, 10), 5, D(2026, 2, 24)),
        (D(2026, 2, 20), 8, D(2026, 2, 28)),  # the Saturday worked: stays
        (D(2026, 2, 21), 8, D(2026, 3, 2)),  # Sunday 1 March: Monday
    ],
)
def test_calendar_days_across_spring_festival(calendar, start, n, due):
    assert calendar.add_calendar_days(start, n) == Due(due, False)


def test_the_module_functions_count_the_same(db):
    assert add_working_days(D(2026, 9, 30), 3) == Due(D(2026, 10, 10), False)
    assert add_calendar_days(D(2026, 9, 25), 10) == Due(D(2026, 10, 8), False)


# --- Entered data comes first ----------------------------------------------------


def test_entered_data_comes_before_the_package_for_its_year():
    """Once a package upgrade covers a year that was entered by hand, the entry still counts
    (the page shows where they differ); the service keeps it correctable."""
    calendar = WorkdayCalendar({2026: {D(2026, 10, 1): True}})
    assert calendar.source(2026) == "entered"
    assert calendar.is_working_day(D(2026, 10, 1)) == (True, False)
    # Days the entry does not list follow the weekend rule, not the package.
    assert calendar.is_working_day(D(2026, 10, 2)) == (True, False)
    assert calendar.is_working_day(D(2026, 10, 10)) == (False, False)


# --- Bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -1, MAX_PERIOD_DAYS + 1, True])
def test_a_count_below_one_or_too_large_is_refused(calendar, n):
    for add in (calendar.add_working_days, calendar.add_calendar_days):
        with pytest.raises(ServiceError) as refused:
            add(D(2026, 12, 1), n)
        assert refused.value.code == "period_invalid"


def test_a_datetime_is_not_a_day(calendar):
    with pytest.raises(TypeError):
        calendar.add_working_days(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), 1)
    with pytest.raises(TypeError):
        calendar.is_working_day("2026-12-01")


def test_a_period_past_the_last_date_is_refused(calendar):
    with pytest.raises(ServiceError) as refused:
        calendar.add_calendar_days(D(9999, 12, 1), 100)
    assert refused.value.code == "date_invalid"
