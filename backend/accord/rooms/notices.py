"""Telling participants that a hearing was scheduled (SMS through the accounts backend).

Sent after the scheduling transaction commits, by a Celery task, so a slow or
failing SMS gateway never holds up or rolls back the scheduling itself.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.sms import SmsTemplate, send_sms
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.rooms.models import HearingSession
from accord.rooms.policy import recording_notice_short, recording_policy


def session_notice_send(*, session_id: uuid.UUID | str) -> list[int]:
    """SMS every participant who has a phone number; trace who was told.

    Returns the ids of the participants notified. A transport error propagates
    (the task retries it) and nothing is traced for that attempt.
    """
    session = HearingSession.objects.select_related("case").get(pk=session_id)
    participants = list(session.participants.select_related("user").order_by("id"))
    when = timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M")
    notified: list[int] = []
    unreachable: list[int] = []
    with translation.override(settings.LANGUAGE_CODE):
        for participant in participants:
            phone = participant.user.phone
            if not phone:
                unreachable.append(participant.pk)
                continue
            message = _(
                "[Accord] Case %(case_no)s: an online mediation hearing (%(title)s) is "
                "scheduled for %(when)s. %(recording)s You will receive a link to join."
            ) % {
                "case_no": session.case.case_no,
                "title": session.title,
                "when": when,
                "recording": recording_notice_short(recording_policy(session.case)),
            }
            template = SmsTemplate.of("hearing_scheduled", case_no=session.case.case_no, when=when)
            send_sms(phone=phone, message=message, template=template)
            notified.append(participant.pk)
    with transaction.atomic():
        trace_append(
            chain=session.case.chain,
            action="session.notified",
            actor=Actor.system("notices"),
            payload={
                "session_id": str(session.pk),
                # By id only: the numbers are in the accounts, which can be erased.
                "notified": [{"participant_id": pk} for pk in notified],
                "unreachable": unreachable,
            },
        )
    return notified
