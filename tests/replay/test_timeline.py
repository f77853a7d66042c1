"""The replay timeline: the room's composition from joins, admissions, moves and leaves; the
caucus time of each participant and which files hold caucus media; the session's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accord.audit.models import TraceEvent
from accord.replay.access import Access
from accord.replay.selectors import (
    ReplaySpan,
    caucus_intervals,
    compositions,
    holds_caucus_media,
    moment_of,
    session_timeline,
    speaking_in_session_time,
)
from tests.replay.conftest import Held, span

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def event(seq: int, seconds: float, action: str, **payload: Any) -> TraceEvent:
    return TraceEvent(
        seq=seq,
        action=action,
        actor={"kind": "user", "label": "mia"},
        payload={"session_id": "s", **payload},
        occurred_at=T0 + timedelta(seconds=seconds),
    )


EVENTS = [
    event(1, 0, "room.joined", participant_id=1, admitted=True),
    event(2, 1, "room.joined", participant_id=2, admitted=False),
    event(3, 2, "room.joined", participant_id=3, admitted=False),
    event(4, 3, "room.admitted", participant_id=2),
    event(5, 4, "room.admitted", participant_id=3),
    event(6, 10, "room.moved", participant_ids=[2], group="caucus-applicant"),
    event(7, 12, "room.chat", participant_id=2, group="caucus-applicant", text="x"),
    event(8, 20, "room.moved", participant_ids=[2], group="plenary"),
    event(9, 25, "room.left", participant_id=3),
    event(10, 30, "room.ended"),
]


def test_composition_follows_joins_admissions_moves_and_leaves():
    snapshots = compositions(EVENTS, T0)
    by_seq = {s.seq: s for s in snapshots}
    assert snapshots[0].groups == {} and snapshots[0].at_ms == 0
    assert 7 not in by_seq  # a chat changes nobody's place
    assert by_seq[2].groups == {1: "plenary"} and by_seq[2].waiting == (2,)
    assert by_seq[5].groups == {1: "plenary", 2: "plenary", 3: "plenary"}
    assert by_seq[5].waiting == ()
    caucus = by_seq[6]
    assert caucus.at_ms == 10_000
    assert caucus.groups == {1: "plenary", 2: "caucus-applicant", 3: "plenary"}
    assert caucus.in_group("caucus-applicant") == [2]
    assert by_seq[8].groups[2] == "plenary"
    assert by_seq[9].groups == {1: "plenary", 2: "plenary"}
    assert by_seq[10].groups == {}


def test_a_participant_keeps_their_caucus_across_a_rejoin():
    events = [
        *EVENTS[:6],
        event(7, 12, "room.left", participant_id=2),
        event(8, 14, "room.joined", participant_id=2, admitted=True),
    ]
    assert compositions(events, T0)[-1].groups[2] == "caucus-applicant"


def test_caucus_intervals_and_files_holding_caucus_media():
    intervals = caucus_intervals(EVENTS)
    assert intervals == {2: [(T0 + timedelta(seconds=10), T0 + timedelta(seconds=20))]}
    plenary_only = [
        span(T0, T0 + timedelta(seconds=10, milliseconds=400), 0),
        span(T0 + timedelta(seconds=20, milliseconds=600), T0 + timedelta(seconds=30), 10_400),
    ]
    assert not holds_caucus_media(plenary_only, intervals[2])  # edges within CAUCUS_EDGE_MS
    through = [span(T0, T0 + timedelta(seconds=30), 0)]
    assert holds_caucus_media(through, intervals[2])
    # A span finalize names as recorded in a caucus is caucus media, whatever the trace says.
    named = [{**span(T0, T0 + timedelta(seconds=5), 0), "group": "caucus-applicant"}]
    assert holds_caucus_media(named, [])
    assert not holds_caucus_media([{**plenary_only[0], "group": "plenary"}], [])
    # A caucus never left (the hearing ended in it) runs to the end of time.
    open_ended = caucus_intervals(EVENTS[:6])
    assert holds_caucus_media(
        [span(T0 + timedelta(seconds=40), T0 + timedelta(seconds=50), 0)], open_ended[2]
    )


def test_speaking_maps_through_the_spans():
    spans = [ReplaySpan(1000, 3000, 0), ReplaySpan(10_000, 12_000, 2000)]
    assert speaking_in_session_time([[100, 500], [1800, 2300]], spans) == [
        (1100, 1500),
        (2800, 3000),
        (10_000, 10_300),
    ]


@pytest.mark.django_db
def test_the_session_timeline_of_a_held_hearing(held: Held, put_file):
    applicant, respondent = held.applicant, held.respondent
    put_file(applicant, [span(held.started, held.caucus_from, 0)])
    put_file(respondent, [span(held.started, held.ended, 0)])
    full = Access(case_id=held.session.case_id, include_caucus=True, via="auditor")
    timeline = session_timeline(held.session, full)
    actions = [e.action for e in timeline.events]
    assert actions[:3] == ["room.joined", "room.joined", "room.admitted"]
    assert "room.moved" in actions and actions[-1] == "room.ended"
    assert all(not a.startswith("session.") and a != "recording.replayed" for a in actions)
    assert timeline.events[0].at_ms == 0
    assert [e.at_ms for e in timeline.events] == sorted(e.at_ms for e in timeline.events)
    chats = [e for e in timeline.events if e.action == "room.chat"]
    assert [c.text for c in chats] == ["你好", "私下说"]
    move = next(e for e in timeline.events if e.is_caucus_move)
    snapshot = next(s for s in timeline.snapshots if s.seq == move.seq)
    assert snapshot.groups[applicant.pk] == "caucus-applicant"
    assert snapshot.groups[respondent.pk] == "plenary"
    assert {f.participant_id for f in timeline.files} == {applicant.pk, respondent.pk}
    assert all(f.allowed for f in timeline.files)
    data = timeline.as_json()
    assert data["files"][0]["spans"][0]["file_start_ms"] == 0
    assert data["compositions"][0]["groups"] == {}

    plenary = Access(case_id=held.session.case_id, include_caucus=False, via="grant", grant_id=1)
    limited = session_timeline(held.session, plenary)
    chats = [e for e in limited.events if e.action == "room.chat"]
    assert [c.text for c in chats] == ["你好", None]  # the caucus message stays private
    assert all(f.allowed for f in limited.files)  # neither file recorded the caucus


def test_a_stay_settled_after_its_grace_leaves_when_its_last_connection_closed():
    # The room writes a stay's room.left when the rejoin grace has run out (accord.rooms), after
    # later events of the room; the leave counts at its payload's left_at, in its place.
    left_at = (T0 + timedelta(seconds=25)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    events = [
        event(1, 0, "room.joined", participant_id=1, admitted=True),
        event(2, 1, "room.joined", participant_id=3, admitted=True),
        event(3, 40, "room.moved", participant_ids=[1], group="caucus-applicant"),
        event(4, 90, "room.left", participant_id=3, left_at=left_at, reconnects=2),
    ]
    assert moment_of(events[3]) == T0 + timedelta(seconds=25)
    snapshots = compositions(events, T0)
    assert [s.seq for s in snapshots] == [0, 1, 2, 4, 3]
    by_seq = {s.seq: s for s in snapshots}
    assert by_seq[4].at_ms == 25_000 and by_seq[4].groups == {1: "plenary"}
    assert by_seq[3].groups == {1: "caucus-applicant"}


def test_a_leave_without_its_moment_or_with_a_garbled_one_counts_when_written():
    plain = event(4, 90, "room.left", participant_id=3)
    garbled = event(5, 91, "room.left", participant_id=3, left_at="yesterday")
    later = event(6, 92, "room.left", participant_id=3, left_at="2030-01-01T00:00:00.000000Z")
    assert moment_of(plain) == plain.occurred_at
    assert moment_of(garbled) == garbled.occurred_at
    assert moment_of(later) == later.occurred_at
