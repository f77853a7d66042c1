"""Component checks behind GET /healthz."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import urllib3
from django.conf import settings
from django.db import connection
from minio import Minio

from accord.core import heartbeats
from accord.core.storage import all_buckets, configured_sse, minio_sse
from media_contract.sse import HEADER as SSE_HEADER

Check = Callable[[], dict[str, Any]]


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_redis() -> dict[str, Any]:
    heartbeats.redis_client().ping()
    return {}


def _probe_client() -> Minio:
    """A client that gives up fast: the shared one retries with backoff and waits minutes
    on a read, which would make /healthz hang exactly when storage is down."""
    return Minio(
        settings.S3_ENDPOINT,
        access_key=settings.S3_ACCESS_KEY,
        secret_key=settings.S3_SECRET_KEY,
        secure=settings.S3_SECURE,
        region=settings.S3_REGION,
        http_client=urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=5), retries=False),
    )


# Written (and overwritten) by every /healthz with S3_SSE on: proves the store encrypts writes.
SSE_PROBE_KEY = "healthz/sse-probe"


def _check_sse(client: Minio, buckets: Sequence[str]) -> str:
    """Write a probe object into each bucket with the configured server-side encryption and
    read back what the store says it did; a store that ignores or refuses it is down."""
    spec = configured_sse()
    if spec.mode == "none":
        return spec.describe()
    for bucket in buckets:
        client.put_object(bucket, SSE_PROBE_KEY, io.BytesIO(b"sse"), 3, sse=minio_sse(spec))
        stat = client.stat_object(bucket, SSE_PROBE_KEY)
        answered = {k.lower(): v for k, v in (stat.metadata or {}).items()}.get(SSE_HEADER)
        if answered != spec.algorithm:
            raise RuntimeError(
                f"bucket {bucket} does not honour S3_SSE={spec.describe()}: the store "
                f"answered {SSE_HEADER}: {answered or '(none)'}"
            )
    return spec.describe()


def check_object_storage() -> dict[str, Any]:
    client = _probe_client()
    buckets = all_buckets()
    missing = [b for b in buckets if not client.bucket_exists(b)]
    if missing:
        raise RuntimeError(f"missing buckets: {', '.join(missing)}")
    return {"endpoint": settings.S3_ENDPOINT, "sse": _check_sse(client, buckets)}


def check_celery() -> dict[str, Any]:
    if not heartbeats.celery_alive():
        raise RuntimeError("no heartbeat from celery worker and beat")
    return {}


def spool_alerts(workers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The recording spool alerts in the workers' heartbeats (docs/recording.md): a worker whose
    spool is nearly full, full or cannot upload. An alert is not "down": rooms still work."""
    alerts: list[dict[str, Any]] = []
    for worker in workers:
        spool = worker.get("spool")
        if not isinstance(spool, dict):
            continue
        code = spool.get("alert")
        if not code and spool.get("upload_failing"):
            code = "upload_failing"
        if code:
            alerts.append(
                {
                    "worker": worker.get("id"),
                    "code": str(code),
                    **{
                        k: spool[k]
                        for k in ("bytes", "limit", "pending", "oldest_pending_age")
                        if k in spool
                    },
                }
            )
    return alerts


def check_media_worker() -> dict[str, Any]:
    workers = heartbeats.media_workers()
    if not workers:
        raise RuntimeError("no live media worker")
    return {"workers": len(workers), "alerts": spool_alerts(workers)}


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
