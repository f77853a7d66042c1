# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""The joint-meeting tests reuse the case tests' cast (alice applies against BANK at FMC, ada
administers FMC, ben is BANK's staff) in the region 上海市, with a regulator there (REG, olga
is its officer, otto audits it), a court there (CRT, cleo is its clerk), a regulator of another
region (REG2, rita) and a mediation organization elsewhere (PMC, charlie) with its own case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accord.accounts.models import User
from accord.alerts.models import Alert, AlertKind, SeriesKind
from accord.cases import services as case_services
from accord.cases.models import Case
from accord.meetings.models import JointMeeting
from accord.meetings.services.meetings import MeetingInput, meeting_create
from accord.orgs.models import Organization, Role
from tests.cases.conftest import (
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    case,
    charlie,
    evidence_bucket,
    member,
    org,
    other_org,
)
from tests.cases.factories import CourtFactory, RegulatorFactory, make_application
from tests.factories import UserFactory

REGION = "上海市"


def as_org(made: object) -> Organization:
    assert isinstance(made, Organization)
    return made


@pytest.fixture
def region_org(org: Organization) -> Organization:
    Organization.objects.filter(pk=org.pk).update(region=REGION)
    org.refresh_from_db()
    return org


@pytest.fixture
def regulator(db: Any) -> Organization:
    return as_org(RegulatorFactory(code="REG", name="上海金融监管局", region=REGION))


@pytest.fixture
def far_regulator(db: Any) -> Organization:
    return as_org(RegulatorFactory(code="REG2", name="北京金融监管局", region="北京市"))


@pytest.fixture
def court(db: Any) -> Organization:
    return as_org(CourtFactory(code="CRT", name="上海金融法院", region=REGION))


@pytest.fixture
def olga(regulator: Organization) -> User:
    return member(
        UserFactory(username="olga", display_name="Olga"), Role.REGULATOR_OFFICER, regulator
    )


@pytest.fixture
def otto(regulator: Organization) -> User:
    return member(UserFactory(username="otto", display_name="Otto"), Role.AUDITOR, regulator)


@pytest.fixture
def cleo(court: Organization) -> User:
    return member(UserFactory(username="cleo", display_name="Cleo"), Role.COURT_CLERK, court)


@pytest.fixture
def rita(far_regulator: Organization) -> User:
    return member(
        UserFactory(username="rita", display_name="Rita"), Role.REGULATOR_OFFICER, far_regulator
    )


@pytest.fixture
def outsider(db: Any) -> User:
    made = UserFactory(username="nobody", display_name="Nobody")
    assert isinstance(made, User)
    return made


@pytest.fixture
def local_case(region_org: Organization, case: Case) -> Case:
    """alice's case at FMC, in the regulator's region."""
    return case


@pytest.fixture
def far_case(other_org: Organization, alice: User, bank: Organization) -> Case:
    """A case at PMC (no region): outside the regulator's scope."""
    application = make_application(organization=other_org, respondent=bank)
    return case_services.case_apply(applicant=alice, application=application)


def make_alert(cases: list[Case], *, key: str) -> Alert:
    today = timezone.localdate()
    alert = Alert.objects.create(
        kind=AlertKind.SURGE,
        series=SeriesKind.INSTITUTION,
        series_key=key,
        window_start=today - dt.timedelta(days=7),
        window_end=today,
        observed=len(cases),
    )
    alert.cases.set(cases)
    return alert


def meeting_input(**overrides: Any) -> MeetingInput:
    values: dict[str, Any] = {
        "title": "第一季度金融纠纷联席会议",
        "starts_at": timezone.now() - dt.timedelta(hours=2),
        "place": "监管局三楼会议室",
        "agenda": "通报理财纠纷情况",
    }
    values.update(overrides)
    return MeetingInput(**values)


@pytest.fixture
def meeting(regulator: Organization, olga: User) -> JointMeeting:
    return meeting_create(organization=regulator, data=meeting_input(), by=olga)
