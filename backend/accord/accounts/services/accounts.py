"""Accounts and their security chain (``user:<id>``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.accounts.phones import is_valid_phone, mask_phone, normalize_phone
from accord.accounts.roles import ensure_applicant_role
from accord.accounts.selectors import user_by_phone
from accord.accounts.services.errors import refuse
from accord.audit.actors import Actor
from accord.audit.models import TraceChain
from accord.audit.services import trace_append, trace_chain_of


def user_chain(user: User) -> TraceChain:
    """The user's security chain (``user:<id>``), created on first use.
    Call inside ``transaction.atomic()``."""
    return trace_chain_of(user, key=f"user:{user.pk}")


def applicant_get_or_create(*, phone: str, via: str = "sms_code") -> tuple[User, bool]:
    """The applicant with this mobile number, created with the applicant role if new.

    The username of an applicant is the phone number; the password is unusable.
    """
    phone = normalize_phone(phone)
    if not is_valid_phone(phone):
        message = _("Enter an 11-digit mainland mobile number, e.g. 13800138000.")
        raise refuse(message, code="phone_invalid", field="phone")
    with transaction.atomic():
        user = user_by_phone(phone)
        if user is not None:
            return user, False
        user = User.objects.create_user(username=phone, phone=phone)
        ensure_applicant_role(user)
        trace_append(
            chain=user_chain(user),
            action="account.created",
            actor=Actor.for_user(user),
            payload={
                "user_id": user.pk,
                "phone": mask_phone(phone),
                "role": "applicant",
                "via": via,
            },
        )
        return user, True


def staff_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    phone: str | None = None,
    email: str = "",
    actor: Actor,
) -> User:
    """A staff account (roles are granted separately with ``orgs.services.membership_grant``)."""
    if User.objects.filter(username=username).exists():
        message = _("This username is taken.")
        raise refuse(message, code="username_taken", field="username")
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            display_name=display_name,
            phone=phone or None,
            email=email,
        )
        trace_append(
            chain=user_chain(user),
            action="account.created",
            actor=actor,
            payload={"user_id": user.pk, "username": username, "via": "staff_create"},
        )
    return user
