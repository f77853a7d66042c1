"""Finalize on real WebM segments in the real bucket: files that decode, spans that collapse a
pause, a manifest that lists exactly the registered segments, versions, and verification."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import av
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import verify_all
from accord.recordings.models import RecordingFile, RecordingManifest
from accord.recordings.services import recordings_expire, segment_register, session_finalize
from accord.rooms.models import SessionStatus
from accord.trust.models import ChainAnchor
from media_contract.registration import parse_segment
from tests.recordings.conftest import participant, segment_meta, upload, webm_segment

pytestmark = pytest.mark.django_db


def register(s3, p, track, started_at, frames, *, group="plenary", **kwargs):
    data = webm_segment(track, frames, **kwargs)
    duration = frames * (1000 // 30 if track != "microphone" else 20)
    if track != "microphone":
        duration = frames * 1000 // 30
    meta = segment_meta(
        p, track, data, started_at, duration_ms=duration, frames=frames, group=group
    )
    upload(s3, meta["key"], data)
    segment, created = segment_register(meta=parse_segment(meta), by="mw-1")
    assert created
    return segment


def fetch(s3, key: str, path: Path) -> bytes:
    response = s3.get_object(settings.S3_BUCKET_RECORDINGS, key)
    try:
        data = response.read()
    finally:
        response.close()
        response.release_conn()
    path.write_bytes(data)
    return data


def chain(hearing) -> TraceChain:
    return TraceChain.objects.get(pk=hearing.case.chain_id)


@pytest.fixture
def recorded(hearing, mia, alice, s3):
    """mia: camera and microphone, 2 s, a 3 s pause, 2 s more; alice: microphone only (silent),
    and a screen share."""
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    m = participant(hearing, mia)
    a = participant(hearing, alice)
    segments = [
        register(s3, m, "camera", t0, 60),
        register(s3, m, "microphone", t0, 100),
        register(s3, m, "camera", t0 + timedelta(seconds=5), 60),
        register(s3, m, "microphone", t0 + timedelta(seconds=5), 100),
        register(s3, a, "microphone", t0, 50, silent=True),
        register(s3, a, "screen", t0 + timedelta(seconds=1), 30),
    ]
    return t0, m, a, segments


def test_finalize_makes_decodable_files_spans_and_a_manifest(hearing, recorded, s3, tmp_path):
    t0, m, a, segments = recorded
    manifest = session_finalize(session=hearing)
    assert manifest is not None
    assert (manifest.version, manifest.key) == (1, f"{hearing.pk}/manifest.json")

    body = fetch(s3, manifest.key, tmp_path / "manifest.json")
    assert hashlib.sha256(body).hexdigest() == manifest.sha256
    document = json.loads(body)
    assert sorted(s["key"] for s in document["segments"]) == sorted(s.key for s in segments)

    files = {(f.participant_id, f.source): f for f in RecordingFile.objects.filter(version=1)}
    assert set(files) == {(m.pk, "av"), (a.pk, "av"), (a.pk, "screen")}
    mine = files[(m.pk, "av")]
    assert mine.key == f"{hearing.pk}/final/{m.pk}.webm"
    assert files[(a.pk, "screen")].key == f"{hearing.pk}/final/{a.pk}-screen.webm"
    # Two spans: the 3 s pause is not in the file, and file time runs on across it.
    assert [s["file_start_ms"] for s in mine.spans] == [0, 2000]
    assert [s["duration_ms"] for s in mine.spans] == [2000, 2000]
    assert [s["group"] for s in mine.spans] == ["plenary", "plenary"]
    assert mine.spans[1]["wall_start"] == (t0 + timedelta(seconds=5)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    assert mine.duration_ms == 4000

    path = tmp_path / "mia.webm"
    data = fetch(s3, mine.key, path)
    assert (len(data), hashlib.sha256(data).hexdigest()) == (mine.size, mine.sha256)
    check = subprocess.run(
        ["/usr/bin/ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0 and check.stderr == "", check.stderr
    with av.open(str(path)) as container:
        kinds = sorted(s.type for s in container.streams)
        assert kinds == ["audio", "video"]
        last = max(
            float(p.pts * p.time_base) for p in container.demux() if p.pts is not None and p.size
        )
    assert 3.8 <= last <= 4.1

    # The speaking lane: mia's tone is speech-loud throughout, alice's silence is not.
    assert mine.speaking and mine.speaking[0][0] <= 100 and mine.speaking[-1][1] >= 3800
    assert files[(a.pk, "av")].speaking == []
    assert document["files"][0]["speaking"] == mine.speaking or any(
        f["speaking"] == mine.speaking for f in document["files"]
    )

    [event] = TraceEvent.objects.filter(chain=hearing.case.chain, action="recording.finalized")
    assert event.payload["manifest_key"] == manifest.key
    assert event.payload["sha256"] == manifest.sha256
    assert {f["key"] for f in event.payload["files"]} == {f.key for f in files.values()}
    report = verify_all(chain(hearing))
    assert report.ok, report.failures
    assert report.objects_checked >= len(segments) + 3 + 1

    # Tampering with a final file is named.
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    upload(s3, mine.key, tampered)
    report = verify_all(chain(hearing))
    assert [str(f) for f in report.failures] == [
        f"object {settings.S3_BUCKET_RECORDINGS}/{mine.key}: SHA-256 is "
        f"{hashlib.sha256(tampered).hexdigest()}, the record says {mine.sha256}"
    ]


def test_finalize_is_idempotent_and_a_new_segment_makes_version_two(
    hearing, recorded, s3, tmp_path
):
    t0, m, _a, _segments = recorded
    first = session_finalize(session=hearing)
    assert session_finalize(session=hearing) == first
    assert RecordingManifest.objects.count() == 1
    register(s3, m, "camera", t0 + timedelta(seconds=7), 30)
    second = session_finalize(session=hearing)
    assert second is not None and second.version == 2
    assert second.key == f"{hearing.pk}/manifest-v2.json"
    latest = fetch(s3, f"{hearing.pk}/manifest.json", tmp_path / "latest.json")
    assert hashlib.sha256(latest).hexdigest() == second.sha256
    assert len(json.loads(latest)["segments"]) == 7
    assert verify_all(chain(hearing)).ok

    # Retention removes every version's objects; verification then checks the deletion event.
    hearing.status, hearing.ended_at = SessionStatus.ENDED, timezone.now() - timedelta(days=2000)
    hearing.save(update_fields=["status", "ended_at"])
    [expired] = recordings_expire()
    assert f"{hearing.pk}/manifest.json" in expired.keys
    assert f"{hearing.pk}/final/{m.pk}.webm" in expired.keys
    assert not list(
        s3.list_objects(settings.S3_BUCKET_RECORDINGS, f"{hearing.pk}/", recursive=True)
    )
    report = verify_all(chain(hearing))
    assert report.ok, report.failures


def test_the_command_runs_finalize_inline(hearing, recorded, capsys):
    call_command("finalize_recording", str(hearing.pk))
    manifest = RecordingManifest.objects.get()
    assert manifest.sha256 in capsys.readouterr().out


def test_an_unreadable_segment_is_listed_as_skipped_and_the_rest_finalized(
    hearing, recorded, ben, uploaded, s3, tmp_path
):
    from accord.recordings.tasks import finalize_session

    meta = uploaded(participant(hearing, ben), "camera", b"not a webm at all")
    segment_register(meta=parse_segment(meta), by="mw-1")
    finalize_session.apply(args=(str(hearing.pk),)).get()
    manifest = RecordingManifest.objects.get()
    document = json.loads(fetch(s3, manifest.key, tmp_path / "m.json"))
    assert [s["key"] for s in document["skipped"]] == [meta["key"]]
    assert meta["key"] in {s["key"] for s in document["segments"]}
    assert not RecordingFile.objects.filter(participant=participant(hearing, ben)).exists()
    assert RecordingFile.objects.count() == 3


def packets(path: Path) -> dict[str, list[bytes]]:
    """The file's packets by stream type, in file order."""
    out: dict[str, list[bytes]] = {}
    with av.open(str(path)) as container:
        for packet in container.demux():
            if packet.size:
                out.setdefault(packet.stream.type, []).append(bytes(packet))
    return out


