"""The cast for organization admin: alice administers ``org`` (and ``bank`` when asked for),
bob is a mediator there, charlie is staff elsewhere with no access."""

from __future__ import annotations

from typing import Any

import pytest

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.orgs.models import Organization, Role
from tests.accounts.conftest import (  # noqa: F401 (fixtures, shared)
    _fast_passwords,
    _private_cache,
    alice,
    bob,
    dora,
    make_org,
    make_user,
    org,
    outbox,
)
from tests.factories import InstitutionFactory, MembershipFactory


@pytest.fixture
def charlie(db: Any) -> User:
    user = make_user(username="charlie", display_name="Charlie")
    other = make_org(InstitutionFactory, code="BANKZ", name="另一家银行")
    MembershipFactory(user=user, organization=other, role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def bank(alice: User) -> Organization:  # noqa: F811 (the fixture, imported above)
    institution = make_org(InstitutionFactory, code="BANKA", name="甲银行")
    MembershipFactory(user=alice, organization=institution, role=Role.ORG_ADMIN)
    return institution


def org_actions(organization: Organization) -> list[str]:
    organization.refresh_from_db()
    if organization.chain_id is None:
        return []
    return list(
        TraceEvent.objects.filter(chain_id=organization.chain_id)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def last_event(organization: Organization) -> TraceEvent:
    organization.refresh_from_db()
    return TraceEvent.objects.filter(chain_id=organization.chain_id).latest("seq")
