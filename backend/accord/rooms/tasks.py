from __future__ import annotations

from celery import shared_task

from accord.accounts.sms import TransportError
from accord.rooms.notices import session_notice_send


@shared_task(
    name="accord.rooms.tasks.notify_session_scheduled",
    ignore_result=True,
    autoretry_for=(TransportError,),
    retry_backoff=30,
    max_retries=5,
)
def notify_session_scheduled(session_id: str) -> None:
    session_notice_send(session_id=session_id)
