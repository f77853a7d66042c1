"""The replay timeline of one hearing session: its final files mapped to session time, the
trace events of the session, the room's composition after each event (from joins, leaves,
admissions and caucus moves), and which files hold caucus media.

Session time is milliseconds from the session's origin: the earliest of its room events and
its recorded spans. Everything the replay page shows is placed on that one clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from accord.audit.models import TraceEvent
from accord.audit.personal import shown
from accord.recordings.models import Audience, RecordingFile
from accord.recordings.selectors import latest_files
from accord.replay.access import Access
from accord.rooms.models import PLENARY, HearingSession, SessionParticipant

# A participant's recording stops a moment after the move that takes them into an unrecorded
# caucus (the worker hears of the move after the trace has it): overlaps up to this long are
# the tail of the plenary, not caucus media.
CAUCUS_EDGE_MS = 1000

# Trace actions shown on the replay timeline besides every ``room.*`` action.
EXTRA_ACTIONS = frozenset({"recording.interrupted"})

Interval = tuple[datetime, datetime]


def ms_between(start: datetime, end: datetime) -> int:
    return (end - start) // timedelta(milliseconds=1)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def is_timeline_action(action: str) -> bool:
    return action.startswith("room.") or action in EXTRA_ACTIONS


def moment_of(event: TraceEvent) -> datetime:
    """When the event happened in the room. A stay's ``room.left`` is written when the stay is
    settled, up to the rejoin grace after its last connection closed (accord.rooms.services);
    its payload's ``left_at`` is when that connection closed, and that is when they left."""
    if event.action == "room.left":
        raw = event.payload.get("left_at")
        if isinstance(raw, str):
            try:
                left_at = parse_time(raw)
            except ValueError:
                return event.occurred_at
            if left_at.tzinfo is not None and left_at <= event.occurred_at:
                return left_at
    return event.occurred_at


def session_events(session: HearingSession) -> list[TraceEvent]:
    """The case chain's events of this session that belong on the replay timeline, in the
    order they happened in the room (:func:`moment_of`; the chain's order between equals)."""
    events = TraceEvent.objects.filter(
        chain_id=session.case.chain_id, payload__session_id=str(session.pk)
    ).order_by("seq")
    kept = [event for event in events if is_timeline_action(event.action)]
    return sorted(kept, key=lambda event: (moment_of(event), event.seq))


