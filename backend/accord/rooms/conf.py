"""Room settings, read from settings with defaults for the ones config/settings.py lacks."""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings


def ice_servers() -> list[dict[str, Any]]:
    """``ACCORD_ICE_SERVERS``: the RTCIceServer list handed to browsers in ``welcome``.

    JSON, e.g. ``[{"urls": ["turn:turn.example.org:3478"], "username": "u", "credential":
    "p"}]`` (docs/turn.md). Empty by default: on loopback no STUN or TURN is needed.
    """
    configured = getattr(settings, "ACCORD_ICE_SERVERS", None)
    if configured is None:
        configured = json.loads(os.environ.get("ACCORD_ICE_SERVERS") or "[]")
    if not isinstance(configured, list):
        raise ValueError("ACCORD_ICE_SERVERS must be a JSON list of RTCIceServer objects")
    return configured


def watch_seconds() -> float:
    """How often each connection refreshes its presence and checks its room's media worker."""
    return float(getattr(settings, "ACCORD_ROOM_WATCH_SECONDS", 2.0))


SLOTS = 6
