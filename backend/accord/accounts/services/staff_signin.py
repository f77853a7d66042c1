"""Staff: password, then a TOTP code; first-time enrollment of the authenticator app."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts import conf, ratelimit, totp
from accord.accounts.models import User
from accord.accounts.selectors import uses_staff_signin
from accord.accounts.services.accounts import user_chain
from accord.accounts.services.errors import refuse
from accord.accounts.services.lockout import (
    RL_FAIL_USER,
    RL_TOTP_USED,
    check_not_locked,
    record_failure,
    record_success,
    trace_signed_in,
)
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.services import trace_append


def staff_password_check(*, username: str, password: str, client_ip: str) -> User:
    """The first factor. Returns the user, who is *not* signed in until the second factor."""
    username = username.strip()
    check_not_locked(kind=RL_FAIL_USER, subject=username, field="username", client_ip=client_ip)
    user = User.objects.filter(username=username).first()
    if user is None:
        # Hash anyway so that response time does not reveal which usernames exist.
        User().set_password(password)
    if user is None or not user.check_password(password):
        record_failure(
            kind=RL_FAIL_USER,
            subject=username,
            client_ip=client_ip,
            user=user,
            method="password",
            reason="password_wrong",
        )
        message = _("Wrong username or password.")
        raise refuse(message, code="password_wrong", field="password")
    if not uses_staff_signin(user):
        message = _("Applicants sign in with their mobile number and a one-time code.")
        raise refuse(message, code="use_phone_signin", field="username")
    if not user.is_active:
        raise refuse(_("This account is disabled."), code="account_disabled", field="username")
    return user


def _totp_step_orrefuse(*, user: User, secret: str, code: str, client_ip: str) -> int:
    code = code.strip()
    if not totp.CODE_RE.match(code):
        message = _("Enter the 6-digit code from your authenticator app.")
        raise refuse(message, code="totp_format", field="code")
    step = totp.matching_step(secret, code)
    if step is None:
        record_failure(
            kind=RL_FAIL_USER,
            subject=user.username,
            client_ip=client_ip,
            user=user,
            method="totp",
            reason="totp_wrong",
        )
        raise refuse(_("Wrong authenticator code."), code="totp_wrong", field="code")
    # One code, one sign-in: someone who watched it being typed cannot reuse it.
    if ratelimit.claim(RL_TOTP_USED, f"{user.pk}:{step}", seconds=120) is not None:
        record_failure(
            kind=RL_FAIL_USER,
            subject=user.username,
            client_ip=client_ip,
            user=user,
            method="totp",
            reason="totp_replayed",
        )
        message = _("This code was already used. Wait for the next one.")
        raise refuse(message, code="totp_replayed", field="code")
    return step


def staff_totp_verify(*, user: User, code: str, client_ip: str) -> None:
    """The second factor of an enrolled staff member; traces the completed sign-in."""
    check_not_locked(kind=RL_FAIL_USER, subject=user.username, field="code", client_ip=client_ip)
    if user.totp_confirmed_at is None:
        message = _("Set up your authenticator app first.")
        raise refuse(message, code="totp_not_enrolled", field="code")
    _totp_step_orrefuse(user=user, secret=user.totp_secret, code=code, client_ip=client_ip)
    with transaction.atomic():
        trace_signed_in(user=user, method="password_totp", client_ip=client_ip)
    record_success(kind=RL_FAIL_USER, subject=user.username, client_ip=client_ip)


def totp_enroll_confirm(
    *, user: User, secret: str, code: str, client_ip: str, password_verified_at: float
) -> None:
    """Store the secret once the user proves their app holds it; this also signs them in.

    Only within ``ACCORD_TOTP_ENROL_WINDOW_SECONDS`` of ``password_verified_at`` (the time
    :func:`staff_password_check` passed, in *this* session: the caller reads it from the
    session that passed the password step), and only for a user with no confirmed second
    factor: replacing one needs an administrator's :func:`totp_reset_by_admin` first.
    """
    check_not_locked(kind=RL_FAIL_USER, subject=user.username, field="code", client_ip=client_ip)
    if user.totp_confirmed_at is not None:
        message = _("An authenticator app is already set up for this account.")
        raise refuse(message, code="totp_already_enrolled", field="code")
    if not 0 <= time.time() - password_verified_at <= conf.totp_enrol_window_seconds():
        message = _("Setting up the authenticator app took too long. Enter your password again.")
        raise refuse(message, code="enrol_window_passed", field="code")
    _totp_step_orrefuse(user=user, secret=secret, code=code, client_ip=client_ip)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.totp_confirmed_at is not None:
            message = _("An authenticator app is already set up for this account.")
            raise refuse(message, code="totp_already_enrolled", field="code")
        locked.totp_secret = secret
        locked.totp_confirmed_at = timezone.now()
        locked.save(update_fields=["totp_secret", "totp_confirmed_at"])
        trace_append(
            chain=user_chain(user),
            action="totp.enrolled",
            actor=Actor.for_user(user),
            payload={"confirmed_at": format_time(locked.totp_confirmed_at)},
        )
        trace_signed_in(user=user, method="password_totp", client_ip=client_ip)
    user.totp_secret = locked.totp_secret
    user.totp_confirmed_at = locked.totp_confirmed_at
    record_success(kind=RL_FAIL_USER, subject=user.username, client_ip=client_ip)


def totp_provision(*, user: User, secret: str, actor: Actor) -> None:
    """Set a second factor whose secret the actor already holds (the demo data's shared
    one), without spending a code: enrolling by :func:`totp_enroll_confirm` would use up the
    current step's code, and the user's own first sign-in in that step would be refused as
    a replay. Nobody signs in here."""
    with transaction.atomic():
        confirmed_at = timezone.now()
        User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed_at=confirmed_at)
        trace_append(
            chain=user_chain(user),
            action="totp.enrolled",
            actor=actor,
            payload={"confirmed_at": format_time(confirmed_at)},
        )
    user.totp_secret = secret
    user.totp_confirmed_at = confirmed_at


def totp_reset(*, user: User, actor: Actor) -> None:
    """Forget the second factor (lost phone); the next sign-in enrolls a new one.

    The one way to re-enrol. People reach it through :func:`totp_reset_by_admin` (the Django
    admin's action); this lower step is for system actors (commands, tests)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None)
        trace_append(
            chain=user_chain(user),
            action="totp.reset",
            actor=actor,
            payload={"user_id": user.pk},
        )
    user.totp_secret = ""
    user.totp_confirmed_at = None


def totp_reset_by_admin(*, user: User, by: User) -> None:
    """An administrator resets ``user``'s second factor (traced, actor = the administrator).

    Administrators are those who may change users (``accounts.change_user``: the system
    administrator in the Django admin). Nobody resets their own: whoever holds a session and
    a password must not be able to move the second factor to a phone of their own.
    """
    if not by.is_active or not by.has_perm("accounts.change_user"):
        message = _("Only an administrator can reset a second factor.")
        raise refuse(message, code="not_admin")
    if by.pk == user.pk:
        message = _("Another administrator must reset your own second factor.")
        raise refuse(message, code="reset_self")
    totp_reset(user=user, actor=Actor.for_user(by))
