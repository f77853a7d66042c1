"""The browser's messages (docs/rooms-protocol.md), validated before anything acts on them.

Each type has a fixed set of fields, each with one check; a frame with any other field, a
missing field or a wrong value is ``malformed``. Handlers then read only validated values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

MAX_FRAME_CHARS = 200_000  # an offer with 16 m-lines and all candidates is ~20 kB
MAX_SDP_CHARS = 100_000
MAX_CHAT_CHARS = 2000
MAX_MOVE = 20
MAX_REASON_CHARS = 500
GROUP_RE = re.compile(r"^(plenary|caucus-[a-z0-9][a-z0-9-]{0,30})$")
PARTICIPANT_ID_RE = re.compile(r"^[1-9][0-9]{0,18}$")
RECORDING_ACTIONS = ("start", "pause", "resume", "stop")

Message = dict[str, Any]
Check = Callable[[Any], Any]


class Malformed(Exception):
    """The frame does not follow the protocol; ``ref`` is its ``type`` when it had a known one."""

    def __init__(self, message: str, *, ref: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.ref = ref


def _text(min_len: int, max_len: int) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not min_len <= len(value) <= max_len:
            raise ValueError(f"a string of {min_len} to {max_len} characters")
        try:
            value.encode()  # a lone surrogate ("\\ud800") is JSON, but not text to store
        except UnicodeEncodeError as exc:
            raise ValueError("text without lone surrogates") from exc
        return value

    return check


def _chat_text(value: Any) -> str:
    text = _text(1, MAX_CHAT_CHARS)(value)
    if not text.strip():
        raise ValueError("a message with some text")
    return text


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _number(value: Any) -> float:
    # bool is an int in Python, not a number on the wire.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("a number")
    if value < 0:
        raise ValueError("a number of at least 0")
    return float(value)


def _participant_id(value: Any) -> int:
    if not isinstance(value, str) or not PARTICIPANT_ID_RE.match(value):
        raise ValueError("a participant id (a string of digits)")
    return int(value)


def _participant_ids(value: Any) -> list[int]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_MOVE:
        raise ValueError(f"a list of 1 to {MAX_MOVE} participant ids")
    ids = [_participant_id(item) for item in value]
    if len(set(ids)) != len(ids):
        raise ValueError("participant ids without repeats")
    return ids


def _group(value: Any) -> str:
    if not isinstance(value, str) or not GROUP_RE.match(value):
        raise ValueError('"plenary" or "caucus-<slug>" (lower-case letters, digits, dashes)')
    return value


def _recording_action(value: Any) -> str:
    if value not in RECORDING_ACTIONS:
        raise ValueError("one of " + ", ".join(RECORDING_ACTIONS))
    return str(value)


def _reason(value: Any) -> str:
    # Blank is let through: the service answers ``reason_required`` for a pause without one.
    if not isinstance(value, str) or len(value) > MAX_REASON_CHARS:
        raise ValueError(f"a string of at most {MAX_REASON_CHARS} characters")
    return value


SCHEMAS: dict[str, dict[str, Check]] = {
    "offer": {"sdp": _text(1, MAX_SDP_CHARS)},
    "chat": {"text": _chat_text},
    "hand": {"raised": _bool},
    "speaking": {"speaking": _bool},
    "quality": {"rtt_ms": _number, "loss_pct": _number, "kbps": _number},
    "admit": {"participant_id": _participant_id},
    "mute": {"participant_id": _participant_id, "muted": _bool},
    "remove": {"participant_id": _participant_id},
    "move": {"participant_ids": _participant_ids, "group": _group},
    "recording": {"action": _recording_action},
    "end": {},
    "ping": {},
}
# Fields a type may carry; absent ones are left out of the message.
OPTIONAL: dict[str, dict[str, Check]] = {"recording": {"reason": _reason}}
MEDIATOR_ONLY = frozenset({"admit", "mute", "remove", "move", "recording", "end"})
ADMITTED_ONLY = frozenset({"offer", "chat", "hand", "speaking", "quality"}) | MEDIATOR_ONLY


def parse_message(raw: str | None) -> Message:
    """The frame as ``{"type": ..., <validated fields>}``, or :class:`Malformed`."""
    if raw is None:
        raise Malformed("Send JSON text frames.")
    if len(raw) > MAX_FRAME_CHARS:
        raise Malformed("The frame is too long.")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # nesting deep enough exhausts the parser
        raise Malformed("The frame is not JSON.") from exc
    if not isinstance(data, dict):
        raise Malformed("The frame must be a JSON object.")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in SCHEMAS:
        raise Malformed("Unknown message type.", ref=kind if isinstance(kind, str) else None)
    schema = SCHEMAS[kind]
    optional = OPTIONAL.get(kind, {})
    extra = set(data) - set(schema) - set(optional) - {"type"}
    if extra:
        raise Malformed(f"Unexpected fields: {', '.join(sorted(extra))}.", ref=kind)
    message: Message = {"type": kind}
    for name, check in schema.items():
        if name not in data:
            raise Malformed(f"Missing field: {name}.", ref=kind)
        try:
            message[name] = check(data[name])
        except ValueError as exc:
            raise Malformed(f"{name} must be {exc}.", ref=kind) from exc
    for name, check in optional.items():
        if name in data:
            try:
                message[name] = check(data[name])
            except ValueError as exc:
                raise Malformed(f"{name} must be {exc}.", ref=kind) from exc
    if kind == "recording" and "reason" in message and message["action"] != "pause":
        raise Malformed("Only a pause takes a reason.", ref=kind)
    return message
