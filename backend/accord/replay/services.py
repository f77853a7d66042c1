"""Writes of the replay app: replay grants, the ``recording.replayed`` trace event of a page
open, the ``replay.media_read`` event of the first read of a final file by a user and the
``evidence.downloaded`` event of a media download. Each write is one transaction with its
event on the case's chain.

Grant rules (issue 13; :func:`grant_refusal`): never to oneself; only to a user who holds a
role that may replay (``GRANTEE_ROLES``: an auditor, court clerk or regulator officer of any
organization, a mediator or administrator of the case's own mediation organization); a grant
that includes caucus recordings must expire."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.models import TraceEvent
from accord.audit.services import trace_append
from accord.cases.errors import NotAllowed
from accord.cases.hooks import CaseEvent
from accord.cases.models import Case
from accord.cases.selectors import case_role_of
from accord.core.api import ServiceError
from accord.orgs.models import Role
from accord.orgs.selectors import active_memberships
from accord.recordings.models import RecordingFile
from accord.replay.access import Access, is_case_auditor, may_grant
from accord.replay.models import MediaRead, ReplayGrant
from accord.rooms.models import HearingSession


def _actor(case: Case, user: User) -> Actor:
    role = case_role_of(case=case, user=user)
    if role is None and is_case_auditor(user, case):
        role = Role.AUDITOR.value
    return Actor.for_user(user, role=role)


def _locked_case(case: Case) -> Case:
    return Case.objects.select_related("chain", "organization").get(pk=case.pk)


def _revoke(grant: ReplayGrant, *, by: User, case: Case, reason: str) -> None:
    grant.revoked_at = timezone.now()
    grant.revoked_by = by
    grant.save(update_fields=["revoked_at", "revoked_by"])
    trace_append(
        chain=case.chain,
        action="replay.revoked",
        actor=_actor(case, by),
        payload={"grant": grant.pk, "user_id": grant.user_id, "reason": reason},
    )


# Who may hold a replay grant. Parties (applicants, institution staff), experts, notaries and
# system administrators have no business replaying a hearing's recordings; auditors of the
# case's own organizations have access without a grant (accord.replay.access).
GRANTEE_ROLES_ANYWHERE = frozenset({Role.AUDITOR, Role.COURT_CLERK, Role.REGULATOR_OFFICER})
GRANTEE_ROLES_OF_THE_CASE_ORG = frozenset({Role.MEDIATOR, Role.ORG_ADMIN})
GRANTEE_ROLES = GRANTEE_ROLES_ANYWHERE | GRANTEE_ROLES_OF_THE_CASE_ORG


def may_hold_grant(user: User, case: Case) -> bool:
    """Whether ``user`` holds a role that may be granted replay of ``case``."""
    memberships = active_memberships(user)
    return (
        memberships.filter(role__in=GRANTEE_ROLES_ANYWHERE).exists()
        or memberships.filter(
            role__in=GRANTEE_ROLES_OF_THE_CASE_ORG, organization_id=case.organization_id
        ).exists()
    )


def grant_refusal(
    *,
    case: Case,
    user: User,
    by: User,
    include_caucus: bool,
    expires_at: datetime | None,
) -> ServiceError | None:
    """Why a grant of ``case`` to ``user`` by ``by`` is refused (field-level, documented codes
    in docs/api.md), or None. The grant form shows these on its fields."""
    if not user.is_active:
        return ServiceError(
            _("This account is not active."),
            code="inactive_user",
            fields={"user": [_("This account is not active.")]},
        )
    if user.pk == by.pk:
        message = _("You cannot grant access to yourself.")
        return ServiceError(message, code="grant_to_self", fields={"user": [message]})
    if not may_hold_grant(user, case):
        message = _(
            "Replay may be granted only to an auditor, a court clerk, a regulator officer, or a "
            "mediator or administrator of the case's organization."
        )
        return ServiceError(message, code="grantee_role", fields={"user": [message]})
    if expires_at is not None and expires_at <= timezone.now():
        message = _("The expiry must be in the future.")
        return ServiceError(message, code="invalid", fields={"expires_at": [message]})
    if include_caucus and expires_at is None:
        message = _("A grant that includes caucus recordings needs an expiry.")
        return ServiceError(message, code="expiry_required", fields={"expires_at": [message]})
    return None


def replay_grant(
    *,
    case: Case,
    user: User,
    by: User,
    include_caucus: bool,
    expires_at: datetime | None = None,
) -> ReplayGrant:
    """Give ``user`` replay (and, with caucus, export) access to ``case``.

    ``by`` must administer or audit the case's mediation organization; the grant must pass
    :func:`grant_refusal`. A live grant of the same user is revoked first (its own
    ``replay.revoked`` event).
    """
    if not may_grant(by, case):
        raise NotAllowed(_("Only administrators and auditors of the organization grant access."))
    refusal = grant_refusal(
        case=case, user=user, by=by, include_caucus=include_caucus, expires_at=expires_at
    )
    if refusal is not None:
        raise refusal
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_case(case)
        for old in ReplayGrant.objects.select_for_update().filter(
            case=locked, user=user, revoked_at__isnull=True
        ):
            _revoke(old, by=by, case=locked, reason="replaced")
        grant = ReplayGrant.objects.create(
            case=locked,
            user=user,
            granted_by=by,
            include_caucus=include_caucus,
            granted_at=now,
            expires_at=expires_at,
        )
        trace_append(
            chain=locked.chain,
            action="replay.granted",
            actor=_actor(locked, by),
            payload={
                "grant": grant.pk,
                "user_id": user.pk,
                "include_caucus": include_caucus,
                "expires_at": None if expires_at is None else format_time(expires_at),
            },
        )
    return grant


def replay_revoke(*, grant: ReplayGrant, by: User) -> ReplayGrant:
    case = grant.case
    if not may_grant(by, case):
        raise NotAllowed(_("Only administrators and auditors of the organization grant access."))
    with transaction.atomic():
        locked = ReplayGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.revoked_at is not None:
            return locked
        _revoke(locked, by=by, case=_locked_case(case), reason="revoked")
    return locked


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


def media_read(*, session: HearingSession, file: RecordingFile, user: User) -> TraceEvent | None:
    """The first read of ``file`` by ``user`` (a GET of its media URL, ranged or not, with or
    without the replay page): one ``replay.media_read`` event on the case's chain, in the same
    transaction as its :class:`MediaRead` marker; None (nothing written) when this user has
    read this file before. The user is in the event's actor, by id only."""
    if MediaRead.objects.filter(user=user, file=file).exists():
        return None
    try:
        with transaction.atomic():
            locked = _locked_case(session.case)
            MediaRead.objects.create(user=user, file=file)
            return trace_append(
                chain=locked.chain,
                action="replay.media_read",
                actor=_actor(locked, user),
                payload={
                    "session_id": str(session.pk),
                    "file_id": file.pk,
                    "participant_id": file.participant_id,
                    "version": file.version,
                    "audience": file.audience,
                    "sha256": file.sha256,
                },
            )
    except IntegrityError:
        # A concurrent first read of the same user (two ranges at once) won the race.
        return None


