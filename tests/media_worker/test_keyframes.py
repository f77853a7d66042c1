"""Keyframe requests reach the publisher: a late joiner decodes at once, a subscriber's PLI is
relayed, and a burst of requests costs one keyframe per throttle window."""

from __future__ import annotations

import asyncio
import time

from media_worker.keyframes import KeyframeRequester
from tests.media_worker.media import FrameTrack, is_vp8_keyframe
from tests.media_worker.peers import ClientPeer, join, refresh_slots, wait_until


def keyframes(frames: list[bytes]) -> int:
    return sum(1 for data in frames if is_vp8_keyframe(data))


async def test_a_late_joiner_gets_a_keyframe_within_two_seconds(sfu, outbox, clients):
    # aiortc's VP8 encoder makes a keyframe every 3000 frames (100 s): only a relayed request
    # can give bob one soon.
    alice, early = ClientPeer("alice", camera=FrameTrack()), ClientPeer("early")
    alice.ignore_bitrate_feedback()
    clients += [alice, early]
    await join(sfu, outbox, alice)
    await join(sfu, outbox, early)
    refresh_slots(outbox, early)
    await wait_until(lambda: len(early.frames("alice", "camera")) > 30, what="early sees alice")
    await asyncio.sleep(1.0)

    bob = ClientPeer("bob")
    clients.append(bob)
    joined_at = time.monotonic()
    await join(sfu, outbox, bob)
    refresh_slots(outbox, bob)

    mid = bob.mid_of("alice", "camera")
    await wait_until(lambda: bob.received[mid], timeout=2.0, what="bob's first frame of alice")
    first_at, first = bob.received[mid][0]
    assert is_vp8_keyframe(first)
    assert first_at - joined_at < 2.0
    await wait_until(lambda: len(bob.received[mid]) > 10, what="bob keeps receiving")


async def test_a_subscribers_picture_loss_report_reaches_the_publisher(sfu, outbox, clients):
    alice, bob = ClientPeer("alice", camera=FrameTrack()), ClientPeer("bob")
    alice.ignore_bitrate_feedback()
    clients += [alice, bob]
    await join(sfu, outbox, alice)
    await join(sfu, outbox, bob)
    refresh_slots(outbox, bob)
    mid = bob.mid_of("alice", "camera")
    await wait_until(lambda: len(bob.received[mid]) > 20, what="bob sees alice")
    await asyncio.sleep(0.6)  # past the throttle window of the join's own request
    before = keyframes([data for _, data in bob.received[mid]])

    receiver = next(t.receiver for t in bob.pc.getTransceivers() if t.mid == mid)
    ssrc = receiver.getSynchronizationSources()[0].source
    await receiver._send_rtcp_pli(ssrc)

    await wait_until(
        lambda: keyframes([data for _, data in bob.received[mid]]) > before,
        timeout=2.0,
        what="a keyframe after bob's PLI",
    )


async def test_requests_in_a_burst_cost_one_keyframe_per_window_and_the_last_is_kept():
    sent: list[float] = []

    async def send() -> bool:
        sent.append(time.monotonic())
        return True

    requester = KeyframeRequester(send, interval=0.2)
    for _ in range(10):
        requester.request()
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.35)
    requester.close()

    assert len(sent) == 2  # one at once, one deferred to the window's end
    assert sent[1] - sent[0] >= 0.19
    assert requester.sent == 2


async def test_a_caucus_move_gets_the_mover_a_keyframe_from_its_new_group(sfu, outbox, clients):
    carol, dave = ClientPeer("carol", camera=FrameTrack()), ClientPeer("dave")
    bob = ClientPeer("bob")
    carol.ignore_bitrate_feedback()
    clients += [carol, dave, bob]
    await join(sfu, outbox, carol)
    await join(sfu, outbox, dave)
    await join(sfu, outbox, bob, group="caucus-bob")
    refresh_slots(outbox, dave)
    await wait_until(lambda: len(dave.frames("carol", "camera")) > 30, what="dave sees carol")
    await asyncio.sleep(1.0)

    moved_at = time.monotonic()
    await sfu.handle(
        {"type": "room.route", "room": "room-1", "participant": "bob", "group": "plenary"}
    )
    refresh_slots(outbox, bob)

    mid = bob.mid_of("carol", "camera")
    await wait_until(lambda: bob.received[mid], timeout=2.0, what="bob's first frame of carol")
    first_at, first = bob.received[mid][0]
    assert is_vp8_keyframe(first)
    assert first_at - moved_at < 2.0
