"""Reminders before an obligation is due and the overdue flag after (Celery beat, hourly;
idempotent: each reminder and each flag goes once, and is recorded on the obligation).

Its own sweep rather than a ``deadlines.Deadline``: a time limit there is a period counted
from a start (and recounted when the calendar or the case changes) that the mediator must
meet; an obligation's due date is a day the parties agreed on, and what must happen by then
is the obligor's. The counting is the deadlines sweep's, so that both remind alike:

- Reminders: ``N`` working days before the due date, for each ``N`` of the organization's
  ``MediationRules.reminder_days`` ("3,1"), the obligor's side (the applicant, or the
  institution's staff) is reminded; a late sweep sends the nearest reminder only. Trace
  ``obligation.reminded``.
- Overdue: the day after the due date, an obligation still to be performed is flagged to the
  mediator (the organization's administrators while the case has none), who sees it on the
  case page, and the obligor's side is told the consequences. Trace ``obligation.overdue``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.audit.actors import Actor
from accord.cases.models import Case
from accord.cases.services.transitions import case_trace, lock_case
from accord.deadlines.sweep import reminder_days_of, working_days_left
from accord.inbox.services import notify
from accord.outcomes.models import Obligation, ObligationStatus, Side
from accord.outcomes.payloads import ObligationOverdue, ObligationReminded
from accord.outcomes.services.common import case_path, runners_of, side_users
from accord.outcomes.services.performance import ANCHOR, CONSEQUENCES
from accord.workdays.periods import WorkdayCalendar

logger = logging.getLogger(__name__)

SWEEP_ACTOR = "outcomes:sweep"


@dataclass
class PerformanceSweep:
    reminded: list[tuple[int, int]] = field(default_factory=list)  # (obligation id, N)
    overdue: list[int] = field(default_factory=list)


def _describe(obligation: Obligation) -> dict[str, object]:
    return {
        "n": obligation.position,
        "what": obligation.what,
        "due": obligation.due_on.isoformat(),
        "side": Side(obligation.obligor).label,
    }


def _remind(locked: Case, obligation: Obligation, *, days_before: int, passed: list[int]) -> None:
    values = {"case_no": locked.case_no, **_describe(obligation)}
    notices = notify(
        side_users(locked, obligation.obligor),
        kind="obligation.reminder",
        text=_("Case %(case_no)s: item %(n)d of the agreement is due on %(due)s: %(what)s")
        % values,
        case_no=locked.case_no,
        url=case_path(locked, ANCHOR),
    )
    obligation.reminders_sent = sorted({*obligation.reminders_sent, *passed}, reverse=True)
    obligation.save(update_fields=["reminders_sent"])
    payload: ObligationReminded = {
        "obligation_id": obligation.pk,
        "days_before": days_before,
        "due": obligation.due_on.isoformat(),
        "recipients": sorted(n.user_id for n in notices),
    }
    case_trace(
        locked=locked,
        action="obligation.reminded",
        actor=Actor.system(SWEEP_ACTOR),
        payload=dict(payload),
    )


def _flag_overdue(locked: Case, obligation: Obligation) -> None:
    values = {"case_no": locked.case_no, **_describe(obligation)}
    to_runners = notify(
        runners_of(locked),
        kind="obligation.overdue",
        text=_(
            "Case %(case_no)s: item %(n)d of the agreement (%(side)s: %(what)s) was due on "
            "%(due)s and is not recorded as performed."
        )
        % values,
        case_no=locked.case_no,
        url=case_path(locked, ANCHOR),
    )
    to_obligor = notify(
        side_users(locked, obligation.obligor),
        kind="obligation.overdue",
        text=" ".join(
            [
                _("Case %(case_no)s: item %(n)d of the agreement was due on %(due)s: %(what)s")
                % values,
                str(CONSEQUENCES),
            ]
        ),
        case_no=locked.case_no,
        url=case_path(locked, ANCHOR),
    )
    obligation.overdue_flagged_at = timezone.now()
    obligation.save(update_fields=["overdue_flagged_at"])
    payload: ObligationOverdue = {
        "obligation_id": obligation.pk,
        "due": obligation.due_on.isoformat(),
        "mediator_recipients": sorted(n.user_id for n in to_runners),
        "obligor_recipients": sorted(n.user_id for n in to_obligor),
    }
    case_trace(
        locked=locked,
        action="obligation.overdue",
        actor=Actor.system(SWEEP_ACTOR),
        payload=dict(payload),
    )


def _sweep_one(
    obligation_id: int, today: dt.date, calendar: WorkdayCalendar, result: PerformanceSweep
) -> None:
    with transaction.atomic():
        case_id = Obligation.objects.values_list("case_id", flat=True).get(pk=obligation_id)
        locked = lock_case(Case(pk=case_id))
        obligation = Obligation.objects.select_for_update().get(pk=obligation_id)
        if not obligation.is_pending:
            return
        if today > obligation.due_on:
            if obligation.overdue_flagged_at is None:
                _flag_overdue(locked, obligation)
                result.overdue.append(obligation.pk)
            return
        days = reminder_days_of(locked)
        left = working_days_left(today, obligation.due_on, calendar, cap=max(days))
        due_now = [n for n in days if n >= left and n not in obligation.reminders_sent]
        if not due_now:
            return
        nearest = min(due_now)
        _remind(locked, obligation, days_before=nearest, passed=due_now)
        result.reminded.append((obligation.pk, nearest))


def performance_sweep(*, today: dt.date | None = None) -> PerformanceSweep:
    """Send the reminders and overdue flags due on ``today`` (the local date by default)."""
    today = today or timezone.localdate()
    calendar = WorkdayCalendar.load()
    result = PerformanceSweep()
    horizon = today + dt.timedelta(days=62)  # the longest reminder (30 working days) fits
    candidates = (
        Obligation.objects.filter(status=ObligationStatus.PENDING, due_on__lte=horizon)
        .exclude(due_on__lt=today, overdue_flagged_at__isnull=False)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        for obligation_id in list(candidates):
            try:
                _sweep_one(obligation_id, today, calendar, result)
            except Exception:
                # One broken case must not keep the others' reminders back; the next sweep
                # tries it again (nothing of it was recorded).
                logger.exception("performance sweep failed for obligation %d", obligation_id)
    return result
