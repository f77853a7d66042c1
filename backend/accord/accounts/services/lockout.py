"""Failed sign-ins: counted in Redis, traced for known accounts, and locking further tries."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts import conf, ratelimit
from accord.accounts.models import User
from accord.accounts.services.accounts import seal_for_user, user_chain
from accord.accounts.services.errors import refuse
from accord.audit.actors import Actor
from accord.audit.services import trace_append

# Rate-limit counter kinds (see accord.accounts.ratelimit).
RL_CODE_IP = "code-ip"
RL_CODE_PHONE = "code-phone"
RL_CODE_RESEND = "code-resend"
RL_CODE_TRIES = "code-tries"
RL_FAIL_PHONE = "fail-phone"
RL_FAIL_USER = "fail-user"
RL_FAIL_IP = "fail-ip"
RL_TOTP_USED = "totp-used"

SIGNIN_ACTOR = Actor.system("signin")


def check_not_locked(*, kind: str, subject: str, field: str, client_ip: str) -> None:
    if ratelimit.count(RL_FAIL_IP, client_ip) >= conf.failures_per_ip_per_15min():
        message = _("Too many failed sign-ins from your network. Try again in 15 minutes.")
        raise refuse(message, code="ip_locked", limited=True)
    if ratelimit.count(kind, subject) >= conf.failures_per_15min():
        message = _("Too many failed sign-ins for this account. Try again in 15 minutes.")
        raise refuse(message, code="locked", field=field, limited=True)


def record_failure(
    *, kind: str, subject: str, client_ip: str, user: User | None, method: str, reason: str
) -> None:
    """Count a failed sign-in; trace it when it was aimed at a known account."""
    ratelimit.hit(kind, subject, window=conf.FAILURE_WINDOW_SECONDS)
    ratelimit.hit(RL_FAIL_IP, client_ip, window=conf.FAILURE_WINDOW_SECONDS)
    if user is None:
        return
    with transaction.atomic():
        trace_append(
            chain=user_chain(user),
            action="signin.failed",
            actor=SIGNIN_ACTOR,
            payload={
                "method": method,
                "reason": reason,
                "client_ip": seal_for_user(user, "client_ip", client_ip),
            },
        )


def trace_signed_in(
    *, user: User, method: str, client_ip: str, extra: dict[str, object] | None = None
) -> None:
    """Trace a completed sign-in. Call inside ``transaction.atomic()``."""
    trace_append(
        chain=user_chain(user),
        action="signin.succeeded",
        actor=Actor.for_user(user),
        payload={
            "method": method,
            "client_ip": seal_for_user(user, "client_ip", client_ip),
            **(extra or {}),
        },
    )
