"""Channel-layer names of a room: one helper each, shared by the consumer and the services that
tell a live room something after their transaction commits."""

from __future__ import annotations


def room_group(room: str) -> str:
    return f"room.{room}"


def participant_group(room: str, participant_id: int) -> str:
    """Every connection (tab, device) of one participant."""
    return f"room.{room}.p.{participant_id}"
