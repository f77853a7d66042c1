"""Applicants: sign-in with a mobile number and a one-time code sent by SMS."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accord.accounts import conf, ratelimit, totp
from accord.accounts.models import SignInCode, User
from accord.accounts.phones import is_valid_phone, normalize_phone
from accord.accounts.roles import ensure_applicant_role
from accord.accounts.selectors import latest_signin_code, user_by_phone, uses_staff_signin
from accord.accounts.services.accounts import (
    applicant_get_or_create,
    seal_for_user,
    user_chain,
)
from accord.accounts.services.errors import refuse
from accord.accounts.services.lockout import (
    RL_CODE_IP,
    RL_CODE_PHONE,
    RL_CODE_RESEND,
    RL_CODE_TRIES,
    RL_FAIL_PHONE,
    SIGNIN_ACTOR,
    check_not_locked,
    record_failure,
    record_success,
    trace_signed_in,
)
from accord.accounts.sms import SmsTemplate, TransportError, send_sms
from accord.audit.services import trace_append
from accord.core.api import ServiceError


def _code_hash(phone: str, code: str) -> str:
    # Keyed: six digits are trivially brute-forced from a plain hash.
    return salted_hmac(
        "accord.accounts.signin-code", f"{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def _valid_phone_orrefuse(raw: str) -> str:
    phone = normalize_phone(raw)
    if not is_valid_phone(phone):
        message = _("Enter an 11-digit mainland mobile number, e.g. 13800138000.")
        raise refuse(message, code="phone_invalid", field="phone")
    return phone


def _is_staff(user: User | None) -> bool:
    """Staff sign in with a password and TOTP, never with a text-message code. The phone
    sign-in answers a staff member's number exactly as any other number (no enumeration of
    staff numbers): a code is stored, but never sent, and never accepted."""
    return user is not None and uses_staff_signin(user)


def signin_code_request(*, phone: str, client_ip: str) -> SignInCode:
    """Send a new 6-digit code to ``phone``; the previous code of that number stops working.

    For a staff member's number the same limits apply and the same record is stored, but no
    text is sent (see :func:`_is_staff`); the caller's answer is the same.
    """
    phone = _valid_phone_orrefuse(phone)
    user = user_by_phone(phone)
    staff = _is_staff(user)
    # The address is counted first so that one client cannot use up other numbers' quotas.
    if ratelimit.hit(RL_CODE_IP, client_ip, window=conf.REQUEST_WINDOW_SECONDS) > (
        conf.otp_requests_per_ip_per_hour()
    ):
        message = _("Too many codes were requested from your network. Try again later.")
        raise refuse(message, code="too_many_requests_ip", limited=True)
    wait = ratelimit.claim(RL_CODE_RESEND, phone, seconds=conf.otp_resend_seconds())
    if wait is not None:
        seconds = int(wait + 0.999)
        message = ngettext(
            "A code was just sent. You can ask for another in %(seconds)d second.",
            "A code was just sent. You can ask for another in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
        raise refuse(message, code="resend_too_soon", field="phone", limited=True)
    if ratelimit.hit(RL_CODE_PHONE, phone, window=conf.REQUEST_WINDOW_SECONDS) > (
        conf.otp_requests_per_hour()
    ):
        message = _("Too many codes were requested for this number. Try again in an hour.")
        raise refuse(message, code="too_many_requests", field="phone", limited=True)

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
                        "phone": seal_for_user(user, "phone", phone),
                        "client_ip": seal_for_user(user, "client_ip", client_ip),
                        "sent": not staff,
                    },
                )
            # Sent inside the transaction: if the gateway fails, no code is stored.
            minutes = max(1, ttl // 60)
            if not staff:
                send_sms(
                    phone=phone,
                    message=_(
                        "Your Accord sign-in code is %(code)s. It expires in %(minutes)d minutes. "
                        "Do not share it with anyone."
                    )
                    % {"code": code, "minutes": minutes},
                    template=SmsTemplate.of("signin_code", code=code, minutes=minutes),
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
    phone = _valid_phone_orrefuse(phone)
    check_not_locked(kind=RL_FAIL_PHONE, subject=phone, field="phone", client_ip=client_ip)
    code = code.strip()
    if not totp.CODE_RE.match(code):
        raise refuse(
            _("Enter the 6-digit code from the text message."), code="code_format", field="code"
        )
    user = user_by_phone(phone)
    staff = _is_staff(user)
    record = latest_signin_code(phone)
    if record is None:
        message = _("No code has been sent to this number. Ask for a code first.")
        raise refuse(message, code="code_missing", field="code")
    if record.used_at is not None:
        # A replayed code may have leaked: it counts as a failed sign-in.
        record_failure(
            kind=RL_FAIL_PHONE,
            subject=phone,
            client_ip=client_ip,
            user=user,
            method="sms_code",
            reason="code_used",
        )
        message = _("This code has already been used. Ask for a new code.")
        raise refuse(message, code="code_used", field="code")
    if record.expires_at <= timezone.now():
        raise refuse(
            _("This code has expired. Ask for a new code."), code="code_expired", field="code"
        )
    tries = ratelimit.hit(RL_CODE_TRIES, str(record.pk), window=conf.otp_ttl_seconds())
    if tries > conf.otp_max_attempts():
        message = _("Too many wrong tries for this code. Ask for a new code.")
        raise refuse(message, code="code_attempts", field="code", limited=True)
    # A staff number's code was never sent: it fails as a wrong code would, whatever is typed.
    if staff or not secrets.compare_digest(record.code_hash, _code_hash(phone, code)):
        record_failure(
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
        raise refuse(message, code="code_wrong", field="code")
    if user is not None and not user.is_active:
        raise refuse(_("This account is disabled."), code="account_disabled", field="phone")

    with transaction.atomic():
        locked = SignInCode.objects.select_for_update().get(pk=record.pk)
        if locked.used_at is not None:  # used by a concurrent request a moment ago
            message = _("This code has already been used. Ask for a new code.")
            raise refuse(message, code="code_used", field="code")
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        if user is None:
            user, _created = applicant_get_or_create(phone=phone)
        else:
            ensure_applicant_role(user)
        trace_signed_in(user=user, method="sms_code", client_ip=client_ip)
    record_success(kind=RL_FAIL_PHONE, subject=phone, client_ip=client_ip)
    return user
