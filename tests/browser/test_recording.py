"""Recording on the whole stack (R7, docs/recording.md): three people in headless Chromium with
fake devices, recording started by the organization's policy when the first party is admitted
(nobody presses start), a caucus, a pause with its reason; then a media worker killed mid-session
and an object-storage outage. What is checked is what an auditor would find afterwards."""

from __future__ import annotations

import itertools
import signal
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.people import Person, poll, wait_sees
from tests.browser.recordings import (
    Recorded,
    decode_errors,
    first_video_frame_is_key,
    read_object,
    recorded,
    segment_keys,
    sha256,
    stored_keys,
    stream_kinds,
    wait_manifest,
    when,
)
from tests.browser.stack import BrowserStack

pytestmark = pytest.mark.slow

TRACKS = ("camera", "microphone")


def session_of(person: Person) -> str:
    return person.page.locator("#room").get_attribute("data-session-id") or ""


PAUSE_REASON = "双方要求暂停"


def control(mediator: Person, action: str) -> None:
    """The mediator's recording control. ``start`` presses nothing: under the default policy
    admitting the first party started the recording (the hearing fixture admits both)."""
    if action != "start":
        mediator.page.get_by_test_id(f"recording-{action}-button").click()
    if action == "pause":  # a pause asks for its reason
        mediator.page.get_by_test_id("reason-input").fill(PAUSE_REASON)
        mediator.page.get_by_test_id("confirm-button").click()
    state = {"start": "on", "pause": "paused", "resume": "on"}[action]
    expect(mediator.page.get_by_test_id("recording-indicator")).to_have_attribute(
        "data-state", state
    )
    if action == "pause":
        expect(mediator.page.get_by_test_id("recording-pause-reason")).to_contain_text(PAUSE_REASON)


def end(mediator: Person) -> None:
    mediator.page.get_by_test_id("end-session-button").click()
    mediator.page.get_by_test_id("confirm-button").click()
    expect(mediator.page.get_by_test_id("final-screen")).to_be_visible()


def everyone_sees_everyone(hearing: tuple[Person, ...]) -> None:
    for viewer in hearing:
        for other in hearing:
            if other is not viewer:
                wait_sees(viewer, other, timeout=30)


Interval = tuple[datetime, datetime]


def _minus(intervals: list[Interval], cut: list[Interval]) -> list[Interval]:
    out = list(intervals)
    for c0, c1 in cut:
        nxt: list[Interval] = []
        for a, b in out:
            if c1 <= a or c0 >= b:
                nxt.append((a, b))
                continue
            if a < c0:
                nxt.append((a, c0))
            if c1 < b:
                nxt.append((c1, b))
        out = nxt
    return out


def expected_intervals(rec: Recorded, participant: str) -> list[Interval]:
    """Recording on (start..pause, resume..end) minus the participant's time in a caucus
    (the demo organization does not record caucuses), from the trace's own times."""
    on: list[Interval] = []
    started: datetime | None = None
    caucus: list[Interval] = []
    away_since: datetime | None = None
    for event in rec.events:
        action, at = event["action"], when(event)
        if action in ("room.recording_started", "room.recording_resumed"):
            started = at
        elif action in ("room.recording_paused", "room.recording_stopped", "room.ended"):
            if started is not None:
                on.append((started, at))
                started = None
        elif action == "room.moved" and int(participant) in event["payload"]["participant_ids"]:
            if event["payload"]["group"] != "plenary" and away_since is None:
                away_since = at
            elif event["payload"]["group"] == "plenary" and away_since is not None:
                caucus.append((away_since, at))
                away_since = None
    if away_since is not None:
        caucus.append((away_since, datetime.max.replace(tzinfo=away_since.tzinfo)))
    return _from_first_media(rec, participant, _minus(on, caucus))


