"""Writes about accounts: applicants and staff, sign-in codes, the second factor, sign-in links.

Every refusal raises :class:`~accord.core.api.ServiceError` (or a subclass) with
a stable ``code`` and, where a form field is at fault, ``fields``. A refusal
writes nothing to the database, with one deliberate exception: a failed
sign-in to a *known* account appends ``signin.failed`` to that user's chain,
because the account holder and auditors need to see attacks on it. Counters
(attempts, lockouts, rate limits) live in Redis.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import status

from accord.accounts import conf, ratelimit, totp
from accord.accounts.models import SignInCode, SignInLink, User
from accord.accounts.phones import is_valid_phone, mask_phone, normalize_phone
from accord.accounts.selectors import latest_signin_code, user_by_phone, uses_staff_signin
from accord.accounts.sms import TransportError, send_sms
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.models import TraceChain
from accord.audit.services import trace_append, trace_chain_create
from accord.core.api import ServiceError
from accord.orgs.models import Membership, Role

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


class RateLimited(ServiceError):
    http_status = status.HTTP_429_TOO_MANY_REQUESTS


class SignInLinkUnavailable(ServiceError):
    """A link that is unknown (404), or used or expired (410)."""

    def __init__(self, message: str, *, code: str, http_status: int) -> None:
        super().__init__(message, code=code)
        self.http_status = http_status


def _refuse(
    message: str, *, code: str, field: str | None = None, limited: bool = False
) -> ServiceError:
    fields = {field: [message]} if field else None
    if limited:
        return RateLimited(message, code=code, fields=fields)
    return ServiceError(message, code=code, fields=fields)


# --- Accounts and their security chain ------------------------------------


def user_chain(user: User) -> TraceChain:
    """The user's security chain (``user:<id>``), created on first use.

    Call inside ``transaction.atomic()``: the user row is locked so that two
    first events cannot create two chains.
    """
    if user.chain_id is not None:
        return TraceChain.objects.get(pk=user.chain_id)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.chain_id is None:
        chain = trace_chain_create(key=f"user:{user.pk}")
        User.objects.filter(pk=user.pk).update(chain=chain)
        locked.chain_id = chain.pk
    user.chain_id = locked.chain_id
    return TraceChain.objects.get(pk=locked.chain_id)


def _ensure_applicant_membership(user: User) -> bool:
    membership, created = Membership.objects.get_or_create(
        user=user, organization=None, role=Role.APPLICANT, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        return True
    return created


def applicant_get_or_create(*, phone: str, via: str = "sms_code") -> tuple[User, bool]:
    """The applicant with this mobile number, created with the applicant role if new.

    The username of an applicant is the phone number; the password is unusable.
    """
    phone = normalize_phone(phone)
    if not is_valid_phone(phone):
        message = _("Enter an 11-digit mainland mobile number, e.g. 13800138000.")
        raise _refuse(message, code="phone_invalid", field="phone")
    with transaction.atomic():
        user = user_by_phone(phone)
        if user is not None:
            return user, False
        user = User.objects.create_user(username=phone, phone=phone)
        _ensure_applicant_membership(user)
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
        raise _refuse(message, code="username_taken", field="username")
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


# --- Lockouts ------------------------------------------------------------


def _check_not_locked(*, kind: str, subject: str, field: str, client_ip: str) -> None:
    if ratelimit.count(RL_FAIL_IP, client_ip) >= conf.failures_per_ip_per_15min():
        message = _("Too many failed sign-ins from your network. Try again in 15 minutes.")
        raise _refuse(message, code="ip_locked", limited=True)
    if ratelimit.count(kind, subject) >= conf.failures_per_15min():
        message = _("Too many failed sign-ins for this account. Try again in 15 minutes.")
        raise _refuse(message, code="locked", field=field, limited=True)


def _record_failure(
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
            payload={"method": method, "reason": reason, "client_ip": client_ip},
        )


def _signed_in(
    *, user: User, method: str, client_ip: str, extra: dict[str, object] | None = None
) -> None:
    """Trace a completed sign-in. Call inside ``transaction.atomic()``."""
    trace_append(
        chain=user_chain(user),
        action="signin.succeeded",
        actor=Actor.for_user(user),
        payload={"method": method, "client_ip": client_ip, **(extra or {})},
    )


# --- Applicants: phone number and one-time code ----------------------------


def _code_hash(phone: str, code: str) -> str:
    # Keyed: six digits are trivially brute-forced from a plain hash.
    return salted_hmac(
        "accord.accounts.signin-code", f"{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def _valid_phone_or_refuse(raw: str) -> str:
    phone = normalize_phone(raw)
    if not is_valid_phone(phone):
        message = _("Enter an 11-digit mainland mobile number, e.g. 13800138000.")
        raise _refuse(message, code="phone_invalid", field="phone")
    return phone


def _refuse_staff_phone(user: User | None) -> None:
    if user is not None and uses_staff_signin(user):
        message = _("This number belongs to a staff account. Sign in with username and password.")
        raise _refuse(message, code="phone_staff", field="phone")


def signin_code_request(*, phone: str, client_ip: str) -> SignInCode:
    """Send a new 6-digit code to ``phone``; the previous code of that number stops working."""
    phone = _valid_phone_or_refuse(phone)
    user = user_by_phone(phone)
    _refuse_staff_phone(user)
    # The address is counted first so that one client cannot use up other numbers' quotas.
    if ratelimit.hit(RL_CODE_IP, client_ip, window=conf.REQUEST_WINDOW_SECONDS) > (
        conf.otp_requests_per_ip_per_hour()
    ):
        message = _("Too many codes were requested from your network. Try again later.")
        raise _refuse(message, code="too_many_requests_ip", limited=True)
    wait = ratelimit.claim(RL_CODE_RESEND, phone, seconds=conf.otp_resend_seconds())
    if wait is not None:
        seconds = int(wait + 0.999)
        message = ngettext(
            "A code was just sent. You can ask for another in %(seconds)d second.",
            "A code was just sent. You can ask for another in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
        raise _refuse(message, code="resend_too_soon", field="phone", limited=True)
    if ratelimit.hit(RL_CODE_PHONE, phone, window=conf.REQUEST_WINDOW_SECONDS) > (
        conf.otp_requests_per_hour()
    ):
        message = _("Too many codes were requested for this number. Try again in an hour.")
        raise _refuse(message, code="too_many_requests", field="phone", limited=True)

    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    ttl = conf.otp_ttl_seconds()
    try:
        with transaction.atomic():
            record = SignInCode.objects.create(
                phone=phone,
                code_hash=_code_hash(phone, code),
                created_at=now,
                expires_at=now + timedelta(seconds=ttl),
            )
            if user is not None:
                trace_append(
                    chain=user_chain(user),
                    action="signin.code_requested",
                    actor=SIGNIN_ACTOR,
                    payload={
                        "code_id": record.pk,
                        "phone": mask_phone(phone),
                        "client_ip": client_ip,
                    },
                )
            # Sent inside the transaction: if the gateway fails, no code is stored.
            minutes = max(1, ttl // 60)
            send_sms(
                phone=phone,
                message=_(
                    "Your Accord sign-in code is %(code)s. It expires in %(minutes)d minutes. "
                    "Do not share it with anyone."
                )
                % {"code": code, "minutes": minutes},
            )
    except TransportError as exc:
        ratelimit.release(RL_CODE_RESEND, phone)
        message = _("The text message could not be sent. Please try again in a moment.")
        raise ServiceError(message, code="sms_failed") from exc
    return record


def signin_code_verify(*, phone: str, code: str, client_ip: str) -> User:
    """Sign in with the newest code sent to ``phone``; a new number becomes an applicant.

    Returns the user; the caller logs the session in.
    """
    phone = _valid_phone_or_refuse(phone)
    _check_not_locked(kind=RL_FAIL_PHONE, subject=phone, field="phone", client_ip=client_ip)
    code = code.strip()
    if not totp.CODE_RE.match(code):
        raise _refuse(
            _("Enter the 6-digit code from the text message."), code="code_format", field="code"
        )
    user = user_by_phone(phone)
    _refuse_staff_phone(user)
    record = latest_signin_code(phone)
    if record is None:
        message = _("No code has been sent to this number. Ask for a code first.")
        raise _refuse(message, code="code_missing", field="code")
    if record.used_at is not None:
        # A replayed code may have leaked: it counts as a failed sign-in.
        _record_failure(
            kind=RL_FAIL_PHONE,
            subject=phone,
            client_ip=client_ip,
            user=user,
            method="sms_code",
            reason="code_used",
        )
        message = _("This code has already been used. Ask for a new code.")
        raise _refuse(message, code="code_used", field="code")
    if record.expires_at <= timezone.now():
        raise _refuse(
            _("This code has expired. Ask for a new code."), code="code_expired", field="code"
        )
    tries = ratelimit.hit(RL_CODE_TRIES, str(record.pk), window=conf.otp_ttl_seconds())
    if tries > conf.otp_max_attempts():
        message = _("Too many wrong tries for this code. Ask for a new code.")
        raise _refuse(message, code="code_attempts", field="code", limited=True)
    if not secrets.compare_digest(record.code_hash, _code_hash(phone, code)):
        _record_failure(
            kind=RL_FAIL_PHONE,
            subject=phone,
            client_ip=client_ip,
            user=user,
            method="sms_code",
            reason="code_wrong",
        )
        left = conf.otp_max_attempts() - tries
        message = ngettext(
            "Wrong code. %(left)d try left for this code.",
            "Wrong code. %(left)d tries left for this code.",
            left,
        ) % {"left": left}
        raise _refuse(message, code="code_wrong", field="code")
    if user is not None and not user.is_active:
        raise _refuse(_("This account is disabled."), code="account_disabled", field="phone")

    with transaction.atomic():
        locked = SignInCode.objects.select_for_update().get(pk=record.pk)
        if locked.used_at is not None:  # used by a concurrent request a moment ago
            message = _("This code has already been used. Ask for a new code.")
            raise _refuse(message, code="code_used", field="code")
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        if user is None:
            user, _created = applicant_get_or_create(phone=phone)
        else:
            _ensure_applicant_membership(user)
        _signed_in(user=user, method="sms_code", client_ip=client_ip)
    ratelimit.reset(RL_FAIL_PHONE, phone)
    return user


# --- Staff: password, then TOTP ----------------------------------------------


def staff_password_check(*, username: str, password: str, client_ip: str) -> User:
    """The first factor. Returns the user, who is *not* signed in until the second factor."""
    username = username.strip()
    _check_not_locked(kind=RL_FAIL_USER, subject=username, field="username", client_ip=client_ip)
    user = User.objects.filter(username=username).first()
    if user is None:
        # Hash anyway so that response time does not reveal which usernames exist.
        User().set_password(password)
    if user is None or not user.check_password(password):
        _record_failure(
            kind=RL_FAIL_USER,
            subject=username,
            client_ip=client_ip,
            user=user,
            method="password",
            reason="password_wrong",
        )
        message = _("Wrong username or password.")
        raise _refuse(message, code="password_wrong", field="password")
    if not uses_staff_signin(user):
        message = _("Applicants sign in with their mobile number and a one-time code.")
        raise _refuse(message, code="use_phone_signin", field="username")
    if not user.is_active:
        raise _refuse(_("This account is disabled."), code="account_disabled", field="username")
    return user


def _totp_step_or_refuse(*, user: User, secret: str, code: str, client_ip: str) -> int:
    code = code.strip()
    if not totp.CODE_RE.match(code):
        message = _("Enter the 6-digit code from your authenticator app.")
        raise _refuse(message, code="totp_format", field="code")
    step = totp.matching_step(secret, code)
    if step is None:
        _record_failure(
            kind=RL_FAIL_USER,
            subject=user.username,
            client_ip=client_ip,
            user=user,
            method="totp",
            reason="totp_wrong",
        )
        raise _refuse(_("Wrong authenticator code."), code="totp_wrong", field="code")
    # One code, one sign-in: someone who watched it being typed cannot reuse it.
    if ratelimit.claim(RL_TOTP_USED, f"{user.pk}:{step}", seconds=120) is not None:
        _record_failure(
            kind=RL_FAIL_USER,
            subject=user.username,
            client_ip=client_ip,
            user=user,
            method="totp",
            reason="totp_replayed",
        )
        message = _("This code was already used. Wait for the next one.")
        raise _refuse(message, code="totp_replayed", field="code")
    return step


def staff_totp_verify(*, user: User, code: str, client_ip: str) -> None:
    """The second factor of an enrolled staff member; traces the completed sign-in."""
    _check_not_locked(kind=RL_FAIL_USER, subject=user.username, field="code", client_ip=client_ip)
    if user.totp_confirmed_at is None:
        message = _("Set up your authenticator app first.")
        raise _refuse(message, code="totp_not_enrolled", field="code")
    _totp_step_or_refuse(user=user, secret=user.totp_secret, code=code, client_ip=client_ip)
    with transaction.atomic():
        _signed_in(user=user, method="password_totp", client_ip=client_ip)
    ratelimit.reset(RL_FAIL_USER, user.username)


def totp_enroll_confirm(*, user: User, secret: str, code: str, client_ip: str) -> None:
    """Store the secret once the user proves their app holds it; this also signs them in."""
    _check_not_locked(kind=RL_FAIL_USER, subject=user.username, field="code", client_ip=client_ip)
    if user.totp_confirmed_at is not None:
        message = _("An authenticator app is already set up for this account.")
        raise _refuse(message, code="totp_already_enrolled", field="code")
    _totp_step_or_refuse(user=user, secret=secret, code=code, client_ip=client_ip)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.totp_confirmed_at is not None:
            message = _("An authenticator app is already set up for this account.")
            raise _refuse(message, code="totp_already_enrolled", field="code")
        locked.totp_secret = secret
        locked.totp_confirmed_at = timezone.now()
        locked.save(update_fields=["totp_secret", "totp_confirmed_at"])
        trace_append(
            chain=user_chain(user),
            action="totp.enrolled",
            actor=Actor.for_user(user),
            payload={"confirmed_at": format_time(locked.totp_confirmed_at)},
        )
        _signed_in(user=user, method="password_totp", client_ip=client_ip)
    user.totp_secret = locked.totp_secret
    user.totp_confirmed_at = locked.totp_confirmed_at
    ratelimit.reset(RL_FAIL_USER, user.username)


def totp_reset(*, user: User, actor: Actor) -> None:
    """Forget the second factor (lost phone); the next sign-in enrolls a new one."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None)
        trace_append(chain=user_chain(user), action="totp.reset", actor=actor, payload={})
    user.totp_secret = ""
    user.totp_confirmed_at = None


