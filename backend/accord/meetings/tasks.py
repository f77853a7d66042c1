"""Celery entry points of the joint meetings (thin: the work is in ``sweep``)."""

from __future__ import annotations

from celery import shared_task

from accord.meetings.sweep import follow_up_sweep


@shared_task(name="accord.meetings.tasks.sweep_follow_ups", ignore_result=True)
def sweep_follow_ups() -> int:
    """Beat, hourly: remind the owners of follow-ups due next working day or overdue."""
    result = follow_up_sweep()
    return len(result.reminded) + len(result.overdue)
