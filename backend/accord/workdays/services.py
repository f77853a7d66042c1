"""Entering a year's holiday data (the one write of the calendar).

``calendar_year_enter`` runs in one transaction and appends one event to the system-wide
chain ``system:workdays`` (``calendar.year_entered`` the first time, ``calendar.year_replaced``
after), with the year's days in the payload: dates and holiday names only, never the note
(free text, which the chain could never erase). After the commit it tells the listeners of
``accord.workdays.hooks``. Callers have authorized the actor (system administrators only:
``views.sysadmin_view``).

Refusals (``ServiceError``; nothing is written, no listener is called):

==========================  =====================================================================
code                        meaning
==========================  =====================================================================
``year_out_of_range``       the year is not between ``MIN_YEAR`` and ``MAX_YEAR``
``year_covered``            ``chinesecalendar`` covers the year and nothing was entered for it:
                            its data comes from the State Council's notices through the package;
                            a correction is a package upgrade, not a second source typed by hand
``days_required``           no day was given (every year has statutory holidays: an empty year
                            would make its weekends-only days look exact)
``date_outside_year``       a date is not in the year
``date_duplicate``          a date is given twice
``working_day_not_weekend`` an adjusted working day (调休上班) on Monday–Friday: those are working
                            days already, so it is a typo for another date
``kind_invalid``            a day is neither a holiday nor an adjusted working day
``name_too_long``           a holiday name over 50 characters
``note_too_long``           a note over 500 characters
==========================  =====================================================================

A year with entered data may be entered again (replaced) even once an upgraded package covers
it: entered data comes first (``periods``), so it must stay correctable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.audit.actors import Actor
from accord.audit.models import TraceChain
from accord.audit.services import trace_append, trace_chain_named
from accord.core.api import ServiceError
from accord.workdays import package
from accord.workdays.hooks import CalendarChange, notify_calendar_changed
from accord.workdays.models import CalendarDay, CalendarYear, DayKind

CHAIN_KEY = "system:workdays"
MIN_YEAR = 2000
MAX_YEAR = 2100
NAME_MAX = 50
NOTE_MAX = 500


@dataclass(frozen=True, slots=True)
class DayEntry:
    date: dt.date
    kind: str  # DayKind
    name: str = ""


def calendar_chain() -> TraceChain:
    """The calendar's chain, locked. Call inside ``transaction.atomic()``."""
    return trace_chain_named(CHAIN_KEY)


def _refuse(message: str, *, code: str, field: str) -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]})


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        message = _("Enter a year from %(min)d to %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        raise _refuse(message, code="year_out_of_range", field="year")


def _day_problems(year: int, days: Sequence[DayEntry]) -> list[tuple[str, str]]:
    """Every problem of ``days`` as (code, message), so a form can show them all at once."""
    problems: list[tuple[str, str]] = []
    seen: set[dt.date] = set()
    for entry in days:
        when = entry.date.isoformat()
        if entry.date.year != year:
            message = _("%(date)s is not in %(year)d.") % {"date": when, "year": year}
            problems.append(("date_outside_year", message))
        if entry.date in seen:
            problems.append(("date_duplicate", _("%(date)s is given twice.") % {"date": when}))
        seen.add(entry.date)
        if entry.kind not in DayKind.values:
            message = _("%(date)s: choose holiday or adjusted working day.") % {"date": when}
            problems.append(("kind_invalid", message))
        elif entry.kind == DayKind.WORKING_DAY and entry.date.weekday() < 5:
            message = _(
                "%(date)s is a weekday, a working day anyway: an adjusted working day falls "
                "on a Saturday or Sunday."
            ) % {"date": when}
            problems.append(("working_day_not_weekend", message))
        if len(entry.name.strip()) > NAME_MAX:
            message = _("%(date)s: a name has at most %(max)d characters.") % {
                "date": when,
                "max": NAME_MAX,
            }
            problems.append(("name_too_long", message))
    return problems


def _is_working(day: dt.date, listed: dict[dt.date, str]) -> bool:
    kind = listed.get(day)
    if kind is None:
        return day.weekday() < 5
    return kind == DayKind.WORKING_DAY


def calendar_year_enter(
    *, year: int, days: Sequence[DayEntry], actor: Actor, note: str = ""
) -> CalendarYear:
    """Enter ``year``'s holidays and adjusted working days, replacing what was entered before.

    Any day not listed is a working day from Monday to Friday and a day off at the weekend.
    The same data again changes nothing and writes no event.
    """
    _check_year(year)
    note = note.strip()
    if len(note) > NOTE_MAX:
        message = _("A note has at most %(max)d characters.") % {"max": NOTE_MAX}
        raise _refuse(message, code="note_too_long", field="note")
    if not days:
        message = _("Enter the year's holidays and adjusted working days.")
        raise _refuse(message, code="days_required", field="days")
    problems = _day_problems(year, days)
    if problems:
        raise ServiceError(
            problems[0][1], code=problems[0][0], fields={"days": [m for _c, m in problems]}
        )
    wanted = sorted(
        (DayEntry(date=d.date, kind=d.kind, name=d.name.strip()) for d in days),
        key=lambda d: d.date,
    )
    with transaction.atomic():
        # Locked first: two administrators saving the same year queue up here.
        chain = calendar_chain()
        existing = CalendarYear.objects.select_for_update().filter(year=year).first()
        if existing is None and package.covers(year):
            message = _(
                "chinesecalendar %(version)s already has %(year)d (from the State Council's "
                "notice); it cannot be entered by hand."
            ) % {"version": package.VERSION, "year": year}
            raise _refuse(message, code="year_covered", field="year")
        before: list[DayEntry] = []
        if existing is not None:
            before = [
                DayEntry(date=d.date, kind=d.kind, name=d.name)
                for d in existing.days.order_by("date")
            ]
            if before == wanted and existing.note == note:
                return existing
        old_kinds = {d.date: d.kind for d in before}
        new_kinds = {d.date: d.kind for d in wanted}
        changed = tuple(
            day
            for day in sorted(old_kinds.keys() | new_kinds.keys())
            if _is_working(day, old_kinds) != _is_working(day, new_kinds)
        )
        now = timezone.now()
        if existing is None:
            calendar_year = CalendarYear.objects.create(
                year=year, entered_by_id=actor.user_id, entered_at=now, note=note
            )
        else:
            calendar_year = existing
            calendar_year.entered_by_id = actor.user_id
            calendar_year.entered_at = now
            calendar_year.note = note
            calendar_year.save(update_fields=["entered_by", "entered_at", "note"])
            calendar_year.days.all().delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(calendar_year=calendar_year, date=d.date, kind=d.kind, name=d.name)
            for d in wanted
        )
        trace_append(
            chain=chain,
            action="calendar.year_entered" if existing is None else "calendar.year_replaced",
            actor=actor,
            payload={
                "calendar_year_id": calendar_year.pk,
                "year": year,
                "days": [
                    {"date": d.date.isoformat(), "kind": d.kind, "name": d.name} for d in wanted
                ],
                "changed_dates": [day.isoformat() for day in changed],
                "package_version": package.VERSION,
            },
        )
        if existing is None or changed:
            change = CalendarChange(
                year=year, changed_dates=changed, first_entry=existing is None, actor=actor
            )
            transaction.on_commit(lambda: notify_calendar_changed(change))
    return calendar_year
