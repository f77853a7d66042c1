"""Celery entry point of the early warning (thin: the work is in ``services``)."""

from __future__ import annotations

from celery import shared_task

from accord.alerts.services import alerts_scan


@shared_task(name="accord.alerts.tasks.scan_alerts", ignore_result=True)
def scan_alerts() -> int:
    """Beat, hourly: run the rules; the number of alerts raised or updated."""
    result = alerts_scan()
    return len(result.raised) + len(result.updated)
