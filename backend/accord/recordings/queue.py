"""Queueing a session's finalize after the current transaction commits.

The services and the finalize itself queue it; the Celery task that runs it calls the services.
So that nothing imports in a circle, the task registers itself here (``accord.recordings.tasks``,
imported by ``RecordingsConfig.ready()``) and the writers only import this module.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

FinalizeQueue = Callable[[str], None]

_finalize_queue: FinalizeQueue | None = None


def register_finalize_queue(queue: FinalizeQueue) -> None:
    global _finalize_queue
    _finalize_queue = queue


def queue_finalize(session_id: str) -> None:
    """Queue the finalize of ``session_id`` once the surrounding transaction commits."""
    queue = _finalize_queue
    if queue is None:
        raise ImproperlyConfigured("accord.recordings.tasks is not loaded (RecordingsConfig).")
    transaction.on_commit(lambda: queue(session_id))
