"""The media worker's liveness entry in Redis (docs/recording.md, docs/operations.md).

The worker writes `<prefix>:media:worker:<id>` every few seconds with a TTL; the value is a
`WorkerStatus` as JSON. The web lists live workers by that prefix (for /healthz and to place
rooms); a missing key means the worker is gone. `<prefix>` is `ACCORD_HEARTBEAT_PREFIX` on both
sides ("accord" unless two stacks share one Redis).
"""

from __future__ import annotations

import json
from typing import NotRequired, TypedDict, cast

PREFIX_SETTING = "ACCORD_HEARTBEAT_PREFIX"
DEFAULT_PREFIX = "accord"


class SpoolStatus(TypedDict):
    """The heartbeat's `spool` object: the worker's recording spool."""

    bytes: int
    limit: int
    pending: int
    oldest_pending_age: int
    upload_failing: bool
    # null, or the alert code (`spool_nearly_full`, `spool_full`).
    alert: str | None
    quarantined: int


class WorkerStatus(TypedDict):
    id: str
    host: str
    pid: int
    rooms: int
    participants: int
    # The 1-minute load average per core: the web places rooms by it (then by `rooms`).
    load: float
    started_at: float
    at: float
    # Absent when the worker has no spool.
    spool: NotRequired[SpoolStatus]


def worker_keys(prefix: str) -> str:
    """The common start of every worker's key (what the web scans for)."""
    return f"{prefix}:media:worker:"


def worker_key(prefix: str, worker_id: str) -> str:
    return f"{worker_keys(prefix)}{worker_id}"


def encode_status(status: WorkerStatus) -> str:
    return json.dumps(status)


def decode_status(raw: bytes | str) -> WorkerStatus | None:
    """The status in a worker's key, or None when it is not one (garbage is skipped, not
    fatal: one bad key must not hide the other workers). It needs at least a string `id`;
    readers use `.get()` for the rest, which an older worker may not write."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        return None
    return cast(WorkerStatus, data)
