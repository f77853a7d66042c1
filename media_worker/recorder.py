"""Recording what the SFU forwards: WebM segments per (participant, source), docs/recording.md.

A `TrackRecorder` takes the publisher's encoded frames on the event loop and appends them to a
segment file it gets from a `SegmentSink` (the spool). Writes are cheap: `WebmWriter` buffers a
cluster (at most ~1 s of media) and writes it in one call to a buffered file; closing a segment
is a flush, a rename and a small JSON file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Protocol

from media_contract.registration import InterruptionBody, SegmentBody, segment_key, wire_time_of
from media_contract.webm import HashingFile, TrackSpec, WebmError, WebmWriter
from media_worker.clock import TrackClock
from media_worker.frames import EncodedFrame

logger = logging.getLogger(__name__)

RECORDED_CODECS = ("video/vp8", "audio/opus")
DEFAULT_SEGMENT_SECONDS = 10.0
AUDIO_FRAME_MS = 20
DEFAULT_VIDEO_FRAME_MS = 33
TRACK_NUMBER = 1

# A segment's metadata (its JSON sidecar and registration body) and an interruption report
# are the contract's: media_contract.registration.SegmentBody and InterruptionBody.


class SegmentSink(Protocol):
    """Where segments go (the spool). All calls are made on the event loop: keep them short.

    - `open(key)` returns a new binary file for `<key>.part`; the recorder writes to it and
      closes it itself before `commit` or `discard`.
    - `commit(key, meta)` renames the part to `<key>`, writes `<key>.json` (the meta)
      atomically and queues the segment for upload.
    - `discard(key)` deletes the part (a segment that must not be kept).
    - `accepting()` is False while the spool is full: no new segment is opened then.
    """

    def open(self, key: str) -> BinaryIO: ...

    def commit(self, key: str, meta: SegmentBody) -> None: ...

    def discard(self, key: str) -> None: ...

    def accepting(self) -> bool: ...


class DirectorySink:
    """A `SegmentSink` on a plain directory, without size limit or upload (tests, and the
    reference behaviour of media_worker.spool.Spool)."""

    def __init__(self, root: Path | str, buffer_bytes: int = 256 * 1024) -> None:
        self.root = Path(root)
        self.buffer_bytes = buffer_bytes
        self.committed: list[tuple[str, SegmentBody]] = []

    def path(self, key: str) -> Path:
        return self.root / key

    def open(self, key: str) -> BinaryIO:
        part = self.root / f"{key}.part"
        part.parent.mkdir(parents=True, exist_ok=True)
        return open(part, "xb", buffering=self.buffer_bytes)

    def commit(self, key: str, meta: SegmentBody) -> None:
        final = self.root / key
        os.replace(self.root / f"{key}.part", final)
        tmp = self.root / f"{key}.json.tmp"
        tmp.write_text(json.dumps(meta, sort_keys=True))
        os.replace(tmp, self.root / f"{key}.json")
        self.committed.append((key, meta))

    def discard(self, key: str) -> None:
        (self.root / f"{key}.part").unlink(missing_ok=True)

    def accepting(self) -> bool:
        return True


class _Segment:
    """One open segment file."""

    def __init__(self, key: str, out: BinaryIO, spec: TrackSpec) -> None:
        self.key = key
        self.file = HashingFile(out)
        self.writer = WebmWriter(self.file, [spec])
        self.first: int | None = None  # extended RTP timestamps
        self.last = 0
        self.started_at = 0.0
        self.ended_at = 0.0
        self.frames = 0
        self.keyframe_start = False
        self.intervals: list[int] = []


class TrackRecorder:
    """Records one published track while it lives; `close()` ends its open segment.

    `push` takes each frame of the track with its timestamp already extended by `clock`
    (Participant feeds the clock before the SFU sees the frame). Video segments start on a
    keyframe: the recorder waits for one (asking through `request_keyframe`, which is
    throttled by the caller) at its start, after a gap, and at each boundary, writing on
    until it comes. Audio segments are cut at the boundary.
    """

    def __init__(
        self,
        *,
        session: str,
        participant: str,
        track: str,
        worker: str,
        sink: SegmentSink,
        clock: TrackClock,
        request_keyframe: Callable[[], None],
        segment_seconds: float = DEFAULT_SEGMENT_SECONDS,
        first_index: int = 0,
        group: str = "plenary",
        on_unrecordable: Callable[[str], None] | None = None,
        on_interruption: Callable[[InterruptionBody], None] | None = None,
    ) -> None:
        self.session = session
        self.participant = participant
        self.track = track
        self.worker = worker
        self.sink = sink
        self.clock = clock
        self.request_keyframe = request_keyframe
        self.segment_seconds = segment_seconds
        self.index = first_index  # of the next segment
        # The routing group recorded: a move between groups ends the recorder, so no segment
        # mixes plenary and caucus media (a grant may exclude caucus recordings).
        self.group = group
        self.on_unrecordable = on_unrecordable
        self.on_interruption = on_interruption
        self.unrecordable: str | None = None
        self._segment: _Segment | None = None
        self._refused_since: float | None = None  # wall time the spool first refused
        self._closed = False

    @property
    def recording(self) -> bool:
        """A segment is open."""
        return self._segment is not None

    def push(self, frame: EncodedFrame) -> None:
        if self._closed:
            return
        if frame.mime_type not in RECORDED_CODECS:
            self._refuse_codec(frame)
            return
        segment = self._segment
        video = frame.mime_type.startswith("video/")
        if segment is not None and segment.first is not None:
            if frame.timestamp < segment.last:
                return  # out of order: a WebM track's timestamps only go forward
            elapsed = (frame.timestamp - segment.first) / frame.clock_rate
            if elapsed >= self.segment_seconds:
                if not video or frame.keyframe:
                    self._finish()
                    segment = None
                else:
                    self.request_keyframe()
        if segment is None:
            segment = self._start(frame, video)
            if segment is None:
                return
        self._write(segment, frame)

    def _start(self, frame: EncodedFrame, video: bool) -> _Segment | None:
        wall = self._wall(frame)
        if video and not frame.keyframe:
            self.request_keyframe()
            return None
        if not self.sink.accepting():
            if self._refused_since is None:
                self._refused_since = wall
                logger.warning("spool full: %s/%s not recorded", self.participant, self.track)
            return None
        spec = TrackSpec.vp8(TRACK_NUMBER, frame.data) if video else TrackSpec.opus(TRACK_NUMBER)
        key = segment_key(self.session, self.participant, self.track, wall, self.worker)
        try:
            out = self.sink.open(key)
        except OSError:
            logger.exception("could not open segment %s", key)
            return None
        try:
            segment = _Segment(key, out, spec)
        except (OSError, WebmError):
            logger.exception("could not start segment %s", key)
            out.close()
            self.sink.discard(key)
            return None
        if self._refused_since is not None:
            self._interrupted(self._refused_since, wall, "spool_full")
            self._refused_since = None
        segment.started_at = wall
        segment.keyframe_start = frame.keyframe
        self._segment = segment
        return segment

    def _write(self, segment: _Segment, frame: EncodedFrame) -> None:
        if segment.first is None:
            segment.first = frame.timestamp
        else:
            segment.intervals.append(frame.timestamp - segment.last)
        offset_ms = (frame.timestamp - segment.first) * 1000 // frame.clock_rate
        try:
            segment.writer.write(TRACK_NUMBER, offset_ms, frame.data, frame.keyframe)
        except OSError:
            logger.exception("writing segment %s failed; it is dropped", segment.key)
            self._drop(segment)
            return
        segment.last = frame.timestamp
        segment.ended_at = self._wall(frame)
        segment.frames += 1

    def _wall(self, frame: EncodedFrame) -> float:
        wall = self.clock.wall_time(frame.timestamp)
        if wall is None:  # the clock never saw a frame: only when fed out of order
            raise RuntimeError("TrackRecorder needs a clock that has seen the frame")
        return wall

    def _finish(self) -> None:
        """Close the open segment and hand it to the sink."""
        segment, self._segment = self._segment, None
        if segment is None:
            return
        try:
            segment.writer.close()
            segment.file.close()
        except OSError:
            logger.exception("closing segment %s failed; it is dropped", segment.key)
            self.sink.discard(segment.key)
            return
        meta = self._meta(segment)
        self.index += 1
        self.sink.commit(segment.key, meta)

    def _drop(self, segment: _Segment) -> None:
        self._segment = None
        with contextlib.suppress(OSError):
            segment.file.close()
        self.sink.discard(segment.key)

    def _meta(self, segment: _Segment) -> SegmentBody:
        rate = self.clock.clock_rate
        first = segment.first or 0
        video = segment.writer.tracks[TRACK_NUMBER].kind == "video"
        if not video:
            frame_ms = AUDIO_FRAME_MS
        elif segment.intervals:
            frame_ms = int(statistics.median_low(segment.intervals)) * 1000 // rate
        else:
            frame_ms = DEFAULT_VIDEO_FRAME_MS
        codec = segment.writer.tracks[TRACK_NUMBER].codec
        return {
            "session": self.session,
            "participant": self.participant,
            "track": self.track,
            "group": self.group,
            "kind": "video" if video else "audio",
            "codec": codec,
            "key": segment.key,
            "size": segment.file.size,
            "sha256": segment.file.hexdigest(),
            "started_at": wire_time_of(segment.started_at),
            "ended_at": wire_time_of(segment.ended_at),
            "duration_ms": (segment.last - first) * 1000 // rate + frame_ms,
            "media_start": first,
            "media_end": segment.last,
            "clock_rate": rate,
            "frames": segment.frames,
            "keyframe_start": segment.keyframe_start,
            "index": self.index,
            "worker": self.worker,
            "sync": {
                "sr_count": self.clock.sr_count,
                "offset_ms": self.clock.publisher.offset_ms,
            },
        }

    def _refuse_codec(self, frame: EncodedFrame) -> None:
        if self.unrecordable is not None:
            return
        self.unrecordable = frame.mime_type
        logger.warning(
            "%s/%s publishes %s: not recorded", self.participant, self.track, frame.mime_type
        )
        if self.on_unrecordable is not None:
            self.on_unrecordable(frame.mime_type)
        wall = self.clock.wall_time(frame.timestamp)
        if wall is not None:
            self._interrupted(wall, wall, "unsupported_codec")

    def _interrupted(self, start: float, end: float, reason: str) -> None:
        if self.on_interruption is not None:
            self.on_interruption(
                {
                    "session": self.session,
                    "participant": self.participant,
                    "track": self.track,
                    "worker": self.worker,
                    "from": wire_time_of(start),
                    "to": wire_time_of(end),
                    "reason": reason,
                    "discarded_bytes": 0,
                }
            )

    def close(self) -> None:
        """Stop recording: the open segment (if any) is closed and committed."""
        if self._closed:
            return
        self._closed = True
        self._finish()
