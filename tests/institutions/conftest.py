# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""The institutions tests reuse the case tests' cast (alice applies against BANK through FMC,
ada administers FMC, mia mediates, ben is BANK's staff) and add INS's staff (ivy), BANK's
administrator (bea) and a chain reader."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.orgs.models import Organization, Role
from tests.cases.conftest import (
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    drive,
    evidence_bucket,
    member,
    mia,
    org,
    other_bank,
    other_org,
)
from tests.factories import UserFactory


@pytest.fixture
def ivy(other_bank) -> User:
    """Staff of INS, the other institution: no business with BANK."""
    return member(
        UserFactory(username="ivy", display_name="Ivy"), Role.INSTITUTION_STAFF, other_bank
    )


@pytest.fixture
def bea(bank) -> User:
    """BANK's administrator (not staff)."""
    return member(UserFactory(username="bea", display_name="Bea"), Role.ORG_ADMIN, bank)


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def events_of(organization: Organization, prefix: str = "") -> list[TraceEvent]:
    organization.refresh_from_db()
    if organization.chain is None:
        return []
    return list(
        TraceEvent.objects.filter(chain=organization.chain, action__startswith=prefix).order_by(
            "seq"
        )
    )


def payloads(organization: Organization, prefix: str = "") -> list[dict[str, Any]]:
    return [event.payload for event in events_of(organization, prefix)]
