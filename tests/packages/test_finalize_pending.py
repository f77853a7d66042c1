"""While a hearing's recording is not final, no package is built without it: the verification
page and the replay page say so, the download is refused, and `accord export-case` fails or,
with --wait, waits for the finalize."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.core.storage import s3_client
from accord.packages.management.commands import export_case as command
from accord.recordings.models import RecordingManifest, RecordingSegment
from accord.recordings.selectors import pending_finalizes
from accord.rooms.models import HearingSession, RecordingState, SessionStatus

pytestmark = pytest.mark.django_db


def ended_with_a_segment(hearing: HearingSession) -> RecordingSegment:
    """The hearing ended a moment ago; one segment is registered, the finalize has not run."""
    now = timezone.now()
    HearingSession.objects.filter(pk=hearing.pk).update(
        status=SessionStatus.ENDED,
        ended_at=now,
        recording_state=RecordingState.OFF,
        recording_started_at=now,
    )
    participant = hearing.participants.order_by("id").first()
    assert participant is not None
    return RecordingSegment.objects.create(
        session=hearing,
        participant=participant,
        track="camera",
        kind="video",
        codec="video/vp8",
        key=f"{hearing.pk}/{participant.pk}/camera/x.webm",
        size=1,
        sha256="0" * 64,
        started_at=now,
        ended_at=now,
        duration_ms=1000,
        media_start=0,
        media_end=90000,
        clock_rate=90000,
        frames=30,
        worker="mw-1",
    )


def finalized(hearing: HearingSession) -> None:
    """The finalize ran: its manifest is stored and registered."""
    key, body = f"{hearing.pk}/manifest.json", b"{}"
    s3_client().put_object(settings.S3_BUCKET_RECORDINGS, key, io.BytesIO(body), len(body))
    RecordingManifest.objects.create(
        session=hearing,
        version=1,
        key=key,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
    )


def export(case_no: str, target: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("export_case", case_no, str(target), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_session_never_recorded_is_not_pending(documented, hearing):
    assert pending_finalizes(documented) == []


def test_each_reason_a_recording_is_not_final(documented, hearing):
    HearingSession.objects.filter(pk=hearing.pk).update(
        status=SessionStatus.OPEN, recording_started_at=timezone.now()
    )
    assert [p.reason for p in pending_finalizes(documented)] == ["in_progress"]
    HearingSession.objects.filter(pk=hearing.pk).update(status=SessionStatus.ENDED)
    assert [p.reason for p in pending_finalizes(documented)] == ["uploading"]
    segment = ended_with_a_segment(hearing)
    assert [p.reason for p in pending_finalizes(documented)] == ["finalizing"]
    finalized(hearing)
    assert pending_finalizes(documented) == []
    RecordingSegment.objects.filter(pk=segment.pk).update(
        registered_at=timezone.now() + timedelta(seconds=5)
    )
    assert [p.reason for p in pending_finalizes(documented)] == ["refinalizing"]


def test_export_case_refuses_and_names_the_session(documented, hearing, tmp_path):
    ended_with_a_segment(hearing)
    target = tmp_path / "package.zip"
    with pytest.raises(CommandError) as refused:
        export(documented.case_no, target)
    message = str(refused.value)
    assert "not final yet" in message and str(hearing.pk) in message and "--wait" in message
    assert not target.exists() and list(tmp_path.iterdir()) == []
    # Refused before anything is traced.
    assert not TraceEvent.objects.filter(chain=documented.chain, action="case.exported").exists()


def test_wait_gives_up_after_its_timeout_with_a_clear_message(
    documented, hearing, tmp_path, monkeypatch
):
    ended_with_a_segment(hearing)
    monkeypatch.setattr(command, "POLL_SECONDS", 0.01)
    with pytest.raises(CommandError) as refused:
        export(documented.case_no, tmp_path / "package.zip", "--wait", "--timeout", "0.05")
    assert "still not final" in str(refused.value)
    assert "being finalized" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_wait_exports_once_the_finalize_is_done(documented, hearing, tmp_path, monkeypatch):
    ended_with_a_segment(hearing)
    polls: list[float] = []

    def sleep(seconds: float) -> None:  # the Celery worker finishes while the command waits
        polls.append(seconds)
        finalized(hearing)

    monkeypatch.setattr(command.time, "sleep", sleep)
    out, err = export(documented.case_no, tmp_path / "package.zip", "--wait")
    assert polls == [command.POLL_SECONDS]
    assert "waiting for recordings to be finalized" in err
    assert f"Exported case {documented.case_no}" in out


def test_the_verification_page_says_so_and_the_download_is_refused(documented, hearing, audrey):
    ended_with_a_segment(hearing)
    client = Client()
    client.force_login(audrey)
    page = client.get(f"/en/cases/{documented.case_no}/verify/")
    html = page.content.decode()
    assert 'data-testid="finalize-pending"' in html
    assert f'data-session-id="{hearing.pk}" data-reason="finalizing"' in html
    response = client.post(f"/en/cases/{documented.case_no}/package/", follow=True)
    assert "recording is not final yet" in response.content.decode()
    assert not TraceEvent.objects.filter(chain=documented.chain, action="case.exported").exists()
    finalized(hearing)
    page = client.get(f"/en/cases/{documented.case_no}/verify/")
    assert 'data-testid="finalize-pending"' not in page.content.decode()


def test_the_replay_page_says_the_recording_is_not_final(documented, hearing, audrey):
    ended_with_a_segment(hearing)
    client = Client()
    client.force_login(audrey)
    page = client.get(f"/en/cases/{documented.case_no}/sessions/{hearing.pk}/replay/")
    assert page.status_code == 200, page.status_code
    assert 'data-testid="replay-pending"' in page.content.decode()
