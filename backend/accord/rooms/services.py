"""Writes for hearing sessions; each writes its event on the case's chain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.services import trace_append
from accord.cases.models import Case, CaseState
from accord.cases.selectors import case_parties
from accord.cases.states import Party
from accord.core.api import ServiceError
from accord.rooms.models import HearingSession, ParticipantRole, SessionParticipant

# Hearings are held while a case is being mediated, or to prepare it once assigned.
SCHEDULABLE_STATES = frozenset({CaseState.ASSIGNED, CaseState.MEDIATING})


def _may_schedule(user: User, case: Case) -> bool:
    return bool(case_parties(case=case, user=user) & {Party.MEDIATOR, Party.ORG_ADMIN})


def session_schedule(
    *,
    case: Case,
    scheduled_at: datetime,
    duration_minutes: int,
    title: str,
    participants: Sequence[tuple[User, ParticipantRole]],
    by: User,
) -> HearingSession:
    """Schedule a hearing of ``case`` with the given participants (one mediator at least)."""
    if not _may_schedule(by, case):
        raise ServiceError(
            _("Only the case's mediator or an organization administrator can schedule hearings."),
            code="forbidden",
        )
    if case.state not in SCHEDULABLE_STATES:
        raise ServiceError(
            _("A hearing can be scheduled only once a mediator is assigned."),
            code="illegal_state",
        )
    if duration_minutes <= 0 or duration_minutes > 24 * 60:
        raise ServiceError(
            _("The duration must be between 1 minute and 24 hours."),
            code="invalid",
            fields={"duration_minutes": [_("Between 1 and 1440 minutes.")]},
        )
    if not any(role == ParticipantRole.MEDIATOR for _user, role in participants):
        raise ServiceError(
            _("A hearing needs a mediator."),
            code="invalid",
            fields={"participants": [_("Add the mediator.")]},
        )
    users = [user.pk for user, _role in participants]
    if len(set(users)) != len(users):
        raise ServiceError(
            _("Each person can take part only once."),
            code="invalid",
            fields={"participants": [_("A person is listed twice.")]},
        )
    with transaction.atomic():
        session = HearingSession.objects.create(
            case=case,
            title=title,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            created_by=by,
        )
        SessionParticipant.objects.bulk_create(
            SessionParticipant(session=session, user=user, role=role, display_name=str(user))
            for user, role in participants
        )
        trace_append(
            chain=case.chain,
            action="session.scheduled",
            actor=Actor.for_user(by),
            payload={
                "session_id": str(session.pk),
                "title": title,
                "scheduled_at": format_time(scheduled_at),
                "duration_minutes": duration_minutes,
                "participants": [
                    {"user_id": user.pk, "role": str(role)} for user, role in participants
                ],
            },
        )
    return session
