"""Writing deadlines: open one, recompute it, close it. Each write traces one event on the
case's chain (``deadline.opened``, ``deadline.recomputed``, ``deadline.met``,
``deadline.missed``, ``deadline.cancelled``, ``deadline.length_set``) in the caller's
transaction, with the case row locked (``cases.services.transitions.lock_case``).

The deadlines of a case's own procedure follow the case (:mod:`accord.deadlines.follow`);
the apps above that own other procedures (recusal, transfer) open and close theirs with
:func:`deadline_open` and :func:`deadline_close`, naming what it is about in ``subject``.

Refusals (``ServiceError``; nothing is written):

=====================  =======================================================================
code                   meaning
=====================  =======================================================================
``deadline_exists``    (409) the case already has an open deadline of that kind and subject
``deadline_closed``    (409) the deadline is not running any more
``not_court_period``   (409) only the court's mediation period has a length the court sets
``days_out_of_range``  (400) a length from 1 to ``MAX_PERIOD_DAYS`` days
``reason_required``    (400) a change of the court's period says why (where it was set)
``permission_denied``  (403) not an administrator of the case's organization
=====================  =======================================================================
"""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.models import Case
from accord.cases.selectors import case_parties
from accord.cases.services.transitions import case_trace, lock_case
from accord.cases.states import Party
from accord.core.api import ConflictError, ServiceError
from accord.deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from accord.deadlines.payloads import DeadlineClosed, DeadlineOpened, DeadlineRecomputed
from accord.deadlines.rules import Period, count_due, due_of
from accord.orgs.models import Role
from accord.workdays.periods import MAX_PERIOD_DAYS, WorkdayCalendar

CloseOutcome = Literal["met", "cancelled"]


