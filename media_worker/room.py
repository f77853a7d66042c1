"""A room: its participants, their routing groups, and which publisher feeds which slot.

Routing never renegotiates. Each subscriber has fixed receive slots; `assign()` maps the other
members of its group onto them (keeping a publisher on its slot while it stays visible) and
recomputes, for every publisher, the list of slot tracks its frames go to. The frame path is
then a lookup and a push per subscriber.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from media_worker.forward_track import ForwardTrack
from media_worker.frames import EncodedFrame
from media_worker.layout import Source
from media_worker.participant import Participant
from media_worker.recorder import TrackRecorder

PLENARY = "plenary"
_GROUP = re.compile(r"^(plenary|caucus-[a-z0-9][a-z0-9_-]{0,62})$")


def valid_group(group: str) -> bool:
    return bool(_GROUP.match(group))


@dataclass(frozen=True, slots=True)
class SlotInfo:
    mid: str | None
    kind: str
    participant_id: str | None
    source: Source


@dataclass(frozen=True, slots=True)
class Changes:
    # Subscribers whose slot map changed (they get a media.slots).
    slots_changed: list[Participant]
    # (publisher, source) that has a new subscriber and owes it a keyframe.
    new_links: list[tuple[Participant, Source]]


@dataclass(eq=False)
class Room:
    id: str
    participants: dict[str, Participant] = field(default_factory=dict)
    # Most recent screen sharer first.
    screen_order: list[str] = field(default_factory=list)
    routes: dict[tuple[str, Source], list[ForwardTrack]] = field(default_factory=dict)
    # Recording (docs/recording.md): the web's switches, the open recorders per
    # (participant id, source), and the next segment index of each such track.
    record: bool = False
    record_caucus: bool = False
    recorders: dict[tuple[str, Source], TrackRecorder] = field(default_factory=dict)
    segment_index: dict[tuple[str, Source], int] = field(default_factory=dict)

    def recorded(self, participant: Participant) -> bool:
        """Recorded while `record` is on and it is in the plenary or caucuses are recorded."""
        return self.record and (participant.group == PLENARY or self.record_caucus)

    def forward(self, publisher: Participant, source: Source, frame: EncodedFrame) -> None:
        for track in self.routes.get((publisher.id, source), ()):
            track.push(publisher.id, frame)

    def screen_started(self, publisher: Participant) -> bool:
        """A share (re)starts: its publisher takes the screen slots of its group.

        True when the slots must be remapped. The most recent sharer wins, so a mediator who
        starts sharing replaces a party's forgotten share.
        """
        if not publisher.can_screen:
            return False
        if publisher.id in self.screen_order:
            self.screen_order.remove(publisher.id)
        self.screen_order.insert(0, publisher.id)
        return True

    def end_idle_shares(self, now: float, idle: float) -> bool:
        """Forget sharers whose screen sent nothing for `idle` seconds (the client stopped
        sharing without telling anyone); True when the slots must be remapped."""
        ended = [
            pid
            for pid in self.screen_order
            if pid not in self.participants
            or now - self.participants[pid].publications["screen"].last_frame_at >= idle
        ]
        for pid in ended:
            self.screen_order.remove(pid)
        return bool(ended)

    def assign(self) -> Changes:
        before = {p.id: self.slot_infos(p) for p in self.participants.values()}
        links_before = {(sub, pub, src) for sub, pub, src in self._links()}
        for subscriber in self.participants.values():
            self._assign_subscriber(subscriber)
        self._rebuild_routes()
        changed = [p for p in self.participants.values() if self.slot_infos(p) != before.get(p.id)]
        new_links: list[tuple[Participant, Source]] = []
        for _, pub, src in sorted(set(self._links()) - links_before):
            if src != "microphone" and (self.participants[pub], src) not in new_links:
                new_links.append((self.participants[pub], src))
        return Changes(slots_changed=changed, new_links=new_links)

    def _assign_subscriber(self, subscriber: Participant) -> None:
        visible = [
            p.id
            for p in self.participants.values()
            if p is not subscriber and p.group == subscriber.group
        ]
        pairs = [pid if pid in visible else None for pid in subscriber.pairs]
        for pid in visible:
            if pid not in pairs and None in pairs:
                pairs[pairs.index(None)] = pid
        subscriber.pairs = pairs
        screen = next((pid for pid in self.screen_order if pid in visible), None)
        for slot in subscriber.slots:
            slot.track.set_source(screen if slot.pair is None else pairs[slot.pair])

    def _rebuild_routes(self) -> None:
        routes: dict[tuple[str, Source], list[ForwardTrack]] = {}
        for subscriber in self.participants.values():
            for slot in subscriber.slots:
                publisher_id = slot.track.source
                publisher = self.participants.get(publisher_id) if publisher_id else None
                if publisher is None or (slot.source == "microphone" and publisher.muted):
                    continue
                routes.setdefault((publisher.id, slot.source), []).append(slot.track)
        self.routes = routes

    def _links(self) -> list[tuple[str, str, Source]]:
        return [
            (subscriber.id, slot.track.source, slot.source)
            for subscriber in self.participants.values()
            for slot in subscriber.slots
            if slot.track.source is not None
        ]

    def slot_infos(self, participant: Participant) -> list[SlotInfo]:
        return [
            SlotInfo(mid=s.mid, kind=s.kind, participant_id=s.track.source, source=s.source)
            for s in participant.slots
        ]
