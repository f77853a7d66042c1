"""2027: the package does not know it. Periods that consult a day of it are counted on weekends
only and flagged provisional; once an administrator enters 2027 they are exact, and the
listeners (the future deadlines app) are told."""

from __future__ import annotations

import datetime as dt

from accord.workdays.hooks import CalendarChange, on_calendar_changed, remove_calendar_listener
from accord.workdays.periods import Due, WorkdayCalendar, add_calendar_days, add_working_days
from accord.workdays.services import calendar_year_enter
from tests.workdays.conftest import days_2027

D = dt.date


def test_a_day_of_2027_is_judged_on_weekends_only_and_provisional(db):
    calendar = WorkdayCalendar.load()
    assert calendar.source(2027) is None
    assert calendar.is_working_day(D(2027, 1, 1)) == (True, True)  # a Friday
    assert calendar.is_working_day(D(2027, 1, 2)) == (False, True)  # a Saturday


def test_a_period_that_reaches_into_2027_is_provisional(db):
    # Thursday 31 December 2026 (exact), Friday 1 January 2027 (weekends only), Monday 4.
    assert add_working_days(D(2026, 12, 30), 3) == Due(D(2027, 1, 4), True)
    assert add_calendar_days(D(2026, 12, 25), 7) == Due(D(2027, 1, 1), True)


def test_a_period_that_stays_in_2026_is_exact(db):
    assert add_working_days(D(2026, 12, 29), 2) == Due(D(2026, 12, 31), False)
    # Calendar days only consult the last day: the days counted over do not matter.
    assert add_calendar_days(D(2026, 12, 20), 10) == Due(D(2026, 12, 30), False)


def test_a_period_that_starts_in_2027_is_provisional_however_short(db):
    assert add_working_days(D(2027, 3, 1), 1) == Due(D(2027, 3, 2), True)


def test_once_2027_is_entered_the_same_periods_are_exact_and_listeners_are_told(
    root_actor, changes, django_capture_on_commit_callbacks
):
    before = (add_working_days(D(2026, 12, 30), 3), add_calendar_days(D(2026, 12, 25), 7))

    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(year=2027, days=days_2027(), actor=root_actor, note="测试")

    after = (add_working_days(D(2026, 12, 30), 3), add_calendar_days(D(2026, 12, 25), 7))
    assert before == (Due(D(2027, 1, 4), True), Due(D(2027, 1, 1), True))
    # 1 January is a holiday now: one day later, and exact.
    assert after == (Due(D(2027, 1, 5), False), Due(D(2027, 1, 4), False))
    # The Saturday worked for the Spring Festival counts; the holiday week does not.
    assert add_working_days(D(2027, 2, 5), 1) == Due(D(2027, 2, 15), False)
    assert add_working_days(D(2027, 2, 19), 1) == Due(D(2027, 2, 20), False)
    assert add_working_days(D(2027, 9, 30), 1) == Due(D(2027, 10, 8), False)
    assert add_working_days(D(2027, 9, 30), 2) == Due(D(2027, 10, 9), False)

    [change] = changes
    assert change.year == 2027
    assert change.first_entry is True
    assert change.actor == root_actor
    # Weekdays made holidays and the weekends worked; holidays on weekends change nothing.
    assert D(2027, 1, 1) in change.changed_dates
    assert D(2027, 2, 20) in change.changed_dates
    assert D(2027, 2, 6) not in change.changed_dates  # a Saturday already
    assert len(change.changed_dates) == 1 + 5 + 1 + 5 + 1


def test_listeners_are_told_only_after_the_commit(
    root_actor, changes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_year_enter(year=2027, days=days_2027(), actor=root_actor)
    assert changes == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [change.year for change in changes] == [2027]


def test_a_failing_listener_does_not_keep_the_others_from_being_told(
    root_actor, changes, django_capture_on_commit_callbacks, caplog
):
    def broken(change):
        raise RuntimeError("deadlines down")

    # Registered after ``changes``'s listener and before another one.
    on_calendar_changed(broken)
    later: list[CalendarChange] = []
    on_calendar_changed(later.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            calendar_year_enter(year=2027, days=days_2027(), actor=root_actor)
    finally:
        remove_calendar_listener(broken)
        remove_calendar_listener(later.append)
    assert len(changes) == 1
    assert len(later) == 1
    assert "calendar listener" in caplog.text
