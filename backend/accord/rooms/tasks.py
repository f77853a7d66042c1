from __future__ import annotations

from celery import shared_task

from accord.accounts.sms import TransportError
from accord.rooms.notices import NOTICE_KINDS, session_notice_send


@shared_task(
    name="accord.rooms.tasks.notify_session_scheduled",
    ignore_result=True,
    autoretry_for=(TransportError,),
    retry_backoff=30,
    max_retries=5,
)
def notify_session_scheduled(
    session_id: str, kind: str = "scheduled", participant_ids: list[int] | None = None
) -> None:
    """Tell participants the hearing was scheduled, moved or cancelled (``kind``)."""
    for known in NOTICE_KINDS:
        if kind == known:
            session_notice_send(session_id=session_id, kind=known, participant_ids=participant_ids)
            return
    raise ValueError(f"unknown notice kind {kind!r}")


@shared_task(name="accord.rooms.tasks.settle_room_leaves", ignore_result=True)
def settle_room_leaves() -> int:
    """Celery beat: the ``room.left`` of stays whose rejoin grace ran out."""
    from accord.rooms.services import room_leaves_settle  # services import these tasks

    return room_leaves_settle()
