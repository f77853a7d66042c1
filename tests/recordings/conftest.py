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
KINDS = {"camera": ("video", "video/vp8", 90000), "microphone": ("audio", "audio/opus", 48000)}
KINDS["screen"] = KINDS["camera"]


@pytest.fixture
def media_token(settings: Any) -> str:
    settings.ACCORD_MEDIA_TOKEN = TOKEN
    return TOKEN


@pytest.fixture
def worker_client(media_token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {media_token}")
    return client


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
