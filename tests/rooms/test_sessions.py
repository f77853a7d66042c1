"""Scheduling hearing sessions and who may open a session's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.cases.models import CaseState
from accord.core.api import ServiceError
from accord.rooms.models import HearingSession, ParticipantRole, SessionParticipant
from accord.rooms.services import session_schedule

pytestmark = pytest.mark.django_db


def schedule(case, by, participants, **overrides):
    values = {
        "case": case,
        "scheduled_at": timezone.now() + timedelta(hours=1),
        "duration_minutes": 60,
        "title": "第一次调解",
        "participants": participants,
        "by": by,
        **overrides,
    }
    return session_schedule(**values)


def events(case):
    return TraceEvent.objects.filter(chain=case.chain).count()


def test_the_mediator_schedules_a_hearing_and_it_is_traced(case, drive, mia, alice, ben):
    drive(case, CaseState.MEDIATING)
    before = events(case)
    session = schedule(
        case,
        mia,
        [
            (mia, ParticipantRole.MEDIATOR),
            (alice, ParticipantRole.APPLICANT),
            (ben, ParticipantRole.RESPONDENT),
        ],
    )
    assert session.participants.count() == 3
    assert events(case) == before + 1
    event = TraceEvent.objects.filter(chain=case.chain).latest("seq")
    assert event.action == "session.scheduled"
    assert event.payload["session_id"] == str(session.pk)


def test_names_in_the_room_are_names_never_phone_numbers(case, drive, mia, alice, ben):
    """A participant is shown by their name; an applicant who never gave one by the case's
    applicant name; anyone else without a name by their role."""
    drive(case, CaseState.MEDIATING)
    User.objects.filter(pk__in=[alice.pk, ben.pk]).update(display_name="")
    alice.refresh_from_db()
    ben.refresh_from_db()
    session = schedule(
        case,
        mia,
        [
            (mia, ParticipantRole.MEDIATOR),
            (alice, ParticipantRole.APPLICANT),
            (ben, ParticipantRole.RESPONDENT),
        ],
    )
    names = dict(session.participants.values_list("role", "display_name"))
    assert names == {
        ParticipantRole.MEDIATOR: "Mia",
        ParticipantRole.APPLICANT: case.applicant_name,
        ParticipantRole.RESPONDENT: str(ParticipantRole.RESPONDENT.label),
    }
    assert alice.phone not in str(names) and alice.username not in str(names)


@pytest.mark.parametrize(
    ("state", "overrides", "participants_of", "code"),
    [
        (CaseState.SUBMITTED, {}, "full", "illegal_state"),
        (CaseState.MEDIATING, {"duration_minutes": 0}, "full", "invalid"),
        (CaseState.MEDIATING, {}, "no_mediator", "invalid"),
        (CaseState.MEDIATING, {}, "twice", "invalid"),
    ],
)
def test_a_refused_schedule_writes_nothing(
    case, drive, mia, alice, ada, state, overrides, participants_of, code
):
    drive(case, state)
    participants = {
        "full": [(mia, ParticipantRole.MEDIATOR), (alice, ParticipantRole.APPLICANT)],
        "no_mediator": [(alice, ParticipantRole.APPLICANT)],
        "twice": [(mia, ParticipantRole.MEDIATOR), (mia, ParticipantRole.OBSERVER)],
    }[participants_of]
    before = events(case)
    with pytest.raises(ServiceError) as refused:
        schedule(case, ada, participants, **overrides)
    assert refused.value.code == code
    assert events(case) == before
    assert not HearingSession.objects.exists()
    assert not SessionParticipant.objects.exists()


def test_someone_outside_the_case_cannot_schedule(case, drive, mia, charlie):
    drive(case, CaseState.MEDIATING)
    with pytest.raises(ServiceError) as refused:
        schedule(case, charlie, [(charlie, ParticipantRole.MEDIATOR)])
    assert refused.value.code == "forbidden"
    assert not HearingSession.objects.exists()


def test_only_participants_can_open_the_session_page(case, drive, mia, alice, charlie, client):
    drive(case, CaseState.MEDIATING)
    session = schedule(
        case, mia, [(mia, ParticipantRole.MEDIATOR), (alice, ParticipantRole.APPLICANT)]
    )
    url = f"/en/rooms/{session.pk}/"
    client.force_login(alice)
    assert client.get(url).status_code == 200
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
