"""Celery entry points of the chain anchors (thin: the work is in ``services``)."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from accord.trust.errors import TsaError, TsaNotConfigured
from accord.trust.models import AnchorReason
from accord.trust.services import anchor_chain, chains_to_anchor

logger = logging.getLogger(__name__)

MAX_RETRIES = 8
MAX_COUNTDOWN = 3600


@shared_task(
    name="accord.trust.tasks.anchor_chain", bind=True, ignore_result=True, max_retries=MAX_RETRIES
)
def anchor_chain_task(self: Task, chain_id: int, reason: str) -> None:
    """Timestamp a chain's head; a TSA that fails is asked again later (the countdown
    doubles), and what is still unanchored after the last retry waits for the daily run."""
    try:
        anchor_chain(chain_id, reason=reason)
    except TsaNotConfigured:
        logger.info("chain %s not anchored: no ACCORD_TSA_URL", chain_id)
    except TsaError as exc:
        retries = self.request.retries
        if retries >= MAX_RETRIES:
            logger.error(
                "anchoring chain %s failed %s times (%s); the daily run tries again",
                chain_id,
                retries + 1,
                exc,
            )
            return
        countdown = min(settings.ACCORD_ANCHOR_RETRY_SECONDS * 2**retries, MAX_COUNTDOWN)
        logger.warning(
            "anchoring chain %s failed (%s); retry %s in %ss", chain_id, exc, retries + 1, countdown
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="accord.trust.tasks.anchor_moved_chains", ignore_result=True)
def anchor_moved_chains() -> int:
    """Beat, daily: anchor every chain whose head moved since its last anchor."""
    count = 0
    for chain_id in chains_to_anchor().values_list("pk", flat=True).iterator():
        queue_anchor(chain_id, AnchorReason.DAILY.value)
        count += 1
    return count


def queue_anchor(chain_id: int, reason: str) -> None:
    # The queue the settings name at the time of the call (a test may give its own worker
    # a private one); Celery would otherwise fix it when its configuration is first read.
    anchor_chain_task.apply_async((chain_id, reason), queue=settings.CELERY_TASK_DEFAULT_QUEUE)
