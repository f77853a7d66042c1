"""The composite export on real finalized files in the real bucket: a grid video that decodes,
on the session's wall-clock timeline, traced and verified; refused without a finalize."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.audit.verify import verify_all
from accord.core.api import ServiceError
from accord.recordings.composite import composite_key
from accord.recordings.models import RecordingComposite
from accord.recordings.services import composite_make, recordings_expire, session_finalize
from accord.rooms.models import SessionStatus
from tests.recordings.conftest import participant, upload
from tests.recordings.test_finalize import chain, fetch, register

pytestmark = pytest.mark.django_db

FFPROBE = "/usr/bin/ffprobe"
NULL = ("-f", "null", "-")


@pytest.fixture(autouse=True)
def small(settings):
    settings.RECORDING_COMPOSITE_SIZE = "320x180"
    settings.RECORDING_COMPOSITE_FPS = 10


@pytest.fixture
def finalized(hearing, mia, alice, ben, s3):
    """mia: camera and microphone, 2 s, a 3 s pause, 2 s more; alice: microphone only from
    the start for 1 s; ben: camera and microphone from 3 s to 5 s (in mia's pause)."""
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    m, a, b = participant(hearing, mia), participant(hearing, alice), participant(hearing, ben)
    register(s3, m, "camera", t0, 60)
    register(s3, m, "microphone", t0, 100)
    register(s3, m, "camera", t0 + timedelta(seconds=5), 60)
    register(s3, m, "microphone", t0 + timedelta(seconds=5), 100)
    register(s3, a, "microphone", t0, 50, silent=True)
    register(s3, b, "camera", t0 + timedelta(seconds=3), 60)
    register(s3, b, "microphone", t0 + timedelta(seconds=3), 100)
    register(s3, a, "screen", t0 + timedelta(seconds=1), 30)  # not in the composite
    manifest = session_finalize(session=hearing)
    assert manifest is not None
    return t0, manifest


def probe(path: Path) -> dict:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_composite_is_a_grid_of_the_session_on_its_timeline(
    hearing, finalized, mia, s3, tmp_path
):
    _t0, manifest = finalized
    composite = composite_make(session=hearing, by=mia)
    assert composite.key == composite_key(hearing) == f"{hearing.pk}/export/composite.webm"
    assert composite.manifest_version == manifest.version
    assert composite.created_by == mia

    path = tmp_path / "composite.webm"
    data = fetch(s3, composite.key, path)
    assert (len(data), hashlib.sha256(data).hexdigest()) == (composite.size, composite.sha256)
    check = subprocess.run(
        ["/usr/bin/ffmpeg", "-v", "error", "-i", str(path), "-enc_time_base", "-1", *NULL],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0 and check.stdout == check.stderr == "", check.stderr
    info = probe(path)
    streams = sorted((s["codec_type"], s["codec_name"]) for s in info["streams"])
    assert streams == [("audio", "opus"), ("video", "vp8")]
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (320, 180)
    # From the first recorded frame (t0) to the last (mia's second span ends at t0 + 7 s).
    assert composite.duration_ms == 7000
    assert abs(float(info["format"]["duration"]) - 7.0) <= 0.5

    [event] = TraceEvent.objects.filter(chain=hearing.case.chain, action="recording.composited")
    assert event.payload["key"] == composite.key
    assert event.payload["sha256"] == composite.sha256
    assert event.payload["size"] == composite.size
    assert event.payload["manifest_version"] == manifest.version
    assert event.payload["manifest_sha256"] == manifest.sha256
    assert len(event.payload["participants"]) == 3
    assert event.actor_user_id == mia.pk
    report = verify_all(chain(hearing))
    assert report.ok, report.failures

    # Tampering with the composite object is named.
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    upload(s3, composite.key, tampered)
    report = verify_all(chain(hearing))
    assert [str(f) for f in report.failures] == [
        f"object {settings.S3_BUCKET_RECORDINGS}/{composite.key}: SHA-256 is "
        f"{hashlib.sha256(tampered).hexdigest()}, the record says {composite.sha256}"
    ]


def test_a_second_composite_replaces_the_object_and_retention_deletes_it(hearing, finalized, s3):
    first = composite_make(session=hearing)
    second = composite_make(session=hearing)
    assert first.key == second.key and RecordingComposite.objects.count() == 2
    assert verify_all(chain(hearing)).ok  # the first is checked against its event only

    hearing.status, hearing.ended_at = SessionStatus.ENDED, timezone.now() - timedelta(days=2000)
    hearing.save(update_fields=["status", "ended_at"])
    [expired] = recordings_expire()
    assert composite_key(hearing) in expired.keys
    assert RecordingComposite.objects.filter(deleted_at__isnull=True).count() == 0
    report = verify_all(chain(hearing))
    assert report.ok, report.failures


def test_no_finalized_recording_is_refused(hearing, mia, s3):
    with pytest.raises(ServiceError) as refused:
        composite_make(session=hearing, by=mia)
    assert refused.value.code == "not_finalized"
    assert not RecordingComposite.objects.exists()
    assert not TraceEvent.objects.filter(action="recording.composited").exists()


def test_an_open_session_is_refused(hearing, finalized):
    hearing.status = SessionStatus.OPEN
    hearing.save(update_fields=["status"])
    with pytest.raises(ServiceError) as refused:
        composite_make(session=hearing)
    assert refused.value.code == "session_open"


def test_the_task_and_the_command(hearing, finalized, capsys):
    from accord.recordings.tasks import composite_session

    composite_session.apply(args=(str(hearing.pk),)).get()
    made = RecordingComposite.objects.get()
    assert made.created_by is None
    call_command("composite_recording", str(hearing.pk))
    latest = RecordingComposite.objects.latest("id")
    assert latest.sha256 in capsys.readouterr().out
