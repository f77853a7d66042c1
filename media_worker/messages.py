"""The channel-layer messages between web and worker (docs/rooms-protocol.md), as typed dicts."""

from __future__ import annotations

from typing import Any, Literal, TypedDict


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
    state: str


class MediaError(TypedDict):
    type: Literal["media.error"]
    room: str
    participant: str
    code: str
    message: str


class MediaAlert(TypedDict):
    type: Literal["media.alert"]
    room: str
    participant: str
    code: str
    message: str


Reply = MediaAnswer | MediaSlots | MediaState | MediaError | MediaAlert

# Web -> worker: type -> the fields it must carry, and their types.
REQUIRED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "room.offer": {
        "room": str,
        "participant": str,
        "sdp": str,
        "reply_channel": str,
        "group": str,
        "muted": bool,
        "can_screen": bool,
    },
    "room.route": {"room": str, "participant": str, "group": str},
    "room.mute": {"room": str, "participant": str, "muted": bool},
    "room.leave": {"room": str, "participant": str},
    "room.close": {"room": str},
    "room.record": {"room": str, "record": bool, "record_caucus": bool},
}
# Fields a message may carry; when present they must have this type.
OPTIONAL: dict[str, dict[str, type | tuple[type, ...]]] = {
    "room.offer": {"record": bool, "record_caucus": bool},
}


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
