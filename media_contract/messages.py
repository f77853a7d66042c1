"""The channel-layer messages between web and worker (docs/rooms-protocol.md), as typed dicts.

Web → worker: `room.*`, sent to `names.worker_channel(worker_id)`. Worker → web: `media.*`,
sent to the `reply_channel` of the participant's `room.offer` (its consumer). Rooms are
hearing session ids (UUID strings), participants `SessionParticipant` primary keys as strings.

The worker checks every message it receives with `check` (the fields each type must carry
are read from the typed dicts below: one definition for the types and the check).
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, NotRequired, TypedDict

# --- Web -> worker ---------------------------------------------------------------------------


class RoomOffer(TypedDict):
    type: Literal["room.offer"]
    room: str
    participant: str
    sdp: str
    reply_channel: str
    group: str
    muted: bool
    can_screen: bool
    # When absent, a new room does not record and an existing one keeps its switches.
    record: NotRequired[bool]
    record_caucus: NotRequired[bool]


class RoomRoute(TypedDict):
    type: Literal["room.route"]
    room: str
    participant: str
    group: str


class RoomMute(TypedDict):
    type: Literal["room.mute"]
    room: str
    participant: str
    muted: bool


class RoomLeave(TypedDict):
    type: Literal["room.leave"]
    room: str
    participant: str


class RoomClose(TypedDict):
    type: Literal["room.close"]
    room: str


class RoomRecord(TypedDict):
    """The room's recording switches (docs/recording.md, "Who records what")."""

    type: Literal["room.record"]
    room: str
    record: bool
    record_caucus: bool


ToWorker = RoomOffer | RoomRoute | RoomMute | RoomLeave | RoomClose | RoomRecord

# --- Worker -> web ---------------------------------------------------------------------------


class SlotPayload(TypedDict):
    mid: str | None
    kind: str
    participant_id: str | None
    source: str


class MediaAnswer(TypedDict):
    type: Literal["media.answer"]
    room: str
    participant: str
    sdp: str


class MediaSlots(TypedDict):
    type: Literal["media.slots"]
    room: str
    participant: str
    slots: list[SlotPayload]


class MediaState(TypedDict):
    type: Literal["media.state"]
    room: str
    participant: str
    # connected, disconnected, failed, closed
    state: str


class MediaError(TypedDict):
    type: Literal["media.error"]
    room: str
    participant: str
    code: str
    message: str


class MediaAlert(TypedDict):
    """A recording problem of the worker, sent to every participant channel of its rooms."""

    type: Literal["media.alert"]
    room: str
    participant: str
    # spool_nearly_full, spool_full, segment_quarantined, ...
    code: str
    message: str


Reply = MediaAnswer | MediaSlots | MediaState | MediaError | MediaAlert
ToWeb = Reply

# --- The worker's check -----------------------------------------------------------------------

Fields = dict[str, type | tuple[type, ...]]


def _fields(message_type: type[Any]) -> tuple[str, Fields, Fields]:
    """(type value, required fields, optional fields) of a message's typed dict."""
    # With postponed annotations Python 3.11's __required_keys__ misses NotRequired: read it.
    hints = typing.get_type_hints(message_type, include_extras=True)
    (kind,) = typing.get_args(hints.pop("type"))
    required: Fields = {}
    optional: Fields = {}
    for name, hint in hints.items():
        target = required
        if typing.get_origin(hint) is NotRequired:
            (hint,) = typing.get_args(hint)
            target = optional
        expected = tuple(typing.get_args(hint)) if isinstance(hint, types.UnionType) else hint
        target[name] = expected
    return str(kind), required, optional


_TO_WORKER = [
    _fields(t) for t in (RoomOffer, RoomRoute, RoomMute, RoomLeave, RoomClose, RoomRecord)
]
# Web -> worker: type -> the fields it must carry, and their types.
REQUIRED: dict[str, Fields] = {kind: required for kind, required, _ in _TO_WORKER}
# Fields a message may carry; when present they must have this type.
OPTIONAL: dict[str, Fields] = {kind: optional for kind, _, optional in _TO_WORKER if optional}


class MessageError(ValueError):
    """A message the worker cannot act on; `code` is one of the protocol's error codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check(message: dict[str, Any]) -> str:
    """The message's type, once its required fields are there with the right types."""
    kind = message.get("type")
    fields = REQUIRED.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise MessageError("malformed", f"unknown message type {kind!r}")
    for name, expected in fields.items():
        if not isinstance(message.get(name), expected):
            raise MessageError("malformed", f"{kind}: {name!r} missing or of the wrong type")
    for name, expected in OPTIONAL.get(str(kind), {}).items():
        if name in message and not isinstance(message[name], expected):
            raise MessageError("malformed", f"{kind}: {name!r} of the wrong type")
    return str(kind)
