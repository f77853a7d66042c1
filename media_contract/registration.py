"""The web's internal endpoints the worker calls (docs/recording.md, "Web endpoints").

All `POST`, JSON, `Authorization: Bearer <the worker's MEDIA_WORKER_TOKEN>`, at
`ACCORD_INTERNAL_URL` (the web's internal listener). The
worker builds the `*Body` typed dicts; the web checks each body with `parse_segment`,
`parse_interruption` or `parse_flushed`, which give the typed, parsed form its services take
(a `BodyError` becomes the API's 400 `malformed`). Answers are JSON too; refusals use the API
error envelope `{"error": {"code", "message", "fields"}}` with the codes below.

Messages of `BodyError` are for the worker's log, not for people: they stay in English.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict

SEGMENTS = "/internal/media/segments"
INTERRUPTIONS = "/internal/media/interruptions"
FLUSHED = "/internal/media/flushed"

# Error codes of the endpoints (with their HTTP status).
MALFORMED = "malformed"  # 400
UNKNOWN_SESSION = "unknown_session"  # 404
UNKNOWN_PARTICIPANT = "unknown_participant"  # 404
SEGMENT_CONFLICT = "segment_conflict"  # 409: same key, other content
OBJECT_MISSING = "object_missing"  # 422: not in the store, or of another size
STORAGE_UNAVAILABLE = "storage_unavailable"  # 503
RECORDING_DISABLED = "recording_disabled"  # 503: ACCORD_MEDIA_WORKERS unset on the web
# 403: the body's `worker` is not the worker the token names.
WORKER_MISMATCH = "worker_mismatch"
# 403: the session was never placed on the worker the token names.
WORKER_NOT_ASSIGNED = "worker_not_assigned"

Track = Literal["camera", "microphone", "screen"]
Kind = Literal["video", "audio"]
TRACKS: tuple[str, ...] = ("camera", "microphone", "screen")
TRACK_KINDS: dict[str, str] = {"camera": "video", "screen": "video", "microphone": "audio"}
# The codecs recorded, and the kind of track each is for.
CODECS: dict[str, str] = {"video/vp8": "video", "audio/opus": "audio"}

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
KEY_RE = re.compile(r"^[0-9a-f-]{36}/[1-9][0-9]{0,18}/(camera|microphone|screen)/[^/]{1,200}$")
PARTICIPANT_RE = re.compile(r"^[1-9][0-9]{0,18}$")
WORKER_RE = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
GROUP_RE = re.compile(r"^(plenary|caucus-[a-z0-9][a-z0-9-]{0,30})$")
REASON_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TRACK_RE = re.compile(r"^(camera|microphone|screen)$")
KIND_RE = re.compile(r"^(video|audio)$")
CODEC_RE = re.compile(r"^[a-z]+/[A-Za-z0-9]+$")

# Times on the wire: UTC with microseconds and a Z; in keys, the compact form (sorts in time
# order per track).
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
COMPACT_FORMAT = "%Y%m%dT%H%M%S%fZ"


def wire_time(moment: datetime) -> str:
    """`2026-11-27T18:00:00.000000Z`."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def wire_time_of(wall: float) -> str:
    """`wire_time` of a Unix time."""
    return wire_time(datetime.fromtimestamp(wall, UTC))


def compact_time_of(wall: float) -> str:
    """`YYYYmmddTHHMMSSffffffZ` of a Unix time."""
    return datetime.fromtimestamp(wall, UTC).strftime(COMPACT_FORMAT)


def segment_key(session: str, participant: str, track: str, started: float, worker: str) -> str:
    """`<session>/<participant>/<track>/<started compact>-<worker>.webm`: never collides across
    workers."""
    return f"{session}/{participant}/{track}/{compact_time_of(started)}-{worker}.webm"


# --- Bodies (what the worker sends) -------------------------------------------------------


class SegmentSync(TypedDict, total=False):
    """How the segment's clock was mapped (docs/recording.md, "Timing")."""

    sr_count: int
    offset_ms: int