# The policy starts recording the moment the first party is admitted: that party's media only
# flows once its connection to the media worker is up, a moment later. Nothing can be recorded
# of them before; at most this long after their admission is allowed for it.
CONNECT_GRACE = timedelta(seconds=2)


def _admitted_at(rec: Recorded, participant: str) -> datetime | None:
    for event in rec.events:
        payload = event["payload"]
        if str(payload.get("participant_id")) != participant:
            continue
        if event["action"] == "room.admitted" or (
            event["action"] == "room.joined" and payload.get("admitted")
        ):
            return when(event)
    return None


def _from_first_media(rec: Recorded, participant: str, spans: list[Interval]) -> list[Interval]:
    """``spans``, the first one starting no earlier than the participant's first media when
    recording started while they were still connecting (within ``CONNECT_GRACE`` of their
    admission)."""
    admitted = _admitted_at(rec, participant)
    starts = [
        datetime.fromisoformat(s["started_at"])
        for s in rec.segments
        if s["participant"] == participant
    ]
    if admitted is None or not spans or not starts:
        return spans
    first, end = spans[0]
    if first >= admitted + CONNECT_GRACE:
        return spans
    media = min(min(starts), admitted + CONNECT_GRACE, end)
    return [(max(first, media), end), *spans[1:]]


def expected_seconds(rec: Recorded, participant: str) -> float:
    return sum((b - a).total_seconds() for a, b in expected_intervals(rec, participant))


def _timings(rec: Recorded, participant: str) -> str:
    lines = [
        f"{s['track']:10} {s['started_at'][11:23]} → {s['ended_at'][11:23]} {s['duration_ms']}"
        for s in sorted(rec.segments, key=lambda s: (s["track"], s["started_at"]))
        if s["participant"] == participant
    ]
    lines += [f"{e['action']} {e['at'][11:23]} {e['payload']}" for e in rec.events]
    return "\n".join(lines)


def union_seconds(rec: Recorded, participant: str) -> float:
    """How long the participant was recorded: the union, in wall time, of their segments."""
    spans = sorted(
        (
            datetime.fromisoformat(s["started_at"]),
            datetime.fromisoformat(s["started_at"]) + timedelta(milliseconds=s["duration_ms"]),
        )
        for s in rec.segments
        if s["participant"] == participant
    )
    total, reach = 0.0, None
    for a, b in spans:
        if reach is not None and a < reach:
            a = reach
        if b > a:
            total += (b - a).total_seconds()
        reach = max(reach, b) if reach is not None else b
    return total


# A video recorder starts writing at the sender's next keyframe (requested at once): each
# time recording (re)starts for someone, their video may begin this much later than audio.
KEYFRAME_WAIT = 0.6


def recorded_seconds(rec: Recorded, participant: str, track: str) -> float:
    return (
        sum(
            s["duration_ms"]
            for s in rec.segments
            if s["participant"] == participant and s["track"] == track
        )
        / 1000
    )


def check_every_segment(stack: BrowserStack, session_id: str, rec: Recorded) -> dict[str, int]:
    """Stored == registered == traced, every segment decodes, video starts on a keyframe."""
    keys = stored_keys(stack, session_id)
    stored = segment_keys(keys)
    registered = {s["key"] for s in rec.segments}
    assert stored == registered, (
        f"stored, not registered: {sorted(stored - registered)}; "
        f"registered, not stored: {sorted(registered - stored)}"
    )
    # The case's chain holds the segments of all its hearings.
    traced = {
        e["payload"]["key"]: e["payload"]
        for e in rec.of("recording.segment")
        if e["payload"]["key"].startswith(f"{session_id}/")
    }
    assert set(traced) == registered
    with tempfile.TemporaryDirectory() as tmp:
        for segment in rec.segments:
            data = read_object(stack, segment["key"])
            assert sha256(data) == segment["sha256"] == traced[segment["key"]]["sha256"], segment
            path = Path(tmp) / "segment.webm"
            path.write_bytes(data)
            assert decode_errors(str(path)) == "", segment["key"]
            if segment["kind"] == "video":
                assert first_video_frame_is_key(str(path)), segment["key"]
    return keys


