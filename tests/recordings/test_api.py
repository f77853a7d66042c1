"""The media worker's endpoints against the real database and recordings bucket."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import verify_all
from accord.recordings import services
from accord.recordings.models import RecordingInterruption, RecordingSegment
from tests.recordings.conftest import INTERNAL_PORT, OTHER_TOKEN, internal_client, participant

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
    anonymous = internal_client()
    response = anonymous.post(SEGMENTS, meta, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")
    for token in ("not-the-token", hashlib.sha256(media_token.encode()).hexdigest()):
        response = internal_client(token).post(SEGMENTS, meta, format="json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"
        assert response["WWW-Authenticate"] == "Bearer"
    assert not RecordingSegment.objects.exists()
    assert events(hearing, "recording.segment") == []


def test_without_configured_workers_the_endpoints_refuse(hearing, mia, media_token, uploaded):
    meta = uploaded(participant(hearing, mia))
    with override_settings(ACCORD_MEDIA_WORKERS={}):
        response = internal_client(media_token).post(SEGMENTS, meta, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (503, "recording_disabled")


# --- The listener: /internal/ only on the internal port -------------------------------------


@pytest.mark.parametrize("path", [SEGMENTS, "/internal/media/flushed", "/internal/x"])
def test_the_public_listener_answers_404_json_to_internal_paths(
    hearing, mia, media_token, uploaded, path
):
    meta = uploaded(participant(hearing, mia))
    # The right token, even a Host header naming the internal port: the socket's port decides.
    public = APIClient(SERVER_PORT="80", HTTP_HOST=f"127.0.0.1:{INTERNAL_PORT}")
    public.credentials(HTTP_AUTHORIZATION=f"Bearer {media_token}")
    response = public.post(path, meta, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
    assert not RecordingSegment.objects.exists()
    assert events(hearing, "recording.segment") == []


def test_the_public_listener_answers_404_when_no_internal_port_is_set(
    hearing, mia, media_token, uploaded, settings
):
    settings.ACCORD_INTERNAL_PORT = 0
    meta = uploaded(participant(hearing, mia))
    response = internal_client(media_token).post(SEGMENTS, meta, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert not RecordingSegment.objects.exists()


@pytest.mark.parametrize("path", ["/", "/api/schema/", "/accounts/login/", "/django-admin/"])
def test_the_internal_listener_serves_nothing_but_internal_paths(media_token, path):
    response = internal_client(media_token).get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "Set-Cookie" not in response


def test_the_listener_is_the_scope_server_port_not_the_host():
    from django.test import RequestFactory

    from config.listeners import listener_port

    request: Any = RequestFactory().get("/", HTTP_HOST="example.org:8001", SERVER_PORT="80")
    assert listener_port(request) == 80
    request.scope = {"type": "http", "server": ("127.0.0.1", 8443)}  # as ASGIRequest has it
    assert listener_port(request) == 8443
    request.scope = {"type": "http", "server": ("/run/accord.sock", None)}
    assert listener_port(request) is None


# --- Worker identity: a worker reports only as itself, for rooms placed on it ----------------


def test_another_workers_room_is_403_and_nothing_is_stored(
    hearing, mia, media_token, uploaded, monkeypatch
):
    queued: list[str] = []
    monkeypatch.setattr("accord.recordings.services.queue_finalize", queued.append)
    p = participant(hearing, mia)
    # mw-2 has valid credentials, but the hearing was placed on mw-1 only.
    meta = uploaded(p, worker="mw-2")
    other = internal_client(OTHER_TOKEN)
    response = other.post(SEGMENTS, meta, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (
        403,
        "worker_not_assigned",
    )
    interruption = {
        "session": str(hearing.pk),
        "participant": str(p.pk),
        "track": "camera",
        "worker": "mw-2",
        "from": meta["started_at"],
        "to": meta["ended_at"],
        "reason": "worker_restart",
        "discarded_bytes": 1,
    }
    response = other.post("/internal/media/interruptions", interruption, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (
        403,
        "worker_not_assigned",
    )
    body = {"session": str(hearing.pk), "worker": "mw-2"}
    response = other.post("/internal/media/flushed", body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (
        403,
        "worker_not_assigned",
    )
    assert not RecordingSegment.objects.exists()
    assert not RecordingInterruption.objects.exists()
    assert queued == []
    for action in ("recording.segment", "recording.interrupted", "recording.flushed"):
        assert events(hearing, action) == []


def test_a_worker_cannot_speak_for_another(hearing, mia, worker_client, uploaded):
    p = participant(hearing, mia)
    # mw-1's token, a body that says mw-2: refused, whatever the room.
    as_other = uploaded(p, worker="mw-2")
    response = worker_client.post(SEGMENTS, as_other, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "worker_mismatch")
    body = {"session": str(hearing.pk), "worker": "mw-2"}
    response = worker_client.post("/internal/media/flushed", body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "worker_mismatch")
    assert not RecordingSegment.objects.exists()
    assert events(hearing, "recording.flushed") == []


def test_a_room_moved_to_another_worker_takes_both_workers_segments(
    hearing, mia, media_token, uploaded, workers, redis_client, heartbeat_prefix
):
    """mw-1 dies mid-hearing, the room moves to mw-2; mw-1's spool is drained after its restart,
    even once the hearing is over and its room keys are gone."""
    from accord.rooms import live
    from tests.rooms.conftest import kill_worker

    p = participant(hearing, mia)
    workers(worker_id="mw-1")
    assert live.room_place(str(hearing.pk)) == ("mw-1", False)
    workers(worker_id="mw-2", load=0.5)
    kill_worker(redis_client, heartbeat_prefix, "mw-1")
    assert live.room_place(str(hearing.pk)) == ("mw-2", True)
    second = uploaded(p, "microphone", worker="mw-2")
    assert internal_client(OTHER_TOKEN).post(SEGMENTS, second, format="json").status_code == 201
    live.room_forget(str(hearing.pk))
    first = uploaded(p, "camera", worker="mw-1")
    assert internal_client(media_token).post(SEGMENTS, first, format="json").status_code == 201
    assert RecordingSegment.objects.count() == 2


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
