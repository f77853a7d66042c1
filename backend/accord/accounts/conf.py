"""Sign-in limits, read from settings with the defaults used when a setting is absent."""

from __future__ import annotations

from django.conf import settings

# Not (yet) in config/settings.py; overridable there or in tests.
_DEFAULTS = {
    "ACCORD_OTP_MAX_ATTEMPTS": 3,
    "ACCORD_OTP_REQUESTS_PER_IP_PER_HOUR": 30,
    "ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN": 50,
    "ACCORD_STAFF_SECOND_FACTOR_SECONDS": 300,
    "ACCORD_SIGNIN_LOCK_BASE_SECONDS": 60,
    "ACCORD_SIGNIN_LOCK_MAX_SECONDS": 3600,
    "ACCORD_SIGNIN_ACCOUNT_FAILURES_PER_15MIN": 20,
    "ACCORD_TOTP_ENROL_WINDOW_SECONDS": 600,
    "ACCORD_STAFF_SESSION_MAX_SECONDS": 12 * 3600,
    "ACCORD_STAFF_SESSION_IDLE_SECONDS": 30 * 60,
    "ACCORD_APPLICANT_SESSION_SECONDS": 24 * 3600,
    "ACCORD_APPLICANT_SESSION_IDLE_SECONDS": 2 * 3600,
    "ACCORD_PWNED_PASSWORDS_TIMEOUT_SECONDS": 3,
}

FAILURE_WINDOW_SECONDS = 15 * 60
# How long the failures of one (account, address) pair are remembered: long enough for the
# backoff to keep doubling up to its cap (it restarts only after a day without failures).
PAIR_MEMORY_SECONDS = 24 * 3600
# The session's last-seen time is written at most this often (not on every request).
SESSION_TOUCH_SECONDS = 60
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


def lock_base_seconds() -> int:
    """The first lock of an (account, address) pair; each further failure doubles it."""
    return _int("ACCORD_SIGNIN_LOCK_BASE_SECONDS")


def lock_max_seconds() -> int:
    return _int("ACCORD_SIGNIN_LOCK_MAX_SECONDS")


def account_failures_per_15min() -> int:
    """Failures of one account from everywhere past which it counts as under attack."""
    return _int("ACCORD_SIGNIN_ACCOUNT_FAILURES_PER_15MIN")


def totp_enrol_window_seconds() -> int:
    """How long after a correct password an authenticator app may be enrolled."""
    return _int("ACCORD_TOTP_ENROL_WINDOW_SECONDS")


def staff_session_max_seconds() -> int:
    return _int("ACCORD_STAFF_SESSION_MAX_SECONDS")


def staff_session_idle_seconds() -> int:
    return _int("ACCORD_STAFF_SESSION_IDLE_SECONDS")


def applicant_session_seconds() -> int:
    return _int("ACCORD_APPLICANT_SESSION_SECONDS")


def applicant_session_idle_seconds() -> int:
    return _int("ACCORD_APPLICANT_SESSION_IDLE_SECONDS")


def pwned_passwords_url() -> str:
    return str(getattr(settings, "ACCORD_PWNED_PASSWORDS_URL", "") or "")


def pwned_passwords_timeout_seconds() -> int:
    return _int("ACCORD_PWNED_PASSWORDS_TIMEOUT_SECONDS")
