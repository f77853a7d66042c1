# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""Two regions: AMC (上海市) and BMC (北京市) mediate; BANK and INS are the institutions; AREG and
BREG regulate the two regions. ``file_cases`` files cases through the case services and dates
them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accord.accounts.models import User
from accord.cases import services
from accord.cases.models import Case
from accord.orgs.models import Organization, Role
from tests.cases.conftest import _english, alice, as_org, evidence_bucket, member
from tests.cases.factories import RegulatorFactory, make_application
from tests.factories import InstitutionFactory, MediationOrgFactory, UserFactory

COMPLAINT = (
    "本人于今年三月在贵行网点购买稳盈一号理财产品，销售人员承诺保本保收益，"
    "但未告知产品风险等级，到期后本金亏损百分之三十，请求贵行赔偿全部本金损失。"
)


@pytest.fixture
def amc(db) -> Organization:
    return as_org(MediationOrgFactory(code="AMC", name="上海调解中心", region="上海市"))


@pytest.fixture
def bmc(db) -> Organization:
    return as_org(MediationOrgFactory(code="BMC", name="北京调解中心", region="北京市"))


@pytest.fixture
def bank(db) -> Organization:
    return as_org(InstitutionFactory(code="BANK", name="示例银行"))


@pytest.fixture
def ins(db) -> Organization:
    return as_org(InstitutionFactory(code="INS", name="示例保险", sector="insurance"))


@pytest.fixture
def areg(db) -> Organization:
    return as_org(RegulatorFactory(code="AREG", name="上海监管局", region="上海市"))


@pytest.fixture
def breg(db) -> Organization:
    return as_org(RegulatorFactory(code="BREG", name="北京监管局", region="北京市"))


@pytest.fixture
def olga(areg) -> User:
    return member(UserFactory(username="olga"), Role.REGULATOR_OFFICER, areg)


@pytest.fixture
def boris(breg) -> User:
    return member(UserFactory(username="boris"), Role.REGULATOR_OFFICER, breg)


@pytest.fixture
def ada(amc) -> User:
    return member(UserFactory(username="ada"), Role.ORG_ADMIN, amc)


@pytest.fixture
def bea(bmc) -> User:
    return member(UserFactory(username="bea"), Role.ORG_ADMIN, bmc)


@pytest.fixture
def ben(bank) -> User:
    return member(UserFactory(username="ben"), Role.INSTITUTION_STAFF, bank)


@pytest.fixture
def ivy(ins) -> User:
    return member(UserFactory(username="ivy"), Role.INSTITUTION_STAFF, ins)


@pytest.fixture
def root(db) -> User:
    return member(UserFactory(username="root"), Role.SYSADMIN, None)


@pytest.fixture
def file_cases(alice) -> Callable[..., list[Case]]:
    """``n`` cases at ``organization`` against ``respondent``, created ``days_ago`` days ago."""

    def file(
        n: int,
        *,
        organization: Organization,
        respondent: Organization,
        days_ago: int = 0,
        text: str = COMPLAINT,
        numbered: bool = False,
        **overrides: Any,
    ) -> list[Case]:
        made = []
        for i in range(n):
            description = f"{text}（第{i}件，{days_ago}天前）" if numbered else text
            application = make_application(
                organization=organization,
                respondent=respondent,
                description=description,
                **overrides,
            )
            made.append(services.case_apply(applicant=alice, application=application))
        when = timezone.now() - dt.timedelta(days=days_ago)
        Case.objects.filter(pk__in=[c.pk for c in made]).update(created_at=when)
        return made

    return file
