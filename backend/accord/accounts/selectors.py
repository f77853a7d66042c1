"""Reads about accounts."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accord.accounts.models import SignInCode, User
from accord.accounts.phones import normalize_phone
from accord.accounts.roles import holds_staff_role
from accord.core.crypto import lookup_hash


def user_by_phone(phone: str) -> User | None:
    """The user with this (normalized) number: found by its lookup hash, the column itself
    is encrypted."""
    if not phone:
        return None
    return User.objects.filter(phone_lookup=lookup_hash(phone)).first()


def user_by_username_or_phone(identifier: str) -> User | None:
    """Staff grant roles by naming a user either way; an exact username wins."""
    identifier = identifier.strip()
    if not identifier:
        return None
    by_username = User.objects.filter(username=identifier).first()
    if by_username is not None:
        return by_username
    return user_by_phone(normalize_phone(identifier))


def uses_staff_signin(user: User | AnonymousUser) -> bool:
    """Staff (any non-applicant role) and Django-admin users sign in with password and TOTP."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or holds_staff_role(user))


def latest_signin_code(phone: str) -> SignInCode | None:
    """Only the newest code of a number counts: requesting a new one retires the old."""
    return (
        SignInCode.objects.filter(phone_lookup=lookup_hash(phone))
        .order_by("-created_at", "-pk")
        .first()
    )
