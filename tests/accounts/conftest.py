"""Shared fixtures for sign-in tests: a private cache namespace per test, the SMS outbox,
and the cast (alice and bob are staff, charlie has no access, dora is an applicant)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import pyotp
import pytest

from accord.accounts import sms
from accord.accounts.models import SignInCode, SignInLink, User
from accord.audit.models import TraceEvent
from accord.orgs.models import Membership, Organization, Role
from tests.factories import (
    ApplicantFactory,
    MediationOrgFactory,
    MembershipFactory,
    UserFactory,
)

PASSWORD = "correct horse battery staple"


# Typed wrappers: mypy sees a factory call as returning the factory.
def make_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def make_applicant(**fields: Any) -> User:
    # "!" marks an unusable password; ApplicantFactory's own ``password = None`` hits NOT NULL.
    return cast(User, ApplicantFactory(password="!unusable", **fields))


def make_org(factory: type[Any] = MediationOrgFactory, **fields: Any) -> Organization:
    return cast(Organization, factory(**fields))


IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def _private_cache(private_cache: None) -> None:
    """Every accounts test counts its rate limits afresh (see tests/conftest.py)."""


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Hashing strength is not under test here; PBKDF2 would make each sign-in take ~0.2 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def outbox(settings: Any) -> list[sms.SmsMessage]:
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.OutboxSmsBackend"
    sms.outbox.clear()
    return sms.outbox


def last_code(outbox: list[sms.SmsMessage], phone: str | None = None) -> str:
    messages = [m for m in outbox if phone is None or m.phone == phone]
    assert messages, "no SMS was sent"
    match = re.search(r"\b(\d{6})\b", messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)


def counts() -> dict[str, int]:
    """What a refused request must leave unchanged."""
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "codes": SignInCode.objects.count(),
        "used_codes": SignInCode.objects.exclude(used_at=None).count(),
        "links": SignInLink.objects.count(),
        "used_links": SignInLink.objects.exclude(used_at=None).count(),
        "events": TraceEvent.objects.count(),
    }


@contextmanager
def nothing_written(**expected_changes: int) -> Iterator[None]:
    """Assert that nothing but ``expected_changes`` (e.g. ``events=1``) was written."""
    before = counts()
    yield
    after = counts()
    wanted = {name: before[name] + expected_changes.get(name, 0) for name in before}
    assert after == wanted


def actions(user: User) -> list[str]:
    user.refresh_from_db()
    if user.chain_id is None:
        return []
    return list(
        TraceEvent.objects.filter(chain_id=user.chain_id)
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.fixture
def org(db: Any) -> Organization:
    return make_org(code="MEDA", name="甲金融纠纷调解中心")


@pytest.fixture
def alice(org: Organization) -> User:
    """Staff with a confirmed second factor: an administrator of ``org``."""
    user = make_user(username="alice", display_name="Alice", totp_secret=pyotp.random_base32())
    user.totp_confirmed_at = user.date_joined
    user.save()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def bob(org: Organization) -> User:
    """Staff without a second factor yet: a mediator of ``org``."""
    user = make_user(username="bob", display_name="Bob", phone="13700000002")
    MembershipFactory(user=user, organization=org, role=Role.MEDIATOR)
    return user


@pytest.fixture
def dora(db: Any) -> User:
    """An applicant."""
    return make_applicant(phone="13900000004", display_name="Dora")


def totp_now(user: User) -> str:
    return str(pyotp.TOTP(user.totp_secret).now())


def wrong_totp(secret: str) -> str:
    """A well-formed code that is not valid now (nor two steps either side)."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    valid = {totp.generate_otp(step + offset) for offset in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
