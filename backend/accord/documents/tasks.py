"""Sealing a fully signed version after the signature's commit; retried while the TSA or the
seal certificate is unavailable (the version stays signed, awaiting its seal)."""

from __future__ import annotations

import logging

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
