"""Writes about accounts: applicants and staff, sign-in codes, the second factor, sign-in links.

Every refusal raises :class:`~accord.core.api.ServiceError` (or a subclass) with
a stable ``code`` and, where a form field is at fault, ``fields``. A refusal
writes nothing to the database, with one deliberate exception: a failed
sign-in to a *known* account appends ``signin.failed`` to that user's chain,
because the account holder and auditors need to see attacks on it. Counters
(attempts, lockouts, rate limits) live in Redis.
"""

from accord.accounts.services.accounts import applicant_get_or_create, staff_create, user_chain
from accord.accounts.services.erasure import Erasure, person_erasable_after, person_erase
from accord.accounts.services.errors import RateLimited
from accord.accounts.services.signin_codes import signin_code_request, signin_code_verify
from accord.accounts.services.signin_links import (
    SignInLinkUnavailable,
    signin_link_check,
    signin_link_create,
    signin_link_use,
)
from accord.accounts.services.staff_signin import (
    staff_password_check,
    staff_totp_verify,
    totp_enroll_confirm,
    totp_provision,
    totp_reset,
    totp_reset_by_admin,
)

__all__ = [
    "Erasure",
    "RateLimited",
    "SignInLinkUnavailable",
    "applicant_get_or_create",
    "person_erasable_after",
    "person_erase",
    "signin_code_request",
    "signin_code_verify",
    "signin_link_check",
    "signin_link_create",
    "signin_link_use",
    "staff_create",
    "staff_password_check",
    "staff_totp_verify",
    "totp_enroll_confirm",
    "totp_provision",
    "totp_reset",
    "totp_reset_by_admin",
    "user_chain",
]
