"""Who may replay a case's hearings, download their media, export the case, and
open its verification page.

Replay, media and export (:func:`case_access`, :func:`replay_access`,
:func:`export_allowed`):

- auditors (an active ``Role.AUDITOR`` membership) of the case's mediation
  organization, of the court that entrusted it, or of the regulator that
  assigned it: by default, caucus recordings included;
- anyone else (the case's mediator, a court clerk of an entrusted case, an
  organization administrator) only through a live :class:`ReplayGrant`
  (not revoked, not expired); the grant says whether caucus recordings are
  included.

Exporting the evidence package needs access *with* caucus: the package holds
every participant's whole recording, caucus parts included.

The verification page (:func:`verification_allowed`) is open to the case's
mediator, the administrators of its mediation organization, and everyone with
replay access.

Grants are made by administrators and auditors of the case's mediation
organization (:func:`may_grant`).

Whoever may not gets :class:`Http404` from the ``access_*`` functions, never
403, so case numbers and session ids leak nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.cases.models import Case
from accord.orgs.models import Role
from accord.orgs.selectors import has_role
from accord.replay.models import ReplayGrant
from accord.rooms.models import PLENARY, HearingSession

AnyUser = User | AnonymousUser


@dataclass(frozen=True, slots=True)
class Access:
    """What a user may replay of a case: everything, or the plenary only."""

    case_id: int
    include_caucus: bool
    via: Literal["auditor", "grant"]
    grant_id: int | None = None

    def may_see_group(self, group: str) -> bool:
        """Whether media recorded in room group ``group`` ("plenary", "caucus-…") is reachable."""
        return group == PLENARY or self.include_caucus


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def is_case_auditor(user: AnyUser, case: Case) -> bool:
    """An auditor of the case's mediation organization, entrusting court or assigning regulator."""
    active = _active(user)
    if active is None:
        return False
    organizations = [case.organization_id, case.court_id, case.referred_by_id]
    return active.memberships.filter(
        role=Role.AUDITOR,
        is_active=True,
        organization_id__in=[org for org in organizations if org is not None],
    ).exists()


def live_grant(user: AnyUser, case: Case) -> ReplayGrant | None:
    active = _active(user)
    if active is None:
        return None
    now = timezone.now()
    for grant in ReplayGrant.objects.filter(case=case, user=active, revoked_at__isnull=True):
        if grant.is_active_at(now):
            return grant
    return None


def granted_case_ids(user: User) -> QuerySet[ReplayGrant, int]:
    """The ids of the cases ``user`` holds a live grant for: they may read those case
    pages too (registered with :mod:`accord.cases.audit_scope` by this app's config)."""
    now = timezone.now()
    return (
        ReplayGrant.objects.filter(user=user, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("case_id", flat=True)
    )


def case_access(user: AnyUser, case: Case) -> Access | None:
    """What ``user`` may replay of ``case``; ``None`` for nothing."""
    if is_case_auditor(user, case):
        return Access(case_id=case.pk, include_caucus=True, via="auditor")
    grant = live_grant(user, case)
    if grant is None:
        return None
    return Access(
        case_id=case.pk, include_caucus=grant.include_caucus, via="grant", grant_id=grant.pk
    )


def replay_access(user: AnyUser, session: HearingSession) -> Access | None:
    """What ``user`` may replay of ``session`` (a hearing of a case); ``None`` for nothing."""
    return case_access(user, session.case)


def export_allowed(user: AnyUser, case: Case) -> bool:
    """Whether ``user`` may export (or download) the case's evidence package."""
    access = case_access(user, case)
    return access is not None and access.include_caucus


def verification_allowed(user: AnyUser, case: Case) -> bool:
    active = _active(user)
    if active is None:
        return False
    if case.mediator_id == active.pk and has_role(active, Role.MEDIATOR, case.organization):
        return True
    if has_role(active, Role.ORG_ADMIN, case.organization):
        return True
    return case_access(active, case) is not None


def may_grant(user: AnyUser, case: Case) -> bool:
    """Administrators and auditors of the case's mediation organization make and revoke grants."""
    active = _active(user)
    if active is None:
        return False
    return has_role(active, Role.ORG_ADMIN, case.organization) or has_role(
        active, Role.AUDITOR, case.organization
    )


# --- 404 for everything else --------------------------------------------------


def _case(case_no: str) -> Case:
    try:
        return Case.objects.select_related("organization", "chain").get(case_no=case_no)
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc


def access_case_for_replay(*, user: AnyUser, case_no: str) -> tuple[Case, Access]:
    case = _case(case_no)
    access = case_access(user, case)
    if access is None:
        raise Http404(_("No such case."))
    return case, access


def access_session_for_replay(
    *, user: AnyUser, session_id: UUID | str
) -> tuple[HearingSession, Access]:
    try:
        session = HearingSession.objects.select_related("case__organization", "case__chain").get(
            pk=session_id
        )
    except (HearingSession.DoesNotExist, ValueError) as exc:
        raise Http404(_("No such hearing.")) from exc
    access = replay_access(user, session)
    if access is None:
        raise Http404(_("No such hearing."))
    return session, access


def access_case_for_export(*, user: AnyUser, case_no: str) -> Case:
    case = _case(case_no)
    if not export_allowed(user, case):
        raise Http404(_("No such case."))
    return case


def access_case_for_verification(*, user: AnyUser, case_no: str) -> Case:
    case = _case(case_no)
    if not verification_allowed(user, case):
        raise Http404(_("No such case."))
    return case


def access_case_for_granting(*, user: AnyUser, case_no: str) -> Case:
    case = _case(case_no)
    if not may_grant(user, case):
        raise Http404(_("No such case."))
    return case


def grants_of(case: Case) -> list[ReplayGrant]:
    return list(
        ReplayGrant.objects.filter(case=case).select_related("user", "granted_by", "revoked_by")
    )
