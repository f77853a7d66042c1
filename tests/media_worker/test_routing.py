"""Routing groups (plenary and caucus rooms), mute, and the slot maps the worker sends."""

from __future__ import annotations

import asyncio
import time

from tests.media_worker.media import PacketTrack, opus_packets, vp8_packets
from tests.media_worker.peers import ClientPeer, join, refresh_slots, wait_until

# Frames already on the wire when routing changes may still arrive for this long.
GRACE = 0.3


def publisher(name: str) -> ClientPeer:
    return ClientPeer(
        name,
        microphone=PacketTrack("audio", opus_packets()),
        camera=PacketTrack("video", vp8_packets()),
    )


def frames_since(client: ClientPeer, since: float) -> int:
    return sum(1 for frames in client.received.values() for at, _ in frames if at > since)


def frames_from_since(client: ClientPeer, participant: str, source: str, since: float) -> int:
    return sum(1 for at, _ in client.received[client.mid_of(participant, source)] if at > since)


async def test_a_party_in_caucus_receives_nothing_from_the_other_side(sfu, outbox, clients):
    mediator, bob, carol = publisher("mediator"), publisher("bob"), publisher("carol")
    clients += [mediator, bob, carol]
    for client in clients:
        await join(sfu, outbox, client)
    refresh_slots(outbox, *clients)
    await wait_until(
        lambda: len(carol.frames("bob", "camera")) > 5 and len(bob.frames("carol", "camera")) > 5,
        what="everyone sees everyone in plenary",
    )

    for name in ("mediator", "bob"):
        await sfu.handle(
            {"type": "room.route", "room": "room-1", "participant": name, "group": "caucus-bob"}
        )
    moved_at = time.monotonic()
    refresh_slots(outbox, *clients)

    assert [s["participant_id"] for s in carol.slots] == [None] * len(carol.slots)
    assert {s["participant_id"] for s in bob.slots} == {"mediator", None}
    await wait_until(
        lambda: frames_from_since(bob, "mediator", "camera", moved_at + GRACE) > 10,
        what="bob still sees the mediator in caucus",
    )
    assert frames_since(carol, moved_at + GRACE) == 0
    # Carol is alone in plenary, so she sees nobody; and nothing of hers reaches the caucus.
    carol_mids = {
        s["mid"] for c in (bob, mediator) for s in c.slots if s["participant_id"] == "carol"
    }
    assert carol_mids == set()


async def test_moving_back_to_plenary_remaps_slots_and_sends_a_keyframe_first(sfu, outbox, clients):
    bob, carol = publisher("bob"), publisher("carol")
    clients += [bob, carol]
    await join(sfu, outbox, bob)
    await join(sfu, outbox, carol, group="caucus-carol")
    refresh_slots(outbox, bob, carol)
    assert [s["participant_id"] for s in bob.slots] == [None] * len(bob.slots)

    await sfu.handle(
        {"type": "room.route", "room": "room-1", "participant": "carol", "group": "plenary"}
    )
    refresh_slots(outbox, bob, carol)

    await wait_until(lambda: len(bob.frames("carol", "camera")) > 3, what="bob sees carol")
    assert not bob.frames("carol", "camera")[0][0] & 0x01  # decodable from the first frame
    assert bob.mid_of("carol", "camera") == bob.slots[1]["mid"]  # first camera slot
    assert bob.mid_of("carol", "microphone") == bob.slots[0]["mid"]


async def test_mute_stops_forwarding_that_participants_audio_only(sfu, outbox, clients):
    alice, bob = publisher("alice"), ClientPeer("bob")
    clients += [alice, bob]
    await join(sfu, outbox, alice)
    await join(sfu, outbox, bob)
    refresh_slots(outbox, bob)
    await wait_until(lambda: len(bob.frames("alice", "microphone")) > 5, what="bob hears alice")
    # Video starts at a keyframe, which this pre-encoded publisher cannot make on request:
    # bob's slot may have opened just after one and waits up to a GOP for the next.
    await wait_until(lambda: len(bob.frames("alice", "camera")) > 5, what="bob sees alice")

    await sfu.handle({"type": "room.mute", "room": "room-1", "participant": "alice", "muted": True})
    muted_at = time.monotonic()
    await asyncio.sleep(1.0)

    assert frames_from_since(bob, "alice", "microphone", muted_at + GRACE) == 0
    assert frames_from_since(bob, "alice", "camera", muted_at + GRACE) > 10

    await sfu.handle(
        {"type": "room.mute", "room": "room-1", "participant": "alice", "muted": False}
    )
    unmuted_at = time.monotonic()
    await wait_until(
        lambda: frames_from_since(bob, "alice", "microphone", unmuted_at) > 5,
        what="bob hears alice again",
    )


async def test_a_participant_joining_muted_is_not_heard(sfu, outbox, clients):
    alice, bob = publisher("alice"), ClientPeer("bob")
    clients += [alice, bob]
    await join(sfu, outbox, alice, muted=True)
    await join(sfu, outbox, bob)
    refresh_slots(outbox, bob)
    await wait_until(lambda: len(bob.frames("alice", "camera")) > 10, what="bob sees alice")
    assert bob.frames("alice", "microphone") == []
