"""The seam between web and worker: what Django's channel layer sends to `media-worker.<id>`
reaches the worker, and the worker's replies reach a consumer's `channel_name`."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from media_contract.names import worker_channel
from media_worker.channel import ChannelLayerLink
from media_worker.main import serve
from media_worker.sfu import SFU
from tests.media_worker.media import PacketTrack, opus_packets, vp8_packets
from tests.media_worker.peers import ClientPeer, wait_until


async def offer_through(layer: Any, worker_id: str, client: ClientPeer, room: str) -> None:
    """What RoomConsumer.on_offer does, then the answer back through the reply channel."""
    client.reply_channel = await layer.new_channel()  # a consumer's channel_name
    await layer.send(
        worker_channel(worker_id),
        {
            "type": "room.offer",
            "room": room,
            "participant": client.name,
            "sdp": await client.offer(),
            "reply_channel": client.reply_channel,
            "group": "plenary",
            "muted": False,
            "can_screen": True,
        },
    )
    answer = await receive(layer, client.reply_channel, "media.answer")
    assert answer["room"] == room and answer["participant"] == client.name
    await client.accept(answer["sdp"])


async def receive(layer: Any, channel: str, kind: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        message = await asyncio.wait_for(layer.receive(channel), timeout)
        if message["type"] == kind:
            return dict(message)


async def slots_with(layer: Any, client: ClientPeer, participant: str) -> list[dict[str, Any]]:
    """The first slot map that shows `participant` (earlier ones predate its joining)."""
    while True:
        slots = (await receive(layer, client.reply_channel, "media.slots"))["slots"]
        if any(s["participant_id"] == participant for s in slots):
            return list(slots)


def prefix() -> str:
    layers: dict[str, Any] = settings.CHANNEL_LAYERS
    return str(layers["default"]["CONFIG"]["prefix"])


async def test_messages_from_djangos_channel_layer_reach_the_worker_and_replies_come_back(
    clients,
):
    layer = get_channel_layer()
    link = ChannelLayerLink(settings.REDIS_URL, prefix())
    sfu = SFU(link.send)
    worker_id = f"seam-{secrets.token_hex(4)}"
    stop = asyncio.Event()
    serving = asyncio.ensure_future(serve(sfu, link, worker_channel(worker_id), stop))
    alice = ClientPeer("1", camera=PacketTrack("video", vp8_packets()))
    bob = ClientPeer("2")
    clients += [alice, bob]
    try:
        await offer_through(layer, worker_id, alice, "session-a")
        await offer_through(layer, worker_id, bob, "session-a")
        bob.slots = await slots_with(layer, bob, "1")
        assert {s["participant_id"] for s in bob.slots} == {"1", None}
        await wait_until(lambda: len(bob.frames("1", "camera")) > 10, what="media flows")

        await layer.send(
            worker_channel(worker_id),
            {"type": "room.route", "room": "session-a", "participant": "2", "group": "bad group"},
        )
        error = await receive(layer, bob.reply_channel, "media.error")
        assert error["code"] == "malformed" and error["participant"] == "2"

        await layer.send(worker_channel(worker_id), {"type": "room.close", "room": "session-a"})
        closed = await receive(layer, alice.reply_channel, "media.state")
        assert closed["state"] in {"connected", "closed"}
    finally:
        stop.set()
        await serving
        await sfu.close()
        await link.close()


@pytest.mark.slow
async def test_the_worker_process_hosts_a_room_and_reports_its_load(
    clients, redis_client, heartbeat_prefix, stack_processes
):
    worker_id = f"mw-{heartbeat_prefix}"
    stack_processes.start(
        "media-worker",
        ACCORD_HEARTBEAT_PREFIX=heartbeat_prefix,
        MEDIA_WORKER_ID=worker_id,
        MEDIA_WORKER_HEARTBEAT_INTERVAL="0.3",
        ACCORD_MEDIA_HEARTBEAT_TTL="3",
    )
    layer = get_channel_layer()
    alice = ClientPeer("1", microphone=PacketTrack("audio", opus_packets()))
    bob = ClientPeer("2", camera=PacketTrack("video", vp8_packets()))
    clients += [alice, bob]
    await offer_through(layer, worker_id, alice, "session-b")
    await offer_through(layer, worker_id, bob, "session-b")
    alice.slots = await slots_with(layer, alice, "2")
    bob.slots = await slots_with(layer, bob, "1")

    await wait_until(
        lambda: len(alice.frames("2", "camera")) > 10 and len(bob.frames("1", "microphone")) > 10,
        timeout=10,
        what="media both ways through the worker process",
    )
    key = f"{heartbeat_prefix}:media:worker:{worker_id}"

    def status() -> dict[str, Any]:
        raw = redis_client.get(key)
        return json.loads(raw) if raw else {}

    await wait_until(lambda: status().get("participants") == 2, what="load in the heartbeat")
    assert status()["rooms"] == 1
    assert stack_processes.stop("media-worker") == 0
