"""A final file's own timeline and its map to wall time (docs/recording.md, "spans").

A participant's segments, on the worker's clock, cover the times they were recorded; where
consecutive segments leave a gap (a pause, a move out of the recording, a crash) a new span
starts. The file plays the spans back to back, so its time is continuous.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from accord.audit.canonical import format_time

# Segments closer than this are one span: a closed segment and the next one of the same track
# are a frame apart; audio and video of one publisher start a few frames apart.
SPAN_GAP_MS = 500


@dataclass(frozen=True, slots=True)
class Interval:
    start: datetime
    end: datetime
    group: str = "plenary"


@dataclass(frozen=True, slots=True)
class Span:
    wall_start: datetime
    wall_end: datetime
    file_start_ms: int
    group: str = "plenary"

    @property
    def duration_ms(self) -> int:
        return ms_between(self.wall_start, self.wall_end)

    def as_json(self) -> dict[str, int | str]:
        return {
            "wall_start": format_time(self.wall_start),
            "wall_end": format_time(self.wall_end),
            "file_start_ms": self.file_start_ms,
            "duration_ms": self.duration_ms,
            "group": self.group,
        }


def ms_between(start: datetime, end: datetime) -> int:
    return (end - start) // timedelta(milliseconds=1)


def spans_of(intervals: Iterable[Interval], gap_ms: int = SPAN_GAP_MS) -> list[Span]:
    """Merge recorded intervals of one group (gaps up to ``gap_ms`` close) and lay them end to
    end. A move between groups starts a new span (a replay may leave caucus spans out); the
    new group's span starts where the last one ended, so spans never overlap."""
    merged: list[Interval] = []
    for interval in sorted(intervals, key=lambda i: (i.start, i.end)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.group == interval.group
            and ms_between(last.end, interval.start) <= gap_ms
        ):
            merged[-1] = Interval(last.start, max(last.end, interval.end), last.group)
        elif last is not None and interval.start < last.end:
            if interval.end > last.end:
                merged.append(Interval(last.end, interval.end, interval.group))
        else:
            merged.append(interval)
    spans: list[Span] = []
    file_ms = 0
    for interval in merged:
        span = Span(
            wall_start=interval.start,
            wall_end=interval.end,
            file_start_ms=file_ms,
            group=interval.group,
        )
        spans.append(span)
        file_ms += span.duration_ms
    return spans


def file_time(spans: list[Span], wall: datetime, group: str | None = None) -> int | None:
    """Milliseconds into the file for a wall-clock moment (of ``group``'s spans when given),
    or None outside every span."""
    for span in spans:
        if group is not None and span.group != group:
            continue
        if span.wall_start <= wall <= span.wall_end:
            return span.file_start_ms + ms_between(span.wall_start, wall)
    return None
