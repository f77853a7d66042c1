"""Reads about organizations and who holds which role where."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from accord.accounts.models import User
from accord.orgs.models import (
    MEDIATION_KINDS,
    ROLE_ORG_KINDS,
    STAFF_ROLES,
    Membership,
    Organization,
    OrgKind,
    Role,
)


def active_memberships(user: User | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True).select_related("organization")


def has_role(
    user: User | AnonymousUser, role: Role | str, organization: Organization | None = None
) -> bool:
    """Whether ``user`` holds ``role`` (in ``organization`` when one is given)."""
    memberships = active_memberships(user).filter(role=role)
    if organization is not None:
        memberships = memberships.filter(organization=organization)
    return memberships.exists()


def organizations_where(user: User | AnonymousUser, *roles: Role | str) -> QuerySet[Organization]:
    """The organizations in which ``user`` holds any of ``roles``."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__is_active=True, memberships__role__in=roles
    ).distinct()


def is_staff_member(user: User | AnonymousUser) -> bool:
    """Staff (any non-applicant role) sign in with password and TOTP."""
    return active_memberships(user).filter(role__in=STAFF_ROLES).exists()


def is_sysadmin(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.SYSADMIN)


def organizations_administered_by(user: User | AnonymousUser) -> QuerySet[Organization]:
    """What ``user`` may manage: their organizations as org admin, every one as sysadmin."""
    if is_sysadmin(user):
        return Organization.objects.all()
    return organizations_where(user, Role.ORG_ADMIN)


def access_org_for_admin(user: User | AnonymousUser, code: str) -> Organization:
    """The organization ``code`` if ``user`` administers it; 404 otherwise.

    One answer for "no such organization" and "not yours", so outsiders learn nothing.
    """
    organization = organizations_administered_by(user).filter(code=code).first()
    if organization is None:
        raise Http404("no such organization")
    return organization


def members_of(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-is_active", "user__username", "role")
    )


def roles_allowed_in(organization: Organization) -> list[tuple[str, str]]:
    """The (value, label) of roles that may be held in an organization of this kind."""
    return [
        (value, str(label))
        for value, label in Role.choices
        if (kinds := ROLE_ORG_KINDS.get(value)) is not None and organization.kind in kinds
    ]


def published_institutions() -> QuerySet[Organization]:
    """Active financial institutions with their published complaint channels (R17)."""
    return (
        Organization.objects.filter(kind=OrgKind.FINANCIAL_INSTITUTION, is_active=True)
        .prefetch_related("complaint_channels")
        .order_by("name")
    )


def mediation_contacts() -> QuerySet[Organization]:
    """Mediation organizations a consumer can turn to (R17 asks institutions to show them)."""
    return Organization.objects.filter(kind__in=MEDIATION_KINDS, is_active=True).order_by("name")
