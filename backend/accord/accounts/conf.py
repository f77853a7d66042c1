"""Sign-in limits, read from settings with the defaults used when a setting is absent."""

from __future__ import annotations

from django.conf import settings

# Not (yet) in config/settings.py; overridable there or in tests.
_DEFAULTS = {
    "ACCORD_OTP_MAX_ATTEMPTS": 3,
    "ACCORD_OTP_REQUESTS_PER_IP_PER_HOUR": 30,
    "ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN": 50,
    "ACCORD_STAFF_SECOND_FACTOR_SECONDS": 300,
}

FAILURE_WINDOW_SECONDS = 15 * 60
REQUEST_WINDOW_SECONDS = 60 * 60


def _int(name: str) -> int:
    return int(getattr(settings, name, _DEFAULTS[name]))


def otp_ttl_seconds() -> int:
    return int(settings.ACCORD_OTP_TTL_SECONDS)


def otp_requests_per_hour() -> int:
    return int(settings.ACCORD_OTP_REQUESTS_PER_HOUR)


def otp_resend_seconds() -> int:
    return int(settings.ACCORD_OTP_RESEND_SECONDS)


def otp_max_attempts() -> int:
    return _int("ACCORD_OTP_MAX_ATTEMPTS")


def otp_requests_per_ip_per_hour() -> int:
    return _int("ACCORD_OTP_REQUESTS_PER_IP_PER_HOUR")


def failures_per_15min() -> int:
    return int(settings.ACCORD_SIGNIN_FAILURES_PER_15MIN)


def failures_per_ip_per_15min() -> int:
    return _int("ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN")


def second_factor_seconds() -> int:
    """How long a correct password waits for its second factor."""
    return _int("ACCORD_STAFF_SECOND_FACTOR_SECONDS")


def totp_issuer() -> str:
    return str(settings.ACCORD_TOTP_ISSUER)
