"""The worker's JSON bodies, checked field by field before any service acts on them.

Messages here are for the worker's log, not for people: they stay in English.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accord.recordings.errors import malformed
from accord.recordings.models import Kind, Track

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
KEY_RE = re.compile(r"^[0-9a-f-]{36}/[1-9][0-9]{0,18}/(camera|microphone|screen)/[^/]{1,200}$")
PARTICIPANT_RE = re.compile(r"^[1-9][0-9]{0,18}$")
WORKER_RE = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
GROUP_RE = re.compile(r"^(plenary|caucus-[a-z0-9][a-z0-9-]{0,30})$")
REASON_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CODECS = {"video/vp8": Kind.VIDEO, "audio/opus": Kind.AUDIO}
TRACK_KINDS = {Track.CAMERA: Kind.VIDEO, Track.SCREEN: Kind.VIDEO, Track.MICROPHONE: Kind.AUDIO}


def _field(data: Mapping[str, Any], name: str, check: Callable[[Any], Any]) -> Any:
    if name not in data:
        raise malformed(f"missing field: {name}")
    try:
        return check(data[name])
    except (TypeError, ValueError) as exc:
        raise malformed(f"{name}: {exc}") from exc


def _str(pattern: re.Pattern[str] | None = None) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or (pattern is not None and not pattern.match(value)):
            raise ValueError("not a valid value")
        return value

    return check


def _int(minimum: int = 0) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"an integer of at least {minimum}")
        return value

    return check


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise ValueError("a UUID string")
    return uuid.UUID(value)


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 time")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a time with its zone (Z)")
    return moment


def _sync(value: Any) -> dict[str, int | str]:
    if not isinstance(value, dict):
        raise ValueError("an object")
    for key, item in value.items():
        if not isinstance(key, str) or isinstance(item, bool) or not isinstance(item, int | str):
            raise ValueError("integers and strings only")
    return dict(value)


@dataclass(frozen=True, slots=True)
class SegmentMeta:
    session: uuid.UUID
    participant: int
    track: str
    group: str
    kind: str
    codec: str
    key: str
    size: int
    sha256: str
    started_at: datetime
    ended_at: datetime
    duration_ms: int
    media_start: int
    media_end: int
    clock_rate: int
    frames: int
    keyframe_start: bool
    index: int
    worker: str
    sync: dict[str, int | str]


def parse_segment(data: Any) -> SegmentMeta:
    if not isinstance(data, Mapping):
        raise malformed("the body must be a JSON object")
    meta = SegmentMeta(
        session=_field(data, "session", _uuid),
        participant=int(_field(data, "participant", _str(PARTICIPANT_RE))),
        track=_field(data, "track", _str(re.compile(r"^(camera|microphone|screen)$"))),
        group=_field(data, "group", _str(GROUP_RE)) if "group" in data else "plenary",
        kind=_field(data, "kind", _str(re.compile(r"^(video|audio)$"))),
        codec=_field(data, "codec", _str(re.compile(r"^[a-z]+/[A-Za-z0-9]+$"))).lower(),
        key=_field(data, "key", _str(KEY_RE)),
        size=_field(data, "size", _int(1)),
        sha256=_field(data, "sha256", _str(SHA256_RE)),
        started_at=_field(data, "started_at", _time),
        ended_at=_field(data, "ended_at", _time),
        duration_ms=_field(data, "duration_ms", _int()),
        media_start=_field(data, "media_start", _int()),
        media_end=_field(data, "media_end", _int()),
        clock_rate=_field(data, "clock_rate", _int(1)),
        frames=_field(data, "frames", _int(1)),
        keyframe_start=_field(data, "keyframe_start", _bool),
        index=_field(data, "index", _int()) if "index" in data else 0,
        worker=_field(data, "worker", _str(WORKER_RE)),
        sync=_field(data, "sync", _sync) if "sync" in data else {},
    )
    if TRACK_KINDS[Track(meta.track)] != meta.kind:
        raise malformed(f"track {meta.track} is not of kind {meta.kind}")
    if CODECS.get(meta.codec) != meta.kind:
        raise malformed(f"codec {meta.codec} is not recorded for {meta.kind}")
    if not meta.key.startswith(f"{meta.session}/{meta.participant}/{meta.track}/"):
        raise malformed("key must start with <session>/<participant>/<track>/")
    if meta.ended_at < meta.started_at or meta.media_end < meta.media_start:
        raise malformed("a segment cannot end before it starts")
    return meta


@dataclass(frozen=True, slots=True)
class InterruptionReport:
    session: uuid.UUID
    participant: int | None
    track: str
    worker: str
    started_at: datetime
    ended_at: datetime
    reason: str
    discarded_bytes: int


def parse_interruption(data: Any) -> InterruptionReport:
    if not isinstance(data, Mapping):
        raise malformed("the body must be a JSON object")
    participant = data.get("participant")
    track = data.get("track") or ""
    if not isinstance(track, str) or track not in {"", *Track.values}:
        raise malformed("track: not a valid value")
    report = InterruptionReport(
        session=_field(data, "session", _uuid),
        participant=(
            None if participant is None else int(_field(data, "participant", _str(PARTICIPANT_RE)))
        ),
        track=track,
        worker=_field(data, "worker", _str(WORKER_RE)),
        started_at=_field(data, "from", _time),
        ended_at=_field(data, "to", _time),
        reason=_field(data, "reason", _str(REASON_RE)),
        discarded_bytes=_field(data, "discarded_bytes", _int()) if "discarded_bytes" in data else 0,
    )
    if report.ended_at < report.started_at:
        raise malformed("an interruption cannot end before it starts")
    return report


@dataclass(frozen=True, slots=True)
class FlushedReport:
    session: uuid.UUID
    worker: str


def parse_flushed(data: Any) -> FlushedReport:
    if not isinstance(data, Mapping):
        raise malformed("the body must be a JSON object")
    return FlushedReport(
        session=_field(data, "session", _uuid), worker=_field(data, "worker", _str(WORKER_RE))
    )