# --- One-time sign-in links --------------------------------------------------


def _token_hash(token: str) -> str:
    # The token has 256 random bits: a plain hash suffices.
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _is_local_path(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def signin_link_create(
    *,
    user: User,
    next_url: str,
    ttl: timedelta,
    demo: bool = False,
    actor: Actor | None = None,
) -> str:
    """A one-time sign-in link for ``user`` to ``next_url`` (a local path); returns its path.

    ``demo`` (only with ACCORD_DEMO) marks the link so later steps may skip the
    phone confirmation. The token is shown once and stored only as a hash.
    """
    if not _is_local_path(next_url):
        message = _("The next page must be a path on this site.")
        raise _refuse(message, code="next_url_invalid", field="next_url")
    if ttl <= timedelta(0):
        raise _refuse(_("The link must be valid for some time."), code="ttl_invalid", field="ttl")
    if demo and not settings.ACCORD_DEMO:
        message = _("Demo links exist only in demo mode.")
        raise _refuse(message, code="demo_disabled", field="demo")
    if not user.is_active:
        raise _refuse(_("This account is disabled."), code="account_disabled", field="user")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        link = SignInLink.objects.create(
            user=user,
            token_hash=_token_hash(token),
            next_url=next_url,
            created_at=now,
            expires_at=now + ttl,
            is_demo=demo,
        )
        trace_append(
            chain=user_chain(user),
            action="signin_link.created",
            actor=actor or Actor.system("accounts"),
            payload={
                "link_id": link.pk,
                "next_url": next_url,
                "expires_at": format_time(link.expires_at),
                "demo": demo,
            },
        )
    # Unprefixed (default-language) path: the visitor's language choice then applies.
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("accounts:link", kwargs={"token": token})


def signin_link_use(*, token: str, client_ip: str) -> SignInLink:
    """Spend a link; returns it (with its user) for the caller to log the session in."""
    with transaction.atomic():
        link = (
            SignInLink.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(token_hash=_token_hash(token))
            .first()
        )
        if link is None:
            raise SignInLinkUnavailable(
                _("This sign-in link is not valid. Check that you copied all of it."),
                code="link_unknown",
                http_status=status.HTTP_404_NOT_FOUND,
            )
        if link.used_at is not None:
            raise SignInLinkUnavailable(
                _("This sign-in link has already been used. Each link works only once."),
                code="link_used",
                http_status=status.HTTP_410_GONE,
            )
        if link.expires_at <= timezone.now() or not link.user.is_active:
            raise SignInLinkUnavailable(
                _("This sign-in link has expired. Ask for a new one."),
                code="link_expired",
                http_status=status.HTTP_410_GONE,
            )
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        _signed_in(
            user=link.user,
            method="link",
            client_ip=client_ip,
            extra={"link_id": link.pk, "demo": link.is_demo},
        )
    return link
