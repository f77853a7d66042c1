"""Accounts and their security chain (``user:<id>``)."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.accounts.phones import is_valid_phone, normalize_phone
from accord.accounts.roles import ensure_applicant_role
from accord.accounts.selectors import user_by_phone
from accord.accounts.services.errors import refuse
from accord.audit.actors import Actor
from accord.audit.models import TraceChain
from accord.audit.personal import seal, user_subject
from accord.audit.services import trace_append, trace_chain_of


def user_chain(user: User) -> TraceChain:
    """The user's security chain (``user:<id>``), created on first use.
    Call inside ``transaction.atomic()``."""
    return trace_chain_of(user, key=f"user:{user.pk}")


def seal_for_user(user: User, field: str, value: str) -> str:
    """``value`` (a phone number, an IP address) as a trace payload may carry it: a keyed
    hash under the user's erasable key. Call inside the event's transaction."""
    return seal(subject=user_subject(user.pk), field=field, value=value)


def new_applicant_username() -> str:
    """A pseudonymous username: the phone number lives only in ``User.phone`` (erasable)."""
    return f"applicant-{secrets.token_hex(6)}"


def applicant_get_or_create(
    *, phone: str, via: str = "sms_code", display_name: str = ""
) -> tuple[User, bool]:
    """The applicant with this mobile number, created with the applicant role if new.

    The username is a pseudonym (never the number); the password is unusable.
    """
    phone = normalize_phone(phone)
    if not is_valid_phone(phone):
        message = _("Enter an 11-digit mainland mobile number, e.g. 13800138000.")
        raise refuse(message, code="phone_invalid", field="phone")
    with transaction.atomic():
        user = user_by_phone(phone)
        if user is not None:
            return user, False
        user = User.objects.create_user(
            username=new_applicant_username(), phone=phone, display_name=display_name.strip()
        )
        ensure_applicant_role(user)
        trace_append(
            chain=user_chain(user),
            action="account.created",
            actor=Actor.for_user(user),
            payload={
                "user_id": user.pk,
                "phone": seal_for_user(user, "phone", phone),
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
    """A staff account (roles are granted separately with ``orgs.services.membership_grant``).

    The password must pass ``AUTH_PASSWORD_VALIDATORS`` (12 characters or more, not common,
    not like the person's name, not breached)."""
    if User.objects.filter(username=username).exists():
        message = _("This username is taken.")
        raise refuse(message, code="username_taken", field="username")
    try:
        validate_password(
            password, user=User(username=username, display_name=display_name, email=email)
        )
    except ValidationError as exc:
        raise refuse(" ".join(exc.messages), code="password_weak", field="password") from exc
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
            payload={
                "user_id": user.pk,
                "username": seal_for_user(user, "username", username),
                "via": "staff_create",
            },
        )
    return user
