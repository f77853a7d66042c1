"""The organization's recording policy decides when a hearing records (docs/recording.md "Who
records what"): by default it starts by itself when the first party is admitted; a pause needs
a reason that everyone sees; the notice people accept says what the policy is."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from accord.audit.models import TraceEvent
from accord.orgs.models import RecordingStart
from accord.rooms import notices
from accord.rooms.models import HearingSession
from tests.rooms.test_consumer import (  # noqa: F401  (the fixture)
    _fresh_channel_layer,
    enter,
    pid,
    set_policy,
    starts_by,
    trace,
    worker_receive,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("heartbeat_prefix")]


@database_sync_to_async
def recording_events(hearing: HearingSession) -> list[TraceEvent]:
    return list(
        TraceEvent.objects.filter(
            chain=hearing.case.chain, action__startswith="room.recording_"
        ).order_by("seq")
    )


async def test_admitting_the_first_party_starts_the_recording(
    acknowledged, mia, alice, ben, workers
):
    worker = workers(load=0.1)
    mediator, welcome = await enter(acknowledged, mia)
    assert welcome["recording"]["state"] == "off"
    await mediator.send({"type": "offer", "sdp": "v=0 mia"})
    offer = await worker_receive(worker)
    assert offer["record"] is False  # nobody to record with yet

    party, _ = await enter(acknowledged, alice)
    alice_id = await pid(acknowledged, alice)
    await mediator.send({"type": "admit", "participant_id": str(alice_id)})
    told = await worker_receive(worker)
    assert (told["type"], told["record"]) == ("room.record", True)
    frame = await mediator.until("recording")
    assert (frame["state"], frame["starts"]) == ("on", "auto")
    await party.until("admitted")

    [started] = await recording_events(acknowledged)
    assert started.action == "room.recording_started"
    assert started.actor == {"kind": "system", "label": "recording-policy"}
    assert started.payload == {
        "session_id": str(acknowledged.pk),
        "from": "off",
        "to": "on",
        "trigger": "policy",
        "admitted_participant_id": alice_id,
    }
    # Admitted right after the admission event, in the same transaction.
    actions = [a for a, _ in await trace(acknowledged)]
    assert actions[actions.index("room.admitted") + 1] == "room.recording_started"

    # The second party does not start it again.
    bank, _ = await enter(acknowledged, ben)
    await mediator.send({"type": "admit", "participant_id": str(await pid(acknowledged, ben))})
    await bank.until("admitted")
    assert len(await recording_events(acknowledged)) == 1
    for browser in (bank, party, mediator):
        await browser.close()


async def test_under_the_mediator_policy_admitting_records_nothing(acknowledged, mia, alice):
    await starts_by(acknowledged, RecordingStart.MEDIATOR)
    mediator, welcome = await enter(acknowledged, mia)
    assert welcome["recording"]["starts"] == "mediator"
    party, _ = await enter(acknowledged, alice)
    await mediator.send({"type": "admit", "participant_id": str(await pid(acknowledged, alice))})
    await party.until("admitted")
    assert await party.silent({"recording"})
    assert await recording_events(acknowledged) == []
    await mediator.send({"type": "recording", "action": "start"})
    assert (await party.until("recording"))["state"] == "on"
    [started] = await recording_events(acknowledged)
    assert started.actor["kind"] == "user"
    await party.close()
    await mediator.close()


async def test_a_pause_needs_a_reason_that_everyone_sees(acknowledged, mia, alice):
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    await mediator.send({"type": "admit", "participant_id": str(await pid(acknowledged, alice))})
    assert (await mediator.until("recording"))["state"] == "on"  # the first party is in
    await party.until("admitted")
    before = await trace(acknowledged)

    for frame in (
        {"type": "recording", "action": "pause"},
        {"type": "recording", "action": "pause", "reason": "   "},
    ):
        await mediator.send(frame)
        error = await mediator.until("error")
        assert (error["code"], error["ref"]) == ("reason_required", "recording")
    await mediator.send({"type": "recording", "action": "resume", "reason": "why"})
    assert (await mediator.until("error"))["code"] == "malformed"
    await mediator.send({"type": "recording", "action": "pause", "reason": "x" * 501})
    assert (await mediator.until("error"))["code"] == "malformed"
    assert await trace(acknowledged) == before

    await mediator.send({"type": "recording", "action": "pause", "reason": " 当事人要求休息 "})
    paused = await party.until("recording")
    assert (paused["state"], paused["reason"]) == ("paused", "当事人要求休息")
    event = (await recording_events(acknowledged))[-1]
    assert (event.action, event.payload["reason"]) == ("room.recording_paused", "当事人要求休息")

    # Whoever enters during the pause is told why.
    again, welcome = await enter(acknowledged, alice)
    assert welcome["recording"]["reason"] == "当事人要求休息"
    await again.close()

    await mediator.send({"type": "recording", "action": "resume"})
    resumed = await party.until("recording")
    assert (resumed["state"], resumed["reason"]) == ("on", "")
    assert (await recording_events(acknowledged))[-1].action == "room.recording_resumed"
    await party.close()
    await mediator.close()


async def test_the_automatic_policy_has_no_stop(acknowledged, mia):
    mediator, _ = await enter(acknowledged, mia)
    await mediator.send({"type": "recording", "action": "start"})
    assert (await mediator.until("recording"))["state"] == "on"
    before = await trace(acknowledged)
    await mediator.send({"type": "recording", "action": "stop"})
    assert (await mediator.until("error"))["code"] == "forbidden"
    assert await trace(acknowledged) == before
    await mediator.close()


# --- What people are told ---------------------------------------------------------


def _device_check(hearing: HearingSession, user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/en/rooms/{hearing.pk}/check/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("start", "said"),
    [
        (RecordingStart.AUTO, "by itself, from the moment the first party is admitted"),
        (RecordingStart.MEDIATOR, "from the moment the mediator starts the recording"),
    ],
)
def test_the_notice_follows_the_policy(hearing, alice, start, said):
    set_policy(hearing, start)
    page = _device_check(hearing, alice)
    assert said in page
    assert "a pause states its reason" in page
    assert "are not recorded" in page  # caucus rooms, the default


def test_the_sms_names_the_recording(hearing, outbox):
    notices.session_notice_send(session_id=hearing.pk)  # in the site's language, Chinese
    assert outbox and all("调解全程录音录像。" in m.body for m in outbox)
    set_policy(hearing, RecordingStart.MEDIATOR)
    outbox.clear()
    notices.session_notice_send(session_id=hearing.pk)
    assert outbox and all("调解员开始录制后" in m.body for m in outbox)
