"""Sealing a fully signed version after the signature's commit; retried while the TSA or the
seal certificate is unavailable (the version stays signed, awaiting its seal)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings

from accord.core.api import ServiceError

logger = logging.getLogger(__name__)

MAX_RETRIES = 10
MAX_COUNTDOWN = 3600


@shared_task(
    name="accord.documents.tasks.seal_version",
    bind=True,
    ignore_result=True,
    max_retries=MAX_RETRIES,
)
def seal_version_task(self: Task, version_id: int) -> None:
    from accord.documents.signing import document_seal

    try:
        document_seal(version_id=version_id)
    except ServiceError as exc:
        countdown = min(30 * 2**self.request.retries, MAX_COUNTDOWN)
        logger.warning("sealing version %s failed (%s); retry in %ss", version_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc


def queue_seal(version_id: int) -> None:
    seal_version_task.apply_async((version_id,), queue=settings.CELERY_TASK_DEFAULT_QUEUE)


# A fully signed version still unsealed this long after its last signature lost its seal task
# (retries exhausted while the TSA or the certificate was unavailable, or the queue lost it).
STALE_SECONDS = 15 * 60


@shared_task(name="accord.documents.tasks.seal_pending", ignore_result=True)
def seal_pending_task() -> list[int]:
    """Queue the seal again for every version that every side signed but nobody sealed."""
    pending = versions_awaiting_seal(stale_seconds=STALE_SECONDS)
    for version_id in pending:
        queue_seal(version_id)
    return pending


def versions_awaiting_seal(*, stale_seconds: int) -> list[int]:
    """Versions out for signing that every required side signed, the last signature older
    than ``stale_seconds``."""
    from django.db.models import Count, Max
    from django.utils import timezone

    from accord.documents.models import DocumentVersion, SignerSide, VersionStatus

    cutoff = timezone.now() - timedelta(seconds=stale_seconds)
    return list(
        DocumentVersion.objects.filter(status=VersionStatus.SIGNING, sealed_key="")
        .annotate(sides=Count("signatures__side", distinct=True), last=Max("signatures__signed_at"))
        .filter(sides__gte=len(SignerSide.values), last__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
