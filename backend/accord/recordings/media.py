"""Packets in, packets out: demux the worker's WebM segments with PyAV (no decoding) and mux
them into one file with the project's WebM writer; and the one place that decodes, off the live
path: the speaking lane of a final file's audio.
"""

from __future__ import annotations

import array
import hashlib
import heapq
import itertools
import math
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av

from media_contract.webm import TrackSpec, WebmWriter

VIDEO_TRACK = 1
AUDIO_TRACK = 2
# Speaking lane: 20 ms windows whose RMS is above this (of full scale) are active; active
# windows closer than MERGE_MS are one interval, and intervals shorter than MIN_MS are noise.
SPEAKING_RMS = 0.02
SPEAKING_MERGE_MS = 300
SPEAKING_MIN_MS = 100
SPEAKING_RATE = 8000


class NothingToWrite(ValueError):
    """Neither a video keyframe nor an audio frame: no file to make."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One encoded frame of a segment with its wall-clock time (the worker's clock)."""

    wall: datetime
    data: bytes
    keyframe: bool


def opus_pre_skip(path: Path) -> int:
    """The pre-skip of an Opus segment's OpusHead (0 when it has none)."""
    with av.open(str(path)) as container:
        extradata = container.streams[0].codec_context.extradata
    if extradata and extradata.startswith(b"OpusHead") and len(extradata) >= 12:
        return int.from_bytes(extradata[10:12], "little")
    return 0


def demux(path: Path, started_at: datetime) -> Iterator[Frame]:
    """The frames of a one-track segment, one at a time, timed from ``started_at`` (the first
    frame's wall time) plus the packet's timestamp relative to the first. No decoding."""
    with av.open(str(path)) as container:
        stream = container.streams[0]
        base = stream.time_base or Fraction(1, 1000)
        first: int | None = None
        for packet in container.demux(stream):
            if packet.pts is None or packet.size == 0:
                continue  # the demuxer's flush packet
            if first is None:
                first = packet.pts
            offset_ms = int((packet.pts - first) * base * 1000)
            yield Frame(
                wall=started_at + timedelta(milliseconds=offset_ms),
                data=bytes(packet),
                keyframe=bool(packet.is_keyframe),
            )


@dataclass(frozen=True, slots=True)
class Timed:
    """A frame placed in the final file: track and milliseconds from the file's start."""

    at_ms: int
    track: int
    data: bytes
    keyframe: bool


def mux(
    path: Path,
    *,
    video: Iterable[Timed],
    audio: Iterable[Timed],
    opus_pre_skip: int = 0,
    duration_ms: int = 0,
) -> tuple[int, str]:
    """Stream the frames (each track in file order) into one seekable WebM at ``path`` (Cues,
    Duration: the larger of ``duration_ms`` and the last frame's time); returns (size,
    sha256) of the file as closed, read back from disk.

    Only one frame per track is held at a time. Video starts at its first keyframe (the
    segments do; frames before one would be undecodable); each track's timestamps never go
    backwards and never repeats (a muxer refuses two frames of one track at the same time, as
    happens across a segment boundary at millisecond resolution: the later one moves 1 ms on).
    :class:`NothingToWrite` when there is nothing to write (no file is left).
    """
    videos = itertools.dropwhile(lambda f: not f.keyframe, video)
    first_video = next(videos, None)
    audios = iter(audio)
    first_audio = next(audios, None)
    tracks: list[TrackSpec] = []
    streams: list[Iterator[Timed]] = []
    if first_video is not None:
        tracks.append(TrackSpec.vp8(VIDEO_TRACK, first_video.data))
        streams.append(itertools.chain([first_video], videos))
    if first_audio is not None:
        tracks.append(TrackSpec.opus(AUDIO_TRACK, pre_skip=opus_pre_skip))
        streams.append(itertools.chain([first_audio], audios))
    if not tracks:
        raise NothingToWrite("nothing to write")
    last = {VIDEO_TRACK: -1, AUDIO_TRACK: -1}
    with path.open("w+b") as out:
        writer = WebmWriter(out, tracks, seekable=True)
        for frame in heapq.merge(*streams, key=lambda f: f.at_ms):
            at = max(frame.at_ms, last[frame.track] + 1)
            last[frame.track] = at
            writer.write(frame.track, at, frame.data, frame.keyframe)
        writer.close(max(duration_ms, writer.last_ms))
    return file_sha256(path)


def file_sha256(path: Path) -> tuple[int, str]:
    """(size, SHA-256) of a file as it is on disk."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def speaking_intervals(path: Path) -> list[list[int]]:
    """``[[start_ms, end_ms], ...]`` in file time where the file's audio is above the RMS
    threshold. Decodes the audio (the only decode of the recording pipeline)."""
    active: list[list[int]] = []
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return []
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEAKING_RATE)
        window = SPEAKING_RATE // 50  # 20 ms
        threshold = (SPEAKING_RMS * 32768) ** 2
        base = stream.time_base or Fraction(1, 1000)
        for decoded in container.decode(stream):
            start_ms = int((decoded.pts or 0) * base * 1000)
            for frame in resampler.resample(decoded):
                samples = array.array("h", bytes(frame.planes[0])[: frame.samples * 2])
                for offset in range(0, len(samples), window):
                    chunk = samples[offset : offset + window]
                    if not chunk:
                        continue
                    power = sum(map(operator.mul, chunk, chunk)) / len(chunk)
                    if power < threshold:
                        continue
                    begin = start_ms + offset * 1000 // SPEAKING_RATE
                    end = begin + math.ceil(len(chunk) * 1000 / SPEAKING_RATE)
                    if active and begin - active[-1][1] <= SPEAKING_MERGE_MS:
                        active[-1][1] = max(active[-1][1], end)
                    else:
                        active.append([begin, end])
    return [pair for pair in active if pair[1] - pair[0] >= SPEAKING_MIN_MS]
