"""Celery entry points: load by id, call the service."""

from __future__ import annotations

from celery import shared_task
from minio.error import S3Error
from urllib3.exceptions import HTTPError

from accord.recordings.composite import CompositeBusy, SourceChanged
from accord.recordings.finalize import FinalizeBusy
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
    from accord.recordings.services import session_finalize

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
    from accord.accounts.models import User
    from accord.recordings.services import composite_make

    session = HearingSession.objects.filter(pk=session_id).first()
    if session is not None:
        by = User.objects.filter(pk=by_id).first() if by_id is not None else None
        composite_make(session=session, by=by)


@shared_task(name="accord.recordings.tasks.expire_recordings", ignore_result=True)
def expire_recordings() -> int:
    from accord.recordings.services import recordings_expire

    return len(recordings_expire())