class SegmentBody(TypedDict):
    """`POST /internal/media/segments`, and the JSON sidecar of a segment in the spool.
    Integers and strings only: the trace refuses floats."""

    session: str
    participant: str
    track: str
    group: str
    kind: str
    codec: str
    key: str
    size: int
    sha256: str
    started_at: str
    ended_at: str
    duration_ms: int
    media_start: int
    media_end: int
    clock_rate: int
    frames: int
    keyframe_start: bool
    index: int
    worker: str
    sync: SegmentSync


# `from` and `to` are keywords: the functional form.
InterruptionBody = TypedDict(
    "InterruptionBody",
    {
        "session": str,
        # None: a gap of the whole worker, not of one participant.
        "participant": str | None,
        "track": str,
        "worker": str,
        "from": str,
        "to": str,
        "reason": str,
        "discarded_bytes": int,
    },
)


class FlushedBody(TypedDict):
    """The worker holds nothing more of this session."""

    session: str
    worker: str


# --- Answers (what the web sends back) ----------------------------------------------------


class SegmentAnswer(TypedDict):
    """201 registered, or 200 already registered with the same hash and size."""

    key: str
    id: int
    created: bool


class InterruptionAnswer(TypedDict):
    """201."""

    id: int


class FlushedAnswer(TypedDict):
    """202: one `recording.flushed` event; finalize is queued."""

    session: str


class ErrorDetail(TypedDict, total=False):
    code: str
    message: str
    fields: dict[str, Any]


class ErrorAnswer(TypedDict):
    error: ErrorDetail


# --- The web's check of each body ---------------------------------------------------------


class BodyError(ValueError):
    """A body that is not what the contract says (the web answers 400 `malformed`)."""


def _field(data: Mapping[str, Any], name: str, check: Callable[[Any], Any]) -> Any:
    if name not in data:
        raise BodyError(f"missing field: {name}")
    try:
        return check(data[name])
    except (TypeError, ValueError) as exc:
        raise BodyError(f"{name}: {exc}") from exc


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


def _object(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise BodyError("the body must be a JSON object")
    return data


@dataclass(frozen=True, slots=True)
class SegmentMeta:
    """A checked `SegmentBody`, parsed."""

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


def parse_segment(body: Any) -> SegmentMeta:
    data = _object(body)
    meta = SegmentMeta(
        session=_field(data, "session", _uuid),
        participant=int(_field(data, "participant", _str(PARTICIPANT_RE))),
        track=_field(data, "track", _str(TRACK_RE)),
        group=_field(data, "group", _str(GROUP_RE)) if "group" in data else "plenary",
        kind=_field(data, "kind", _str(KIND_RE)),
        codec=_field(data, "codec", _str(CODEC_RE)).lower(),
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
    if TRACK_KINDS[meta.track] != meta.kind:
        raise BodyError(f"track {meta.track} is not of kind {meta.kind}")
    if CODECS.get(meta.codec) != meta.kind:
        raise BodyError(f"codec {meta.codec} is not recorded for {meta.kind}")
    if not meta.key.startswith(f"{meta.session}/{meta.participant}/{meta.track}/"):
        raise BodyError("key must start with <session>/<participant>/<track>/")
    if meta.ended_at < meta.started_at or meta.media_end < meta.media_start:
        raise BodyError("a segment cannot end before it starts")
    return meta


@dataclass(frozen=True, slots=True)
class InterruptionReport:
    """A checked `InterruptionBody`, parsed (`track` "" for the whole participant)."""

    session: uuid.UUID
    participant: int | None
    track: str
    worker: str
    started_at: datetime
    ended_at: datetime
    reason: str
    discarded_bytes: int


def parse_interruption(body: Any) -> InterruptionReport:
    data = _object(body)
    participant = data.get("participant")
    track = data.get("track") or ""
    if not isinstance(track, str) or track not in {"", *TRACKS}:
        raise BodyError("track: not a valid value")
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
        raise BodyError("an interruption cannot end before it starts")
    return report


@dataclass(frozen=True, slots=True)
class FlushedReport:
    """A checked `FlushedBody`, parsed."""

    session: uuid.UUID
    worker: str


def parse_flushed(body: Any) -> FlushedReport:
    data = _object(body)
    return FlushedReport(
        session=_field(data, "session", _uuid), worker=_field(data, "worker", _str(WORKER_RE))
    )
