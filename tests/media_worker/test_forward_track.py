"""A slot's queue is bounded: a subscriber that does not keep up loses frames itself only."""

from __future__ import annotations

import asyncio
import time

from media_worker.forward_track import ForwardTrack
from media_worker.frames import EncodedFrame
from tests.media_worker.media import PacketTrack, vp8_packets
from tests.media_worker.peers import ClientPeer, join, refresh_slots, wait_until


def frame(i: int, *, keyframe: bool = False, kind: str = "video") -> EncodedFrame:
    return EncodedFrame(
        data=bytes([0 if keyframe else 1, i % 256]),
        timestamp=i * (3000 if kind == "video" else 960),
        clock_rate=90000 if kind == "video" else 48000,
        mime_type="video/vp8" if kind == "video" else "audio/opus",
        keyframe=keyframe or kind == "audio",
    )


async def test_a_video_slot_never_holds_more_than_its_capacity_and_asks_for_a_keyframe():
    asked: list[int] = []
    track = ForwardTrack("video", capacity=10, on_keyframe_needed=lambda: asked.append(1))
    track.set_source("alice")

    track.push("alice", frame(0, keyframe=True))
    for i in range(1, 100):
        track.push("alice", frame(i))

    assert len(track._frames) <= 10
    assert track.dropped >= 89
    assert asked == [1]  # overflowed once, then waits for a keyframe
    track.push("alice", frame(100, keyframe=True))
    assert bytes(await track.recv())[1] == 100  # resumes on the keyframe, nothing stale first


async def test_an_audio_slot_drops_its_oldest_frames():
    track = ForwardTrack("audio", capacity=5)
    track.set_source("alice")
    for i in range(20):
        track.push("alice", frame(i, kind="audio"))

    received = [bytes(await track.recv())[1] for _ in range(5)]

    assert received == [15, 16, 17, 18, 19]
    assert track.dropped == 15


async def test_a_frame_of_another_codec_than_the_slots_is_not_forwarded():
    track = ForwardTrack("video")
    track.mime_type = "video/h264"
    track.set_source("alice")

    track.push("alice", frame(0, keyframe=True))  # VP8

    assert track._frames == type(track._frames)()
    assert track.dropped == 1


async def test_frames_of_another_publisher_are_ignored_and_a_switch_continues_the_timeline():
    track = ForwardTrack("video")
    track.set_source("alice")
    track.push("alice", frame(5, keyframe=True))
    track.push("bob", frame(6, keyframe=True))
    first = await track.recv()
    assert track._frames == type(track._frames)()

    track.set_source("bob")
    track.push("bob", frame(1000, keyframe=True))
    second = await track.recv()

    assert first.pts is not None
    assert second.pts == first.pts + 3000  # one frame later, not a jump to bob's clock


async def test_a_subscriber_that_stalls_does_not_slow_the_others(sfu, outbox, clients):
    camera = PacketTrack("video", vp8_packets())
    alice = ClientPeer("alice", camera=camera)
    bob, carol = ClientPeer("bob"), ClientPeer("carol")
    clients += [alice, bob, carol]
    for client in clients:
        await join(sfu, outbox, client)
    refresh_slots(outbox, bob, carol)
    await wait_until(
        lambda: len(bob.frames("alice", "camera")) > 5 and len(carol.frames("alice", "camera")) > 5,
        what="bob and carol see alice",
    )

    # Bob's link to the worker stops draining: his sender blocks on every packet.
    bob_side = sfu.rooms["room-1"].participants["bob"]
    stalled = asyncio.Event()

    async def stuck(data: bytes) -> None:
        await stalled.wait()

    transport = bob_side.pc.getTransceivers()[0].sender.transport
    send_rtp = transport._send_rtp
    transport._send_rtp = stuck
    since = time.monotonic()
    sent_before = len(camera.sent)
    try:
        await asyncio.sleep(3.0)
    finally:
        transport._send_rtp = send_rtp
        stalled.set()
    sent = len(camera.sent) - sent_before

    received = [at for at, _ in carol.received[carol.mid_of("alice", "camera")] if at > since]
    # Carol keeps pace with what alice sent meanwhile (one frame sits in her jitter buffer).
    assert sent >= 60
    assert len(received) >= sent - 3
    bob_track = next(
        s.track for s in bob_side.slots if s.track.source == "alice" and s.kind == "video"
    )
    assert len(bob_track._frames) <= bob_track.capacity
