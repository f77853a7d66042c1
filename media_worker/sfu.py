"""The SFU: rooms on this worker, driven by the web's messages, replying through `send`.

`send(channel, message)` is the only way out (the channel layer in production, a list in
tests). Messages of one room are handled one at a time, in order (a room's lock); rooms do not
wait for each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from media_worker.frames import EncodedFrame
from media_worker.layout import OfferError, Source
from media_worker.messages import (
    MediaAnswer,
    MediaError,
    MediaSlots,
    MediaState,
    MessageError,
    Reply,
    SlotPayload,
    check,
)
from media_worker.participant import IDLE_SECONDS, Participant
from media_worker.room import Changes, Room, valid_group

logger = logging.getLogger(__name__)

Send = Callable[[str, Reply], Awaitable[None]]
REPORTED_STATES = {"connected", "disconnected", "failed", "closed"}
SWEEP_SECONDS = 1.0


class SFU:
    def __init__(self, send: Send) -> None:
        self._send = send
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
        else:
            room = self.rooms.get(message["room"])
            participant = room.participants.get(message["participant"]) if room else None
            if room is None or participant is None:
                raise MessageError("not_found", f"no participant {message['participant']!r} here")
            if kind == "room.route":
                if not valid_group(message["group"]):
                    raise MessageError("malformed", f"bad group {message['group']!r}")
                participant.group = message["group"]
                await self._apply(room, room.assign())
            elif kind == "room.mute":
                participant.muted = message["muted"]
                await self._apply(room, room.assign())
            elif kind == "room.leave":
                await self._remove(room, participant)
                await self._apply(room, room.assign())
                if not room.participants:
                    del self.rooms[room.id]

    async def _offer(self, message: dict[str, Any]) -> None:
        if not valid_group(message["group"]):
            raise MessageError("malformed", f"bad group {message['group']!r}")
        room = self.rooms.setdefault(message["room"], Room(id=message["room"]))
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

    async def _remove(self, room: Room, participant: Participant, *, report: bool = True) -> None:
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
