"""A room socket's limits (docs/rooms-protocol.md): open sockets per user are capped, and
connecting again and again does not flood the case's trace (one room.joined per stay)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from accord.rooms import live, services
from accord.rooms.models import SessionParticipant
from tests.rooms.conftest import participant
from tests.rooms.test_consumer import (  # noqa: F401  (the autouse fixture)
    _fresh_channel_layer,
    enter,
    join,
    trace,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("heartbeat_prefix")]


async def actions(hearing: Any) -> list[str]:
    return [action for action, _ in await trace(hearing)]


@database_sync_to_async
def stay(hearing: Any, user: Any) -> SessionParticipant:
    return participant(hearing, user)


settle = database_sync_to_async(services.room_leaves_settle)


# --- One join event per stay ------------------------------------------------


async def test_ten_connect_disconnect_cycles_write_one_join_event(acknowledged, mia):
    for _ in range(10):
        browser, _welcome = await enter(acknowledged, mia)
        await browser.close()
    assert (await actions(acknowledged)).count("room.joined") == 1
    assert (await actions(acknowledged)).count("room.left") == 0
    assert (await stay(acknowledged, mia)).reconnects == 9
    # The stay's end is written once, with the reconnects summarized.
    assert await settle(session_id=acknowledged.pk) == 1
    events = await trace(acknowledged)
    left = [payload for action, payload in events if action == "room.left"]
    assert len(left) == 1
    assert left[0]["reconnects"] == 9 and left[0]["left_at"]
    assert [a for a, _ in events].count("room.joined") == 1


async def test_a_second_tab_writes_no_join_event(acknowledged, mia):
    first, _ = await enter(acknowledged, mia)
    second, _ = await enter(acknowledged, mia)
    await second.close()
    assert (await actions(acknowledged)).count("room.joined") == 1
    await first.close()
    assert (await stay(acknowledged, mia)).reconnects == 1


async def test_after_the_grace_a_new_stay_gets_its_own_join(acknowledged, mia, settings):
    settings.ACCORD_ROOM_REJOIN_GRACE_SECONDS = 30
    browser, _ = await enter(acknowledged, mia)
    await browser.close()
    await database_sync_to_async(
        SessionParticipant.objects.filter(session=acknowledged, user=mia).update
    )(left_at=timezone.now() - timedelta(seconds=31))
    assert await settle() == 1  # what Celery beat runs
    browser, _ = await enter(acknowledged, mia)
    await browser.close()
    assert [a for a in await actions(acknowledged) if a.startswith("room.")] == [
        "room.joined",
        "room.left",
        "room.joined",
    ]


async def test_a_stay_past_its_grace_is_ended_by_the_next_join(acknowledged, mia, settings):
    settings.ACCORD_ROOM_REJOIN_GRACE_SECONDS = 30
    browser, _ = await enter(acknowledged, mia)
    await browser.close()
    await database_sync_to_async(
        SessionParticipant.objects.filter(session=acknowledged, user=mia).update
    )(left_at=timezone.now() - timedelta(seconds=31))
    browser, _ = await enter(acknowledged, mia)  # no beat ran meanwhile
    await browser.close()
    room = [a for a in await actions(acknowledged) if a.startswith("room.")]
    assert room == ["room.joined", "room.left", "room.joined"]


async def test_the_end_of_the_hearing_summarizes_reconnects(acknowledged, mia, alice):
    mediator, _ = await enter(acknowledged, mia)
    party = await join(acknowledged, alice)
    await party.until("waiting")
    await party.close()
    party = await join(acknowledged, alice)
    await party.until("waiting")
    await mediator.send({"type": "end"})
    await party.until("ended")
    events = await trace(acknowledged)
    summary = [p for a, p in events if a == "room.reconnects"]
    alice_id = (await stay(acknowledged, alice)).pk
    assert summary == [
        {"session_id": str(acknowledged.pk), "participant_id": alice_id, "reconnects": 1}
    ]
    names = [a for a, _ in events]
    assert names.index("room.reconnects") < names.index("room.ended")
    assert names.count("room.joined") == 2  # mia's and alice's


# --- Open sockets per user -----------------------------------------------------


async def test_one_socket_over_the_cap_is_refused_with_4429(acknowledged, mia, settings):
    settings.ACCORD_ROOM_SOCKETS_PER_USER = 2
    first, _ = await enter(acknowledged, mia)
    second, _ = await enter(acknowledged, mia)
    third = await join(acknowledged, mia)
    error = await third.until("error")
    assert error["code"] == "too_many_sockets" and error["ref"] is None
    assert await third.closed_with() == 4429
    # A closed socket frees its slot.
    await second.close()
    again, _ = await enter(acknowledged, mia)
    await again.close()
    await first.close()


def test_a_dead_process_sockets_stop_counting(settings, redis_client):
    user_id = 987654
    assert live.socket_claim(user_id=user_id, channel_name="dead-1", cap=1)
    assert not live.socket_claim(user_id=user_id, channel_name="live-1", cap=1)
    # The dead socket's process stopped refreshing it a while ago.
    key = f"{settings.ACCORD_HEARTBEAT_PREFIX}:room-sockets:{user_id}"
    redis_client.zadd(key, {"dead-1": time.time() - live.ONLINE_STALE_SECONDS - 1})
    assert live.socket_claim(user_id=user_id, channel_name="live-1", cap=1)
    assert 0 < redis_client.ttl(key) <= live.ONLINE_STALE_SECONDS * 3
    live.socket_release(user_id=user_id, channel_name="live-1")
    assert redis_client.zcard(key) == 0
