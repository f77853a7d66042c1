"""The recorder: TrackRecorder on synthetic frames, then the SFU recording real aiortc peers."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import av
import pytest

from media_contract.registration import SegmentBody, segment_key
from media_worker.clock import PublisherClock, TrackClock
from media_worker.frames import EncodedFrame
from media_worker.recorder import DirectorySink, TrackRecorder
from media_worker.sfu import SFU
from tests.media_worker.media import PacketTrack, is_vp8_keyframe, opus_packets, vp8_packets
from tests.media_worker.peers import ClientPeer, Outbox, join, wait_until

WORKER = "mw-test"
T0 = 1_800_000_000.0  # a fixed worker wall time for synthetic frames


# Synthetic frames.


class Feed:
    """Feeds a TrackRecorder as Participant and SFU do: the clock first, then the frame."""

    def __init__(self, recorder: TrackRecorder, clock: TrackClock, mime_type: str) -> None:
        self.recorder, self.clock, self.mime_type = recorder, clock, mime_type

    def frame(self, rtp: int, data: bytes, keyframe: bool, arrival: float | None = None) -> None:
        rate = self.clock.clock_rate
        at = T0 + rtp / rate if arrival is None else arrival
        extended = self.clock.frame(rtp % (1 << 32), at)
        self.recorder.push(
            EncodedFrame(
                data=data,
                timestamp=extended,
                clock_rate=rate,
                mime_type=self.mime_type,
                keyframe=keyframe,
            )
        )


class FullSink(DirectorySink):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.full = False

    def accepting(self) -> bool:
        return not self.full


def make_recorder(
    sink: DirectorySink, kind: str, **kwargs: Any
) -> tuple[TrackRecorder, Feed, list[int]]:
    clock = TrackClock(90000 if kind == "video" else 48000, PublisherClock())
    asked: list[int] = []
    recorder = TrackRecorder(
        session="s-1",
        participant="7",
        track="camera" if kind == "video" else "microphone",
        worker=WORKER,
        sink=sink,
        clock=clock,
        request_keyframe=lambda: asked.append(1),
        segment_seconds=1.0,
        **kwargs,
    )
    mime = {"video": "video/vp8", "audio": "audio/opus", "h264": "video/h264"}[kind]
    return recorder, Feed(recorder, clock, mime), asked


def check_meta(meta: SegmentBody, root: Path) -> None:
    path = root / meta["key"]
    data = path.read_bytes()
    assert meta["size"] == len(data)
    assert meta["sha256"] == hashlib.sha256(data).hexdigest()
    assert json.loads((root / f"{meta['key']}.json").read_text()) == meta
    assert not (root / f"{meta['key']}.part").exists()
    assert meta["started_at"] <= meta["ended_at"]
    assert meta["worker"] == WORKER

    def no_floats(value: Any) -> None:
        assert not isinstance(value, float), meta
        if isinstance(value, dict):
            for item in value.values():
                no_floats(item)

    no_floats(meta)


def test_audio_is_cut_at_each_boundary(tmp_path):
    sink = DirectorySink(tmp_path)
    recorder, feed, _ = make_recorder(sink, "audio")
    packets = opus_packets()
    for i in range(125):  # 2.5 s of 20 ms frames
        feed.frame(i * 960, packets[i % len(packets)], True)
    recorder.close()

    metas = [meta for _, meta in sink.committed]
    assert [m["frames"] for m in metas] == [50, 50, 25]
    assert [m["index"] for m in metas] == [0, 1, 2]
    assert [m["duration_ms"] for m in metas] == [1000, 1000, 500]
    assert metas[1]["media_start"] == 50 * 960 and metas[1]["clock_rate"] == 48000
    assert metas[0]["started_at"] == "2027-01-15T08:00:00.000000Z"
    assert metas[0]["ended_at"] == "2027-01-15T08:00:00.980000Z"
    assert metas[0]["key"] == "s-1/7/microphone/20270115T080000000000Z-mw-test.webm"
    assert metas[0]["key"] == segment_key("s-1", "7", "microphone", T0, WORKER)
    for meta in metas:
        check_meta(meta, tmp_path)
        assert (meta["kind"], meta["codec"]) == ("audio", "audio/opus")
        assert meta["keyframe_start"]


def test_video_waits_for_a_keyframe_and_cuts_just_before_one(tmp_path):
    sink = DirectorySink(tmp_path)
    recorder, feed, asked = make_recorder(sink, "video")
    packets = vp8_packets()  # keyframes at 0 and 30, 30 fps
    for i in range(5, 100):  # starts mid-GOP, 3000 ticks a frame
        feed.frame(i * 3000, packets[i % 60], i % 30 == 0)
    recorder.close()

    metas = [meta for _, meta in sink.committed]
    assert asked  # it asked for a keyframe while waiting
    assert [m["media_start"] for m in metas] == [30 * 3000, 60 * 3000, 90 * 3000]
    assert [m["frames"] for m in metas] == [30, 30, 10]
    assert all(m["keyframe_start"] for m in metas)
    assert metas[0]["duration_ms"] == 29 * 1000 // 30 + 33
    for meta in metas:
        check_meta(meta, tmp_path)
        first, keyframe = demux(tmp_path / meta["key"])[0]
        assert keyframe and is_vp8_keyframe(first)


def test_video_without_a_keyframe_at_the_boundary_keeps_writing_and_asking(tmp_path):
    sink = DirectorySink(tmp_path)
    recorder, feed, asked = make_recorder(sink, "video")
    packets = vp8_packets()
    feed.frame(0, packets[0], True)
    for i in range(1, 90):  # 3 s with no other keyframe
        feed.frame(i * 3000, packets[1 + i % 29], False)
    assert not sink.committed and recorder.recording
    assert len(asked) == 90 - 30  # every frame past the boundary asks (the caller throttles)
    feed.frame(90 * 3000, packets[30], True)
    recorder.close()
    assert [m["frames"] for _, m in sink.committed] == [90, 1]


def test_frames_across_the_32_bit_wrap_stay_in_one_segment(tmp_path):
    sink = DirectorySink(tmp_path)
    recorder, feed, _ = make_recorder(sink, "audio")
    start = (1 << 32) - 10 * 960
    for i in range(30):
        feed.frame(start + i * 960, opus_packets()[i], True)
    recorder.close()
    [(_, meta)] = sink.committed
    assert meta["frames"] == 30 and meta["media_end"] - meta["media_start"] == 29 * 960


def test_an_unsupported_codec_is_reported_once_and_not_recorded(tmp_path):
    sink = DirectorySink(tmp_path)
    refused: list[str] = []
    gaps: list[dict[str, Any]] = []
    recorder, feed, _ = make_recorder(
        sink, "h264", on_unrecordable=refused.append, on_interruption=gaps.append
    )
    for i in range(10):
        feed.frame(i * 3000, b"\x00\x00\x01\x65", True)
    recorder.close()
    assert refused == ["video/h264"]
    assert [g["reason"] for g in gaps] == ["unsupported_codec"]
    assert not sink.committed and not list(tmp_path.rglob("*.part"))


def test_a_full_spool_opens_no_segment_and_reports_the_gap_when_space_returns(tmp_path):
    sink = FullSink(tmp_path)
    gaps: list[dict[str, Any]] = []
    recorder, feed, _ = make_recorder(sink, "audio", on_interruption=gaps.append)
    sink.full = True
    for i in range(60):
        feed.frame(i * 960, opus_packets()[i % 50], True)
        if i == 49:
            sink.full = False
    recorder.close()
    [(_, meta)] = sink.committed
    assert meta["media_start"] == 50 * 960
    [gap] = gaps
    assert gap["reason"] == "spool_full"
    assert (gap["from"], gap["to"]) == (
        "2027-01-15T08:00:00.000000Z",
        "2027-01-15T08:00:01.000000Z",
    )
    assert set(gap) == {
        "session",
        "participant",
        "track",
        "worker",
        "from",
        "to",
        "reason",
        "discarded_bytes",
    }


def test_the_wall_clock_follows_sender_reports(tmp_path):
    sink = DirectorySink(tmp_path)
    recorder, feed, _ = make_recorder(sink, "audio")
    # The publisher's clock is 30 s behind the worker's; the SR arrives 5 ms after it was sent.
    ntp_unix = T0 - 30.0
    ntp = (int(ntp_unix) + 2_208_988_800) << 32
    recorder.clock.sender_report(ntp, 0, T0 + 0.005)
    for i in range(10):
        feed.frame(i * 960, opus_packets()[i], True, arrival=T0 + 0.5 + i * 0.02)  # late
    recorder.close()
    [(_, meta)] = sink.committed
    assert meta["started_at"] == "2027-01-15T08:00:00.005000Z"
    assert meta["sync"] == {"sr_count": 1, "offset_ms": 30005}


# The SFU recording real peers.

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


@pytest.fixture
async def recording(tmp_path: Path, outbox: Outbox) -> AsyncIterator[tuple[SFU, DirectorySink]]:
    sink = DirectorySink(tmp_path)
    closed: list[str] = []
    worker = SFU(
        outbox.send,
        sink=sink,
        worker_id=WORKER,
        segment_seconds=1.0,
        on_session_closed=closed.append,
    )
    worker.closed_sessions = closed  # type: ignore[attr-defined]
    yield worker, sink
    await worker.close()


def publisher(name: str) -> tuple[ClientPeer, PacketTrack, PacketTrack]:
    audio, video = PacketTrack("audio", opus_packets()), PacketTrack("video", vp8_packets())
    return ClientPeer(name, microphone=audio, camera=video), audio, video


async def record(sfu: SFU, record: bool, record_caucus: bool = False) -> None:
    await sfu.handle(
        {"type": "room.record", "room": "room-1", "record": record, "record_caucus": record_caucus}
    )


async def offer_recorded(
    sfu: SFU, outbox: Outbox, client: ClientPeer, *, record_caucus: bool = False, **kw: Any
) -> None:
    """`join`, with the recording switches in the offer."""
    original = sfu.handle

    async def handle(message: dict[str, Any]) -> None:
        if message.get("type") == "room.offer":
            message = {**message, "record": True, "record_caucus": record_caucus}
        await original(message)

    sfu.handle = handle  # type: ignore[method-assign]
    try:
        await join(sfu, outbox, client, **kw)
    finally:
        del sfu.handle


def metas(sink: DirectorySink, participant: str, track: str) -> list[SegmentBody]:
    return [m for _, m in sink.committed if m["participant"] == participant and m["track"] == track]


def demux(path: Path) -> list[tuple[bytes, bool]]:
    """(payload, keyframe flag) of each packet of the file's only stream."""
    with av.open(str(path)) as container:
        return [(bytes(p), p.is_keyframe) for p in container.demux(container.streams[0]) if p.size]