def case_url(case: Case) -> str:
    """The case page's path in the site's default language (for notices)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("cases:detail", kwargs={"case_no": case.case_no})


def deadline_open(
    *,
    locked: Case,
    kind: DeadlineKind,
    period: Period,
    actor: Actor,
    subject: str = "",
    calendar: WorkdayCalendar | None = None,
) -> Deadline:
    """A new running deadline of ``locked`` (locked by the caller's transaction)."""
    if Deadline.objects.filter(
        case=locked, kind=kind, subject=subject, status=DeadlineStatus.OPEN
    ).exists():
        raise ConflictError(
            _("This case already has a running time limit of this kind."), code="deadline_exists"
        )
    due = count_due(
        starts_on=period.starts_on, count=period.count, days=period.length_days, calendar=calendar
    )
    deadline = Deadline.objects.create(
        case=locked,
        kind=kind,
        subject=subject,
        starts_on=period.starts_on,
        count=period.count,
        length_days=period.length_days,
        due_on=due.date,
        provisional=due.provisional,
    )
    payload: DeadlineOpened = {
        "deadline_id": deadline.pk,
        "kind": kind.value,
        "subject": subject,
        "starts_on": period.starts_on.isoformat(),
        "count": period.count.value,
        "length_days": period.length_days,
        "due": due.date.isoformat(),
        "provisional": due.provisional,
    }
    case_trace(locked=locked, action="deadline.opened", actor=actor, payload=dict(payload))
    return deadline


def deadline_recompute(
    *,
    locked: Case,
    deadline: Deadline,
    actor: Actor,
    cause: str,
    calendar: WorkdayCalendar | None = None,
    count: str | None = None,
    length_days: int | None = None,
    extra: dict[str, object] | None = None,
) -> bool:
    """Count ``deadline`` again (with a new ``count`` / ``length_days`` when given) and, when
    anything changed, save it and trace ``deadline.recomputed``. Whether it changed."""
    old_due, old_provisional = deadline.due_on, deadline.provisional
    old_count, old_length = deadline.count, deadline.length_days
    deadline.count = count or deadline.count
    deadline.length_days = length_days or deadline.length_days
    due = due_of(deadline, calendar=calendar)
    changed = (
        due.date != old_due
        or due.provisional != old_provisional
        or deadline.count != old_count
        or deadline.length_days != old_length
    )
    if not changed:
        return False
    deadline.due_on, deadline.provisional = due.date, due.provisional
    fields = ["due_on", "provisional", "count", "length_days", "updated_at"]
    if due.date != old_due:
        # A reminder counts down to the due date: a moved date starts the count again.
        deadline.reminders_sent = []
        fields.append("reminders_sent")
        if deadline.escalated_at is not None and due.date >= timezone.localdate():
            deadline.escalated_at = None
            fields.append("escalated_at")
    deadline.save(update_fields=fields)
    payload: DeadlineRecomputed = {
        "deadline_id": deadline.pk,
        "kind": deadline.kind,
        "cause": cause,
        "old_due": old_due.isoformat(),
        "new_due": due.date.isoformat(),
        "old_provisional": old_provisional,
        "new_provisional": due.provisional,
        "count": deadline.count,
        "length_days": deadline.length_days,
        "extension_days": deadline.extension_days,
    }
    case_trace(
        locked=locked,
        action="deadline.recomputed",
        actor=actor,
        payload={**payload, **(extra or {})},
    )
    return True


def deadline_close(
    *, locked: Case, deadline: Deadline, actor: Actor, outcome: CloseOutcome, cause: str
) -> Deadline:
    """Stop ``deadline``: ``met`` when what it was for happened (``missed`` instead when that
    was after the due date), ``cancelled`` when it no longer matters (``missed`` when the
    due date had already passed)."""
    if not deadline.is_open:
        raise ConflictError(_("This time limit is not running any more."), code="deadline_closed")
    now = timezone.now()
    late = timezone.localdate(now) > deadline.due_on
    if late:
        status = DeadlineStatus.MISSED
    elif outcome == "met":
        status = DeadlineStatus.MET
    else:
        status = DeadlineStatus.CANCELLED
    deadline.status = status
    deadline.closed_at = now
    fields = ["status", "closed_at", "updated_at"]
    if outcome == "met":
        deadline.met_at = now
        fields.append("met_at")
    deadline.save(update_fields=fields)
    payload: DeadlineClosed = {
        "deadline_id": deadline.pk,
        "kind": deadline.kind,
        "cause": cause,
        "due": deadline.due_on.isoformat(),
        "provisional": deadline.provisional,
    }
    case_trace(locked=locked, action=f"deadline.{status}", actor=actor, payload=dict(payload))
    return deadline


def open_deadlines(locked: Case, *kinds: DeadlineKind) -> list[Deadline]:
    """The running deadlines of ``locked`` (of ``kinds``, or all), locked."""
    found = Deadline.objects.select_for_update().filter(case=locked, status=DeadlineStatus.OPEN)
    if kinds:
        found = found.filter(kind__in=kinds)
    return list(found.order_by("id"))


def court_period_set(*, deadline: Deadline, user: User, days: int, reason: str) -> Deadline:
    """Set the court's period for this case (the court's letter of entrustment may give one
    other than ``ACCORD_COURT_MEDIATION_DAYS``), by an administrator of the case's
    organization, with a reason; the due date is recomputed. Trace ``deadline.recomputed``
    with cause ``court_period_set``."""
    reason = reason.strip()
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_PERIOD_DAYS:
        message = _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_PERIOD_DAYS}
        raise ServiceError(message, code="days_out_of_range", fields={"days": [message]})
    if not reason:
        raise ServiceError(
            _("Give a reason."), code="reason_required", fields={"reason": [_("Required.")]}
        )
    with transaction.atomic():
        locked = lock_case(deadline.case)
        if Party.ORG_ADMIN not in case_parties(case=locked, user=user):
            raise NotAllowed(_("Only an administrator of the organization sets the period."))
        current = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if current.kind != DeadlineKind.COURT_MEDIATION:
            raise ConflictError(
                _("Only the court's mediation period has a length the court sets."),
                code="not_court_period",
            )
        if not current.is_open:
            raise ConflictError(
                _("This time limit is not running any more."), code="deadline_closed"
            )
        deadline_recompute(
            locked=locked,
            deadline=current,
            actor=Actor.for_user(user, role=Role.ORG_ADMIN),
            cause="court_period_set",
            length_days=days,
            extra={"reason": reason},
        )
    return current
