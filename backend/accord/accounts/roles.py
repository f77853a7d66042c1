"""What accounts needs to know of the roles the layer above (``accord.orgs``) grants, without
importing it: whether a user holds a staff role (staff sign in with password and TOTP), and
making sure an applicant holds the applicant role.

``accord.orgs`` registers both in its ``AppConfig.ready()``; see docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from accord.accounts.models import User

StaffCheck = Callable[[User | AnonymousUser], bool]
ApplicantRoleEnsurer = Callable[[User], bool]

_staff_checks: list[StaffCheck] = []
_applicant_role: list[ApplicantRoleEnsurer] = []


def register_staff_check(check: StaffCheck) -> None:
    if check not in _staff_checks:
        _staff_checks.append(check)


def register_applicant_role(ensure: ApplicantRoleEnsurer) -> None:
    if ensure not in _applicant_role:
        _applicant_role.append(ensure)


def holds_staff_role(user: User | AnonymousUser) -> bool:
    return any(check(user) for check in _staff_checks)


def ensure_applicant_role(user: User) -> bool:
    """Give ``user`` the (active) applicant role; True when something changed.
    Call inside the transaction that creates or signs in the applicant."""
    if not _applicant_role:
        raise ImproperlyConfigured("No applicant role registered (is accord.orgs installed?).")
    changed = False
    for ensure in _applicant_role:
        changed = ensure(user) or changed
    return changed
