"""The SFU forwards the publisher's encoded frames, byte for byte, and never decodes them."""

from __future__ import annotations

import threading

import aiortc.rtcrtpreceiver
import pytest

from tests.media_worker.media import PacketTrack, opus_packets, vp8_packets
from tests.media_worker.peers import ClientPeer, join, refresh_slots, wait_until


def cyclic_match(received: list[bytes], cycle: tuple[bytes, ...]) -> bool:
    """`received` is a run of consecutive frames of `cycle` (repeated)."""
    start = cycle.index(received[0])
    return all(data == cycle[(start + i) % len(cycle)] for i, data in enumerate(received))


@pytest.fixture
def decoder_calls(monkeypatch):
    """Every decoder aiortc would create, whoever asks (the SFU's receivers and the test
    clients, which tap theirs too)."""
    calls = []
    real = aiortc.rtcrtpreceiver.get_decoder

    def spy(codec):
        calls.append(codec.mimeType)
        return real(codec)

    monkeypatch.setattr(aiortc.rtcrtpreceiver, "get_decoder", spy)
    return calls


async def test_a_subscriber_receives_exactly_the_bytes_the_publisher_sent(
    sfu, outbox, clients, decoder_calls
):
    video = PacketTrack("video", vp8_packets())
    audio = PacketTrack("audio", opus_packets())
    alice = ClientPeer("alice", microphone=audio, camera=video)
    bob = ClientPeer("bob")
    clients += [alice, bob]
    await join(sfu, outbox, alice)
    await join(sfu, outbox, bob)
    refresh_slots(outbox, alice, bob)

    await wait_until(
        lambda: (
            len(bob.frames("alice", "camera")) >= 45
            and len(bob.frames("alice", "microphone")) >= 30
        ),
        timeout=10,
        what="bob receives alice's camera and microphone",
    )

    camera = bob.frames("alice", "camera")
    assert is_vp8_keyframe_first(camera)
    assert cyclic_match(camera, vp8_packets())
    assert cyclic_match(bob.frames("alice", "microphone"), opus_packets())
    assert set(camera) <= set(video.sent)
    assert decoder_calls == []
    assert not [t for t in threading.enumerate() if t.name.endswith("-decoder")]


def is_vp8_keyframe_first(frames: list[bytes]) -> bool:
    return not frames[0][0] & 0x01


async def test_two_m_lines_of_one_kind_both_flow_under_max_bundle(sfu, outbox, clients):
    # Alice publishes a camera and receives bob's on a recvonly video slot of the same
    # connection: the case aiortc's default BALANCED policy breaks.
    alice = ClientPeer("alice", camera=PacketTrack("video", vp8_packets()))
    bob = ClientPeer("bob", camera=PacketTrack("video", vp8_packets()))
    clients += [alice, bob]
    await join(sfu, outbox, alice)
    await join(sfu, outbox, bob)
    refresh_slots(outbox, alice, bob)

    await wait_until(
        lambda: (
            len(alice.frames("bob", "camera")) >= 20 and len(bob.frames("alice", "camera")) >= 20
        ),
        timeout=10,
        what="video both ways",
    )
    room = sfu.rooms["room-1"]
    for participant in room.participants.values():
        transports = {t.receiver.transport for t in participant.pc.getTransceivers()}
        assert len(transports) == 1