# --- Composition ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Who is where right after the event ``seq`` (at ``at_ms``): admitted participants in the
    room by their group ("plenary", "caucus-…"), and those in the waiting room."""

    at_ms: int
    seq: int
    groups: dict[int, str]
    waiting: tuple[int, ...]

    def in_group(self, group: str) -> list[int]:
        return sorted(pid for pid, g in self.groups.items() if g == group)

    def as_json(self) -> dict[str, Any]:
        return {
            "at_ms": self.at_ms,
            "seq": self.seq,
            "groups": {str(pid): group for pid, group in sorted(self.groups.items())},
            "waiting": list(self.waiting),
        }


def _ids(payload: dict[str, Any]) -> list[int]:
    if "participant_ids" in payload:
        return [int(pid) for pid in payload["participant_ids"]]
    if payload.get("participant_id") is not None:
        return [int(payload["participant_id"])]
    return []


def compositions(events: Sequence[TraceEvent], origin: datetime) -> list[Snapshot]:
    """The room after each event that changes it. A participant keeps their group across a
    leave and a rejoin (the room does too); ``room.ended`` empties the room. Events count in the
    order they happened in the room (:func:`moment_of`), whatever order they come in."""
    group: dict[int, str] = {}
    present: set[int] = set()
    waiting: set[int] = set()
    snapshots = [Snapshot(at_ms=0, seq=0, groups={}, waiting=())]
    for event in sorted(events, key=lambda event: (moment_of(event), event.seq)):
        ids = _ids(event.payload)
        action = event.action
        if action == "room.joined":
            for pid in ids:
                if event.payload.get("admitted", True):
                    present.add(pid)
                    waiting.discard(pid)
                else:
                    waiting.add(pid)
        elif action == "room.admitted":
            for pid in ids:
                waiting.discard(pid)
                present.add(pid)
        elif action in ("room.left", "room.removed"):
            for pid in ids:
                present.discard(pid)
                waiting.discard(pid)
        elif action == "room.moved":
            for pid in ids:
                group[pid] = str(event.payload.get("group", PLENARY))
        elif action == "room.ended":
            present.clear()
            waiting.clear()
        else:
            continue
        snapshots.append(
            Snapshot(
                at_ms=max(0, ms_between(origin, moment_of(event))),
                seq=event.seq,
                groups={pid: group.get(pid, PLENARY) for pid in present},
                waiting=tuple(sorted(waiting)),
            )
        )
    return snapshots


def caucus_intervals(events: Sequence[TraceEvent]) -> dict[int, list[Interval]]:
    """Per participant, the wall-clock intervals they spent in a caucus room (an interval still
    open at the end of the events runs to ``datetime.max``)."""
    since: dict[int, datetime] = {}
    out: dict[int, list[Interval]] = {}
    for event in events:
        if event.action == "room.moved":
            to = str(event.payload.get("group", PLENARY))
            for pid in _ids(event.payload):
                if to != PLENARY and pid not in since:
                    since[pid] = event.occurred_at
                elif to == PLENARY and pid in since:
                    out.setdefault(pid, []).append((since.pop(pid), event.occurred_at))
    for pid, start in since.items():
        out.setdefault(pid, []).append((start, datetime.max.replace(tzinfo=start.tzinfo)))
    return out


def span_intervals(spans: Iterable[dict[str, Any]]) -> list[Interval]:
    return [(parse_time(s["wall_start"]), parse_time(s["wall_end"])) for s in spans]


def holds_caucus_media(
    spans: Iterable[dict[str, Any]], caucus: Iterable[Interval], edge_ms: int = CAUCUS_EDGE_MS
) -> bool:
    """Whether a file holds caucus media: a span finalize names as recorded in a caucus group,
    or (for spans without a group) more than ``edge_ms`` recorded during a caucus stay."""
    spans = list(spans)
    if any(span.get("group", PLENARY) != PLENARY for span in spans):
        return True
    caucus = list(caucus)
    for start, end in span_intervals(spans):
        for c_start, c_end in caucus:
            overlap = min(end, c_end) - max(start, c_start)
            if overlap > timedelta(milliseconds=edge_ms):
                return True
    return False


def has_plenary_file(file: RecordingFile) -> bool:
    """Whether finalize made a plenary-only file beside this (full) file, in the same version."""
    return RecordingFile.objects.filter(
        session_id=file.session_id,
        participant_id=file.participant_id,
        source=file.source,
        version=file.version,
        audience=Audience.PLENARY,
        deleted_at__isnull=True,
    ).exists()


def file_allowed(file: RecordingFile, access: Access, events: Sequence[TraceEvent]) -> bool:
    """Whether ``access`` reaches ``file``: with caucus, always; without, only a file holding no
    caucus media and never a full file that has a plenary-only sibling (finalize made that one
    because the participant has caucus segments). A file with caucus media and no plenary-only
    file (an older finalize) is refused whole (fail closed)."""
    if access.include_caucus:
        return True
    if file.audience == Audience.ALL and has_plenary_file(file):
        return False
    intervals = caucus_intervals(events).get(file.participant_id, [])
    return not holds_caucus_media(file.spans, intervals)


def files_for(files: Iterable[RecordingFile], access: Access) -> list[RecordingFile]:
    """The files the page lists for ``access``, one per participant and source: with caucus,
    the full files; without, the plenary-only file where finalize made one, else the full file
    (whose reach :func:`file_allowed` decides)."""
    files = list(files)
    plenary = {(f.participant_id, f.source): f for f in files if f.audience == Audience.PLENARY}
    chosen = []
    for file in files:
        if file.audience != Audience.ALL:
            continue
        if not access.include_caucus:
            file = plenary.get((file.participant_id, file.source), file)
        chosen.append(file)
    return chosen


# --- The page's timeline -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplaySpan:
    start_ms: int  # session time
    end_ms: int
    file_start_ms: int
    group: str = PLENARY

    def as_json(self) -> dict[str, int | str]:
        return {
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "file_start_ms": self.file_start_ms,
            "group": self.group,
        }


@dataclass(frozen=True, slots=True)
class ReplayFile:
    pk: int
    participant_id: int
    name: str
    role: str
    source: str
    key: str
    size: int
    sha256: str
    duration_ms: int
    version: int
    spans: list[ReplaySpan]
    speaking: list[tuple[int, int]]  # session time
    allowed: bool
    audience: str = Audience.ALL
    # Session time recorded but left out for this access (the caucus spans of the full file
    # when the plenary-only file is served): the player says "not included" there.
    excluded: list[tuple[int, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "participant_id": self.participant_id,
            "name": self.name,
            "role": self.role,
            "source": self.source,
            "duration_ms": self.duration_ms,
            "spans": [span.as_json() for span in self.spans],
            "speaking": [list(pair) for pair in self.speaking],
            "allowed": self.allowed,
            "audience": self.audience,
            "excluded": [list(pair) for pair in self.excluded],
        }


@dataclass(frozen=True, slots=True)
class ReplayEvent:
    seq: int
    action: str
    at: datetime
    at_ms: int
    description: str
    participant_ids: list[int]
    group: str | None = None
    text: str | None = None

    @property
    def is_caucus_move(self) -> bool:
        return self.action == "room.moved" and self.group not in (None, PLENARY)

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "action": self.action,
            "at_ms": self.at_ms,
            "description": self.description,
            "participant_ids": self.participant_ids,
            "group": self.group,
            "text": self.text,
        }


@dataclass(slots=True)
class Timeline:
    origin: datetime
    duration_ms: int
    participants: dict[int, SessionParticipant]
    files: list[ReplayFile] = field(default_factory=list)
    events: list[ReplayEvent] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)

    def name_of(self, pid: int) -> str:
        participant = self.participants.get(pid)
        return participant.display_name if participant is not None else f"#{pid}"

    def as_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin.isoformat(),
            "duration_ms": self.duration_ms,
            "participants": {
                str(pid): {"name": p.display_name, "role": p.role}
                for pid, p in sorted(self.participants.items())
            },
            "files": [f.as_json() for f in self.files],
            "events": [e.as_json() for e in self.events],
            "compositions": [s.as_json() for s in self.snapshots],
        }


def replay_spans(spans: Iterable[dict[str, Any]], origin: datetime) -> list[ReplaySpan]:
    out = []
    for span in spans:
        start = ms_between(origin, parse_time(span["wall_start"]))
        duration = int(span["duration_ms"])
        out.append(
            ReplaySpan(
                start,
                start + duration,
                int(span["file_start_ms"]),
                str(span.get("group", PLENARY)),
            )
        )
    return out


def speaking_in_session_time(
    speaking: Iterable[Sequence[int]], spans: Sequence[ReplaySpan]
) -> list[tuple[int, int]]:
    """File-time intervals mapped through the spans (an interval across a span boundary
    splits)."""
    out: list[tuple[int, int]] = []
    for pair in speaking:
        begin, end = int(pair[0]), int(pair[1])
        for span in spans:
            file_end = span.file_start_ms + (span.end_ms - span.start_ms)
            lo, hi = max(begin, span.file_start_ms), min(end, file_end)
            if lo < hi:
                out.append(
                    (
                        span.start_ms + lo - span.file_start_ms,
                        span.start_ms + hi - span.file_start_ms,
                    )
                )
    return sorted(out)


def _describe(event: TraceEvent, timeline: Timeline, access: Access) -> ReplayEvent:
    payload = event.payload
    ids = _ids(payload)
    names = ", ".join(timeline.name_of(pid) for pid in ids)
    name = names or str(event.actor.get("label", ""))
    group = payload.get("group")
    text: str | None = None
    action = event.action
    if action == "room.joined":
        if payload.get("admitted", True):
            description = _("%(name)s joined") % {"name": name}
        else:
            description = _("%(name)s entered the waiting room") % {"name": name}
    elif action == "room.left":
        description = _("%(name)s left") % {"name": name}
    elif action == "room.admitted":
        description = _("%(name)s was admitted") % {"name": name}
    elif action == "room.removed":
        description = _("%(name)s was removed") % {"name": name}
    elif action == "room.muted":
        if payload.get("muted"):
            description = _("%(name)s was muted") % {"name": name}
        else:
            description = _("%(name)s was unmuted") % {"name": name}
    elif action == "room.moved":
        if group == PLENARY:
            description = _("%(names)s back in the main room") % {"names": name}
        else:
            description = _("%(names)s moved to a private session (%(group)s)") % {
                "names": name,
                "group": group,
            }
    elif action == "room.chat":
        if group in (None, PLENARY) or access.may_see_group(str(group)):
            text = shown(payload.get("text", ""))
            if text is None:
                text = _("(erased)")
            description = _("%(name)s wrote: %(text)s") % {"name": name, "text": text}
        else:
            description = _("%(name)s wrote in a private session (not included in your access)") % {
                "name": name
            }
    elif action == "room.recording_started":
        description = _("Recording started")
    elif action == "room.recording_paused":
        description = _("Recording paused")
    elif action == "room.recording_resumed":
        description = _("Recording resumed")
    elif action == "room.recording_stopped":
        description = _("Recording stopped")
    elif action == "room.ended":
        description = _("The hearing ended")
    elif action == "recording.interrupted":
        description = _("Recording interrupted (%(reason)s)") % {
            "reason": payload.get("reason", "")
        }
    else:
        description = action
    return ReplayEvent(
        seq=event.seq,
        action=action,
        at=moment_of(event),
        at_ms=max(0, ms_between(timeline.origin, moment_of(event))),
        description=description,
        participant_ids=ids,
        group=None if group is None else str(group),
        text=text,
    )


def session_timeline(session: HearingSession, access: Access) -> Timeline:
    """Everything the replay page shows of ``session`` for ``access``."""
    events = session_events(session)
    stored = [f for f in latest_files(session) if f.deleted_at is None]
    full = {(f.participant_id, f.source): f for f in stored if f.audience == Audience.ALL}
    files = files_for(stored, access)
    participants = {p.pk: p for p in SessionParticipant.objects.filter(session=session)}
    moments = [moment_of(e) for e in events]
    for file in stored:  # the same clock whatever the access
        for start, end in span_intervals(file.spans):
            moments += [start, end]
    if not moments:
        origin = session.scheduled_at
        return Timeline(origin=origin, duration_ms=0, participants=participants)
    origin, last = min(moments), max(moments)
    timeline = Timeline(
        origin=origin, duration_ms=max(1, ms_between(origin, last)), participants=participants
    )
    caucus = caucus_intervals(events)
    for file in files:
        spans = replay_spans(file.spans, origin)
        participant = participants.get(file.participant_id)
        # Without caucus a full file is listed only when there is no plenary-only one
        # (files_for); holding caucus media, it is then refused whole (fail closed).
        allowed = access.include_caucus or not holds_caucus_media(
            file.spans, caucus.get(file.participant_id, [])
        )
        excluded: list[tuple[int, int]] = []
        whole = full.get((file.participant_id, file.source))
        if file.audience == Audience.PLENARY and whole is not None:
            excluded = [
                (span.start_ms, span.end_ms)
                for span in replay_spans(whole.spans, origin)
                if span.group != PLENARY
            ]
        timeline.files.append(
            ReplayFile(
                pk=file.pk,
                participant_id=file.participant_id,
                name=timeline.name_of(file.participant_id),
                role=participant.get_role_display() if participant is not None else "",
                source=file.source,
                key=file.key,
                size=file.size,
                sha256=file.sha256,
                duration_ms=file.duration_ms,
                version=file.version,
                spans=spans,
                # Not even when they spoke, for a file the access does not reach.
                speaking=speaking_in_session_time(file.speaking, spans) if allowed else [],
                allowed=allowed,
                audience=file.audience,
                excluded=excluded,
            )
        )
    timeline.events = [_describe(event, timeline, access) for event in events]
    timeline.snapshots = compositions(events, origin)
    return timeline
