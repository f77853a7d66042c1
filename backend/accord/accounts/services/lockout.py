"""Failed sign-ins: counted in Redis, traced for known accounts, and locking further tries.

Design (docs/security/auth.md): failures are counted per address (a cap on one client's
guessing across all accounts), per account (from everywhere), and per (account, address)
pair. Only a pair is ever locked, with exponential backoff; the per-account count only makes
the backoff of guessing addresses start sooner. So an attacker cannot lock a staff member
out: from the staff member's own network (an address that has not failed), the right
password and second factor still work.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
RL_FAIL_PAIR = "fail-pair"
RL_LOCK_PAIR = "lock-pair"
RL_TOTP_USED = "totp-used"

SIGNIN_ACTOR = Actor.system("signin")


def _pair(kind: str, subject: str, client_ip: str) -> str:
    # One account (a username or a phone number, as typed: case and spaces do not matter)
    # from one address. ratelimit hashes it before it becomes a key.
    return f"{kind}|{subject.strip().lower()}|{client_ip}"


def _minutes(seconds: float) -> int:
    return max(1, int(seconds + 59) // 60)


def check_not_locked(*, kind: str, subject: str, field: str, client_ip: str) -> None:
    """Refuse a sign-in attempt while its address, or this account from this address, is locked.

    Only failures *from this address* can lock an account here: failures elsewhere, however
    many, never keep the account holder out from their own network (see :func:`record_failure`
    and docs/security/auth.md).
    """
    if ratelimit.count(RL_FAIL_IP, client_ip) >= conf.failures_per_ip_per_15min():
        message = _("Too many failed sign-ins from your network. Try again in 15 minutes.")
        raise refuse(message, code="ip_locked", limited=True)
    wait = ratelimit.locked_for(RL_LOCK_PAIR, _pair(kind, subject, client_ip))
    if wait is not None:
        minutes = _minutes(wait)
        message = ngettext(
            "Too many failed sign-ins for this account. Try again in %(minutes)d minute.",
            "Too many failed sign-ins for this account. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        raise refuse(message, code="locked", field=field, limited=True)


def lock_seconds(*, pair_failures: int, account_failures: int) -> int:
    """How long an (account, address) pair is locked after its ``pair_failures``-th failure,
    while the account has ``account_failures`` failures from everywhere in 15 minutes.

    Up to ``ACCORD_SIGNIN_FAILURES_PER_15MIN - 1`` failures: no lock. Then the base time
    (a minute), doubling with each further failure, up to the cap (an hour). When the
    account is under attack from elsewhere (more than ``ACCORD_SIGNIN_ACCOUNT_FAILURES_PER_
    15MIN`` failures), the backoff starts at the first failure of the pair: the attack slows
    every address that guesses, but an address that has not failed is never locked.
    """
    threshold = conf.failures_per_15min()
    if account_failures > conf.account_failures_per_15min():
        threshold = 1
    if pair_failures < threshold:
        return 0
    doublings = min(pair_failures - threshold, 30)
    return int(min(conf.lock_base_seconds() * 2**doublings, conf.lock_max_seconds()))


def record_failure(
    *, kind: str, subject: str, client_ip: str, user: User | None, method: str, reason: str
) -> None:
    """Count a failed sign-in (per address, per account, per pair); lock the pair when its
    failures call for it; trace the failure when it was aimed at a known account.

    Unknown accounts are counted and locked exactly like known ones, so a lock tells
    nothing about whether an account exists.
    """
    ratelimit.hit(RL_FAIL_IP, client_ip, window=conf.FAILURE_WINDOW_SECONDS)
    account_failures = ratelimit.hit(kind, subject, window=conf.FAILURE_WINDOW_SECONDS)
    pair = _pair(kind, subject, client_ip)
    pair_failures = ratelimit.hit(RL_FAIL_PAIR, pair, window=conf.PAIR_MEMORY_SECONDS)
    seconds = lock_seconds(pair_failures=pair_failures, account_failures=account_failures)
    if seconds:
        ratelimit.lock(RL_LOCK_PAIR, pair, seconds=seconds)
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


def record_success(*, kind: str, subject: str, client_ip: str) -> None:
    """A completed sign-in forgets the failures (and any lock) of this account from this
    address. The account's count from everywhere stays: an attack elsewhere goes on."""
    pair = _pair(kind, subject, client_ip)
    ratelimit.reset(RL_FAIL_PAIR, pair)
    ratelimit.release(RL_LOCK_PAIR, pair)


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
