"""Reads about organizations and who holds which role where."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accord.accounts.models import User
from accord.orgs.models import STAFF_ROLES, Membership, Organization, Role


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
