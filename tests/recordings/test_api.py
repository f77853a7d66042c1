"""The media worker's endpoints against the real database and recordings bucket."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import verify_all
from accord.recordings import services
from accord.recordings.models import RecordingInterruption, RecordingSegment
from tests.recordings.conftest import participant

pytestmark = pytest.mark.django_db

SEGMENTS = "/internal/media/segments"


def events(hearing, action):
    return [
        e.payload
        for e in TraceEvent.objects.filter(chain=hearing.case.chain, action=action).order_by("seq")
    ]


def test_a_segment_is_registered_once_with_its_event(hearing, mia, worker_client, uploaded):
    meta = uploaded(participant(hearing, mia), "camera")
    response = worker_client.post(SEGMENTS, meta, format="json")
    assert response.status_code == 201, response.json()
    segment = RecordingSegment.objects.get(key=meta["key"])
    assert (segment.size, segment.sha256, segment.track) == (meta["size"], meta["sha256"], "camera")
    assert events(hearing, "recording.segment") == [
        {
            "session_id": str(hearing.pk),
            "participant_id": segment.participant_id,
            "track": "camera",
            "group": "plenary",
            "key": meta["key"],
            "sha256": meta["sha256"],
            "size": meta["size"],
            "started_at": meta["started_at"],
            "ended_at": meta["ended_at"],
        }
    ]
    # The worker retries after a lost answer: the same segment is answered 200, nothing new.
    again = worker_client.post(SEGMENTS, meta, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == segment.pk
    assert RecordingSegment.objects.count() == 1
    assert len(events(hearing, "recording.segment")) == 1
    assert verify_all(TraceChain.objects.get(pk=hearing.case.chain_id)).ok


def test_the_same_key_with_other_content_is_a_conflict(hearing, mia, worker_client, uploaded):
    meta = uploaded(participant(hearing, mia), "microphone")
    assert worker_client.post(SEGMENTS, meta, format="json").status_code == 201
    other = {**meta, "sha256": "0" * 64}
    response = worker_client.post(SEGMENTS, other, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "segment_conflict"
    assert RecordingSegment.objects.get().sha256 == meta["sha256"]


def test_a_segment_not_in_the_store_is_refused(hearing, mia, worker_client, uploaded):
    meta = uploaded(participant(hearing, mia))
    missing = {**meta, "key": meta["key"].replace(".webm", "-x.webm")}
    response = worker_client.post(SEGMENTS, missing, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (422, "object_missing")
    wrong_size = {**meta, "size": meta["size"] + 1}
    response = worker_client.post(SEGMENTS, wrong_size, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (422, "object_missing")
    assert not RecordingSegment.objects.exists()
    assert events(hearing, "recording.segment") == []


def test_unknown_session_and_participant_are_404(hearing, mia, bob, worker_client, uploaded):
    meta = uploaded(participant(hearing, mia))
    unknown = "00000000-0000-4000-8000-000000000000"
    body = {**meta, "session": unknown, "key": meta["key"].replace(str(hearing.pk), unknown)}
    response = worker_client.post(SEGMENTS, body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown_session")
    p = participant(hearing, mia)
    stranger = str(p.pk + 1000)
    body = {
        **meta,
        "participant": stranger,
        "key": meta["key"].replace(f"/{p.pk}/", f"/{stranger}/"),
    }
    response = worker_client.post(SEGMENTS, body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown_participant")
    assert not RecordingSegment.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"size": 1.5},
        {"sha256": "xyz"},
        {"track": "window"},
        {"kind": "audio"},
        {"key": "../../etc/passwd"},
        {"started_at": "yesterday"},
        {"frames": True},
        {"group": "Caucus A"},
    ],
)
def test_a_malformed_body_is_400(hearing, mia, worker_client, uploaded, change):
    meta = uploaded(participant(hearing, mia))
    response = worker_client.post(SEGMENTS, {**meta, **change}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "malformed")


def test_without_the_right_token_nothing_is_registered(hearing, mia, media_token, uploaded):
    meta = uploaded(participant(hearing, mia))
    anonymous = APIClient()
    assert anonymous.post(SEGMENTS, meta, format="json").status_code == 401
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer not-the-token")
    response = wrong.post(SEGMENTS, meta, format="json")
    assert response.status_code == 401
    assert "error" in response.json()
    assert not RecordingSegment.objects.exists()


def test_without_a_configured_token_the_endpoints_refuse(hearing, mia, uploaded):
    meta = uploaded(participant(hearing, mia))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer ")
    with override_settings(ACCORD_MEDIA_TOKEN=""):
        response = client.post(SEGMENTS, meta, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (503, "recording_disabled")


def test_an_interruption_is_recorded_and_traced(hearing, mia, worker_client):
    p = participant(hearing, mia)
    body = {
        "session": str(hearing.pk),
        "participant": str(p.pk),
        "track": "camera",
        "worker": "mw-1",
        "from": "2026-11-27T18:00:00.000000Z",
        "to": "2026-11-27T18:00:04.500000Z",
        "reason": "worker_restart",
        "discarded_bytes": 1234,
    }
    response = worker_client.post("/internal/media/interruptions", body, format="json")
    assert response.status_code == 201, response.json()
    interruption = RecordingInterruption.objects.get()
    assert (interruption.reason, interruption.discarded_bytes) == ("worker_restart", 1234)
    [event] = events(hearing, "recording.interrupted")
    assert (event["from"], event["to"], event["participant_id"]) == (body["from"], body["to"], p.pk)


def test_flushed_queues_finalize(
    hearing, worker_client, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[str] = []
    monkeypatch.setattr(
        "accord.recordings.tasks.finalize_session.delay", lambda sid: queued.append(sid)
    )
    body = {"session": str(hearing.pk), "worker": "mw-1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = worker_client.post("/internal/media/flushed", body, format="json")
    assert response.status_code == 202
    assert queued == [str(hearing.pk)]
    assert events(hearing, "recording.flushed") == [
        {"session_id": str(hearing.pk), "worker": "mw-1"}
    ]


def test_the_store_is_asked_before_the_session_is_locked(
    hearing, mia, worker_client, uploaded, monkeypatch
):
    """Room controls take the session row lock; registration must not hold it across S3 I/O."""
    meta = uploaded(participant(hearing, mia), "camera")
    stored_size = services._stored_size
    locked_before_stat: list[bool] = []

    def watched(key: str) -> int:
        locked_before_stat.append(any("FOR UPDATE" in q["sql"] for q in queries.captured_queries))
        return stored_size(key)

    monkeypatch.setattr(services, "_stored_size", watched)
    with CaptureQueriesContext(connection) as queries:
        response = worker_client.post(SEGMENTS, meta, format="json")
    assert response.status_code == 201, response.json()
    assert locked_before_stat == [False]
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)  # then locked
