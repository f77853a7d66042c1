"""The room's WebSocket (docs/rooms-protocol.md): authenticate, authorize, validate, call a
service, relay. Room state lives in the database (durable, traced) and in Redis (who is
connected right now); this consumer keeps only what it needs to route frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from accord.accounts.sessions import websocket_session_refusal, websocket_session_touch
from accord.core.api import ServiceError
from accord.rooms import conf, live, selectors, services
from accord.rooms.access import ACCESS_REVOKED
from accord.rooms.groups import participant_group, room_group
from accord.rooms.models import HearingSession, ParticipantRole, SessionParticipant
from accord.rooms.policy import recording_policy
from accord.rooms.schemas import ADMITTED_ONLY, MEDIATOR_ONLY, Malformed, Message, parse_message
from accord.rooms.selectors import RecordingFlags, recording_flags
from media_contract.messages import (
    MediaAlert,
    MediaAnswer,
    MediaError,
    MediaSlots,
    MediaState,
    RoomClose,
    RoomLeave,
    RoomMute,
    RoomOffer,
    RoomRecord,
    RoomRoute,
    ToWeb,
    ToWorker,
)
from media_contract.names import worker_channel

logger = logging.getLogger(__name__)

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_PARTICIPANT = 4403
CLOSE_NO_SESSION = 4404
CLOSE_GONE = 4410
CLOSE_TOO_MANY_SOCKETS = 4429
# Per connection: a client sends a few frames a second at most (speaking is debounced, quality
# every few seconds); more is a loop or abuse, and each frame may fan out to the whole room.
FRAME_WINDOW_SECONDS = 5.0
FRAMES_PER_WINDOW = 50
# Roles that may publish a screen share (observers only watch).
SCREEN_ROLES = frozenset(
    {
        ParticipantRole.MEDIATOR,
        ParticipantRole.APPLICANT,
        ParticipantRole.RESPONDENT,
        ParticipantRole.EXPERT,
    }
)


def socket_language(scope: dict[str, Any]) -> str:
    """The language of refusals sent on the socket: the language chosen on the site (its
    cookie), else the browser's, else the default. The socket's URL carries none."""
    candidates = [(scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME) or ""]
    for name, value in scope.get("headers") or []:
        if name == b"accept-language":
            accepted = parse_accept_lang_header(value.decode("latin-1"))
            candidates += [code for code, _q in accepted if code != "*"]
    for code in candidates:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


class RoomConsumer(AsyncWebsocketConsumer):
    participant: SessionParticipant | None = None
    room = ""
    admitted = False
    group = "plenary"
    watcher: asyncio.Task[None] | None = None
    window_start = 0.0
    window_frames = 0
    lang = ""
    # The user whose socket cap this connection counts against (ACCORD_ROOM_SOCKETS_PER_USER).
    socket_user: int | None = None

    # --- Lifecycle ----------------------------------------------------------

    async def connect(self) -> None:
        # Accepted first: custom close codes exist only on an open WebSocket.
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        # A session past its lifetime or idle time is signed out (accord.accounts.sessions).
        if await database_sync_to_async(websocket_session_refusal)(self.scope):
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        try:
            session_id = uuid.UUID(str(self.scope["url_route"]["kwargs"]["session_id"]))
        except ValueError:
            await self.close(code=CLOSE_NO_SESSION)
            return
        entry = await database_sync_to_async(self._entry)(user, session_id)
        if isinstance(entry, int):
            await self.close(code=entry)
            return
        claimed = await sync_to_async(live.socket_claim)(
            user_id=user.pk,
            channel_name=self.channel_name,
            cap=settings.ACCORD_ROOM_SOCKETS_PER_USER,
        )
        if not claimed:
            with translation.override(socket_language(self.scope)):
                message = _("Too many open hearing connections; close one in another tab first.")
            await self.send_error("too_many_sockets", message, None)
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        self.socket_user = user.pk
        self.room = str(session_id)
        await self.channel_layer.group_add(room_group(self.room), self.channel_name)
        await self.channel_layer.group_add(
            participant_group(self.room, entry.pk), self.channel_name
        )
        self.participant = await database_sync_to_async(self._join)(entry)
        self.admitted = self.participant.admitted_at is not None
        self.group = self.participant.group
        await self.send_frame(await database_sync_to_async(self._welcome)())
        await self.send_frame({"type": "admitted" if self.admitted else "waiting"})
        await self.broadcast_presence()
        self.watcher = asyncio.create_task(self._watch())

    async def disconnect(self, code: int) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher
        if self.socket_user is not None:
            user_id, self.socket_user = self.socket_user, None
            await sync_to_async(live.socket_release)(
                user_id=user_id, channel_name=self.channel_name
            )
        participant = self.participant
        if participant is None:
            return
        self.participant = None
        await self.channel_layer.group_discard(room_group(self.room), self.channel_name)
        await self.channel_layer.group_discard(
            participant_group(self.room, participant.pk), self.channel_name
        )
        if await database_sync_to_async(self._leave)(participant):
            await self.to_worker(
                RoomLeave(type="room.leave", room=self.room, participant=str(participant.pk))
            )
            await self.broadcast_presence()

    def _entry(self, user: Any, session_id: uuid.UUID) -> SessionParticipant | int:
        if not HearingSession.objects.filter(pk=session_id).exists():
            return CLOSE_NO_SESSION
        participant = (
            SessionParticipant.objects.select_related("session", "session__case", "user")
            .filter(session_id=session_id, user=user)
            .first()
        )
        if participant is None:
            return CLOSE_NOT_PARTICIPANT
        session = self.scope.get("session")
        session_data = dict(session.items()) if session is not None else {}
        refusal = selectors.entry_refusal(participant=participant, session_data=session_data)
        if refusal is not None:
            return refusal.close_code
        if participant.notice_acknowledged_at is None:  # the device check page comes first
            return CLOSE_NOT_PARTICIPANT
        return participant

    def _join(self, participant: SessionParticipant) -> SessionParticipant:
        live.connection_add(
            session_id=self.room, channel_name=self.channel_name, participant_id=participant.pk
        )
        return services.room_join(participant=participant)

    def _leave(self, participant: SessionParticipant) -> bool:
        """Forget this connection; True when it was the participant's last one."""
        live.connection_remove(session_id=self.room, channel_name=self.channel_name)
        if participant.pk in live.online_participants(self.room):
            return False
        live.live_flags_clear(session_id=self.room, participant_id=participant.pk)
        services.room_leave(participant=participant)
        return True

    def _welcome(self) -> dict[str, Any]:
        assert self.participant is not None
        session = HearingSession.objects.select_related("case").get(pk=self.room)
        flags = recording_flags(session)
        return {
            "type": "welcome",
            "me": {
                **selectors.participant_json(self.participant),
                "group": self.participant.group,
                "muted": self.participant.muted,
                "admitted": self.admitted,
            },
            "participants": selectors.room_presence(session_id=self.room),
            "recording": self._recording_status(session, flags),
            "ice_servers": conf.ice_servers(),
            "slots_count": conf.SLOTS,
        }

    @staticmethod
    def _recording_status(session: HearingSession, flags: RecordingFlags) -> dict[str, Any]:
        """The ``recording`` object of welcome and ``recording`` frames."""
        return {
            "state": str(session.recording_state),
            "caucus_recorded": flags.record_caucus,
            "reason": session.recording_pause_reason,
            "starts": str(recording_policy(session.case).start),
        }

    def _recording_now(self) -> tuple[RecordingFlags, dict[str, Any]]:
        session = HearingSession.objects.select_related("case").get(pk=self.room)
        flags = recording_flags(session)
        return flags, self._recording_status(session, flags)

    async def _watch(self) -> None:
        """Keep this connection's presence fresh and notice a lost media worker."""
        while True:
            await asyncio.sleep(conf.watch_seconds())
            participant = self.participant
            if participant is None:
                return
            try:
                await sync_to_async(live.connection_add)(
                    session_id=self.room,
                    channel_name=self.channel_name,
                    participant_id=participant.pk,
                )
                if self.socket_user is not None:
                    await sync_to_async(live.socket_refresh)(
                        user_id=self.socket_user, channel_name=self.channel_name
                    )
                if self.admitted:
                    _worker, moved = await sync_to_async(live.room_place)(
                        self.room, only_if_placed=True
                    )
                    if moved:
                        await self.reconnect_everyone(reason="media_worker_lost")
            except (redis.RedisError, OSError) as exc:
                logger.warning("room %s: cannot reach Redis: %s", self.room, exc)

    # --- Frames from the browser -----------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.lang:
            self.lang = socket_language(self.scope)
        # Service refusals are translated in the database threads too (the context follows).
        with translation.override(self.lang):
            await self._receive(text_data)

    async def _receive(self, text_data: str | None) -> None:
        participant = self.participant
        if participant is None:
            return
        if self._over_rate():
            if self.window_frames == FRAMES_PER_WINDOW + 1:  # say it once per window
                await self.send_error("rate_limited", _("Too many messages; wait a moment."), None)
            return
        try:
            message = parse_message(text_data)
        except Malformed as exc:
            await self.send_error("malformed", exc.message, exc.ref)
            return
        kind = message["type"]
        if kind in MEDIATOR_ONLY and participant.role != ParticipantRole.MEDIATOR:
            await self.send_error("forbidden", _("Only the mediator can do this."), kind)
            return
        if kind in ADMITTED_ONLY and not self.admitted:
            await self.send_error("forbidden", _("Wait until the mediator admits you."), kind)
            return
        handler: Callable[[Message], Awaitable[None]] = getattr(self, f"on_{kind}")
        try:
            await handler(message)
        except ServiceError as exc:
            await self.send_error(exc.code, exc.message, kind)
            if exc.code == ACCESS_REVOKED:  # the case is no longer theirs: out of the room
                await self.close(code=CLOSE_NOT_PARTICIPANT)

    def _over_rate(self) -> bool:
        now = time.monotonic()
        if now - self.window_start > FRAME_WINDOW_SECONDS:
            self.window_start, self.window_frames = now, 0
        self.window_frames += 1
        return self.window_frames > FRAMES_PER_WINDOW

    async def on_ping(self, message: Message) -> None:
        if await websocket_session_touch(self.scope):
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        await self.send_frame({"type": "pong"})

    async def on_offer(self, message: Message) -> None:
        assert self.participant is not None
        # Media is the hearing itself: only while the case is still this participant's.
        await database_sync_to_async(services.room_access_check)(participant=self.participant)
        worker, moved = await sync_to_async(live.room_place)(self.room)
        if worker is None:
            await self.send_error(
                "media_unavailable", _("No media server is available right now."), "offer"
            )
            return
        if moved:
            await self.reconnect_everyone(reason="media_worker_lost", but=self.channel_name)
        me = await database_sync_to_async(SessionParticipant.objects.get)(pk=self.participant.pk)
        flags = await database_sync_to_async(self._recording_flags)()
        offer = RoomOffer(
            type="room.offer",
            room=self.room,
            participant=str(me.pk),
            sdp=message["sdp"],
            reply_channel=self.channel_name,
            group=me.group,
            muted=me.muted,
            can_screen=me.role in SCREEN_ROLES,
            record=flags.record,
            record_caucus=flags.record_caucus,
        )
        await self.channel_layer.send(worker_channel(worker), offer)

    def _recording_flags(self) -> RecordingFlags:
        return recording_flags(HearingSession.objects.select_related("case").get(pk=self.room))

    async def on_chat(self, message: Message) -> None:
        assert self.participant is not None
        me = self.participant
        allowed = await sync_to_async(live.chat_allowed)(session_id=self.room, participant_id=me.pk)
        if not allowed:
            await self.send_error("rate_limited", _("Too many messages; wait a moment."), "chat")
            return
        at = await database_sync_to_async(services.room_chat)(by=me, text=message["text"])
        await self.to_room(
            "room.chat",
            {
                "from": str(me.pk),
                "name": me.display_name,
                "text": message["text"],
                "at": at.isoformat(),
                "group": self.group,
            },
        )

    async def _flag(self, name: str, value: Any) -> None:
        assert self.participant is not None
        await sync_to_async(live.live_flag_set)(
            session_id=self.room, participant_id=self.participant.pk, name=name, value=value
        )
        await self.broadcast_presence()

    async def on_hand(self, message: Message) -> None:
        await self._flag("hand", message["raised"])

    async def on_speaking(self, message: Message) -> None:
        await self._flag("speaking", message["speaking"])

    async def on_quality(self, message: Message) -> None:
        quality = {k: message[k] for k in ("rtt_ms", "loss_pct", "kbps")}
        await self._flag("quality", quality)

    async def on_admit(self, message: Message) -> None:
        target, started = await database_sync_to_async(services.room_admit)(
            by=self.participant, participant_id=message["participant_id"]
        )
        if started is not None:  # the first party in: the organization's policy records
            await self.recording_changed()
        await self.to_participant(target.pk, "room.admitted", {})
        await self.broadcast_presence()

    async def on_mute(self, message: Message) -> None:
        target = await database_sync_to_async(services.room_mute)(
            by=self.participant, participant_id=message["participant_id"], muted=message["muted"]
        )
        await self.to_worker(
            RoomMute(
                type="room.mute", room=self.room, participant=str(target.pk), muted=target.muted
            )
        )
        await self.to_participant(target.pk, "room.muted", {"muted": target.muted})
        await self.broadcast_presence()

    async def on_remove(self, message: Message) -> None:
        target = await database_sync_to_async(services.room_remove)(
            by=self.participant, participant_id=message["participant_id"]
        )
        await self.to_worker(
            RoomLeave(type="room.leave", room=self.room, participant=str(target.pk))
        )
        await self.to_participant(target.pk, "room.removed", {})
        await self.broadcast_presence()

    async def on_move(self, message: Message) -> None:
        targets = await database_sync_to_async(services.room_move)(
            by=self.participant, participant_ids=message["participant_ids"], group=message["group"]
        )
        for target in targets:
            await self.to_worker(
                RoomRoute(
                    type="room.route",
                    room=self.room,
                    participant=str(target.pk),
                    group=target.group,
                )
            )
        for target in targets:
            await self.to_participant(target.pk, "room.moved", {"group": target.group})
        await self.broadcast_presence()

    async def on_recording(self, message: Message) -> None:
        await database_sync_to_async(services.room_recording)(
            by=self.participant, action=message["action"], reason=message.get("reason", "")
        )
        await self.recording_changed()

    async def recording_changed(self) -> None:
        """Tell the worker and the room the recording's new state."""
        flags, status = await database_sync_to_async(self._recording_now)()
        # The worker follows the web: record only while "on" (paused and stopped close segments).
        await self.to_worker(
            RoomRecord(
                type="room.record",
                room=self.room,
                record=flags.record,
                record_caucus=flags.record_caucus,
            )
        )
        await self.to_room("room.recording", status)

    async def on_end(self, message: Message) -> None:
        await database_sync_to_async(services.room_end)(by=self.participant)
        await self.to_worker(RoomClose(type="room.close", room=self.room))
        await self.to_room("room.ended", {})
        await sync_to_async(live.room_forget)(self.room)

    # --- Sending ------------------------------------------------------------

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def send_error(self, code: str, message: str, ref: str | None) -> None:
        await self.send_frame({"type": "error", "code": code, "message": message, "ref": ref})

    async def to_room(self, kind: str, fields: dict[str, Any]) -> None:
        await self.channel_layer.group_send(room_group(self.room), {"type": kind, **fields})

    async def to_participant(self, participant_id: int, kind: str, fields: dict[str, Any]) -> None:
        await self.channel_layer.group_send(
            participant_group(self.room, participant_id), {"type": kind, **fields}
        )

    async def to_worker(self, message: ToWorker) -> None:
        """Tell the room's media worker, if the room has one (no media yet: nothing to do)."""
        worker = await sync_to_async(live.room_worker)(self.room)
        if worker is not None:
            await self.channel_layer.send(worker_channel(worker), message)

    async def broadcast_presence(self) -> None:
        people = await database_sync_to_async(selectors.room_presence)(session_id=self.room)
        await self.to_room("room.presence", {"participants": people})

    async def reconnect_everyone(self, *, reason: str, but: str = "") -> None:
        await self.to_room("room.reconnect_media", {"reason": reason, "but": but})

    # --- Events from the room's group and from the media worker -------------
    # The worker's `media.*` messages are typed by the contract (media_contract.messages).

    async def room_presence(self, event: dict[str, Any]) -> None:
        await self.send_frame({"type": "presence", "participants": event["participants"]})

    async def room_admitted(self, event: dict[str, Any]) -> None:
        self.admitted = True
        await self.send_frame({"type": "admitted"})

    async def room_muted(self, event: dict[str, Any]) -> None:
        await self.send_frame({"type": "muted", "muted": event["muted"]})

    async def room_moved(self, event: dict[str, Any]) -> None:
        if self.participant is None:
            return
        self.group = event["group"]
        self.participant = await database_sync_to_async(
            SessionParticipant.objects.select_related("session", "user").get
        )(pk=self.participant.pk)
        audience = await database_sync_to_async(selectors.room_audience)(
            participant=self.participant
        )
        await self.send_frame({"type": "moved", "group": self.group, "audience": audience})

    async def room_removed(self, event: dict[str, Any]) -> None:
        await self.send_frame({"type": "removed"})
        await self.close(code=CLOSE_GONE)

    async def room_access_revoked(self, event: dict[str, Any]) -> None:
        """The case is no longer this participant's (a recused or replaced mediator)."""
        with translation.override(self.lang or socket_language(self.scope)):
            message = _(
                "You no longer have access to this case, so you cannot take part in its hearing."
            )
        await self.send_error(ACCESS_REVOKED, message, None)
        await self.close(code=CLOSE_NOT_PARTICIPANT)

    async def room_ended(self, event: dict[str, Any]) -> None:
        await self.send_frame({"type": "ended"})
        await self.close(code=CLOSE_GONE)

    async def room_recording(self, event: dict[str, Any]) -> None:
        fields = ("state", "caucus_recorded", "reason", "starts")
        await self.send_frame({"type": "recording", **{k: event[k] for k in fields}})

    async def room_chat(self, event: dict[str, Any]) -> None:
        # Chat follows the media: a caucus does not read the plenary room's messages.
        if self.admitted and self.group == event["group"]:
            fields = {k: event[k] for k in ("from", "name", "text", "at")}
            await self.send_frame({"type": "chat", **fields})

    async def room_reconnect_media(self, event: dict[str, Any]) -> None:
        if self.admitted and event.get("but") != self.channel_name:
            await self.send_frame({"type": "reconnect_media", "reason": event["reason"]})

    def _for_me(self, event: ToWeb) -> bool:
        return (
            self.participant is not None
            and event.get("room") == self.room
            and event.get("participant") == str(self.participant.pk)
        )

    async def media_answer(self, event: MediaAnswer) -> None:
        if self._for_me(event):
            await self.send_frame({"type": "answer", "sdp": event["sdp"]})

    async def media_slots(self, event: MediaSlots) -> None:
        if self._for_me(event):
            await self.send_frame({"type": "slots", "slots": event["slots"]})

    async def media_state(self, event: MediaState) -> None:
        # The browser sees its own connection state; the web only logs the worker's view.
        if self._for_me(event):
            logger.info(
                "room %s participant %s media %s",
                self.room,
                event["participant"],
                event.get("state"),
            )

    async def media_alert(self, event: MediaAlert) -> None:
        """A recording problem the worker sees (spool filling up, uploads failing): only the
        mediator, who can act on it, is shown it."""
        participant = self.participant
        if (
            self._for_me(event)
            and participant is not None
            and participant.role == ParticipantRole.MEDIATOR
        ):
            await self.send_frame(
                {
                    "type": "recording_alert",
                    "code": str(event.get("code") or "recording_problem"),
                    "message": str(event.get("message") or ""),
                }
            )

    async def media_error(self, event: MediaError) -> None:
        if self._for_me(event):
            message = str(event.get("message") or event.get("code") or "media error")
            await self.send_error("media_unavailable", message, "offer")
