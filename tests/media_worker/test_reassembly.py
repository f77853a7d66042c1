"""media_worker.reassembly: frames out of publishers' packets, never stalled behind a lost one,
never an undecodable frame handed on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

from media_worker.reassembly import (
    MAX_NACK_HOLE,
    NACK_TRIES,
    AudioReassembler,
    RetransmitTimer,
    VideoReassembler,
)

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, payloadType=111, channels=2)
CODECS = {96: VP8, 111: OPUS}


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    clock: Clock = field(default_factory=Clock)
    frames: list[JitterFrame] = field(default_factory=list)
    nacks: list[list[int]] = field(default_factory=list)
    keyframe_requests: int = 0
    video: VideoReassembler = field(init=False)

    def __post_init__(self) -> None:
        async def send_nack(ssrc: int, lost: list[int]) -> None:
            self.nacks.append(lost)

        def request() -> None:
            self.keyframe_requests += 1

        self.video = VideoReassembler(
            codec_of=CODECS.get,
            emit=lambda codec, frame: self.frames.append(frame),
            send_nack=send_nack,
            request_keyframe=request,
            clock=self.clock,
        )

    @property
    def timestamps(self) -> list[int]:
        return [f.timestamp for f in self.frames]

    @property
    def nacked(self) -> list[int]:
        return [seq for lost in self.nacks for seq in lost]


def vp8_frame(seq: int, timestamp: int, *, key: bool, packets: int = 3) -> list[RtpPacket]:
    """One VP8 frame in `packets` RTP packets (payload descriptor + a slice of the frame)."""
    out = []
    for i in range(packets):
        tag = (0x00 if key else 0x01) if i == 0 else 0x55
        data = bytes([tag]) + bytes([seq % 256, i]) * 20
        packet = RtpPacket(
            payload_type=96,
            marker=1 if i == packets - 1 else 0,
            sequence_number=(seq + i) & 0xFFFF,
            timestamp=timestamp & 0xFFFFFFFF,
            ssrc=1234,
            payload=bytes([0x10 if i == 0 else 0x00]) + data,
        )
        packet._data = data  # type: ignore[attr-defined]  # what aiortc's depayload leaves
        out.append(packet)
    return out


def stream(frames: int, *, first_seq: int = 1000, keyframes: tuple[int, ...] = (0,)) -> list:
    """`frames` frames of 3 packets, 30 fps, keyframes at the given frame indexes."""
    return [vp8_frame(first_seq + 3 * i, 3000 * i, key=i in keyframes) for i in range(frames)]


def feed(h: Harness, packets: list[RtpPacket], *, step: float = 0.01) -> None:
    for packet in packets:
        h.video.add(packet)
        h.clock.now += step


async def settle() -> None:
    await asyncio.sleep(0.05)  # the NACK tasks and the retry tick run


async def test_a_frame_is_handed_over_when_its_last_packet_arrives():
    h = Harness()
    frames = stream(2)
    feed(h, frames[0])
    assert h.timestamps == [0]  # not waiting for the next frame's first packet
    feed(h, frames[1][:2])
    assert h.timestamps == [0]
    feed(h, frames[1][2:])
    assert h.timestamps == [0, 3000]
    assert h.frames[0].data.startswith(b"\x00")  # the frame's bytes, descriptors removed


async def test_a_lost_packet_is_asked_for_at_once_and_its_frame_waits_for_it():
    h = Harness()
    frames = stream(4)
    lost = frames[1][1]
    packets = [p for f in frames for p in f if p is not lost]
    feed(h, packets)
    await settle()
    assert h.nacked[0] == lost.sequence_number
    assert h.timestamps == [0]  # frame 1 and those behind it wait
    feed(h, [lost])  # the retransmission
    assert h.timestamps == [0, 3000, 6000, 9000]
    assert h.video.stats.repaired == 1 and h.video.stats.given_up == 0
    assert h.keyframe_requests == 0


async def test_a_retransmission_that_does_not_come_is_asked_for_again():
    h = Harness()
    frames = stream(3)
    lost = frames[1][0]
    feed(h, [p for f in frames for p in f if p is not lost])
    await settle()
    assert h.nacked.count(lost.sequence_number) == 1
    h.clock.now += h.video.timer.retry + 0.001
    await settle()
    assert h.nacked.count(lost.sequence_number) == 2
    for _ in range(3 * NACK_TRIES):
        h.clock.now += h.video.timer.retry + 0.001
        await settle()
    assert h.nacked.count(lost.sequence_number) <= NACK_TRIES


async def test_the_round_trip_of_a_repair_sets_how_soon_it_is_asked_again():
    h = Harness()
    frames = stream(3)
    lost = frames[1][1]
    feed(h, [p for f in frames for p in f if p is not lost], step=0)
    await settle()
    h.clock.now += 0.004  # the retransmission comes 4 ms after the NACK
    feed(h, [lost])
    assert h.video.timer.rtt == pytest.approx(0.004)
    assert h.video.timer.retry == pytest.approx(0.02)  # its floor
    assert RetransmitTimer(rtt=0.2).retry == pytest.approx(0.25)  # and its ceiling


async def test_an_unrepaired_hole_is_given_up_and_nothing_undecodable_follows_until_a_keyframe():
    h = Harness()
    frames = stream(12, keyframes=(0, 8))
    lost = frames[2][1]
    packets = [p for f in frames[:8] for p in f if p is not lost]
    feed(h, packets)
    await settle()
    assert h.timestamps == [0, 3000]  # frame 2 waits for its packet
    h.clock.now += h.video.timer.retry
    await settle()  # asked for again
    h.clock.now += h.video.timer.patience
    feed(h, frames[8][:2])  # time passes: the next packet finds the hole given up
    assert h.video.stats.given_up == 1
    assert h.keyframe_requests == 1
    assert h.timestamps == [0, 3000]  # frames 2-7 reference the lost one: none handed on
    feed(h, frames[8][2:] + [p for f in frames[9:] for p in f])
    assert h.timestamps == [0, 3000] + [3000 * i for i in range(8, 12)]
    assert h.video.stats.dropped_frames >= 6


async def test_a_complete_keyframe_behind_a_hole_is_jumped_to_at_once():
    h = Harness()
    frames = stream(6, keyframes=(0, 3))
    lost = frames[1][0]
    feed(h, [p for f in frames for p in f if p is not lost])
    # No patience needed: the keyframe makes the hole and what it breaks irrelevant.
    assert h.timestamps == [0, 9000, 12000, 15000]
    assert h.video.stats.given_up == 1
    assert h.keyframe_requests == 0  # a keyframe is already here


async def test_an_outage_is_not_asked_back_and_the_stream_resumes_at_the_next_keyframe():
    h = Harness()
    before = stream(3)
    after = stream(4, first_seq=1009 + MAX_NACK_HOLE + 50, keyframes=(1,))
    for i, f in enumerate(after):
        for p in f:
            p.timestamp = 3000 * (200 + i)
    feed(h, [p for f in before for p in f])
    feed(h, [p for f in after for p in f])
    await settle()
    assert h.nacks == []
    assert h.timestamps == [0, 3000, 6000] + [3000 * (200 + i) for i in (1, 2, 3)]
    assert h.keyframe_requests == 1  # the delta after the outage found the chain broken


async def test_sequence_numbers_wrap_around():
    h = Harness()
    frames = stream(6, first_seq=65530)
    lost = frames[2][2]  # sequence number 65538 & 0xFFFF == 2
    feed(h, [p for f in frames for p in f if p is not lost])
    await settle()
    assert lost.sequence_number == 2 and h.nacked == [2]
    feed(h, [lost])
    assert h.timestamps == [3000 * i for i in range(6)]


async def test_deltas_before_the_first_keyframe_are_not_handed_on():
    h = Harness()
    frames = stream(4, keyframes=(2,))
    feed(h, [p for f in frames for p in f])
    assert h.timestamps == [6000, 9000]


async def test_a_restarted_sequence_begins_again_from_a_keyframe():
    h = Harness()
    feed(h, [p for f in stream(3) for p in f])
    restarted = stream(3, first_seq=40000, keyframes=(1,))
    feed(h, [p for f in restarted for p in f])
    assert h.video.stats.resets == 1
    assert h.timestamps == [0, 3000, 6000, 3000, 6000]


async def test_a_closed_reassembler_takes_nothing_and_stops_asking():
    h = Harness()
    frames = stream(3)
    feed(h, [p for f in frames for p in f if p is not frames[1][0]])
    h.video.close()
    h.clock.now += 1
    await settle()
    count = len(h.nacks)
    feed(h, [frames[1][0]])
    await settle()
    assert len(h.nacks) == count and h.timestamps == [0]


def opus(seq: int) -> RtpPacket:
    packet = RtpPacket(
        payload_type=111, sequence_number=seq & 0xFFFF, timestamp=960 * seq, payload=b"x"
    )
    packet._data = bytes([seq % 256]) * 10  # type: ignore[attr-defined]
    return packet


def test_audio_never_waits_behind_a_lost_packet_and_drops_late_ones():
    frames: list[JitterFrame] = []
    audio = AudioReassembler(codec_of=CODECS.get, emit=lambda codec, frame: frames.append(frame))
    for seq in (1, 2, 4, 5):
        audio.add(opus(seq))
    assert [f.timestamp for f in frames] == [960, 1920, 3840, 4800]  # 3 lost: no stall
    audio.add(opus(3))  # too late: its place was passed
    audio.add(opus(5))  # a duplicate
    assert len(frames) == 4
    assert audio.stats.late == 2 and audio.stats.dropped_frames == 1


async def test_a_stalled_process_does_not_give_a_hole_up_before_asking_for_it_again():
    h = Harness()
    frames = stream(4)
    lost = frames[1][1]
    feed(h, [p for f in frames[:3] for p in f if p is not lost], step=0)
    await settle()
    assert h.nacked == [lost.sequence_number]
    h.clock.now += 10  # the event loop was stuck: no retry went out meanwhile
    feed(h, frames[3][:1], step=0)
    assert h.video.stats.given_up == 0
    await settle()  # now the retry goes out
    assert h.nacked == [lost.sequence_number] * 2
    feed(h, [lost, *frames[3][1:]], step=0)
    assert h.timestamps == [0, 3000, 6000, 9000]
