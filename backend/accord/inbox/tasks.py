"""Sending notices by SMS, after the change that wrote them committed."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from accord.accounts.sms import SmsTemplate, TransportError, send_sms
from accord.inbox.models import Notice


@shared_task(
    name="accord.inbox.tasks.send_notice_sms",
    autoretry_for=(TransportError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notice_sms(notice_ids: list[int]) -> int:
    """SMS each notice not sent yet to its user's phone; returns how many were sent. A notice
    is marked sent one by one, so a retry after a transport error sends only the rest."""
    sent = 0
    notices = Notice.objects.filter(pk__in=notice_ids, sms_sent_at__isnull=True).select_related(
        "user"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for notice in notices:
            phone = notice.user.phone
            if not phone or not notice.user.is_active:
                continue
            template = SmsTemplate.of("case_notice", case_no=notice.case_no or "-")
            try:
                send_sms(phone=phone, message=notice.text, template=template)
            except TransportError as exc:
                if exc.permanent:
                    continue
                raise
            Notice.objects.filter(pk=notice.pk).update(sms_sent_at=timezone.now())
            sent += 1
    return sent
