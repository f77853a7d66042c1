# mypy: disable-error-code="arg-type, misc, return-value"
# (factory_boy calls are typed as their factories: the same relief tests/*/factories.py get.)
"""A crafted world for the statistics: two regions, their organizations and known cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from accord.accounts.models import User
from accord.analytics.figures import Period
from accord.cases.models import Case
from accord.orgs.models import Membership, Organization, OrgKind, Role
from tests.analytics.builders import make_case, make_memorandum, make_proposal
from tests.factories import (
    InstitutionFactory,
    MediationOrgFactory,
    OrganizationFactory,
    UserFactory,
)

PERIOD = Period(dt.date(2026, 3, 1), dt.date(2026, 5, 31))
D = dt.date


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def member(role: str, organization: Organization, username: str, name: str = "") -> User:
    user = UserFactory(username=username, display_name=name or username)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@dataclass
class World:
    org: Organization  # a mediation organization in 上海
    far_org: Organization  # one in 北京
    bank: Organization
    other_bank: Organization
    regulator: Organization  # 上海
    far_regulator: Organization  # 北京
    court: Organization  # 上海
    mia: User
    max_: User
    cases: dict[str, Case]


@pytest.fixture
def world(db: object) -> World:
    org = MediationOrgFactory(code="SHM", name="上海金融调解中心", region="上海")
    far_org = MediationOrgFactory(code="BJM", name="北京金融调解中心", region="北京")
    bank = InstitutionFactory(code="BANKA", name="甲银行")
    other_bank = InstitutionFactory(code="BANKB", name="乙银行")
    regulator = OrganizationFactory(
        code="SHREG", name="上海监管局", kind=OrgKind.REGULATOR, region="上海"
    )
    far_regulator = OrganizationFactory(
        code="BJREG", name="北京监管局", kind=OrgKind.REGULATOR, region="北京"
    )
    court = OrganizationFactory(
        code="SHCRT", name="上海金融法院", kind=OrgKind.COURT, region="上海"
    )
    mia = member(Role.MEDIATOR, org, "mia", "米娅")
    max_ = member(Role.MEDIATOR, org, "max", "马克")
    cases = {
        "c1": make_case(
            org,
            bank,
            received=D(2026, 3, 5),
            product=" Credit  Card ",
            complexity="simple",
            mediator=mia,
            accepted=D(2026, 3, 6),
            outcome=("agreement", D(2026, 3, 20)),
            due_on=D(2026, 3, 25),
        ),
        "c2": make_case(
            org,
            bank,
            received=D(2026, 3, 10),
            channel="regulator",
            referred_by=regulator,
            business_type="insurance",
            product="credit card",
            complexity="simple",
            mediator=max_,
            accepted=D(2026, 3, 11),
            outcome=("failed", D(2026, 5, 1)),
            due_on=D(2026, 4, 10),
        ),
        "c3": make_case(org, bank, received=D(2026, 4, 2), outcome=("declined", D(2026, 4, 3))),
        "c4": make_case(
            org,
            other_bank,
            received=D(2026, 4, 15),
            state="mediating",
            mediator=mia,
            complexity="normal",
            accepted=D(2026, 4, 16),
            due_on=D(2026, 6, 16),
        ),
        "c5": make_case(
            org,
            bank,
            received=D(2026, 2, 10),
            complexity="normal",
            accepted=D(2026, 2, 11),
            outcome=("agreement", D(2026, 3, 15)),
            due_on=D(2026, 3, 1),
        ),
        "c6": make_case(org, bank, received=D(2026, 5, 20), outcome=("agreement", D(2026, 6, 2))),
        # 北京: another region, but the 上海 regulator assigned it there.
        "far": make_case(far_org, bank, received=D(2026, 3, 5)),
        "far_assigned": make_case(
            far_org,
            other_bank,
            received=D(2026, 3, 6),
            channel="regulator",
            referred_by=regulator,
        ),
        "far_entrusted": make_case(
            far_org, other_bank, received=D(2026, 3, 7), channel="court", court=court
        ),
        "far_other": make_case(
            far_org, bank, received=D(2026, 3, 8), channel="regulator", referred_by=far_regulator
        ),
    }
    memorandum = make_memorandum(org, other_bank, mia)
    # One accepted and one waiting proposal at most per case.
    for name, status, day in [
        ("c4", "accepted", D(2026, 4, 20)),
        ("c1", "accepted", D(2026, 3, 12)),
        ("c4", "refused", D(2026, 4, 18)),
        ("c4", "lapsed", D(2026, 4, 19)),
        ("c1", "issued", D(2026, 5, 30)),
        ("c2", "accepted", D(2026, 2, 1)),  # before the period
    ]:
        make_proposal(cases[name], memorandum, status=status, issued=day)
    return World(
        org=org,
        far_org=far_org,
        bank=bank,
        other_bank=other_bank,
        regulator=regulator,
        far_regulator=far_regulator,
        court=court,
        mia=mia,
        max_=max_,
        cases=cases,
    )
