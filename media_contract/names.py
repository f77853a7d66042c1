"""Names on the channel layer shared by web and worker (docs/rooms-protocol.md).

A worker listens on `media-worker.<worker id>`, the id it puts in its heartbeat
(`media_contract.heartbeat`). The worker answers on the `reply_channel` each `room.offer`
names (the participant's consumer); the web's own room groups are the web's business.
"""

from __future__ import annotations

WORKER_CHANNEL_PREFIX = "media-worker."


def worker_channel(worker_id: str) -> str:
    """The channel the web sends a worker's rooms to."""
    return f"{WORKER_CHANNEL_PREFIX}{worker_id}"
