"""Telling participants that a hearing was scheduled, moved or cancelled (SMS through the
accounts backend).

Sent after the transaction that changed the hearing commits, by a Celery task, so a slow or
failing SMS gateway never holds up or rolls back the change itself. One-time join links are
not sent from here: they travel only in memory (:mod:`accord.rooms.scheduling`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.sms import SmsTemplate, send_sms
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.rooms.models import HearingSession
from accord.rooms.policy import recording_notice_short, recording_policy

# "invited": scheduled, told to staff, who sign in with their password and second factor.
NoticeKind = Literal["scheduled", "invited", "rescheduled", "cancelled"]
NOTICE_KINDS: tuple[NoticeKind, ...] = ("scheduled", "invited", "rescheduled", "cancelled")


def _message(session: HearingSession, kind: NoticeKind) -> str:
    values = {
        "recording": recording_notice_short(recording_policy(session.case)),
        "case_no": session.case.case_no,
        "title": session.title,
        "when": timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M"),
    }
    if kind == "rescheduled":
        return (
            _(
                "[Accord] Case %(case_no)s: the online mediation hearing (%(title)s) was moved "
                "to %(when)s."
            )
            % values
        )
    if kind == "invited":
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("rooms:session", kwargs={"session_id": session.pk})
        values["url"] = f"{settings.ACCORD_BASE_URL.rstrip('/')}{path}"
        return (
            _(
                "[Accord] Case %(case_no)s: an online mediation hearing (%(title)s) is "
                "scheduled for %(when)s. Sign in to join: %(url)s"
            )
            % values
        )
    if kind == "cancelled":
        return (
            _(
                "[Accord] Case %(case_no)s: the online mediation hearing (%(title)s) of "
                "%(when)s was cancelled."
            )
            % values
        )
    return (
        _(
            "[Accord] Case %(case_no)s: an online mediation hearing (%(title)s) is "
            "scheduled for %(when)s. %(recording)s You will receive a link to join."
        )
        % values
    )


def _template(session: HearingSession, kind: NoticeKind) -> SmsTemplate:
    """The provider's approved template for ``kind`` (docs/operations.md, SMS)."""
    when = timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M")
    case_no = session.case.case_no
    if kind == "invited":
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("rooms:session", kwargs={"session_id": session.pk})
        link = f"{settings.ACCORD_BASE_URL.rstrip('/')}{path}"
        return SmsTemplate.of("hearing_invited", case_no=case_no, when=when, link=link)
    if kind == "rescheduled":
        return SmsTemplate.of("hearing_rescheduled", case_no=case_no, when=when)
    if kind == "cancelled":
        return SmsTemplate.of("hearing_cancelled", case_no=case_no, when=when)
    return SmsTemplate.of("hearing_scheduled", case_no=case_no, when=when)


def session_notice_send(
    *,
    session_id: uuid.UUID | str,
    kind: NoticeKind = "scheduled",
    participant_ids: Collection[int] | None = None,
) -> list[int]:
    """SMS every participant (of ``participant_ids``, when given) who has a phone number;
    trace who was told, by participant id only.

    Returns the ids of the participants notified. A transport error propagates
    (the task retries it) and nothing is traced for that attempt.
    """
    session = HearingSession.objects.select_related("case").get(pk=session_id)
    participants = session.participants.select_related("user").order_by("id")
    if participant_ids is not None:
        participants = participants.filter(pk__in=list(participant_ids))
    notified, unreachable = [], []
    with translation.override(settings.LANGUAGE_CODE):
        message = _message(session, kind)
        template = _template(session, kind)
        for participant in participants:
            phone = participant.user.phone
            if not phone:
                unreachable.append(participant.pk)
                continue
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
                "kind": kind,
                "notified": [{"participant_id": pk} for pk in notified],
                "unreachable": unreachable,
            },
        )
    return notified
