"""Open days and outreach events (R18): created, edited, published and cancelled by the
organization's administrators, each step traced on the organization's chain."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.services import trace_append
from accord.core.api import ConflictError
from accord.orgs.models import Organization
from accord.orgs.services import org_chain
from accord.outcomes.services.common import text_sha256
from accord.publicity.models import EventKind, OutreachEvent
from accord.publicity.services.common import admin_actor, refuse


@dataclass(frozen=True, slots=True)
class EventInput:
    title: str
    event_kind: str
    starts_at: datetime
    ends_at: datetime
    place: str
    description: str = ""
    registration: str = ""
    registration_url: str = ""


def _validated(data: EventInput) -> EventInput:
    if data.event_kind not in EventKind.values:
        raise refuse(_("Choose the kind of event."), code="invalid", field="event_kind")
    if not data.title.strip():
        raise refuse(_("Give the event a title."), code="required", field="title")
    if not data.place.strip():
        raise refuse(_("Say where the event takes place."), code="required", field="place")
    if data.ends_at < data.starts_at:
        raise refuse(_("The event cannot end before it starts."), code="invalid", field="ends_at")
    return data


def _payload(event: OutreachEvent) -> dict[str, object]:
    return {
        "event_id": event.pk,
        "event_kind": event.event_kind,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "title_sha256": text_sha256(event.title),
        "place_sha256": text_sha256(event.place),
        "description_sha256": text_sha256(event.description),
        "registration_sha256": text_sha256(event.registration + event.registration_url),
        "published": event.published,
    }


def _trace(event: OutreachEvent, *, action: str, user: User) -> None:
    trace_append(
        chain=org_chain(event.organization),
        action=action,
        actor=admin_actor(user, event.organization),
        payload=_payload(event),
    )


def event_create(*, organization: Organization, user: User, data: EventInput) -> OutreachEvent:
    """A new, unpublished event. Traced ``outreach.created``. Refuses ``invalid`` and
    ``required`` (400)."""
    admin_actor(user, organization)
    data = _validated(data)
    with transaction.atomic():
        event = OutreachEvent.objects.create(
            organization=organization, created_by=user, **asdict(data)
        )
        _trace(event, action="outreach.created", user=user)
    return event


def _locked(event: OutreachEvent) -> OutreachEvent:
    row = OutreachEvent.objects.select_for_update().select_related("organization").get(pk=event.pk)
    if row.cancelled_at is not None:
        raise ConflictError(_("The event was cancelled."), code="cancelled")
    return row


def event_update(*, event: OutreachEvent, user: User, data: EventInput) -> OutreachEvent:
    """Traced ``outreach.edited``. Refuses ``invalid``, ``required`` (400), ``cancelled`` (409)."""
    admin_actor(user, event.organization)
    data = _validated(data)
    with transaction.atomic():
        row = _locked(event)
        for name, value in asdict(data).items():
            setattr(row, name, value)
        row.save()
        _trace(row, action="outreach.edited", user=user)
    return row


def event_publish(*, event: OutreachEvent, user: User) -> OutreachEvent:
    """Show the event on the public page. Traced ``outreach.published``; ``cancelled`` (409)."""
    admin_actor(user, event.organization)
    with transaction.atomic():
        row = _locked(event)
        if row.published:
            return row
        row.published = True
        row.save(update_fields=["published", "updated_at"])
        _trace(row, action="outreach.published", user=user)
    return row


def event_cancel(*, event: OutreachEvent, user: User) -> OutreachEvent:
    """Cancel the event (it leaves the public page). Traced ``outreach.cancelled``;
    ``cancelled`` (409) when it already was."""
    admin_actor(user, event.organization)
    with transaction.atomic():
        row = _locked(event)
        row.cancelled_at = timezone.now()
        row.save(update_fields=["cancelled_at", "updated_at"])
        _trace(row, action="outreach.cancelled", user=user)
    return row
