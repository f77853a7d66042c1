"""Spans: file time to wall time for a participant's recorded intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accord.recordings.timeline import Interval, file_time, spans_of

T0 = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_back_to_back_segments_are_one_span_and_a_pause_starts_another():
    spans = spans_of(
        [
            Interval(at(0), at(10)),
            Interval(at(10.02), at(20)),  # the next segment, a frame later
            Interval(at(0.04), at(19.98)),  # the other track
            Interval(at(30), at(35)),  # after a pause
        ]
    )
    assert [(s.wall_start, s.wall_end, s.file_start_ms) for s in spans] == [
        (at(0), at(20), 0),
        (at(30), at(35), 20000),
    ]
    assert file_time(spans, at(31)) == 21000
    assert file_time(spans, at(25)) is None


def test_a_move_between_recorded_groups_starts_a_span_of_its_own():
    spans = spans_of(
        [
            Interval(at(0), at(10), "plenary"),
            Interval(at(9.9), at(20), "caucus-a"),  # starts a little before the last one ends
            Interval(at(20.01), at(25), "plenary"),
        ]
    )
    assert [(s.group, s.wall_start, s.wall_end) for s in spans] == [
        ("plenary", at(0), at(10)),
        ("caucus-a", at(10), at(20)),
        ("plenary", at(20.01), at(25)),
    ]
    assert [s.file_start_ms for s in spans] == [0, 10000, 20000]
    assert file_time(spans, at(9.95), "caucus-a") is None
    assert file_time(spans, at(9.95)) == 9950
