"""Writing notices. Call :func:`notify` inside the transaction of the change it tells about:
the notice commits or rolls back with it, and its SMS is queued only after the commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.erasure import PersonalDataHolder
from accord.inbox.models import Notice
from accord.inbox.tasks import send_notice_sms


def notify(
    users: Iterable[User | None],
    *,
    kind: str,
    text: str,
    case_no: str = "",
    url: str = "",
    sms: bool = True,
) -> list[Notice]:
    """One notice to each distinct active user of ``users`` (``None`` and inactive or erased
    accounts are skipped). With ``sms`` the users with a phone number are also sent an SMS
    after the surrounding transaction commits. Returns the notices written."""
    seen: set[int] = set()
    notices = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active or user.erased_at is not None:
            continue
        seen.add(user.pk)
        notices.append(Notice(user=user, kind=kind, case_no=case_no, text=text.strip(), url=url))
    Notice.objects.bulk_create(notices)
    if sms:
        ids = [notice.pk for notice in notices if notice.user.phone]
        if ids:
            transaction.on_commit(lambda: send_notice_sms.delay(ids))
    return notices


def notices_mark_read(*, user: User, notice_ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notices (those of ``notice_ids``, or all) read; the number marked."""
    unread = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=list(notice_ids))
    return unread.update(read_at=timezone.now())


def notices_erase(user_id: int, actor: Actor) -> list[str]:
    """Delete every notice of the user (the erasure registry's ``erase``): notices are words
    for the person, not a record; nothing is traced for them and no key is destroyed."""
    del actor
    Notice.objects.filter(user_id=user_id).delete()
    return []


INBOX_PERSONAL_DATA = PersonalDataHolder(
    name="inbox", kept_until=lambda user_id: None, erase=notices_erase
)
