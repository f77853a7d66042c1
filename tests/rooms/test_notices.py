"""Scheduling a hearing tells its participants by SMS, after the scheduling commits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.accounts import sms
from accord.audit.models import TraceEvent
from accord.cases.models import CaseState
from accord.rooms.models import HearingSession, ParticipantRole
from accord.rooms.notices import session_notice_send
from accord.rooms.services import session_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.OutboxSmsBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def schedule(case, mia, alice, ben) -> HearingSession:
    return session_schedule(
        case=case,
        scheduled_at=timezone.now() + timedelta(days=1),
        duration_minutes=60,
        title="第一次调解",
        participants=[
            (mia, ParticipantRole.MEDIATOR),
            (alice, ParticipantRole.APPLICANT),
            (ben, ParticipantRole.RESPONDENT),
        ],
        by=mia,
    )


def test_participants_with_a_phone_get_an_sms_and_the_trace_says_so(
    case, drive, mia, alice, ben, outbox, django_capture_on_commit_callbacks
):
    drive(case, CaseState.MEDIATING)
    with django_capture_on_commit_callbacks(execute=True):
        session = schedule(case, mia, alice, ben)
    assert [message.phone for message in outbox] == [alice.phone]
    assert case.case_no in outbox[0].body
    event = TraceEvent.objects.filter(chain=case.chain).latest("seq")
    assert event.action == "session.notified"
    alice_participant = session.participants.get(user=alice)
    assert [n["participant_id"] for n in event.payload["notified"]] == [alice_participant.pk]
    assert event.payload["kind"] == "scheduled"
    assert event.payload["notified"] == [{"participant_id": alice_participant.pk}]  # no phone
    assert len(event.payload["unreachable"]) == 2  # staff without phone numbers


def test_nothing_is_sent_before_the_scheduling_commits(
    case, drive, mia, alice, ben, outbox, django_capture_on_commit_callbacks
):
    drive(case, CaseState.MEDIATING)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule(case, mia, alice, ben)
    # Nothing is sent inside the transaction; only the commit hook would send.
    assert outbox == []
    assert len(callbacks) == 1


def test_a_failing_gateway_traces_nothing_so_the_retry_starts_clean(
    case, drive, mia, alice, ben, settings, django_capture_on_commit_callbacks
):
    drive(case, CaseState.MEDIATING)
    with django_capture_on_commit_callbacks(execute=False):
        session = schedule(case, mia, alice, ben)
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.FailingSmsBackend"
    before = TraceEvent.objects.filter(chain=case.chain).count()
    with pytest.raises(sms.TransportError):
        session_notice_send(session_id=session.pk)
    assert TraceEvent.objects.filter(chain=case.chain).count() == before
