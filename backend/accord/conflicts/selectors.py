"""Reads of conflicts, already filtered by what the user may see (404 for the rest).

Declared relationships hold personal data: the mediator sees their own, administrators those
of the mediators of the organizations they administer. Recusal applications are decided by the
administrators of the case's organization.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.selectors import mediators_of
from accord.conflicts.matching import describe
from accord.conflicts.models import RecusalApplication, RecusalStatus, Relationship
from accord.orgs.models import MEDIATION_KINDS, Organization, Role
from accord.orgs.selectors import organizations_where

AnyUser = User | AnonymousUser


@dataclass(frozen=True, slots=True)
class RelationshipRow:
    relationship: Relationship
    text: str


def rows(relationships: QuerySet[Relationship]) -> list[RelationshipRow]:
    return [RelationshipRow(r, describe(r)) for r in relationships]


def mediator_organizations(user: AnyUser) -> QuerySet[Organization]:
    """The mediation organizations ``user`` is an active mediator or independent expert of
    (where they declare their relationships)."""
    return organizations_where(user, Role.MEDIATOR, Role.EXPERT).filter(kind__in=MEDIATION_KINDS)


def declarants_of(organization: Organization) -> QuerySet[User]:
    """The active mediators and independent experts of ``organization``: those an
    administrator may declare a relationship for."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organization=organization,
            memberships__role__in=[Role.MEDIATOR, Role.EXPERT],
            memberships__is_active=True,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def relationships_of_mediator(user: User) -> QuerySet[Relationship]:
    return (
        Relationship.objects.filter(mediator=user)
        .select_related("institution", "organization", "mediator")
        .order_by("withdrawn_at", "kind", "id")
    )


def relationships_of_organization(organization: Organization) -> QuerySet[Relationship]:
    """Every relationship declared with ``organization``, of current and former mediators."""
    return (
        Relationship.objects.filter(organization=organization)
        .select_related("institution", "organization", "mediator")
        .order_by("withdrawn_at", "mediator__display_name", "kind", "id")
    )


def access_relationship(*, user: AnyUser, relationship_id: int) -> Relationship:
    """The relationship, for its mediator or an administrator of its organization."""
    if not isinstance(user, User) or not user.is_active:
        raise Http404(_("No such relationship."))
    found = (
        Relationship.objects.filter(pk=relationship_id)
        .filter(Q(mediator=user) | Q(organization__in=organizations_where(user, Role.ORG_ADMIN)))
        .select_related("institution", "organization", "mediator")
        .first()
    )
    if found is None:
        raise Http404(_("No such relationship."))
    return found


def pending_recusals(organization: Organization) -> QuerySet[RecusalApplication]:
    """Applications awaiting a decision in ``organization``, the earliest due first."""
    return (
        RecusalApplication.objects.filter(
            case__organization=organization, status=RecusalStatus.PENDING
        )
        .select_related("case", "mediator", "applied_by")
        .order_by("due_on", "id")
    )


def recent_recusals(organization: Organization, limit: int = 20) -> list[RecusalApplication]:
    return list(
        RecusalApplication.objects.filter(case__organization=organization)
        .exclude(status=RecusalStatus.PENDING)
        .select_related("case", "mediator")
        .order_by("-decided_at", "-id")[:limit]
    )


def access_recusal_for_decision(*, user: AnyUser, application_id: int) -> RecusalApplication:
    """The application, for an administrator of its case's organization; else 404."""
    found = (
        RecusalApplication.objects.filter(
            pk=application_id,
            case__organization__in=organizations_where(user, Role.ORG_ADMIN),
        )
        .select_related("case", "case__organization", "case__respondent", "mediator")
        .first()
    )
    if found is None:
        raise Http404(_("No such application."))
    return found


def recusals_of_case(case: Case) -> QuerySet[RecusalApplication]:
    return (
        RecusalApplication.objects.filter(case=case)
        .select_related("mediator", "applied_by")
        .order_by("-created_at", "-id")
    )


def pending_for(case: Case) -> RecusalApplication | None:
    """The application awaiting a decision against the case's current mediator."""
    if case.mediator_id is None:
        return None
    return (
        RecusalApplication.objects.filter(
            case=case, mediator_id=case.mediator_id, status=RecusalStatus.PENDING
        )
        .select_related("mediator")
        .first()
    )


def replacement_candidates(case: Case) -> QuerySet[User]:
    """The organization's mediators other than the case's current one."""
    candidates = mediators_of(organization=case.organization)
    if case.mediator_id is not None:
        candidates = candidates.exclude(pk=case.mediator_id)
    return candidates
