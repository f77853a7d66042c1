"""Celery entry points: load by id, call the service."""

from __future__ import annotations

from celery import shared_task
from minio.error import S3Error
from urllib3.exceptions import HTTPError

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


@shared_task(name="accord.recordings.tasks.expire_recordings", ignore_result=True)
def expire_recordings() -> int:
    from accord.recordings.services import recordings_expire

    return len(recordings_expire())
