"""Fetching the materials a court names by URL (``POST /api/court/v1/entrustments``).

Each material is fetched by a task, streamed to a temporary file while its SHA-256 is computed,
and stored in the documents bucket only when the hash is the one the court named. A mismatch is
never kept: the material is marked ``mismatch`` and the court is told (``materials.mismatch``).
A material that cannot be fetched after ``FETCH_ATTEMPTS`` tries is ``unavailable``, and the
court is told too. Only hosts the court's docking allows are fetched (checked at the push).

Trace events on the organization's chain: ``entrustment.material_stored``,
``entrustment.material_mismatch``, ``entrustment.material_unavailable``.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.core.storage import put_object
from accord.courts.models import EntrustmentMaterial, MaterialStatus
from accord.courts.services.callbacks import callback_enqueue
from accord.courts.services.common import docking_chain

logger = logging.getLogger(__name__)

FETCH_ATTEMPTS = 5
CHUNK = 256 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "ACCORD_COURT_MATERIAL_MAX_BYTES", 50 * 1024 * 1024))


class FetchFailed(Exception):
    pass


def _download(url: str, out: tempfile.SpooledTemporaryFile[bytes]) -> tuple[int, str, str]:
    limit = max_bytes()
    timeout = float(getattr(settings, "ACCORD_COURT_HTTP_TIMEOUT_SECONDS", 15))
    digest = hashlib.sha256()
    size = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - allowed host
            content_type = response.headers.get_content_type() or "application/octet-stream"
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FetchFailed(f"larger than {limit} bytes")
                digest.update(chunk)
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise FetchFailed(f"HTTP {exc.code}") from exc
    except (OSError, ValueError) as exc:
        raise FetchFailed(f"{type(exc).__name__}: {exc}") from exc
    return size, digest.hexdigest(), content_type


def material_fetch(material_id: int) -> str:
    """Fetch one material; returns its status afterwards. Raises :class:`FetchFailed` when it
    should be tried again (the task retries with backoff)."""
    material = EntrustmentMaterial.objects.select_related(
        "entrustment__organization", "entrustment__court"
    ).get(pk=material_id)
    if material.status != MaterialStatus.FETCHING:
        return material.status
    entrustment = material.entrustment
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        try:
            size, actual, content_type = _download(material.url, out)
        except FetchFailed as exc:
            attempts = (
                EntrustmentMaterial.objects.filter(pk=material.pk).values_list(
                    "attempts", flat=True
                )[0]
                + 1
            )
            if attempts < FETCH_ATTEMPTS:
                EntrustmentMaterial.objects.filter(pk=material.pk).update(
                    attempts=attempts, error=str(exc)[:300]
                )
                raise
            _finish(material, MaterialStatus.UNAVAILABLE, error=str(exc), attempts=attempts)
            return MaterialStatus.UNAVAILABLE
        if actual != material.sha256:
            _finish(material, MaterialStatus.MISMATCH, actual=actual, size=size)
            return MaterialStatus.MISMATCH
        out.seek(0)
        key = f"court-materials/{entrustment.uuid}/{material.position:03d}-{actual}"
        put_object(
            bucket=settings.S3_BUCKET_DOCUMENTS,
            key=key,
            data=out,  # type: ignore[arg-type]
            size=size,
            content_type=content_type,
            sha256=actual,
        )
    _finish(material, MaterialStatus.STORED, actual=actual, size=size, key=key)
    return MaterialStatus.STORED


def _finish(
    material: EntrustmentMaterial,
    status: str,
    *,
    actual: str = "",
    size: int | None = None,
    key: str = "",
    error: str = "",
    attempts: int | None = None,
) -> None:
    entrustment = material.entrustment
    with transaction.atomic():
        row = EntrustmentMaterial.objects.select_for_update().get(pk=material.pk)
        if row.status != MaterialStatus.FETCHING:
            return  # another worker finished it
        row.status = status
        row.actual_sha256 = actual
        row.size = size
        row.error = error[:300]
        if attempts is not None:
            row.attempts = attempts
        if key:
            row.bucket = settings.S3_BUCKET_DOCUMENTS
            row.object_key = key
        row.fetched_at = timezone.now()
        row.save()
        payload = {
            "entrustment": str(entrustment.uuid),
            "position": row.position,
            "sha256": row.sha256,
            **({"actual_sha256": actual} if actual and actual != row.sha256 else {}),
        }
        trace_append(
            chain=docking_chain(entrustment.organization),
            action=f"entrustment.material_{status}",
            actor=Actor.system("court-materials"),
            payload=payload,
        )
        if status == MaterialStatus.MISMATCH:
            callback_enqueue(
                entrustment=entrustment,
                kind="materials.mismatch",
                data={
                    "name": row.name,
                    "position": row.position,
                    "expected_sha256": row.sha256,
                    "actual_sha256": actual,
                },
            )
        elif status == MaterialStatus.UNAVAILABLE:
            callback_enqueue(
                entrustment=entrustment,
                kind="materials.unavailable",
                data={"name": row.name, "position": row.position, "error": row.error},
            )
