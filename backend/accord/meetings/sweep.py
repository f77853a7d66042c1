"""Reminders of the joint meetings' follow-ups (Celery beat, hourly; idempotent: each notice
goes once).

An open follow-up of a meeting that was not cancelled is reminded to its owner once when its
due date is the next working day (on the working-day calendar) or sooner, and once more when it
is overdue. The owner is the person named, else the officers, clerks, administrators and
staff of the owning organization. Each notice sets its mark on the follow-up and traces
``meeting.follow_up_reminded`` (``when``: ``before`` or ``overdue``) on the convening
organization's chain, by the system, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.inbox.services import notify
from accord.meetings.models import FollowUp, FollowUpStatus, MeetingStatus
from accord.meetings.selectors import OWNER_ROLES
from accord.orgs.services import org_chain
from accord.workdays.periods import add_working_days

logger = logging.getLogger(__name__)

SWEEP_ACTOR = "meetings:sweep"


@dataclass
class FollowUpSweep:
    reminded: list[int] = field(default_factory=list)  # follow-up ids, before the due date
    overdue: list[int] = field(default_factory=list)  # follow-up ids, after it


def owners_of(follow_up: FollowUp) -> list[User]:
    if follow_up.owner_user is not None:
        return [follow_up.owner_user]
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__organization=follow_up.owner_organization,
            memberships__role__in=OWNER_ROLES,
        )
        .distinct()
        .order_by("pk")
    )


def _remind_one(follow_up_id: int, when: str, today: dt.date, result: FollowUpSweep) -> None:
    mark = "reminded_at" if when == "before" else "overdue_notified_at"
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("meeting__organization", "owner_organization", "owner_user")
            .get(pk=follow_up_id)
        )
        if follow_up.status != FollowUpStatus.OPEN or getattr(follow_up, mark) is not None:
            return  # done or reminded meanwhile
        meeting = follow_up.meeting
        setattr(follow_up, mark, timezone.now())
        follow_up.save(update_fields=[mark])
        owners = owners_of(follow_up)
        trace_append(
            chain=org_chain(meeting.organization),
            action="meeting.follow_up_reminded",
            actor=Actor.system(SWEEP_ACTOR),
            payload={
                "meeting_id": meeting.pk,
                "follow_up_id": follow_up.pk,
                "when": when,
                "due_on": follow_up.due_on.isoformat(),
                "user_ids": [user.pk for user in owners],
            },
        )
        values = {"title": meeting.title, "due": follow_up.due_on.isoformat()}
        if when == "before":
            text = _("A follow-up of the joint meeting “%(title)s” is due on %(due)s.") % values
        else:
            text = (
                _("A follow-up of the joint meeting “%(title)s” is overdue (due %(due)s).") % values
            )
        url = reverse(
            "meetings:detail",
            kwargs={"scope": follow_up.owner_organization.code, "pk": meeting.pk},
        )
        notify(owners, kind=f"meeting.follow_up_{when}", text=text, url=url)
    (result.reminded if when == "before" else result.overdue).append(follow_up_id)


def follow_up_sweep(today: dt.date | None = None) -> FollowUpSweep:
    """Send the reminders due ``today`` (the local date by default)."""
    today = today or timezone.localdate()
    result = FollowUpSweep()
    next_working_day = add_working_days(today, 1).date
    pending = FollowUp.objects.filter(status=FollowUpStatus.OPEN).exclude(
        meeting__status=MeetingStatus.CANCELLED
    )
    before = pending.filter(
        reminded_at__isnull=True, due_on__gte=today, due_on__lte=next_working_day
    )
    overdue = pending.filter(overdue_notified_at__isnull=True, due_on__lt=today)
    with translation.override(settings.LANGUAGE_CODE):
        for follow_up_id in overdue.values_list("pk", flat=True):
            _remind_one(follow_up_id, "overdue", today, result)
        for follow_up_id in before.values_list("pk", flat=True):
            _remind_one(follow_up_id, "before", today, result)
    if result.reminded or result.overdue:
        logger.info(
            "meetings sweep: %d reminded, %d overdue", len(result.reminded), len(result.overdue)
        )
    return result
