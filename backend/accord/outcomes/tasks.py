"""Celery entry points of the outcomes (thin: the work is in ``sweep``)."""

from __future__ import annotations

from celery import shared_task

from accord.outcomes.sweep import performance_sweep


@shared_task(name="accord.outcomes.tasks.sweep_performance", ignore_result=True)
def sweep_performance() -> int:
    """Beat, hourly: reminders before obligations are due, the overdue flag after."""
    result = performance_sweep()
    return len(result.reminded) + len(result.overdue)
