"""Liveness keys in the run's real Redis."""

from __future__ import annotations

import json

from accord.core import heartbeats
from accord.core.tasks import beat_heartbeat


def test_the_beat_task_writes_the_celery_key_with_its_ttl(redis_client, heartbeat_prefix, settings):
    settings.ACCORD_CELERY_HEARTBEAT_TTL = 30
    assert not heartbeats.celery_alive()

    beat_heartbeat.apply()

    key = f"{heartbeat_prefix}:celery:heartbeat"
    assert heartbeats.celery_alive()
    assert 0 < redis_client.ttl(key) <= 30
    assert "at" in json.loads(redis_client.get(key))


def test_media_workers_lists_live_entries_and_skips_garbage(redis_client, heartbeat_prefix):
    prefix = f"{heartbeat_prefix}:media:worker:"
    redis_client.set(f"{prefix}a", json.dumps({"id": "a", "rooms": 2}), ex=30)
    redis_client.set(f"{prefix}b", b"not json", ex=30)
    redis_client.set(f"{heartbeat_prefix}-other:media:worker:c", json.dumps({"id": "c"}), ex=30)

    assert heartbeats.media_workers() == [{"id": "a", "rooms": 2}]


def test_no_media_worker_means_an_empty_list(heartbeat_prefix):
    assert heartbeats.media_workers() == []
