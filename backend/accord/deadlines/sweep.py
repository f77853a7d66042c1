"""Reminders before a deadline and escalation after it (run by Celery beat every 15 minutes;
idempotent: every reminder and escalation goes once, and is recorded on the deadline).

- Reminders: ``N`` working days before each running deadline, for each ``N`` of the
  organization's ``MediationRules.reminder_days`` ("3,1"), the case's mediator is told
  (the organization's administrators while the case has none, so that the institution's
  answer deadline before assignment reminds someone). "N working days before" is the day from
  which at most ``N`` working days are left until the end of the due date. A sweep that comes
  late (the beat was down) sends the nearest reminder only, and records the earlier ones as
  passed, so nobody gets three reminders at once. Trace ``deadline.reminded``.
- Escalation: a running deadline whose due date has passed is escalated once to the
  organization's administrators. Trace ``deadline.escalated``.

Notices go through ``accord.inbox.services.notify`` (in the sweep's transaction, SMS after
its commit), in the site's default language.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.models import Case
from accord.cases.services.transitions import case_trace, lock_case
from accord.deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from accord.deadlines.payloads import DeadlineEscalated, DeadlineReminded
from accord.deadlines.rules import rules_of
from accord.deadlines.services import case_url
from accord.inbox.services import notify
from accord.orgs.models import Role
from accord.orgs.services import parse_reminder_days
from accord.workdays.periods import WorkdayCalendar

logger = logging.getLogger(__name__)

SWEEP_ACTOR = "deadlines:sweep"
DEFAULT_REMINDER_DAYS = (3, 1)
_ONE_DAY = dt.timedelta(days=1)


@dataclass
class SweepResult:
    reminded: list[tuple[int, int]] = field(default_factory=list)  # (deadline id, N)
    escalated: list[int] = field(default_factory=list)


def working_days_left(today: dt.date, due: dt.date, calendar: WorkdayCalendar, cap: int) -> int:
    """Working days after ``today`` up to ``due`` included, counted up to ``cap + 1``."""
    left, day = 0, today
    while day < due and left <= cap:
        day += _ONE_DAY
        left += calendar.is_working_day(day).working
    return left


def reminder_days_of(case: Case) -> tuple[int, ...]:
    try:
        return parse_reminder_days(rules_of(case).reminder_days)
    except ValueError:
        # The rules' service refuses a malformed value; an old row must not stop the sweep.
        return DEFAULT_REMINDER_DAYS


def admins_of(case: Case) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=case.organization_id,
            memberships__role=Role.ORG_ADMIN,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def institution_staff_of(case: Case) -> list[User]:
    """Active staff of the institution the case is against (they owe the answer)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=case.respondent_id,
            memberships__role=Role.INSTITUTION_STAFF,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def reminder_recipients(case: Case, deadline: Deadline) -> list[User]:
    """Who is reminded of ``deadline``: whoever must act before it ends — the institution's
    staff for its answer — and the mediator (the organization's administrators while the case
    has none), who runs the case."""
    runners = [case.mediator] if case.mediator is not None else admins_of(case)
    if deadline.kind == DeadlineKind.ANSWER:
        return [*institution_staff_of(case), *runners]
    if deadline.kind == DeadlineKind.COURT_FEEDBACK:
        # The organization's administrators send the letter and return the materials.
        admins = admins_of(case)
        return [*admins, *(user for user in runners if user not in admins)]
    return runners


def _kind_label(deadline: Deadline) -> str:
    return str(DeadlineKind(deadline.kind).label)


def _provisional_note(deadline: Deadline) -> str:
    if not deadline.provisional:
        return ""
    return " " + _(
        "The date is provisional: it falls in a year whose holidays are not entered yet."
    )


