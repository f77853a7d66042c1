"""The room tells the media worker what to record and shows recording alerts to the mediator
(docs/recording.md "Who records what"), through the real ASGI stack and Redis channel layer."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from accord.orgs.models import MediationRules, RecordingStart
from tests.rooms.test_consumer import (  # noqa: F401  (the fixture)
    _fresh_channel_layer,
    enter,
    pid,
    starts_by,
    worker_receive,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("heartbeat_prefix")]


@database_sync_to_async
def record_caucus(hearing, value: bool) -> None:
    MediationRules.objects.update_or_create(
        organization=hearing.case.organization, defaults={"record_caucus": value}
    )


async def _mediator_with_media(hearing, mia, workers):
    worker = workers(load=0.1)
    mediator, welcome = await enter(hearing, mia)
    await mediator.send({"type": "offer", "sdp": "v=0 mia"})
    offer = await worker_receive(worker)
    assert offer["type"] == "room.offer"
    return worker, mediator, welcome, offer


async def test_offers_and_controls_tell_the_worker_what_to_record(acknowledged, mia, workers):
    await starts_by(acknowledged, RecordingStart.MEDIATOR)
    worker, mediator, welcome, offer = await _mediator_with_media(acknowledged, mia, workers)
    assert welcome["recording"] == {
        "state": "off",
        "caucus_recorded": False,
        "reason": "",
        "starts": "mediator",
    }
    assert (offer["record"], offer["record_caucus"]) == (False, False)

    await starts_by(acknowledged, RecordingStart.MEDIATOR, record_caucus=True)
    expected = [
        ("start", "on", True, ""),
        ("pause", "paused", False, "休庭"),
        ("resume", "on", True, ""),
    ]
    expected.append(("stop", "off", False, ""))
    for action, state, record, reason in expected:
        frame_out = {"type": "recording", "action": action}
        if reason:
            frame_out["reason"] = reason
        await mediator.send(frame_out)
        told = await worker_receive(worker)
        assert told == {
            "type": "room.record",
            "room": str(acknowledged.pk),
            "record": record,
            "record_caucus": True,
        }
        frame = await mediator.until("recording")
        assert frame == {
            "type": "recording",
            "state": state,
            "caucus_recorded": True,
            "reason": reason,
            "starts": "mediator",
        }

    await mediator.send({"type": "recording", "action": "start"})
    assert (await worker_receive(worker))["record"] is True
    await mediator.send({"type": "offer", "sdp": "v=0 again"})
    again = await worker_receive(worker)
    assert (again["type"], again["record"], again["record_caucus"]) == ("room.offer", True, True)
    await mediator.close()


async def test_the_welcome_announces_the_caucus_policy(acknowledged, mia):
    await record_caucus(acknowledged, True)
    mediator, welcome = await enter(acknowledged, mia)
    assert welcome["recording"] == {
        "state": "off",
        "caucus_recorded": True,
        "reason": "",
        "starts": "auto",
    }
    await mediator.close()


async def test_a_media_alert_reaches_the_mediator_only(acknowledged, mia, alice, workers):
    worker, mediator, _welcome, mia_offer = await _mediator_with_media(acknowledged, mia, workers)
    party, _ = await enter(acknowledged, alice)
    alice_id = await pid(acknowledged, alice)
    await mediator.send({"type": "admit", "participant_id": str(alice_id)})
    await party.until("admitted")
    await party.send({"type": "offer", "sdp": "v=0 alice"})
    alice_offer = await worker_receive(worker)
    if alice_offer["type"] == "room.record":  # admitting alice started the recording first
        alice_offer = await worker_receive(worker)
    assert alice_offer["type"] == "room.offer"
    layer = get_channel_layer()
    alert = {"type": "media.alert", "room": str(acknowledged.pk), "code": "spool_nearly_full"}
    alert["message"] = "Recording storage on the media server is 80% full."
    for offer in (mia_offer, alice_offer):
        await layer.send(offer["reply_channel"], {**alert, "participant": offer["participant"]})
    frame = await mediator.until("recording_alert")
    assert frame == {
        "type": "recording_alert",
        "code": "spool_nearly_full",
        "message": "Recording storage on the media server is 80% full.",
    }
    assert await party.silent({"recording_alert"})
    await party.close()
    await mediator.close()
