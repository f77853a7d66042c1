"""/healthz lists the workers' recording spool alerts; an alert does not make a worker down."""

from __future__ import annotations

import json

from accord.core.health import check_media_worker


def beat(redis_client, prefix: str, worker_id: str, spool: dict | None) -> None:
    status = {"id": worker_id, "host": "t", "pid": 1, "rooms": 0, "load": 0.0, "at": 0}
    if spool is not None:
        status["spool"] = spool
    redis_client.set(f"{prefix}:media:worker:{worker_id}", json.dumps(status), ex=30)


def test_spool_alerts_are_listed_and_the_worker_stays_up(heartbeat_prefix, redis_client):
    spool = {
        "bytes": 1700,
        "limit": 2048,
        "pending": 12,
        "oldest_pending_age": 40,
        "upload_failing": False,
        "alert": "spool_nearly_full",
        "quarantined": 0,
    }
    beat(redis_client, heartbeat_prefix, "mw-a", spool)
    beat(redis_client, heartbeat_prefix, "mw-b", {**spool, "alert": None, "bytes": 10})
    beat(redis_client, heartbeat_prefix, "mw-c", None)
    try:
        details = check_media_worker()
    finally:
        for worker in ("mw-a", "mw-b", "mw-c"):
            redis_client.delete(f"{heartbeat_prefix}:media:worker:{worker}")
    assert details["workers"] == 3
    assert details["alerts"] == [
        {
            "worker": "mw-a",
            "code": "spool_nearly_full",
            "bytes": 1700,
            "limit": 2048,
            "pending": 12,
            "oldest_pending_age": 40,
        }
    ]
