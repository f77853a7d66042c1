"""Writes of the replay app: the ``recording.replayed`` trace event of a page open (downloads
of media are :func:`accord.evidence.services.evidence_downloaded`)."""

from __future__ import annotations

from django.db import transaction

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.models import TraceEvent
from accord.audit.services import trace_append
from accord.cases.models import Case
from accord.cases.selectors import case_role_of
from accord.evidence.access import Access, is_case_auditor
from accord.orgs.models import Role
from accord.rooms.models import HearingSession


def _actor(case: Case, user: User) -> Actor:
    role = case_role_of(case=case, user=user)
    if role is None and is_case_auditor(user, case):
        role = Role.AUDITOR.value
    return Actor.for_user(user, role=role)


def replay_opened(*, session: HearingSession, user: User, access: Access) -> TraceEvent:
    """One ``recording.replayed`` event on the case's chain: who opened the session's replay,
    through what (auditor or grant) and whether caucus media was included."""
    with transaction.atomic():
        case = Case.objects.select_related("chain").get(pk=session.case_id)
        return trace_append(
            chain=case.chain,
            action="recording.replayed",
            actor=_actor(case, user),
            payload={
                "session_id": str(session.pk),
                "via": access.via,
                "grant": access.grant_id,
                "include_caucus": access.include_caucus,
            },
        )
