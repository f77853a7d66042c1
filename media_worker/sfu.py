"""The SFU: rooms on this worker, driven by the web's messages, replying through `send`.

`send(channel, message)` is the only way out (the channel layer in production, a list in
tests). Messages of one room are handled one at a time, in order (a room's lock); rooms do not
wait for each other.

Recording (docs/recording.md): with a `sink` (the spool), each recorded participant's published
tracks get a `TrackRecorder`, started and stopped as `room.offer`, `room.record`, `room.route`,
`room.leave` and `room.close` change who is recorded. Hooks for the spool and uploader:
`on_interruption(body)` gets each gap to report (the body of /internal/media/interruptions),
`on_session_closed(session_id)` is called once a room is gone (closed, or its last participant
left) after its segments were committed, so the uploader can report `flushed` once it has
uploaded them; `recording_sessions()` lists the rooms with open recorders; `alert()` tells
every participant channel about a spool problem.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from media_contract.messages import (
    MediaAlert,
    MediaAnswer,
    MediaError,
    MediaSlots,
    MediaState,
    MessageError,
    Reply,
    SlotPayload,
    check,
)
from media_contract.registration import InterruptionBody
from media_worker.clock import TrackClock
from media_worker.frames import EncodedFrame
from media_worker.layout import OfferError, Source
from media_worker.participant import IDLE_SECONDS, Participant
from media_worker.recorder import DEFAULT_SEGMENT_SECONDS, SegmentSink, TrackRecorder
from media_worker.room import Changes, Room, valid_group

logger = logging.getLogger(__name__)

Send = Callable[[str, Reply], Awaitable[None]]
REPORTED_STATES = {"connected", "disconnected", "failed", "closed"}
SWEEP_SECONDS = 1.0


class SFU:
    def __init__(
        self,
        send: Send,
        *,
        sink: SegmentSink | None = None,
        worker_id: str = "mw",
        segment_seconds: float = DEFAULT_SEGMENT_SECONDS,
        on_interruption: Callable[[InterruptionBody], None] | None = None,
        on_session_closed: Callable[[str], None] | None = None,
        loss_repair: bool = True,
    ) -> None:
        """Without a `sink` nothing is recorded, whatever the web asks. `loss_repair` off
        leaves the publishers' packets to aiortc's own jitter buffer (to measure it)."""
        self._send = send
        self.sink = sink
        self.worker_id = worker_id
        self.segment_seconds = segment_seconds
        self.on_interruption = on_interruption
        self.on_session_closed = on_session_closed
        self.loss_repair = loss_repair
        self.rooms: dict[str, Room] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def participant_count(self) -> int:
        return sum(len(room.participants) for room in self.rooms.values())

    async def handle(self, message: dict[str, Any]) -> None:
        """Act on one web -> worker message; never raises for a bad message."""
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())
        room_id = str(message.get("room", ""))
        async with self._locks[room_id]:
            try:
                kind = check(message)
                await self._dispatch(kind, message)
            except MessageError as exc:
                await self._error(message, exc.code, str(exc))
        if room_id not in self.rooms:
            self._locks.pop(room_id, None)

    async def _dispatch(self, kind: str, message: dict[str, Any]) -> None:
        if kind == "room.offer":
            await self._offer(message)
        elif kind == "room.close":
            await self._close_room(message["room"])
        elif kind == "room.record":
            room = self.rooms.get(message["room"])
            if room is None:
                raise MessageError("not_found", f"no room {message['room']!r} here")
            room.record, room.record_caucus = message["record"], message["record_caucus"]
            self._sync_recording(room)
        else:
            room = self.rooms.get(message["room"])
            participant = room.participants.get(message["participant"]) if room else None
            if room is None or participant is None:
                raise MessageError("not_found", f"no participant {message['participant']!r} here")
            if kind == "room.route":
                if not valid_group(message["group"]):
                    raise MessageError("malformed", f"bad group {message['group']!r}")
                participant.group = message["group"]
                self._sync_recording(room)
                await self._apply(room, room.assign())
            elif kind == "room.mute":
                participant.muted = message["muted"]
                await self._apply(room, room.assign())
            elif kind == "room.leave":
                await self._remove(room, participant)
                await self._apply(room, room.assign())
                if not room.participants:
                    del self.rooms[room.id]
                    self._session_closed(room)

    async def _offer(self, message: dict[str, Any]) -> None:
        if not valid_group(message["group"]):
            raise MessageError("malformed", f"bad group {message['group']!r}")
        room = self.rooms.setdefault(message["room"], Room(id=message["room"]))
        # Absent switches leave an existing room's recording as it is (a new room: off).
        room.record = message.get("record", room.record)
        room.record_caucus = message.get("record_caucus", room.record_caucus)
        old = room.participants.get(message["participant"])
        if old is not None:  # a reconnecting client: its new connection replaces the old one
            await self._remove(room, old, report=False)
        participant = Participant(
            room_id=room.id,
            id=message["participant"],
            group=message["group"],
            muted=message["muted"],
            can_screen=message["can_screen"],
            reply_channel=message["reply_channel"],
            on_frame=self._on_frame,
            on_state=self._on_state,
            on_keyframe_needed=lambda publisher, source: self._keyframe(room, publisher, source),
            loss_repair=self.loss_repair,
        )
        try:
            sdp = await participant.answer(message["sdp"])
        except (OfferError, ValueError) as exc:
            # aiortc raises ValueError subclasses (OperationError among them) on a bad SDP.
            await participant.close()
            if not room.participants:
                del self.rooms[room.id]
            raise MessageError("malformed", f"offer refused: {exc}") from exc
        room.participants[participant.id] = participant
        self._sync_recording(room)
        await self._reply(
            participant,
            MediaAnswer(type="media.answer", room=room.id, participant=participant.id, sdp=sdp),
        )
        changes = room.assign()
        if participant not in changes.slots_changed:
            changes.slots_changed.append(participant)  # it needs its first map anyway
        await self._apply(room, changes)

    async def _close_room(self, room_id: str) -> None:
        room = self.rooms.pop(room_id, None)
        if room is None:
            return
        for participant in list(room.participants.values()):
            await self._remove(room, participant)
        self._session_closed(room)

    async def _remove(self, room: Room, participant: Participant, *, report: bool = True) -> None:
        self._stop_recording(room, participant.id)
        del room.participants[participant.id]
        if participant.id in room.screen_order:
            room.screen_order.remove(participant.id)
        await participant.close()
        if report:
            await self._reply(participant, self._state(participant, "closed"))

    async def _apply(self, room: Room, changes: Changes) -> None:
        for publisher, source in changes.new_links:
            publisher.request_keyframe(source)
        for subscriber in changes.slots_changed:
            slots = [
                SlotPayload(
                    mid=info.mid,
                    kind=info.kind,
                    participant_id=info.participant_id,
                    source=info.source,
                )
                for info in room.slot_infos(subscriber)
            ]
            await self._reply(
                subscriber,
                MediaSlots(
                    type="media.slots", room=room.id, participant=subscriber.id, slots=slots
                ),
            )

    # Callbacks from the peer connections, on the event loop, outside any message.

    def _current(self, participant: Participant) -> Room | None:
        room = self.rooms.get(participant.room_id)
        if room is None or room.participants.get(participant.id) is not participant:
            return None  # closed or replaced by a newer connection
        return room

    def _on_frame(
        self, participant: Participant, source: Source, frame: EncodedFrame, resumed: bool
    ) -> None:
        room = self._current(participant)
        if room is None:
            return
        if source == "screen" and resumed and room.screen_started(participant):
            self._spawn(self._locked_apply(room))
        room.forward(participant, source, frame)
        recorder = room.recorders.get((participant.id, source))
        if recorder is not None:
            try:
                recorder.push(frame)
            except Exception:
                # Recording must never stop forwarding; this track is not recorded further.
                logger.exception("recorder of %s/%s failed", participant.id, source)
                del room.recorders[(participant.id, source)]

    # Recording.

    def _sync_recording(self, room: Room) -> None:
        """Start and stop recorders so that exactly the recorded participants have them."""
        for participant in room.participants.values():
            if self.sink is None or not room.recorded(participant):
                self._stop_recording(room, participant.id)
                continue
            for source, publication in participant.publications.items():
                current = room.recorders.get((participant.id, source))
                if current is not None and current.group != participant.group:
                    self._stop_track(room, (participant.id, source))
                    current = None
                if current is None:
                    room.recorders[(participant.id, source)] = self._recorder(
                        room, participant, source, publication.clock
                    )

    def _recorder(
        self, room: Room, participant: Participant, source: Source, clock: TrackClock
    ) -> TrackRecorder:
        assert self.sink is not None
        track = (participant.id, source)

        def unrecordable(mime_type: str) -> None:
            logger.warning("room %s: %s/%s in %s is not recorded", room.id, *track, mime_type)

        if source != "microphone":
            participant.request_keyframe(source)
        return TrackRecorder(
            session=room.id,
            participant=participant.id,
            track=source,
            worker=self.worker_id,
            sink=self.sink,
            clock=clock,
            request_keyframe=lambda: participant.request_keyframe(source),
            segment_seconds=self.segment_seconds,
            first_index=room.segment_index.get(track, 0),
            group=participant.group,
            on_unrecordable=unrecordable,
            on_interruption=self._interruption,
        )

    def _stop_recording(self, room: Room, participant_id: str) -> None:
        for track in [t for t in room.recorders if t[0] == participant_id]:
            self._stop_track(room, track)

    def _stop_track(self, room: Room, track: tuple[str, Source]) -> None:
        recorder = room.recorders.pop(track)
        try:
            recorder.close()
        except Exception:
            logger.exception("closing the recorder of %s/%s failed", *track)
        room.segment_index[track] = recorder.index

    def _interruption(self, body: InterruptionBody) -> None:
        logger.warning("recording interrupted: %s", body)
        if self.on_interruption is not None:
            self.on_interruption(body)

    def _session_closed(self, room: Room) -> None:
        if self.sink is not None and self.on_session_closed is not None:
            self.on_session_closed(room.id)

    def recording_sessions(self) -> list[str]:
        """Ids of the rooms (hearing sessions) with a recorder running."""
        return [room.id for room in self.rooms.values() if room.recorders]

    async def alert(self, code: str, message: str) -> None:
        """Send `media.alert` to every participant of every room (e.g. `spool_full`)."""
        for room in list(self.rooms.values()):
            for participant in list(room.participants.values()):
                await self._reply(
                    participant,
                    MediaAlert(
                        type="media.alert",
                        room=room.id,
                        participant=participant.id,
                        code=code,
                        message=message,
                    ),
                )

    async def _locked_apply(self, room: Room) -> None:
        async with self._locks[room.id]:
            if self.rooms.get(room.id) is room:
                await self._apply(room, room.assign())

    async def _sweep(self) -> None:
        """Once a second: a screen share whose frames stopped frees its slots."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            for room in list(self.rooms.values()):
                if not room.screen_order:
                    continue
                async with self._locks[room.id]:
                    if self.rooms.get(room.id) is room and room.end_idle_shares(
                        loop.time(), IDLE_SECONDS
                    ):
                        await self._apply(room, room.assign())

    def _on_state(self, participant: Participant, state: str) -> None:
        if state in REPORTED_STATES and self._current(participant) is not None:
            self._spawn(self._reply(participant, self._state(participant, state)))

    def _keyframe(self, room: Room, publisher_id: str, source: Source) -> None:
        publisher = room.participants.get(publisher_id)
        if publisher is not None:
            publisher.request_keyframe(source)

    # Replies.

    @staticmethod
    def _state(participant: Participant, state: str) -> MediaState:
        return MediaState(
            type="media.state", room=participant.room_id, participant=participant.id, state=state
        )

    async def _reply(self, participant: Participant, message: Reply) -> None:
        await self._deliver(participant.reply_channel, message)

    async def _error(self, message: dict[str, Any], code: str, text: str) -> None:
        room_id = str(message.get("room", ""))
        participant_id = str(message.get("participant", ""))
        channel = message.get("reply_channel")
        if not isinstance(channel, str):
            room = self.rooms.get(room_id)
            known = room.participants.get(participant_id) if room else None
            channel = known.reply_channel if known else None
        logger.warning("refused %s for room %s: %s", message.get("type"), room_id, text)
        if channel:
            await self._deliver(
                channel,
                MediaError(
                    type="media.error",
                    room=room_id,
                    participant=participant_id,
                    code=code,
                    message=text,
                ),
            )

    async def _deliver(self, channel: str, message: Reply) -> None:
        try:
            await self._send(channel, message)
        except Exception:
            # A full or unreachable reply channel must not take the room down with it.
            logger.exception("could not send %s to %s", message["type"], channel)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for room_id in list(self.rooms):
            async with self._locks[room_id]:
                await self._close_room(room_id)
        if self._sweeper is not None:
            self._sweeper.cancel()
        for task in list(self._tasks):
            task.cancel()
