from __future__ import annotations

from celery import shared_task

from accord.core import heartbeats


@shared_task(name="accord.core.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Scheduled by beat, run by a worker: proves both are alive."""
    heartbeats.celery_beat()
