"""Celery entry points of the deadlines (thin: the work is in ``sweep`` and ``follow``)."""

from __future__ import annotations

from celery import shared_task

from accord.deadlines.follow import recompute_open_deadlines
from accord.deadlines.sweep import deadlines_sweep


@shared_task(name="accord.deadlines.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> int:
    """Beat, every 15 minutes: reminders before deadlines, escalation after them."""
    result = deadlines_sweep()
    return len(result.reminded) + len(result.escalated)


@shared_task(
    name="accord.deadlines.tasks.recompute_open_deadlines",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def recompute_open_deadlines_task(year: int | None = None) -> int:
    """Queued when the calendar changes (and daily from beat, in case a queued one was
    lost): recount every running deadline."""
    return recompute_open_deadlines(year=year).changed
