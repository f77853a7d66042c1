# ruff: noqa: F811  (pytest fixtures are imported, then used as parameters)
"""A recused or replaced mediator loses the case at once: its page (404), its hearings
(``rooms.access.case_access_refusal``; a connected socket is put out and the media worker told
to drop them) and its replay (grants revoked, ``replay.access.case_access``)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from accord.cases import services as case_services
from accord.conflicts.services import recusal_apply, recusal_decide, recusal_self
from accord.replay.access import case_access
from accord.replay.models import ReplayGrant
from accord.replay.services import replay_grant
from accord.rooms.access import ACCESS_REVOKED, case_access_refusal
from accord.rooms.models import HearingSession, ParticipantRole
from tests.conflicts.conftest import events
from tests.rooms.conftest import acknowledged, hearing, workers  # noqa: F401  (fixtures)
from tests.rooms.test_consumer import (  # noqa: F401  (the fixture)
    _fresh_channel_layer,
    enter,
    pid,
    worker_receive,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("heartbeat_prefix")]


def status_of_case_page(user: Any, case_no: str) -> int:
    client = Client()
    client.force_login(user)
    return client.get(f"/en/cases/{case_no}/").status_code


def test_after_a_granted_recusal_the_former_mediator_loses_page_hearing_and_replay(
    hearing: HearingSession, alice, ada, mia
):
    case = hearing.case
    grant = replay_grant(case=case, user=mia, by=ada, include_caucus=False)
    assert case_access(mia, case) is not None
    assert status_of_case_page(mia, case.case_no) == 200

    application = recusal_apply(case=case, user=alice, grounds="亲属关系")
    recusal_decide(application=application, user=ada, granted=True, reason="属实")
    case.refresh_from_db()

    assert status_of_case_page(mia, case.case_no) == 404
    refusal = case_access_refusal(user=mia, case=case, role=ParticipantRole.MEDIATOR)
    assert refusal is not None and refusal.code == ACCESS_REVOKED
    assert case_access(mia, case) is None
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == ada
    [revoked] = events(case, "replay.revoked")
    assert revoked.payload == {"grant": grant.pk, "user_id": mia.pk, "reason": "mediator_removed"}
    # The administrator keeps access to the hearing as the mediator's stand-in.
    assert case_access_refusal(user=ada, case=case, role=ParticipantRole.MEDIATOR) is None


def test_after_self_recusal_and_after_replacement_the_mediator_has_no_access(
    hearing, ada, mia, max_
):
    case = hearing.case
    case_services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="工作调整")
    assert status_of_case_page(mia, case.case_no) == 404
    assert status_of_case_page(max_, case.case_no) == 200
    recusal_self(case=case, user=max_, reason="本人回避")
    assert status_of_case_page(max_, case.case_no) == 404
    case.refresh_from_db()
    assert case_access_refusal(user=max_, case=case, role=ParticipantRole.MEDIATOR) is not None


def test_other_grants_on_the_case_are_kept(hearing, ada, mia, max_):
    case = hearing.case
    other = replay_grant(case=case, user=max_, by=ada, include_caucus=False)
    case_services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="工作调整")
    other.refresh_from_db()
    assert other.revoked_at is None
    assert ReplayGrant.objects.filter(case=case, revoked_at__isnull=True).count() == 1


async def test_a_connected_mediator_is_put_out_of_the_live_room(
    acknowledged, mia, alice, ada, max_, workers
):
    worker = workers()
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    await mediator.send({"type": "offer", "sdp": "v=0 mia"})
    offer = await worker_receive(worker)
    mia_id = await pid(acknowledged, mia)
    assert (offer["type"], offer["participant"]) == ("room.offer", str(mia_id))

    await database_sync_to_async(case_services.case_replace_mediator)(
        case=acknowledged.case, user=ada, mediator=max_, reason="工作调整"
    )
    leave = await worker_receive(worker)
    assert leave == {"type": "room.leave", "room": str(acknowledged.pk), "participant": str(mia_id)}
    error = await mediator.until("error")
    assert error["code"] == "access_revoked"
    assert await mediator.closed_with() == 4403
    await party.close()
