"""Liveness keys in Redis for processes that have no HTTP port of their own.

The media worker writes ``accord:media:worker:<id>`` (JSON with its load) every
few seconds with a TTL; a Celery beat task run by a worker writes
``accord:celery:heartbeat``. A missing key means the process is down.
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any

import redis
from django.conf import settings

MEDIA_WORKER_PREFIX = "accord:media:worker:"
CELERY_KEY = "accord:celery:heartbeat"


@functools.cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def celery_beat(now: float | None = None) -> None:
    redis_client().set(
        CELERY_KEY,
        json.dumps({"at": now or time.time()}),
        ex=settings.ACCORD_CELERY_HEARTBEAT_TTL,
    )


def celery_alive() -> bool:
    return bool(redis_client().exists(CELERY_KEY))


def media_workers() -> list[dict[str, Any]]:
    client = redis_client()
    workers = []
    for key in client.scan_iter(match=f"{MEDIA_WORKER_PREFIX}*", count=100):
        raw = client.get(key)
        if raw is None:
            continue
        try:
            workers.append(json.loads(raw))
        except ValueError:
            continue
    return workers