def _remind(
    locked: Case, deadline: Deadline, *, days_before: int, left: int, passed: list[int]
) -> None:
    recipients = reminder_recipients(locked, deadline)
    text = _("Case %(case_no)s: %(kind)s ends on %(due)s (%(left)d working days left).") % {
        "case_no": locked.case_no,
        "kind": _kind_label(deadline),
        "due": deadline.due_on.isoformat(),
        "left": left,
    } + _provisional_note(deadline)
    notices = notify(
        [u for u in recipients if u is not None],
        kind="deadline.reminder",
        text=text,
        case_no=locked.case_no,
        url=case_url(locked),
    )
    deadline.reminders_sent = sorted({*deadline.reminders_sent, *passed}, reverse=True)
    deadline.save(update_fields=["reminders_sent", "updated_at"])
    payload: DeadlineReminded = {
        "deadline_id": deadline.pk,
        "kind": deadline.kind,
        "days_before": days_before,
        "due": deadline.due_on.isoformat(),
        "provisional": deadline.provisional,
        "recipients": sorted(n.user_id for n in notices),
    }
    case_trace(
        locked=locked,
        action="deadline.reminded",
        actor=Actor.system(SWEEP_ACTOR),
        payload=dict(payload),
    )


def _escalate(locked: Case, deadline: Deadline) -> None:
    text = _("Case %(case_no)s is overdue: %(kind)s ended on %(due)s and is still running.") % {
        "case_no": locked.case_no,
        "kind": _kind_label(deadline),
        "due": deadline.due_on.isoformat(),
    } + _provisional_note(deadline)
    notices = notify(
        admins_of(locked),
        kind="deadline.escalated",
        text=text,
        case_no=locked.case_no,
        url=case_url(locked),
    )
    deadline.escalated_at = timezone.now()
    deadline.save(update_fields=["escalated_at", "updated_at"])
    payload: DeadlineEscalated = {
        "deadline_id": deadline.pk,
        "kind": deadline.kind,
        "due": deadline.due_on.isoformat(),
        "provisional": deadline.provisional,
        "recipients": sorted(n.user_id for n in notices),
    }
    case_trace(
        locked=locked,
        action="deadline.escalated",
        actor=Actor.system(SWEEP_ACTOR),
        payload=dict(payload),
    )


def _sweep_one(
    deadline_id: int, today: dt.date, calendar: WorkdayCalendar, result: SweepResult
) -> None:
    with transaction.atomic():
        case_id = Deadline.objects.values_list("case_id", flat=True).get(pk=deadline_id)
        locked = lock_case(Case(pk=case_id))
        deadline = Deadline.objects.select_for_update().get(pk=deadline_id)
        if not deadline.is_open:
            return
        if today > deadline.due_on:
            if deadline.escalated_at is None:
                _escalate(locked, deadline)
                result.escalated.append(deadline.pk)
            return
        days = reminder_days_of(locked)
        left = working_days_left(today, deadline.due_on, calendar, cap=max(days))
        due_now = [n for n in days if n >= left and n not in deadline.reminders_sent]
        if not due_now:
            return
        nearest = min(due_now)
        _remind(locked, deadline, days_before=nearest, left=left, passed=due_now)
        result.reminded.append((deadline.pk, nearest))


def deadlines_sweep(*, today: dt.date | None = None) -> SweepResult:
    """Send the reminders and escalations due on ``today`` (the local date by default)."""
    today = today or timezone.localdate()
    calendar = WorkdayCalendar.load()
    result = SweepResult()
    # Only deadlines that could need something: within the longest reminder horizon (30
    # working days fit in 60 calendar days) or past due and not escalated.
    horizon = today + dt.timedelta(days=62)
    candidates = (
        Deadline.objects.filter(status=DeadlineStatus.OPEN, due_on__lte=horizon)
        .exclude(due_on__lt=today, escalated_at__isnull=False)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        for deadline_id in list(candidates):
            try:
                _sweep_one(deadline_id, today, calendar, result)
            except Exception:
                # One broken case must not keep the others' reminders back; the next sweep
                # tries it again (nothing of it was recorded).
                logger.exception("deadline sweep failed for deadline %d", deadline_id)
    return result
