"""Liveness keys in Redis for processes that have no HTTP port of their own.

The media worker writes ``<prefix>:media:worker:<id>`` (a ``WorkerStatus``, JSON with its load;
the key and value are the contract's, ``media_contract.heartbeat``) every few seconds with a
TTL; a Celery beat task run by a worker writes
``<prefix>:celery:heartbeat``. A missing key means the process is down. The prefix is
``ACCORD_HEARTBEAT_PREFIX`` ("accord" unless two stacks share one Redis).
"""

from __future__ import annotations

import functools
import json
import time

import redis
from django.conf import settings

from media_contract.heartbeat import WorkerStatus, decode_status, worker_keys


def media_worker_prefix() -> str:
    return worker_keys(settings.ACCORD_HEARTBEAT_PREFIX)


def celery_key() -> str:
    return f"{settings.ACCORD_HEARTBEAT_PREFIX}:celery:heartbeat"


def redis_client() -> redis.Redis:
    # Looked up per call so that a changed REDIS_URL (override_settings) gets its own client.
    return _client_for(settings.REDIS_URL)


@functools.cache
def _client_for(url: str) -> redis.Redis:
    # Short timeouts: /healthz must answer "down" quickly, not hang on a dead Redis.
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def celery_beat(now: float | None = None) -> None:
    redis_client().set(
        celery_key(),
        json.dumps({"at": now or time.time()}),
        ex=settings.ACCORD_CELERY_HEARTBEAT_TTL,
    )


def celery_alive() -> bool:
    return bool(redis_client().exists(celery_key()))


def media_workers() -> list[WorkerStatus]:
    """The status of every live media worker; keys that hold no status are skipped."""
    client = redis_client()
    workers = []
    for key in client.scan_iter(match=f"{media_worker_prefix()}*", count=100):
        raw = client.get(key)
        if raw is None:  # expired between SCAN and GET
            continue
        status = decode_status(raw)
        if status is not None:
            workers.append(status)
    return workers