def segment_packets(s3, segments, tmp_path: Path) -> list[bytes]:
    found: list[bytes] = []
    for segment in segments:
        path = tmp_path / f"segment-{segment.pk}.webm"
        fetch(s3, segment.key, path)
        found += packets(path).popitem()[1]
    return found


def probe_duration(path: Path) -> float:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(result.stdout)


def decodes_cleanly(path: Path) -> None:
    command = ["/usr/bin/ffmpeg", "-v", "error", "-i", str(path), "-enc_time_base", "-1"]
    check = subprocess.run(
        [*command, "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0 and check.stderr == "", check.stderr


def test_final_files_are_seekable_with_a_duration_and_the_segments_packets(
    hearing, recorded, s3, tmp_path
):
    _t0, m, _a, segments = recorded
    session_finalize(session=hearing)
    mine = RecordingFile.objects.get(participant=m, source="av")
    path = tmp_path / "mia.webm"
    data = fetch(s3, mine.key, path)
    # The hash recorded is of the file as closed (its head patched after the clusters).
    assert (len(data), hashlib.sha256(data).hexdigest()) == (mine.size, mine.sha256)
    decodes_cleanly(path)
    # A finite duration: the sum of the spans (the pause is not in the file).
    assert abs(probe_duration(path) - sum(s["duration_ms"] for s in mine.spans) / 1000) < 0.05
    # The packets are the segments' packets, byte for byte, in order.
    found = packets(path)
    camera = [s for s in segments if s.participant_id == m.pk and s.track == "camera"]
    microphone = [s for s in segments if s.participant_id == m.pk and s.track == "microphone"]
    assert found["video"] == segment_packets(s3, camera, tmp_path)
    assert found["audio"] == segment_packets(s3, microphone, tmp_path)
    # Seeking lands on the keyframe at or before the target (keyframes each second).
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        for target in (1.5, 3.2):
            container.seek(int(target / stream.time_base), stream=stream)
            packet = next(p for p in container.demux(stream) if p.pts is not None)
            assert packet.pts is not None
            landed = float(packet.pts * stream.time_base)
            assert target - 1.1 <= landed <= target and packet.is_keyframe, (target, landed)


@pytest.fixture
def caucused(hearing, mia, alice, s3):
    """mia: 2 s in the plenary, 2 s in a recorded caucus, 2 s back in the plenary (camera,
    microphone and a screen share in the caucus and after); alice only in the plenary."""
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    m = participant(hearing, mia)
    a = participant(hearing, alice)
    at = [t0, t0 + timedelta(seconds=2), t0 + timedelta(seconds=4)]
    groups = ["plenary", "caucus-mia", "plenary"]
    segments = []
    for start, group in zip(at, groups, strict=True):
        segments += [
            register(s3, m, "camera", start, 60, group=group),
            register(s3, m, "microphone", start, 100, group=group),
        ]
    segments += [
        register(s3, m, "screen", at[1], 60, group="caucus-mia"),
        register(s3, m, "screen", at[2], 30, group="plenary"),
        register(s3, a, "microphone", t0, 100),
    ]
    return t0, m, a, segments


def test_a_participant_with_caucus_segments_also_gets_plenary_only_files(
    hearing, caucused, s3, tmp_path
):
    _t0, m, a, segments = caucused
    manifest = session_finalize(session=hearing)
    assert manifest is not None
    files = {
        (f.participant_id, f.source, f.audience): f for f in RecordingFile.objects.filter(version=1)
    }
    assert set(files) == {
        (m.pk, "av", "all"),
        (m.pk, "av", "plenary"),
        (m.pk, "screen", "all"),
        (m.pk, "screen", "plenary"),
        (a.pk, "av", "all"),  # never in a caucus: no plenary file
    }
    full, plenary = files[(m.pk, "av", "all")], files[(m.pk, "av", "plenary")]
    assert full.key == f"{hearing.pk}/final/{m.pk}.webm"
    assert plenary.key == f"{hearing.pk}/final/{m.pk}-plenary.webm"
    assert (
        files[(m.pk, "screen", "plenary")].key == f"{hearing.pk}/final/{m.pk}-screen-plenary.webm"
    )
    assert [s["group"] for s in full.spans] == ["plenary", "caucus-mia", "plenary"]
    # Its own spans: the plenary's two stretches back to back, no caucus.
    assert [s["group"] for s in plenary.spans] == ["plenary", "plenary"]
    assert [s["file_start_ms"] for s in plenary.spans] == [0, 2000]
    assert plenary.spans[1]["wall_start"] == full.spans[2]["wall_start"]
    assert plenary.duration_ms == 4000 and full.duration_ms == 6000
    assert [s["group"] for s in files[(m.pk, "screen", "plenary")].spans] == ["plenary"]

    # Exactly the plenary segments' packets.
    path = tmp_path / "plenary.webm"
    data = fetch(s3, plenary.key, path)
    assert (len(data), hashlib.sha256(data).hexdigest()) == (plenary.size, plenary.sha256)
    decodes_cleanly(path)
    assert abs(probe_duration(path) - 4.0) < 0.05
    found = packets(path)

    def plenary_of(track: str) -> list:
        return [
            s
            for s in segments
            if s.participant_id == m.pk and s.track == track and s.group == "plenary"
        ]

    assert found["video"] == segment_packets(s3, plenary_of("camera"), tmp_path)
    assert found["audio"] == segment_packets(s3, plenary_of("microphone"), tmp_path)
    screen = tmp_path / "screen-plenary.webm"
    fetch(s3, files[(m.pk, "screen", "plenary")].key, screen)
    assert packets(screen) == {"video": segment_packets(s3, plenary_of("screen"), tmp_path)}

    # Listed in the manifest and the event like the others, with their audience.
    document = json.loads(fetch(s3, manifest.key, tmp_path / "manifest.json"))
    listed = {(f["key"], f["audience"], f["sha256"]) for f in document["files"]}
    assert listed == {(f.key, f.audience, f.sha256) for f in files.values()}
    entry = next(f for f in document["files"] if f["key"] == plenary.key)
    assert entry["spans"] == plenary.spans
    [event] = TraceEvent.objects.filter(chain=hearing.case.chain, action="recording.finalized")
    assert {(f["key"], f["audience"], f["sha256"]) for f in event.payload["files"]} == listed
    report = verify_all(chain(hearing))
    assert report.ok, report.failures
    assert report.objects_checked >= len(segments) + len(files) + 1


def test_a_finalized_recording_anchors_the_case_chain_in_time(
    hearing, recorded, tsa, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        manifest = session_finalize(session=hearing)
    assert manifest is not None

    case_chain = chain(hearing)
    anchor = ChainAnchor.objects.get(chain=case_chain)
    assert anchor.reason == "recording.finalized"
    assert (anchor.seq, anchor.head_hash) == (case_chain.head_seq, case_chain.head_hash)
    assert verify_all(case_chain).ok
