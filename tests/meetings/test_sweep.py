# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""The follow-up reminders: the working day before the due date and when overdue, once each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.inbox.models import Notice
from accord.meetings.models import FollowUp, JointMeeting
from accord.meetings.services import meetings as services
from accord.meetings.sweep import follow_up_sweep
from accord.meetings.tasks import sweep_follow_ups
from accord.orgs.models import Organization
from tests.meetings.conftest import (
    _english,
    bank,
    ben,
    meeting,
    olga,
    otto,
    regulator,
)

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 12, 8)


def follow_up(meeting: JointMeeting, by: User, owner: Organization, **kwargs: object) -> FollowUp:
    made = services.follow_up_add(
        meeting=meeting,
        text="梳理同类投诉",
        owner_organization=owner,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        by=by,
        **kwargs,  # type: ignore[arg-type]
    )
    return made


def test_owners_are_reminded_the_working_day_before_and_when_overdue_once_each(
    meeting: JointMeeting,
    regulator: Organization,
    olga: User,
    otto: User,
    bank: Organization,
    ben: User,
) -> None:
    services.attendee_add(meeting=meeting, organization=bank, user=ben, by=olga)
    tomorrow = follow_up(meeting, olga, bank, owner_user=ben)
    late = follow_up(meeting, olga, regulator)
    later = follow_up(meeting, olga, bank)
    FollowUp.objects.filter(pk=tomorrow.pk).update(due_on=TUESDAY + dt.timedelta(days=1))
    FollowUp.objects.filter(pk=late.pk).update(due_on=TUESDAY - dt.timedelta(days=7))
    FollowUp.objects.filter(pk=later.pk).update(due_on=TUESDAY + dt.timedelta(days=12))

    result = follow_up_sweep(today=TUESDAY)

    assert result.reminded == [tomorrow.pk]
    assert result.overdue == [late.pk]
    assert Notice.objects.filter(user=ben, kind="meeting.follow_up_before").count() == 1
    assert Notice.objects.filter(user=olga, kind="meeting.follow_up_overdue").count() == 1
    assert not Notice.objects.filter(user=otto).exists()  # an auditor owns nothing
    regulator.refresh_from_db()
    traced = TraceEvent.objects.filter(
        chain_id=regulator.chain_id, action="meeting.follow_up_reminded"
    )
    assert sorted(e.payload["when"] for e in traced) == ["before", "overdue"]

    again = follow_up_sweep(today=TUESDAY)
    assert again.reminded == [] and again.overdue == []
    assert Notice.objects.filter(kind__startswith="meeting.").count() == 2


def test_a_done_follow_up_is_not_reminded(
    meeting: JointMeeting, regulator: Organization, olga: User
) -> None:
    done = follow_up(meeting, olga, regulator)
    services.follow_up_done(follow_up=done, by=olga)
    FollowUp.objects.filter(pk=done.pk).update(due_on=TUESDAY - dt.timedelta(days=1))
    assert follow_up_sweep(today=TUESDAY).overdue == []
    assert sweep_follow_ups() == 0


def test_the_task_is_on_the_beat_schedule(settings) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accord.meetings.tasks.sweep_follow_ups" in tasks
