"""Celery entry points: load by id, call the service."""

from __future__ import annotations

from celery import shared_task
from minio.error import S3Error
from urllib3.exceptions import HTTPError

from accord.accounts.models import User
from accord.recordings.composite import CompositeBusy, SourceChanged
from accord.recordings.finalize import FinalizeBusy
from accord.recordings.queue import register_finalize_queue
from accord.recordings.services import composite_make, recordings_expire, session_finalize
from accord.rooms.models import HearingSession


@shared_task(
    name="accord.recordings.tasks.finalize_session",
    ignore_result=True,
    autoretry_for=(S3Error, HTTPError, OSError, FinalizeBusy),
    retry_backoff=30,
    max_retries=8,
    acks_late=True,
)
def finalize_session(session_id: str) -> None:
    session = HearingSession.objects.filter(pk=session_id).first()
    if session is not None:
        session_finalize(session=session)


@shared_task(
    name="accord.recordings.tasks.composite_session",
    ignore_result=True,
    autoretry_for=(S3Error, HTTPError, CompositeBusy, SourceChanged),
    retry_backoff=60,
    max_retries=5,
    acks_late=True,
)
def composite_session(session_id: str, by_id: int | None = None) -> None:
    """The composite export of a finalized session (never queued during the session)."""
    session = HearingSession.objects.filter(pk=session_id).first()
    if session is not None:
        by = User.objects.filter(pk=by_id).first() if by_id is not None else None
        composite_make(session=session, by=by)


@shared_task(name="accord.recordings.tasks.expire_recordings", ignore_result=True)
def expire_recordings() -> int:
    return len(recordings_expire())


def _queue_finalize(session_id: str) -> None:
    # Looked up at call time, so that tests may replace ``finalize_session.delay``.
    finalize_session.delay(session_id)


register_finalize_queue(_queue_finalize)
