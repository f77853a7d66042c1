"""The deadlines follow the case and the calendar (registered in ``DeadlinesConfig.ready()``).

- ``cases.hooks.on_case_transition``, in the move's transaction: acceptance opens the
  institution's answer deadline and the mediation period (a court-entrusted case's once its
  materials are signed for); an outcome stops the mediation period (met on agreement, failure
  or termination; cancelled when the case was withdrawn, declined or not mediated); closing
  stops every running deadline.
- ``cases.hooks.on_case_event``, in the event's transaction: ``case.complexity_changed``
  recounts the mediation period, ``case.materials_signed`` opens the court's period,
  ``case.answered`` meets the answer deadline, ``case.transfer_accepted`` cancels the
  answer deadline and the mediation period (the receiving organization accepts the case anew
  and opens its own).
- ``workdays.hooks.on_calendar_changed``, after the calendar's commit: queues
  ``tasks.recompute_open_deadlines``, which recounts every running deadline
  (:func:`recompute_open_deadlines`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from accord.audit.actors import Actor
from accord.cases.hooks import CaseEvent, CaseTransition
from accord.cases.models import Case, CaseState, IntakeChannel
from accord.cases.services.transitions import lock_case
from accord.cases.states import OPEN_STATES
from accord.deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from accord.deadlines.rules import (
    accepted_on,
    answer_period,
    court_period,
    mediation_length,
    mediation_period,
)
from accord.deadlines.services import (
    CloseOutcome,
    deadline_close,
    deadline_open,
    deadline_recompute,
    open_deadlines,
)
from accord.workdays.hooks import CalendarChange
from accord.workdays.periods import WorkdayCalendar

logger = logging.getLogger(__name__)

S = CaseState
MEDIATION_KINDS = (DeadlineKind.MEDIATION, DeadlineKind.COURT_MEDIATION)
# What an outcome does to the case's own deadlines: met when mediation came to an end,
# cancelled when it never will.
_OUTCOMES: dict[CaseState, CloseOutcome] = {
    S.AGREEMENT: "met",
    S.FAILED: "met",
    S.TERMINATED: "met",
    S.WITHDRAWN: "cancelled",
    S.DECLINED: "cancelled",
    S.NOT_MEDIATED: "cancelled",
}
# The component recorded as the actor of recomputations after a calendar change.
CALENDAR_ACTOR = "deadlines:calendar"


def _open_court_period(locked: Case, actor: Actor) -> Deadline | None:
    period = court_period(locked)
    if period is None or open_deadlines(locked, DeadlineKind.COURT_MEDIATION):
        return None
    return deadline_open(
        locked=locked, kind=DeadlineKind.COURT_MEDIATION, period=period, actor=actor
    )


def deadlines_follow_transition(transition: CaseTransition) -> None:
    locked, actor, state = transition.case, transition.actor, transition.state
    cause = f"case_{state.value}"
    if state == S.ACCEPTED:
        calendar = WorkdayCalendar.load()
        starts_on = accepted_on(locked)
        if not open_deadlines(locked, DeadlineKind.ANSWER):
            deadline_open(
                locked=locked,
                kind=DeadlineKind.ANSWER,
                period=answer_period(locked, starts_on=starts_on),
                actor=actor,
                calendar=calendar,
            )
        if locked.channel == IntakeChannel.COURT:
            _open_court_period(locked, actor)
        elif not open_deadlines(locked, DeadlineKind.MEDIATION):
            deadline_open(
                locked=locked,
                kind=DeadlineKind.MEDIATION,
                period=mediation_period(locked, starts_on=starts_on),
                actor=actor,
                calendar=calendar,
            )
        return
    if state in _OUTCOMES:
        outcome = _OUTCOMES[state]
        for deadline in open_deadlines(locked, *MEDIATION_KINDS):
            deadline_close(
                locked=locked, deadline=deadline, actor=actor, outcome=outcome, cause=cause
            )
        # Mediation is over either way: nobody waits for the institution's answer any more.
        for deadline in open_deadlines(locked, DeadlineKind.ANSWER):
            deadline_close(
                locked=locked, deadline=deadline, actor=actor, outcome="cancelled", cause=cause
            )
        return
    if state == S.CLOSED:
        for deadline in open_deadlines(locked):
            deadline_close(
                locked=locked, deadline=deadline, actor=actor, outcome="cancelled", cause=cause
            )


def deadlines_follow_event(event: CaseEvent) -> None:
    locked, actor = event.case, event.actor
    if event.action == "case.complexity_changed":
        if locked.channel == IntakeChannel.COURT:
            return  # the court's period does not depend on complexity
        count, days = mediation_length(locked)
        for deadline in open_deadlines(locked, DeadlineKind.MEDIATION):
            deadline_recompute(
                locked=locked,
                deadline=deadline,
                actor=actor,
                cause="complexity_changed",
                count=count,
                length_days=days,
                extra={"complexity": locked.complexity},
            )
    elif event.action == "case.materials_signed":
        if locked.state in OPEN_STATES:
            _open_court_period(locked, actor)
    elif event.action == "case.transfer_accepted":
        # Another organization takes the case over and accepts it itself: the periods this one
        # counted stop (the court's period runs on, whoever mediates).
        for deadline in open_deadlines(locked, DeadlineKind.ANSWER, DeadlineKind.MEDIATION):
            deadline_close(
                locked=locked,
                deadline=deadline,
                actor=actor,
                outcome="cancelled",
                cause="case_transferred",
            )
    elif event.action == "case.answered":
        for deadline in open_deadlines(locked, DeadlineKind.ANSWER):
            deadline_close(
                locked=locked,
                deadline=deadline,
                actor=actor,
                outcome="met",
                cause="case_answered",
            )


def deadlines_follow_calendar(change: CalendarChange) -> None:
    """Queue the recount (durable: a worker retries it; the calendar entry is committed)."""
    # Not at module level: tasks imports this module.
    from accord.deadlines.tasks import recompute_open_deadlines_task

    recompute_open_deadlines_task.delay(change.year)


@dataclass(frozen=True, slots=True)
class Recount:
    checked: int
    changed: int


def recompute_open_deadlines(*, year: int | None = None) -> Recount:
    """Recount every running deadline on the calendar as it is now; each one whose due date
    or provisional flag changed is saved and traced (``deadline.recomputed``, cause
    ``calendar_changed``, by the system). One transaction per case, so a case that fails
    leaves the others recounted. Idempotent: a second run finds nothing to change."""
    calendar = WorkdayCalendar.load()
    actor = Actor.system(CALENDAR_ACTOR)
    extra: dict[str, object] = {} if year is None else {"calendar_year": year}
    case_ids = (
        Deadline.objects.filter(status=DeadlineStatus.OPEN)
        .values_list("case_id", flat=True)
        .distinct()
        .order_by("case_id")
    )
    checked = changed = 0
    for case_id in list(case_ids):
        with transaction.atomic():
            locked = lock_case(Case(pk=case_id))
            for deadline in open_deadlines(locked):
                checked += 1
                changed += deadline_recompute(
                    locked=locked,
                    deadline=deadline,
                    actor=actor,
                    cause="calendar_changed",
                    calendar=calendar,
                    extra=extra,
                )
    if changed:
        logger.info("recounted %d running deadlines, %d changed", checked, changed)
    return Recount(checked=checked, changed=changed)
