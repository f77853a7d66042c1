"""What the working-day calendar tells the apps above it when it changes.

Deadlines are computed on this calendar; an app that stores them (the deadlines app, still to
come) must recompute the open ones when a year's holiday data is entered or replaced: a
provisional deadline (counted on weekends only) becomes exact, an exact one may move. It
registers a listener in its ``AppConfig.ready()``::

    from accord.workdays.hooks import on_calendar_changed
    on_calendar_changed(recompute_open_deadlines)

``services.calendar_year_enter`` calls every listener after its transaction commits, never
inside it: a listener sees the new data, and a failing listener cannot undo the entry. A
listener should queue durable work (a Celery task) rather than do it inline; one that raises
is logged and the others still run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from accord.audit.actors import Actor

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CalendarChange:
    """A year's data was entered or replaced (and committed)."""

    year: int
    # The days whose verdict (working or not) differs from before. Empty when only the
    # provisional flag goes away (a year entered for the first time whose holidays all fall
    # on weekends) or only names changed; the year's deadlines may still need recomputing.
    changed_dates: tuple[dt.date, ...]
    # True when the year had no entered data before: every deadline counted on a day of it
    # was provisional and is not any more.
    first_entry: bool
    actor: Actor


CalendarListener = Callable[[CalendarChange], None]

_listeners: list[CalendarListener] = []


def on_calendar_changed(listener: CalendarListener) -> CalendarListener:
    """Register ``listener`` (idempotent; usable as a decorator)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def remove_calendar_listener(listener: CalendarListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def calendar_listeners() -> tuple[CalendarListener, ...]:
    return tuple(_listeners)


def notify_calendar_changed(change: CalendarChange) -> None:
    """Call every listener with ``change``. Call after the commit (``transaction.on_commit``)."""
    for listener in tuple(_listeners):
        try:
            listener(change)
        except Exception:
            # The entry is committed and traced; a broken listener must not hide it from the
            # others. The log names the listener so that its work can be redone.
            logger.exception("calendar listener %r failed for year %d", listener, change.year)
