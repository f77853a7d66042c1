"""Component checks behind GET /healthz."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection

from accord.core import heartbeats
from accord.core.storage import s3_client

Check = Callable[[], dict[str, Any]]


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_redis() -> dict[str, Any]:
    heartbeats.redis_client().ping()
    return {}


def check_object_storage() -> dict[str, Any]:
    client = s3_client()
    missing = [
        b
        for b in (settings.S3_BUCKET_EVIDENCE, settings.S3_BUCKET_RECORDINGS)
        if not client.bucket_exists(b)
    ]
    if missing:
        raise RuntimeError(f"missing buckets: {', '.join(missing)}")
    return {"endpoint": settings.S3_ENDPOINT}


def check_celery() -> dict[str, Any]:
    if not heartbeats.celery_alive():
        raise RuntimeError("no heartbeat from celery worker and beat")
    return {}


def check_media_worker() -> dict[str, Any]:
    workers = heartbeats.media_workers()
    if not workers:
        raise RuntimeError("no live media worker")
    return {"workers": len(workers)}


CHECKS: dict[str, Check] = {
    "database": check_database,
    "redis": check_redis,
    "object_storage": check_object_storage,
    "celery": check_celery,
    "media_worker": check_media_worker,
}


def run_checks() -> tuple[bool, dict[str, dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            details = check()
            results[name] = {"status": "up", **details}
        except Exception as exc:  # a health check reports every failure, whatever it is
            results[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"}
    return all(r["status"] == "up" for r in results.values()), results
