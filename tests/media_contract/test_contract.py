"""The contract package on its own: names, the worker's message check read from the typed
dicts, the web's body checks, the heartbeat key and status."""

from __future__ import annotations

import json
import typing
import uuid

import pytest

from media_contract import heartbeat, messages, names, registration

SESSION = str(uuid.UUID(int=7))


def segment_body(**changes: object) -> dict[str, object]:
    key = registration.segment_key(SESSION, "12", "camera", 1_800_000_000.25, "mw-1")
    body: registration.SegmentBody = {
        "session": SESSION,
        "participant": "12",
        "track": "camera",
        "group": "plenary",
        "kind": "video",
        "codec": "video/vp8",
        "key": key,
        "size": 1000,
        "sha256": "a" * 64,
        "started_at": registration.wire_time_of(1_800_000_000.25),
        "ended_at": registration.wire_time_of(1_800_000_009.75),
        "duration_ms": 9533,
        "media_start": 0,
        "media_end": 855000,
        "clock_rate": 90000,
        "frames": 286,
        "keyframe_start": True,
        "index": 0,
        "worker": "mw-1",
        "sync": {"sr_count": 2, "offset_ms": -3},
    }
    return {**body, **changes}


def test_the_worker_channel_is_named_by_its_id():
    assert names.worker_channel("mw-1") == "media-worker.mw-1"


def test_every_web_to_worker_message_has_its_check():
    kinds = {
        typing.get_args(typing.get_type_hints(t)["type"])[0]
        for t in typing.get_args(messages.ToWorker)
    }
    assert set(messages.REQUIRED) == kinds
    assert messages.REQUIRED["room.record"] == {"room": str, "record": bool, "record_caucus": bool}
    assert {"room.offer": {"record": bool, "record_caucus": bool}} == messages.OPTIONAL


def test_the_check_refuses_a_media_message_sent_to_the_worker():
    with pytest.raises(messages.MessageError) as refused:
        messages.check({"type": "media.answer", "room": "r", "participant": "1", "sdp": "x"})
    assert refused.value.code == "malformed"


def test_a_segment_the_worker_writes_is_one_the_web_accepts():
    body = segment_body()
    assert registration.KEY_RE.match(str(body["key"]))
    assert str(body["key"]).endswith("/20270115T080000250000Z-mw-1.webm")
    meta = registration.parse_segment(json.loads(json.dumps(body)))
    assert meta.session == uuid.UUID(SESSION) and meta.participant == 12
    assert meta.started_at.isoformat() == "2027-01-15T08:00:00.250000+00:00"
    assert meta.sync == {"sr_count": 2, "offset_ms": -3}


@pytest.mark.parametrize(
    "changes",
    [
        {"size": 0},
        {"sha256": "A" * 64},
        {"kind": "audio"},
        {"codec": "audio/opus"},
        {"keyframe_start": 1},
        {"started_at": "2027-01-15T08:00:00"},
        {"key": f"{SESSION}/13/camera/x.webm"},
        {"media_end": -1},
    ],
)
def test_a_segment_body_off_the_contract_is_refused(changes):
    with pytest.raises(registration.BodyError):
        registration.parse_segment(segment_body(**changes))


def test_a_missing_field_and_a_non_object_are_refused():
    body = segment_body()
    del body["worker"]
    with pytest.raises(registration.BodyError, match="missing field: worker"):
        registration.parse_segment(body)
    with pytest.raises(registration.BodyError):
        registration.parse_flushed([SESSION, "mw-1"])


def test_an_interruption_of_a_whole_worker_has_no_participant():
    body: registration.InterruptionBody = {
        "session": SESSION,
        "participant": None,
        "track": "",
        "worker": "mw-1",
        "from": "2027-01-15T08:00:00.000000Z",
        "to": "2027-01-15T08:00:05.000000Z",
        "reason": "worker_restart",
        "discarded_bytes": 0,
    }
    report = registration.parse_interruption(body)
    assert report.participant is None and report.track == ""
    with pytest.raises(registration.BodyError):
        registration.parse_interruption({**body, "to": "2027-01-15T07:00:00.000000Z"})


def test_the_heartbeat_key_and_status_round_trip():
    assert heartbeat.worker_key("stack1", "w1") == "stack1:media:worker:w1"
    assert heartbeat.worker_key("p", "w").startswith(heartbeat.worker_keys("p"))
    status: heartbeat.WorkerStatus = {
        "id": "w1",
        "host": "h",
        "pid": 1,
        "rooms": 0,
        "participants": 0,
        "load": 0.25,
        "started_at": 1.0,
        "at": 2.0,
    }
    assert heartbeat.decode_status(heartbeat.encode_status(status)) == status
    for garbage in (b"not json", b"[1]", b"{}", b'{"id": 3}', b'{"id": ""}'):
        assert heartbeat.decode_status(garbage) is None
