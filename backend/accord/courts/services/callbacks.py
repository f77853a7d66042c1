"""Callbacks to a court (docs/court-api.md): signed POSTs to the court's callback URL.

:func:`callback_enqueue` writes a :class:`CourtCallback` in the caller's transaction (so a
rolled-back change tells the court nothing) and queues its delivery after commit. Delivery
(:func:`callback_deliver`) claims the row with a conditional update, sends with no lock held,
then records the answer: a 2xx is delivered; anything else is tried again after
``ACCORD_COURT_CALLBACK_BACKOFF_SECONDS`` × 2^(attempts − 1) (capped at an hour) until
``ACCORD_COURT_CALLBACK_ATTEMPTS``, after which it is a dead letter an administrator resends
(:func:`callback_resend`). Celery beat (:func:`callbacks_due`) picks up any due row whose task was
lost, so nothing is lost while the court, Redis or a worker is down.

Trace events on the organization's chain: ``court.callback_delivered``, ``court.callback_dead``,
``court.callback_resent`` (the event id and kind; never the body, which may name people).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.cases.selectors import organization_staff
from accord.core.api import ConflictError
from accord.courts import signing
from accord.courts.models import (
    CallbackStatus,
    CourtCallback,
    CourtDocking,
    Entrustment,
    EntrustmentStatus,
)
from accord.courts.services.common import docking_chain, require_admin
from accord.inbox.services import notify
from accord.orgs.models import Organization, Role

logger = logging.getLogger(__name__)

# A claimed row is left alone this long by other deliverers (the HTTP timeout is shorter).
CLAIM_SECONDS = 120
MAX_BACKOFF_SECONDS = 3600


def attempts_allowed() -> int:
    return int(getattr(settings, "ACCORD_COURT_CALLBACK_ATTEMPTS", 8))


def backoff_seconds(attempts: int) -> float:
    base = float(getattr(settings, "ACCORD_COURT_CALLBACK_BACKOFF_SECONDS", 30))
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_SECONDS)


def entrustment_status(entrustment: Entrustment) -> dict[str, Any]:
    """What the court may know of its entrustment: the body of ``GET
    /api/court/v1/entrustments/{id}`` and the data of the status callbacks."""
    from accord.courts.services import feedback  # imports this module in its functions

    case = entrustment.case
    deadlines: list[dict[str, Any]] = []
    if case is not None:
        for deadline in case.deadlines.order_by("created_at", "pk"):
            deadlines.append(
                {
                    "kind": deadline.kind,
                    "starts_on": deadline.starts_on.isoformat(),
                    "due_on": deadline.due_on.isoformat(),
                    "status": deadline.status,
                    "provisional": deadline.provisional,
                }
            )
    decided = entrustment.status != EntrustmentStatus.PENDING
    return {
        "entrustment_id": str(entrustment.uuid),
        "court_case_no": entrustment.court_case_no,
        "kind": entrustment.kind,
        "status": entrustment.status,
        "organization": entrustment.organization.code,
        "received_at": entrustment.received_at.isoformat(),
        "decision": (
            {
                "decided_at": entrustment.decided_at.isoformat()
                if entrustment.decided_at
                else None,
                "reason": entrustment.decline_reason,
            }
            if decided
            else None
        ),
        "case_no": case.case_no if case is not None else None,
        "case_state": case.state if case is not None else None,
        "materials_signed_on": (
            case.materials_signed_on.isoformat()
            if case is not None and case.materials_signed_on
            else None
        ),
        "deadlines": deadlines,
        "materials": [
            {
                "name": material.name,
                "sha256": material.sha256,
                "status": material.status,
                **({"actual_sha256": material.actual_sha256} if material.actual_sha256 else {}),
            }
            for material in entrustment.materials.all()
        ],
        "feedback": feedback.feedback_status(entrustment),
        "materials_returned": feedback.return_status(entrustment),
    }


def callback_enqueue(
    *,
    kind: str,
    data: dict[str, Any],
    entrustment: Entrustment | None = None,
    court: Organization | None = None,
    organization: Organization | None = None,
    court_case_no: str | None = None,
) -> CourtCallback:
    """Owe the court an event. Call inside the transaction of the change it reports."""
    if entrustment is not None:
        court = entrustment.court
        organization = entrustment.organization
        court_case_no = entrustment.court_case_no
    assert court is not None and organization is not None
    now = timezone.now()
    callback = CourtCallback(
        court=court,
        organization=organization,
        entrustment=entrustment,
        kind=kind,
        next_attempt_at=now,
        body={},
    )
    callback.body = {
        "event_id": str(callback.event_id),
        "event": kind,
        "occurred_at": now.isoformat(),
        "entrustment_id": str(entrustment.uuid) if entrustment is not None else None,
        "court_case_no": court_case_no,
        "data": data,
    }
    callback.save()
    from accord.courts.tasks import queue_delivery  # the tasks import this module

    queue_delivery(callback.pk, countdown=0)
    return callback


def _claim(callback_id: int, now: dt.datetime, *, force: bool = False) -> bool:
    due = CourtCallback.objects.filter(pk=callback_id, status=CallbackStatus.PENDING)
    if not force:
        due = due.filter(next_attempt_at__lte=now)
    return bool(due.update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS)))


def _send(callback: CourtCallback, docking: CourtDocking | None) -> str | None:
    """POST the callback; ``None`` when the court took it, else why not."""
    if docking is None or not docking.callback_url or not docking.callback_secret:
        return "the court has no callback URL or callback key configured"
    body = json.dumps(callback.body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    parts = urlsplit(docking.callback_url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    headers = signing.signed_headers(
        key_id=docking.callback_key_id,
        secret=docking.callback_secret,
        method="POST",
        path=path,
        body=body,
    )
    request = urllib.request.Request(  # noqa: S310 - http(s) URL an administrator configured
        docking.callback_url,
        data=body,
        method="POST",
        headers={**headers, "Content-Type": "application/json; charset=utf-8"},
    )
    timeout = float(getattr(settings, "ACCORD_COURT_HTTP_TIMEOUT_SECONDS", 15))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return None if 200 <= status < 300 else f"HTTP {status}"


def callback_deliver(
    callback_id: int, *, force: bool = False, now: dt.datetime | None = None
) -> str:
    """Try to deliver one callback now; returns its status afterwards. No row lock is held
    while the court is called: the row is claimed by a conditional update first. ``now`` is
    the moment against which the row must be due (the clock by default)."""
    now = now or timezone.now()
    if not _claim(callback_id, now, force=force):
        return CourtCallback.objects.get(pk=callback_id).status
    callback = CourtCallback.objects.select_related("court", "organization").get(pk=callback_id)
    docking = CourtDocking.objects.filter(court=callback.court).first()
    error = _send(callback, docking)
    with transaction.atomic():
        row = CourtCallback.objects.select_for_update().get(pk=callback_id)
        row.attempts += 1
        actor = Actor.system("court-callbacks")
        payload = {
            "callback": str(row.event_id),
            "event": row.kind,
            "court": row.court_id,
            "attempts": row.attempts,
        }
        if error is None:
            row.status = CallbackStatus.DELIVERED
            row.delivered_at = timezone.now()
            row.last_error = ""
            row.save()
            trace_append(
                chain=docking_chain(callback.organization),
                action="court.callback_delivered",
                actor=actor,
                payload=payload,
            )
            return row.status
        row.last_error = error[:300]
        if row.attempts >= attempts_allowed():
            row.status = CallbackStatus.DEAD
            row.save()
            trace_append(
                chain=docking_chain(callback.organization),
                action="court.callback_dead",
                actor=actor,
                payload=payload,
            )
            notify(
                organization_staff(callback.organization, Role.ORG_ADMIN),
                kind="court.callback_dead",
                text=_(
                    "A message to %(court)s could not be delivered after %(n)d attempts; "
                    "resend it from the court docking page."
                )
                % {"court": callback.court.name, "n": row.attempts},
                url=dead_letters_path(),
            )
            return row.status
        delay = backoff_seconds(row.attempts)
        row.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
        row.save()
        from accord.courts.tasks import queue_delivery

        queue_delivery(row.pk, countdown=delay)
    logger.info(
        "callback %s to %s failed (%s); retry in %.0f s", row.pk, row.court_id, error, delay
    )
    return row.status


def callbacks_due(now: dt.datetime | None = None) -> int:
    """Deliver every pending callback whose time has come (Celery beat, every minute)."""
    moment = now or timezone.now()
    ids = list(
        CourtCallback.objects.filter(
            status=CallbackStatus.PENDING, next_attempt_at__lte=moment
        ).values_list("pk", flat=True)[:200]
    )
    for callback_id in ids:
        # Due at the same moment they were picked at: else a row picked as due at ``now`` was
        # then skipped by the claim, which compared against the clock.
        callback_deliver(callback_id, now=moment)
    return len(ids)


def dead_letters_path() -> str:
    from django.urls import reverse

    return reverse("courts:callbacks")


def callback_resend(*, callback: CourtCallback, user: User) -> CourtCallback:
    """An administrator of the callback's organization sends a dead letter again: it gets a
    fresh round of attempts (the same event id, so the court can tell it is the same event)."""
    require_admin(user, callback.organization)
    with transaction.atomic():
        row = CourtCallback.objects.select_for_update().get(pk=callback.pk)
        if row.status != CallbackStatus.DEAD:
            raise ConflictError(
                _("Only a message that could not be delivered is resent."), code="not_dead"
            )
        row.status = CallbackStatus.PENDING
        row.attempts = 0
        row.next_attempt_at = timezone.now()
        row.save()
        trace_append(
            chain=docking_chain(callback.organization),
            action="court.callback_resent",
            actor=Actor.for_user(user, role=Role.ORG_ADMIN),
            payload={"callback": str(row.event_id), "event": row.kind, "court": row.court_id},
        )
        from accord.courts.tasks import queue_delivery

        queue_delivery(row.pk, countdown=0)
    return row
