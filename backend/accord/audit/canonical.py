"""Canonical JSON and the chain hash.

Kept free of Django so that the standalone evidence verifier can carry the same
rules: ``hash = sha256((prev_hash + canonical_json(event)).encode("utf-8"))``
where ``prev_hash`` is the previous event's lower-case hex digest (64 zeros for
the first event) and ``canonical_json`` sorts keys, uses no insignificant
whitespace and writes non-ASCII characters as UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

JsonValue = None | bool | int | str | list["JsonValue"] | dict[str, "JsonValue"]


class NonCanonicalValue(TypeError):
    """A payload holds a value that has no single canonical JSON form."""


def check_canonical(value: Any, path: str = "$") -> None:
    """Refuse floats and non-JSON types: their serialisation is not unique."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_canonical(item, f"{path}[{index}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NonCanonicalValue(f"{path}: keys must be strings, got {key!r}")
            check_canonical(item, f"{path}.{key}")
        return
    raise NonCanonicalValue(f"{path}: {type(value).__name__} is not allowed in a trace payload")


def canonical_json(value: Any) -> str:
    check_canonical(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_time(moment: datetime) -> str:
    """UTC with microseconds and a Z: one string per instant."""
    if moment.tzinfo is None:
        raise ValueError("trace times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_body(
    *,
    chain: str,
    seq: int,
    action: str,
    actor: Mapping[str, Any],
    payload: Mapping[str, Any],
    occurred_at: datetime | str,
) -> dict[str, Any]:
    """The part of an event that its hash covers."""
    return {
        "chain": chain,
        "seq": seq,
        "action": action,
        "actor": dict(actor),
        "payload": dict(payload),
        "occurred_at": occurred_at if isinstance(occurred_at, str) else format_time(occurred_at),
    }


def chain_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()