def media_downloaded(*, case: Case, user: User, what: Mapping[str, Any]) -> TraceEvent:
    """A download of media or of a package file (``what`` names it: key, sha256, session…)."""
    with transaction.atomic():
        locked = _locked_case(case)
        return trace_append(
            chain=locked.chain,
            action="evidence.downloaded",
            actor=_actor(locked, user),
            payload=dict(what),
        )


# Case events after which the case's former mediator must not replay it any more.
MEDIATOR_LEFT = {"case.mediator_removed": "mediator", "case.mediator_replaced": "previous"}


def grants_follow_mediator(event: CaseEvent) -> list[ReplayGrant]:
    """A ``cases.hooks.on_case_event`` callback, inside the transaction of the removal or
    replacement: the live grants of the former mediator on the case are revoked, each traced
    ``replay.revoked`` (reason ``mediator_removed``) with the actor of the case event."""
    key = MEDIATOR_LEFT.get(event.action)
    ref = event.payload.get(key) if key else None
    former = ref.get("user_id") if isinstance(ref, dict) else None
    if not isinstance(former, int):
        return []
    revoked = list(
        ReplayGrant.objects.select_for_update().filter(
            case=event.case, user_id=former, revoked_at__isnull=True
        )
    )
    now = timezone.now()
    for grant in revoked:
        grant.revoked_at = now
        grant.revoked_by_id = event.actor.user_id
        grant.save(update_fields=["revoked_at", "revoked_by"])
        trace_append(
            chain=event.case.chain,
            action="replay.revoked",
            actor=event.actor,
            payload={"grant": grant.pk, "user_id": grant.user_id, "reason": "mediator_removed"},
        )
    return revoked
