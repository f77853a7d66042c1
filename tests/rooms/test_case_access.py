"""Taking part in a hearing follows access to its case (docs/rooms-protocol.md): a deactivated
membership cannot enter or control, and withdrawing or closing the case cancels its scheduled
sessions and ends a live one, traced."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from accord.audit.actors import Actor
from accord.audit.models import TraceEvent
from accord.cases import services as case_services
from accord.cases.models import CaseState
from accord.orgs import services as org_services
from accord.orgs.models import Membership, Role
from accord.rooms.models import HearingSession, ParticipantRole, SessionStatus
from accord.rooms.services import notice_acknowledge, session_schedule
from tests.rooms.conftest import later
from tests.rooms.test_consumer import (  # noqa: F401  (the fixture)
    _fresh_channel_layer,
    enter,
    join,
    pid,
    trace,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("heartbeat_prefix")]


def deactivate(user: Any, role: Role, ada: Any) -> None:
    membership = Membership.objects.get(user=user, role=role, is_active=True)
    org_services.membership_deactivate(
        membership=membership, actor=Actor.for_user(ada, role=Role.ORG_ADMIN)
    )


def page_status(user: Any, hearing: HearingSession, page: str = "check") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    path = f"/en/rooms/{hearing.pk}/" + (f"{page}/" if page else "")
    response = client.get(path)
    return response.status_code, response.content.decode()


def events(hearing: HearingSession, action: str) -> list[TraceEvent]:
    return list(TraceEvent.objects.filter(chain=hearing.case.chain, action=action).order_by("seq"))


# --- A role that ended --------------------------------------------------------


def test_a_deactivated_mediator_cannot_enter_by_page(acknowledged, mia, ada):
    assert page_status(mia, acknowledged)[0] == 200
    deactivate(mia, Role.MEDIATOR, ada)
    status, html = page_status(mia, acknowledged)
    assert status == 403
    assert "You no longer have access to this case" in html
    assert page_status(mia, acknowledged, "room")[0] == 403
    assert page_status(mia, acknowledged, "")[0] == 403  # the session's overview too


async def test_a_deactivated_mediator_cannot_connect(acknowledged, mia, ada):
    await database_sync_to_async(deactivate)(mia, Role.MEDIATOR, ada)
    browser = await join(acknowledged, mia)
    assert await browser.closed_with() == 4403
    assert [a for a, _ in await trace(acknowledged)].count("room.joined") == 0


async def test_deactivated_institution_staff_cannot_connect(acknowledged, ben):
    await database_sync_to_async(
        lambda: Membership.objects.filter(user=ben, role=Role.INSTITUTION_STAFF).update(
            is_active=False
        )
    )()
    browser = await join(acknowledged, ben)
    assert await browser.closed_with() == 4403


async def test_a_mediator_deactivated_in_the_room_can_no_longer_control_it(
    acknowledged, mia, alice, ada
):
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    await database_sync_to_async(deactivate)(mia, Role.MEDIATOR, ada)
    before = await trace(acknowledged)
    await mediator.send({"type": "admit", "participant_id": str(await pid(acknowledged, alice))})
    error = await mediator.until("error")
    assert (error["code"], error["ref"]) == ("access_revoked", "admit")
    assert await mediator.closed_with() == 4403
    after = [action for action, _ in (await trace(acknowledged))[len(before) :]]
    assert "room.admitted" not in after and "room.recording_started" not in after
    await party.close()


# --- A case that ended ------------------------------------------------------------


def _second_session(hearing: HearingSession, mia: Any, alice: Any) -> HearingSession:
    return session_schedule(
        case=hearing.case,
        scheduled_at=later(60 * 24),
        duration_minutes=60,
        title="第二次调解",
        participants=[(mia, ParticipantRole.MEDIATOR), (alice, ParticipantRole.APPLICANT)],
        by=mia,
    )


def test_withdrawing_cancels_the_scheduled_sessions_traced(acknowledged, mia, alice):
    second = _second_session(acknowledged, mia, alice)
    case_services.case_withdraw(case=acknowledged.case, user=alice, reason="已和解")
    for session in (acknowledged, second):
        session.refresh_from_db()
        assert session.status == SessionStatus.CANCELLED
    cancelled = events(acknowledged, "session.cancelled")
    assert [e.payload for e in cancelled] == [
        {"session_id": str(acknowledged.pk), "cause": "case_withdrawn"},
        {"session_id": str(second.pk), "cause": "case_withdrawn"},
    ]
    assert all(e.actor["role"] == "applicant" for e in cancelled)
    # In the same transaction as the withdrawal, right after its event.
    withdrawn = events(acknowledged, "case.withdrawn")[0]
    between = TraceEvent.objects.filter(
        chain_id=acknowledged.case.chain_id, seq__gt=withdrawn.seq, seq__lt=cancelled[0].seq
    )
    # Only what the other followers of the same move traced (the deadlines it stopped).
    assert all(e.action.startswith("deadline.") for e in between)
    assert cancelled[0].seq > withdrawn.seq

    assert page_status(alice, acknowledged)[0] == 410


async def test_a_withdrawn_case_cannot_be_joined(acknowledged, alice):
    await database_sync_to_async(case_services.case_withdraw)(
        case=acknowledged.case, user=alice, reason=""
    )
    browser = await join(acknowledged, alice)
    assert await browser.closed_with() == 4409


async def test_withdrawing_ends_a_live_hearing_for_everyone(acknowledged, mia, alice):
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    await mediator.send({"type": "admit", "participant_id": str(await pid(acknowledged, alice))})
    await party.until("admitted")
    await database_sync_to_async(case_services.case_withdraw)(
        case=acknowledged.case, user=alice, reason=""
    )
    for browser in (mediator, party):
        assert (await browser.until("ended"))["type"] == "ended"
        assert await browser.closed_with() == 4410
    session = await database_sync_to_async(HearingSession.objects.get)(pk=acknowledged.pk)
    assert (session.status, session.recording_state) == (SessionStatus.ENDED, "off")
    ended = await database_sync_to_async(events)(acknowledged, "room.ended")
    assert [e.payload for e in ended] == [
        {"session_id": str(acknowledged.pk), "recording_was": "on", "cause": "case_withdrawn"}
    ]


def test_closing_cancels_and_an_outcome_does_not(acknowledged, mia, alice, ada):
    case = acknowledged.case
    case_services.case_record_outcome(case=case, user=mia, outcome=CaseState.AGREEMENT)
    acknowledged.refresh_from_db()
    assert acknowledged.status == SessionStatus.SCHEDULED  # a hearing may be where it was agreed
    assert page_status(alice, acknowledged)[0] == 200
    case_services.case_close(case=case, user=ada)
    acknowledged.refresh_from_db()
    assert acknowledged.status == SessionStatus.CANCELLED
    assert events(acknowledged, "session.cancelled")[0].payload["cause"] == "case_closed"


def test_a_session_of_a_case_in_another_state_is_refused(acknowledged, alice):
    # Defence in depth: even a session left scheduled is not entered once the case is closed.
    type(acknowledged.case).objects.filter(pk=acknowledged.case_id).update(
        state=CaseState.CLOSED, updated_at=timezone.now()
    )
    status, html = page_status(alice, acknowledged)
    assert status == 410
    assert "withdrawn or closed" in html


def test_acknowledging_is_not_needed_to_be_refused(hearing, alice):
    notice_acknowledge(participant=hearing.participants.get(user=alice))
    case_services.case_withdraw(case=hearing.case, user=alice, reason="")
    assert page_status(alice, hearing, "room")[0] == 410