def run_of(recorded: list[bytes], sent: list[bytes]) -> bool:
    """`recorded` is a run of consecutive frames of what the publisher sent."""
    starts = [i for i, data in enumerate(sent) if data == recorded[0]]
    return any(sent[i : i + len(recorded)] == recorded for i in starts)


@needs_ffmpeg
async def test_a_recorded_room_writes_decodable_segments_of_the_sent_bytes(
    recording, outbox, clients
):
    sfu, sink = recording
    alice, audio, video = publisher("alice")
    bob = ClientPeer("bob")
    clients += [alice, bob]
    await offer_recorded(sfu, outbox, alice)
    await offer_recorded(sfu, outbox, bob)
    started = time.time()
    await wait_until(
        lambda: (
            len(metas(sink, "alice", "camera")) >= 3
            and len(metas(sink, "alice", "microphone")) >= 3
        ),
        timeout=15,
        what="three closed segments per track",
    )
    assert sfu.recording_sessions() == ["room-1"]
    await sfu.handle({"type": "room.close", "room": "room-1"})
    stopped = time.time()

    assert sfu.closed_sessions == ["room-1"]
    assert not list(sink.root.rglob("*.part"))
    assert not [m for _, m in sink.committed if m["participant"] == "bob"]  # sends nothing
    for track, sent, kind in (("camera", video.sent, "video"), ("microphone", audio.sent, "audio")):
        segments = metas(sink, "alice", track)
        assert [m["index"] for m in segments] == list(range(len(segments)))
        payload: list[bytes] = []
        for meta in segments:
            check_meta(meta, sink.root)
            assert (meta["kind"], meta["session"], meta["track"]) == (kind, "room-1", track)
            path = sink.root / meta["key"]
            result = subprocess.run(
                ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0 and result.stderr == "", result.stderr
            packets = demux(path)
            assert len(packets) == meta["frames"]
            if kind == "video":
                assert packets[0][1] and meta["keyframe_start"]
                assert is_vp8_keyframe(packets[0][0])
            payload += [data for data, _ in packets]
            assert started - 1 < _unix(meta["started_at"]) <= _unix(meta["ended_at"]) < stopped + 1
        # Consecutive segments lose no frame and change no byte.
        assert run_of(payload, sent)
        total = sum(m["duration_ms"] for m in segments)
        wall = _unix(segments[-1]["ended_at"]) - _unix(segments[0]["started_at"])
        assert abs(total / 1000 - wall) < 0.3, (total, wall)
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "json",
            str(sink.root / metas(sink, "alice", "camera")[0]["key"]),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    [stream] = json.loads(probe.stdout)["streams"]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("vp8", 160, 120)


def _unix(text: str) -> float:
    from datetime import datetime

    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


async def test_without_record_nothing_is_recorded_and_pause_closes_segments(
    recording, outbox, clients
):
    sfu, sink = recording
    alice, _, _ = publisher("alice")
    clients.append(alice)
    await join(sfu, outbox, alice)
    await asyncio.sleep(1.5)
    assert not sink.committed and not list(sink.root.rglob("*.part"))

    await record(sfu, True)
    await wait_until(
        lambda: len(list(sink.root.rglob("*.part"))) == 2, what="both tracks are recording"
    )
    await asyncio.sleep(0.5)
    await record(sfu, False)
    assert not list(sink.root.rglob("*.part"))
    assert sfu.recording_sessions() == []
    closed = list(sink.committed)
    assert {m["track"] for _, m in closed} == {"camera", "microphone"}
    await asyncio.sleep(1.0)
    assert sink.committed == closed and not list(sink.root.rglob("*.part"))

    await record(sfu, True)  # resume: new segments, indices go on
    await wait_until(lambda: len(list(sink.root.rglob("*.part"))) == 2, what="recording resumed")
    await sfu.handle({"type": "room.leave", "room": "room-1", "participant": "alice"})
    again = [m for _, m in sink.committed[len(closed) :]]
    assert {m["track"] for m in again} == {"camera", "microphone"}
    for meta in again:
        before = [m for _, m in closed if m["track"] == meta["track"]]
        assert meta["index"] == before[-1]["index"] + 1
    assert sfu.closed_sessions == ["room-1"]


async def test_a_caucus_is_recorded_only_when_the_room_records_caucuses(recording, outbox, clients):
    sfu, sink = recording
    alice, _, _ = publisher("alice")
    bob, _, _ = publisher("bob")
    clients += [alice, bob]
    await offer_recorded(sfu, outbox, alice)
    await offer_recorded(sfu, outbox, bob)

    def open_parts(name: str) -> int:
        return len(list((sink.root / "room-1" / name).rglob("*.part")))

    await wait_until(lambda: open_parts("alice") == 2 and open_parts("bob") == 2, what="both")

    await sfu.handle(
        {"type": "room.route", "room": "room-1", "participant": "bob", "group": "caucus-bob"}
    )
    assert open_parts("bob") == 0 and open_parts("alice") == 2
    bob_closed = len(metas(sink, "bob", "camera"))
    assert bob_closed == 1
    await asyncio.sleep(1.0)
    assert len(metas(sink, "bob", "camera")) == bob_closed and open_parts("bob") == 0

    await record(sfu, True, record_caucus=True)
    await wait_until(lambda: open_parts("bob") == 2, what="bob's caucus is recorded")
    assert open_parts("alice") == 2


async def test_an_alert_reaches_every_participant(sfu, outbox, clients):
    alice, bob = ClientPeer("alice"), ClientPeer("bob")
    clients += [alice, bob]
    await join(sfu, outbox, alice)
    await join(sfu, outbox, bob)
    await sfu.alert("spool_full", "recording paused: the spool is full")
    for client in (alice, bob):
        assert outbox.last(client.reply_channel, "media.alert") == {
            "type": "media.alert",
            "room": "room-1",
            "participant": client.name,
            "code": "spool_full",
            "message": "recording paused: the spool is full",
        }


async def test_a_move_between_recorded_groups_ends_the_segments(recording, outbox, clients):
    """No segment mixes plenary and caucus media: a grant may exclude caucus recordings."""
    sfu, sink = recording
    alice, _, _ = publisher("alice")
    clients.append(alice)
    await offer_recorded(sfu, outbox, alice, record_caucus=True)
    parts = sink.root / "room-1" / "alice"
    await wait_until(lambda: len(list(parts.rglob("*.part"))) == 2, what="recording")

    await sfu.handle(
        {"type": "room.route", "room": "room-1", "participant": "alice", "group": "caucus-a"}
    )
    plenary = [m for _, m in sink.committed]
    assert {m["track"] for m in plenary} == {"camera", "microphone"}
    assert {m["group"] for m in plenary} == {"plenary"}
    await wait_until(lambda: len(list(parts.rglob("*.part"))) == 2, what="caucus recorded")
    await sfu.handle({"type": "room.leave", "room": "room-1", "participant": "alice"})
    caucus = [m for _, m in sink.committed[len(plenary) :]]
    assert {m["track"] for m in caucus} == {"camera", "microphone"}
    assert {m["group"] for m in caucus} == {"caucus-a"}
