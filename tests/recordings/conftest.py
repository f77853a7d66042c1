"""Recording tests: the rooms tests' hearing and cast, a media token, and segments put into the
run's real recordings bucket as the media worker would upload them."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from minio import Minio
from rest_framework.test import APIClient

from accord.audit.canonical import format_time
from accord.rooms.models import SessionParticipant
from tests.rooms.conftest import (  # noqa: F401  (fixtures)
    acknowledged,
    ada,
    alice,
    application,
    bank,
    ben,
    bob,
    case,
    charlie,
    drive,
    hearing,
    mia,
    org,
    other_bank,
    other_org,
    participant,
    workers,
)

TOKEN = "test-media-token-0123456789"
# Another configured worker: valid credentials, but no hearing is placed on it.
OTHER_TOKEN = "test-media-token-of-mw-2-abcdef"
INTERNAL_PORT = 8001
KINDS = {"camera": ("video", "video/vp8", 90000), "microphone": ("audio", "audio/opus", 48000)}
KINDS["screen"] = KINDS["camera"]


def sha256_hex(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@pytest.fixture
def media_token(settings: Any) -> str:
    """mw-1's token; mw-2 is configured too. The internal listener is port 8001."""
    settings.ACCORD_MEDIA_WORKERS = {"mw-1": sha256_hex(TOKEN), "mw-2": sha256_hex(OTHER_TOKEN)}
    settings.ACCORD_INTERNAL_PORT = INTERNAL_PORT
    return TOKEN


class InternalClient(APIClient):
    """Requests arrive on the internal listener: SERVER_PORT is the port of the socket that
    accepted them (daphne's scope ``server``; the test client's default is 80)."""

    def generic(  # type: ignore[override]
        self,
        method: str,
        path: str,
        data: str = "",
        content_type: str = "application/octet-stream",
        secure: bool = False,
        **extra: Any,
    ) -> Any:
        extra.setdefault("SERVER_PORT", str(INTERNAL_PORT))
        return super().generic(method, path, data, content_type, secure, **extra)


def internal_client(token: str | None = None) -> APIClient:
    """A client on the internal listener."""
    client = InternalClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def worker_client(media_token: str) -> APIClient:
    """mw-1 on the internal listener."""
    return internal_client(media_token)


@pytest.fixture(autouse=True)
def placed_on_mw1(request: pytest.FixtureRequest) -> None:
    """A test's hearing is placed on media worker mw-1, the way a room's first media offer
    places it (accord.rooms.live.room_place with mw-1's heartbeat the only one live). Not for
    tests that start their own workers (``workers``) and see where the room goes."""
    if "hearing" not in request.fixturenames or "workers" in request.fixturenames:
        return
    from accord.rooms import live

    session = request.getfixturevalue("hearing")
    register = request.getfixturevalue("workers")
    register(worker_id="mw-1")
    assert live.room_place(str(session.pk)) == ("mw-1", False)


def compact(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%fZ")


def segment_meta(
    p: SessionParticipant,
    track: str,
    data: bytes,
    started_at: datetime,
    *,
    duration_ms: int = 1000,
    frames: int = 30,
    worker: str = "mw-1",
    index: int = 0,
    group: str = "plenary",
) -> dict[str, Any]:
    """The worker's metadata for ``data`` as a segment of ``p``'s ``track``."""
    kind, codec, rate = KINDS[track]
    ended_at = started_at + timedelta(milliseconds=max(duration_ms - 20, 0))
    key = f"{p.session_id}/{p.pk}/{track}/{compact(started_at)}-{worker}.webm"
    return {
        "session": str(p.session_id),
        "participant": str(p.pk),
        "track": track,
        "group": group,
        "kind": kind,
        "codec": codec,
        "key": key,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "started_at": format_time(started_at),
        "ended_at": format_time(ended_at),
        "duration_ms": duration_ms,
        "media_start": 0,
        "media_end": duration_ms * rate // 1000,
        "clock_rate": rate,
        "frames": frames,
        "keyframe_start": kind == "video",
        "index": index,
        "worker": worker,
        "sync": {"sr_count": 1, "offset_ms": 0},
    }


def upload(s3: Minio, key: str, data: bytes) -> None:
    s3.put_object(settings.S3_BUCKET_RECORDINGS, key, io.BytesIO(data), length=len(data))


@pytest.fixture
def uploaded(s3: Minio) -> Callable[..., dict[str, Any]]:
    """Upload bytes as a segment and return the metadata the worker would register."""

    def make(
        p: SessionParticipant,
        track: str = "camera",
        data: bytes | None = None,
        started_at: datetime | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        started_at = started_at or timezone.now()
        data = data if data is not None else f"segment {p.pk} {track} {started_at}".encode()
        meta = segment_meta(p, track, data, started_at, **kwargs)
        upload(s3, meta["key"], data)
        return meta

    return make


def webm_segment(track: str, frames: int, *, silent: bool = False) -> bytes:
    """A segment as the worker writes it: one track, first frame at 0, VP8 at 30 fps (starting
    on a keyframe) or Opus in 20 ms packets."""
    from media_contract.webm import TrackSpec, WebmWriter
    from tests.media_worker.media import opus_packets, vp8_packets

    out = io.BytesIO()
    if track == "microphone":
        packets = silent_opus(frames) if silent else opus_packets(frames)
        writer = WebmWriter(out, [TrackSpec.opus(1)])
        for i, data in enumerate(packets[:frames]):
            writer.write(1, i * 20, data, True)
    else:
        video = vp8_packets(frames, 30)
        writer = WebmWriter(out, [TrackSpec.vp8(1, video[0])])
        for i, data in enumerate(video):
            writer.write(1, i * 1000 // 30, data, not data[0] & 0x01)
    writer.close()
    return out.getvalue()


def silent_opus(count: int) -> tuple[bytes, ...]:
    import av

    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = 48000, "stereo", "s16"
    packets: list[bytes] = []
    for i in range(count):
        frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
        frame.sample_rate = 48000
        frame.pts = i * 960
        frame.planes[0].update(bytes(960 * 4))
        packets += [bytes(p) for p in codec.encode(frame)]
    return tuple(packets)
