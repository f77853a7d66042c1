"""Celery entry points of the small-claim fast track (thin: the work is in ``sweep``)."""

from __future__ import annotations

from celery import shared_task

from accord.smallclaims.sweep import proposal_sweep


@shared_task(name="accord.smallclaims.tasks.sweep_proposals", ignore_result=True)
def sweep_proposals() -> int:
    """Beat, hourly: proposals not answered by their answer day lapse."""
    return len(proposal_sweep().lapsed)
