"""Reads for the roster pages: the public roster, the admin roster with its exit flags, and
the records of one mediator."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accord.mediators.figures import ExitFlag, exit_flags, last_case_given, rules_of
from accord.mediators.models import (
    Assessment,
    MediatorProfile,
    MediatorStatus,
    Qualification,
)
from accord.orgs.models import MEDIATION_KINDS, Membership, Organization, Role

PUBLIC_STATUSES = (MediatorStatus.ACTIVE, MediatorStatus.SUSPENDED)


def roster_organizations() -> QuerySet[Organization]:
    """Active mediation organizations (the roster's organization filter)."""
    return Organization.objects.filter(kind__in=MEDIATION_KINDS, is_active=True).order_by("name")


def public_roster(
    *, organization: Organization | None = None, specialty: str = ""
) -> list[MediatorProfile]:
    """Profiles shown to everyone: of active mediator memberships of active mediation
    organizations, not exited; read on every request (an exit shows at once)."""
    profiles = (
        MediatorProfile.objects.filter(
            status__in=PUBLIC_STATUSES,
            membership__role=Role.MEDIATOR,
            membership__is_active=True,
            membership__user__is_active=True,
            membership__organization__is_active=True,
            membership__organization__kind__in=MEDIATION_KINDS,
        )
        .select_related("membership__user", "membership__organization")
        .prefetch_related(
            Prefetch("qualifications", queryset=Qualification.objects.order_by("kind", "issued_on"))
        )
        .order_by("membership__organization__name", "membership__user__display_name", "id")
    )
    if organization is not None:
        profiles = profiles.filter(membership__organization=organization)
    found = list(profiles)
    # JSON list membership is filtered here: SQLite (``make up``) has no JSON containment.
    if specialty:
        found = [profile for profile in found if specialty in profile.specialties]
    return found


def public_profile_with_photo(profile_id: int) -> MediatorProfile:
    """A profile the public roster shows, with a photo; 404 otherwise."""
    profile = (
        MediatorProfile.objects.filter(
            pk=profile_id,
            status__in=PUBLIC_STATUSES,
            membership__is_active=True,
            membership__organization__is_active=True,
        )
        .exclude(photo_key="")
        .first()
    )
    if profile is None:
        raise Http404("no such photo")
    return profile


@dataclass(frozen=True, kw_only=True)
class RosterRow:
    membership: Membership
    profile: MediatorProfile | None
    latest: Assessment | None
    flags: list[ExitFlag]

    @property
    def status(self) -> str:
        return self.profile.status if self.profile else MediatorStatus.ACTIVE


def admin_roster(organization: Organization) -> list[RosterRow]:
    """Every active mediator membership of the organization with its profile and flags."""
    rules = rules_of(organization)
    memberships = (
        Membership.objects.filter(organization=organization, role=Role.MEDIATOR, is_active=True)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    profiles = {
        profile.membership_id: profile
        for profile in MediatorProfile.objects.filter(membership__in=memberships)
    }
    rows = []
    for membership in memberships:
        profile = profiles.get(membership.pk)
        latest = profile.assessments.first() if profile else None
        given = last_case_given(organization=organization, user_id=membership.user_id)
        rows.append(
            RosterRow(
                membership=membership,
                profile=profile,
                latest=latest,
                flags=exit_flags(
                    membership=membership,
                    profile=profile,
                    rules=rules,
                    last_given=given,
                    latest=latest,
                ),
            )
        )
    return rows


def access_mediator_membership(organization: Organization, membership_id: int) -> Membership:
    """A mediator membership of ``organization`` (active or not); 404 otherwise."""
    membership = (
        Membership.objects.filter(pk=membership_id, organization=organization, role=Role.MEDIATOR)
        .select_related("user", "organization")
        .first()
    )
    if membership is None:
        raise Http404("no such mediator")
    return membership


def profile_of(membership: Membership) -> MediatorProfile | None:
    return (
        MediatorProfile.objects.filter(membership=membership)
        .select_related("membership__user", "membership__organization")
        .first()
    )


def profiles_of(organization: Organization) -> QuerySet[MediatorProfile]:
    """The organization's profiles of active mediator memberships (guidance attendees)."""
    return (
        MediatorProfile.objects.filter(
            membership__organization=organization,
            membership__role=Role.MEDIATOR,
            membership__is_active=True,
        )
        .select_related("membership__user", "membership__organization")
        .order_by("membership__user__display_name", "id")
    )