def test_a_recorded_hearing_with_a_caucus_and_a_pause(stack: BrowserStack, hearing) -> None:
    mediator, applicant, respondent = hearing
    session_id = session_of(mediator)
    everyone_sees_everyone(hearing)

    control(mediator, "start")
    mediator.page.wait_for_timeout(7000)
    mediator.page.locator(
        f'[data-testid=caucus-button][data-participant-id="{applicant.participant_id}"]'
    ).click()
    expect(applicant.page.get_by_test_id("caucus-banner")).to_have_class("group-banner caucus")
    mediator.page.wait_for_timeout(6000)
    mediator.page.get_by_test_id("all-plenary-button").click()
    expect(applicant.page.get_by_test_id("caucus-banner")).to_have_attribute(
        "data-group", "plenary"
    )
    mediator.page.wait_for_timeout(5000)
    control(mediator, "pause")
    mediator.page.wait_for_timeout(5000)
    control(mediator, "resume")
    mediator.page.wait_for_timeout(10000)
    end(mediator)

    manifest = wait_manifest(stack, session_id)
    rec = recorded(stack, session_id)
    keys = check_every_segment(stack, session_id, rec)

    people = {p.participant_id for p in hearing}
    assert {s["participant"] for s in rec.segments} == people
    for person in hearing:
        expected = expected_seconds(rec, person.participant_id)
        got = union_seconds(rec, person.participant_id)
        if abs(got - expected) > 1.0:
            pytest.fail(
                f"participant {person.participant_id} recorded {got:.3f}s, expected "
                f"{expected:.3f}s\n{_timings(rec, person.participant_id)}"
            )
        starts = len(expected_intervals(rec, person.participant_id))
        for track in TRACKS:
            got = recorded_seconds(rec, person.participant_id, track)
            slack = KEYFRAME_WAIT * starts if track == "camera" else 0.0
            assert -1.0 - slack <= got - expected <= 1.0, (
                person.participant_id,
                track,
                got,
                expected,
                [
                    (s["started_at"][11:23], s["ended_at"][11:23], s["duration_ms"])
                    for s in sorted(rec.segments, key=lambda s: s["started_at"])
                    if s["participant"] == person.participant_id and s["track"] == track
                ],
                [(e["action"], e["at"][11:23]) for e in rec.events if e["action"][:5] == "room."],
            )
    # The applicant sat in an unrecorded caucus: recorded less than the respondent.
    assert expected_seconds(rec, applicant.participant_id) < expected_seconds(
        rec, respondent.participant_id
    )

    # The manifest lists exactly the stored segments, with their hashes.
    listed = {s["key"]: s["sha256"] for s in manifest["segments"]}
    assert listed == {s["key"]: s["sha256"] for s in rec.segments}
    finalized = rec.of("recording.finalized")
    assert finalized and finalized[-1]["payload"]["sha256"] == sha256(
        read_object(stack, f"{session_id}/manifest.json")
    )
    # One continuous file per participant, both streams, decoding cleanly.
    with tempfile.TemporaryDirectory() as tmp:
        finals = [f for f in manifest["files"] if f["source"] == "av"]
        assert {f["participant"] for f in finals} == people
        for file in finals:
            assert file["key"] in keys
            data = read_object(stack, file["key"])
            assert sha256(data) == file["sha256"]
            path = Path(tmp) / "final.webm"
            path.write_bytes(data)
            assert decode_errors(str(path)) == ""
            assert stream_kinds(str(path)) == ["audio", "video"]

    stack.accord("verify-case", rec.case_no)


def _spool_state(spool: Path) -> tuple[set[str], list[Path]]:
    """Closed segments (their keys) and open parts in a worker's spool."""
    closed = {
        str(p.relative_to(spool))[: -len(".json")]
        for p in spool.rglob("*.webm.json")
        if "quarantine" not in p.parts
    }
    return closed, list(spool.rglob("*.part"))


