"""Entering a year's holiday data: validated, traced on ``system:workdays``, replaceable; a
refusal writes nothing and tells no listener."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.core.api import ServiceError
from accord.workdays.models import CalendarDay, CalendarYear
from accord.workdays.services import DayEntry, calendar_year_enter
from tests.workdays.conftest import calendar_events, counts, days_2027

D = dt.date


def test_entering_2027_stores_its_days_and_traces_them(root, root_actor, changes):
    calendar_year = calendar_year_enter(
        year=2027, days=days_2027(), actor=root_actor, note="国办发明电〔2026〕7号"
    )

    assert calendar_year.year == 2027
    assert calendar_year.entered_by == root
    assert calendar_year.note == "国办发明电〔2026〕7号"
    assert CalendarDay.objects.filter(calendar_year=calendar_year).count() == len(days_2027())
    spring = CalendarDay.objects.get(date=D(2027, 2, 20))
    assert (spring.kind, spring.name) == ("working_day", "春节")

    [event] = calendar_events()
    assert event.action == "calendar.year_entered"
    assert event.actor == {"kind": "user", "user_id": root.pk, "role": "sysadmin"}
    assert event.payload["year"] == 2027
    assert event.payload["days"][0] == {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert len(event.payload["days"]) == len(days_2027())
    assert "2027-01-01" in event.payload["changed_dates"]
    # The note is free text: it stays in the erasable table, out of the chain. So do names.
    assert "国办发明电" not in str(event.payload)
    assert "root" not in str(event.payload)


def test_entering_a_year_again_replaces_its_days(
    root_actor, changes, django_capture_on_commit_callbacks
):
    calendar_year_enter(year=2027, days=days_2027(), actor=root_actor)
    moved = [d for d in days_2027() if d.date != D(2027, 2, 20)]
    moved.append(DayEntry(date=D(2027, 2, 21), kind="working_day", name="春节"))

    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(year=2027, days=moved, actor=root_actor)

    assert CalendarYear.objects.count() == 1
    assert not CalendarDay.objects.filter(date=D(2027, 2, 20)).exists()
    assert CalendarDay.objects.get(date=D(2027, 2, 21)).kind == "working_day"
    events = calendar_events()
    assert [e.action for e in events] == ["calendar.year_entered", "calendar.year_replaced"]
    assert events[1].payload["changed_dates"] == ["2027-02-20", "2027-02-21"]
    [change] = changes  # the first entry's callback was not executed (not captured)
    assert change.first_entry is False
    assert change.changed_dates == (D(2027, 2, 20), D(2027, 2, 21))


def test_the_same_data_again_changes_nothing(
    root_actor, changes, django_capture_on_commit_callbacks
):
    calendar_year_enter(year=2027, days=days_2027(), actor=root_actor, note="n")
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(year=2027, days=list(reversed(days_2027())), actor=root_actor, note="n")
    assert counts() == before
    assert changes == []


def test_renaming_a_holiday_is_traced_but_moves_no_deadline(
    root_actor, changes, django_capture_on_commit_callbacks
):
    calendar_year_enter(year=2027, days=days_2027(), actor=root_actor)
    renamed = [
        DayEntry(date=d.date, kind=d.kind, name="新年" if d.name == "元旦" else d.name)
        for d in days_2027()
    ]
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(year=2027, days=renamed, actor=root_actor)
    assert calendar_events()[-1].action == "calendar.year_replaced"
    assert calendar_events()[-1].payload["changed_dates"] == []
    assert changes == []


# --- Refusals -----------------------------------------------------------------------


def _refused(year, days, root_actor, changes, capture, **kwargs):
    before = counts()
    with capture(execute=True), pytest.raises(ServiceError) as refused:
        calendar_year_enter(year=year, days=days, actor=root_actor, **kwargs)
    assert counts() == before
    assert changes == []
    return refused.value


@pytest.mark.parametrize("year", [2025, 2026, 2004])
def test_a_year_the_package_covers_is_refused(
    year, root_actor, changes, django_capture_on_commit_callbacks
):
    days = [DayEntry(date=D(year, 1, 1), kind="holiday", name="元旦")]
    error = _refused(year, days, root_actor, changes, django_capture_on_commit_callbacks)
    assert error.code == "year_covered"
    assert "year" in error.fields


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_out_of_range_is_refused(
    year, root_actor, changes, django_capture_on_commit_callbacks
):
    days = [DayEntry(date=D(year, 1, 1), kind="holiday")]
    error = _refused(year, days, root_actor, changes, django_capture_on_commit_callbacks)
    assert error.code == "year_out_of_range"


@pytest.mark.parametrize(
    ("days", "code"),
    [
        ([], "days_required"),
        ([DayEntry(date=D(2028, 1, 1), kind="holiday")], "date_outside_year"),
        (
            [
                DayEntry(date=D(2027, 1, 1), kind="holiday"),
                DayEntry(date=D(2027, 1, 1), kind="holiday"),
            ],
            "date_duplicate",
        ),
        (
            [
                DayEntry(date=D(2027, 1, 1), kind="holiday"),
                DayEntry(date=D(2027, 1, 1), kind="working_day"),
            ],
            "date_duplicate",
        ),
        ([DayEntry(date=D(2027, 1, 4), kind="working_day")], "working_day_not_weekend"),
        ([DayEntry(date=D(2027, 1, 1), kind="off")], "kind_invalid"),
        ([DayEntry(date=D(2027, 1, 1), kind="holiday", name="节" * 51)], "name_too_long"),
    ],
)
def test_bad_days_are_refused(days, code, root_actor, changes, django_capture_on_commit_callbacks):
    error = _refused(2027, days, root_actor, changes, django_capture_on_commit_callbacks)
    assert error.code == code
    assert list(error.fields) == ["days"]


def test_every_bad_day_is_named_at_once(root_actor, changes, django_capture_on_commit_callbacks):
    days = [
        DayEntry(date=D(2026, 12, 31), kind="holiday"),
        DayEntry(date=D(2027, 1, 4), kind="working_day"),
        *days_2027(),
    ]
    error = _refused(2027, days, root_actor, changes, django_capture_on_commit_callbacks)
    assert len(error.fields["days"]) == 2
    assert "2026-12-31" in error.fields["days"][0]
    assert "2027-01-04" in error.fields["days"][1]


def test_a_refused_replacement_keeps_the_days_entered_before(
    root_actor, changes, django_capture_on_commit_callbacks
):
    calendar_year_enter(year=2027, days=days_2027(), actor=root_actor)
    bad = [*days_2027(), DayEntry(date=D(2027, 3, 1), kind="working_day")]
    error = _refused(2027, bad, root_actor, changes, django_capture_on_commit_callbacks)
    assert error.code == "working_day_not_weekend"
    assert CalendarDay.objects.count() == len(days_2027())


def test_a_long_note_is_refused(root_actor, changes, django_capture_on_commit_callbacks):
    error = _refused(
        2027, days_2027(), root_actor, changes, django_capture_on_commit_callbacks, note="x" * 501
    )
    assert error.code == "note_too_long"
    assert list(error.fields) == ["note"]