def test_a_killed_media_worker_loses_only_its_open_segments(stack: BrowserStack, hearing) -> None:
    mediator = hearing[0]
    session_id = session_of(mediator)
    if len(stack.workers) < 2:
        stack.start_worker(f"{stack.workers[0]}-spare")
    everyone_sees_everyone(hearing)
    control(mediator, "start")
    mediator.page.wait_for_timeout(20_000)

    worker = stack.room_worker(session_id)
    assert worker in stack.workers
    before = {s["key"] for s in recorded(stack, session_id).segments}
    assert before, "segments were registered in the first 20 s"
    stack.processes.stop(worker, signal.SIGKILL)
    spool = stack.spool_dir(worker)
    closed, parts = _spool_state(spool)
    killed_at = datetime.now().astimezone()

    # The hearing goes on, on the other worker.
    poll(lambda: stack.room_worker(session_id) not in (None, worker), "the room moves", 30)
    everyone_sees_everyone(hearing)
    mediator.page.wait_for_timeout(12_000)

    # The killed worker comes back with its spool: what it had closed is uploaded and
    # registered, and the open segments it lost are reported as an interruption.
    stack.start_worker(worker)
    poll(lambda: not _spool_state(spool)[0], "the restarted worker empties its spool", 60)
    end(mediator)
    wait_manifest(stack, session_id)
    rec = recorded(stack, session_id)
    registered = {s["key"] for s in rec.segments}
    assert before | closed <= registered
    assert any(
        datetime.fromisoformat(s["started_at"]) > killed_at
        for s in rec.segments
        if s["key"] not in before | closed
    ), "recording went on after the kill"
    interruptions = rec.of("recording.interrupted")
    if parts:
        assert interruptions, "a lost open segment shows in the trace"
        for event in interruptions:
            assert event["payload"]["from"] <= event["payload"]["to"]
    check_every_segment(stack, session_id, rec)
    stack.accord("verify-case", rec.case_no)


def _per_track(rec: Recorded) -> dict[tuple[str, str], list[dict[str, Any]]]:
    tracks: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for segment in rec.segments:
        tracks[(segment["participant"], segment["track"])].append(segment)
    return tracks


def test_an_object_storage_outage_loses_nothing(stack: BrowserStack, hearing) -> None:
    mediator = hearing[0]
    session_id = session_of(mediator)
    everyone_sees_everyone(hearing)
    control(mediator, "start")
    mediator.page.wait_for_timeout(5000)

    stack.s3.stop(graceful=True)
    down_at = time.monotonic()
    mediator.page.wait_for_timeout(max(0, 20_000 - (time.monotonic() - down_at) * 1000))
    stack.s3.start()
    mediator.page.wait_for_timeout(12_000)
    end(mediator)

    wait_manifest(stack, session_id, timeout=180)
    rec = recorded(stack, session_id)
    check_every_segment(stack, session_id, rec)
    order = {
        e["payload"]["key"]: e["seq"]
        for e in rec.of("recording.segment")
        if e["payload"]["key"].startswith(f"{session_id}/")
    }
    for (participant, track), segments in _per_track(rec).items():
        segments.sort(key=lambda s: s["started_at"])
        assert len(segments) >= 3, (participant, track)
        # No hole: each segment starts where the one before ended (one frame apart).
        for previous, current in itertools.pairwise(segments):
            gap = datetime.fromisoformat(current["started_at"]) - datetime.fromisoformat(
                previous["ended_at"]
            )
            assert gap < timedelta(seconds=0.5), (participant, track, previous, current)
        # Registered (and traced) in recording order.
        seqs = [order[s["key"]] for s in segments]
        assert seqs == sorted(seqs), (participant, track)
    stack.accord("verify-case", rec.case_no)
