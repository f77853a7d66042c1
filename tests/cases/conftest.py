"""The cast of the case tests, a way to drive a case into any state, and a
snapshot of everything an intake or upload could write (to prove a refusal
wrote nothing).

alice applies; bob is another applicant; ada administers the mediation
organization FMC; mia and max are its mediators; ben is staff of BANK (the
respondent); olga is a regulator officer; cleo a court clerk; charlie holds
roles elsewhere only and must see nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from accord.accounts.models import User
from accord.audit.models import TraceChain, TraceEvent
from accord.cases import services
from accord.cases.models import Case, CaseCounter, CaseState, Consultation, Material
from accord.core.storage import ensure_buckets, s3_client
from accord.orgs.models import Membership, Organization, Role
from tests.cases.factories import (
    CaseApplicantFactory,
    CourtFactory,
    PeoplesMediationFactory,
    RegulatorFactory,
    make_application,
)
from tests.factories import (
    InstitutionFactory,
    MediationOrgFactory,
    UserFactory,
)


@pytest.fixture(scope="session", autouse=True)
def evidence_bucket() -> Iterator[str]:
    """The evidence bucket, one per xdist worker: each worker has its own database,
    so case numbers (and with them object keys) repeat across workers."""
    original: str = settings.S3_BUCKET_EVIDENCE
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    bucket = f"{original}-{worker}" if worker else original
    settings.S3_BUCKET_EVIDENCE = bucket
    ensure_buckets([bucket])
    yield bucket
    settings.S3_BUCKET_EVIDENCE = original


def as_org(made: object) -> Organization:
    """A factory's product, typed (factory_boy's calls return the factory type)."""
    assert isinstance(made, Organization)
    return made


def as_user(made: object) -> User:
    assert isinstance(made, User)
    return made


def member(user: object, role: Role, organization: object | None) -> User:
    user = as_user(user)
    organization = as_org(organization) if organization is not None else None
    Membership.objects.get_or_create(user=user, organization=organization, role=role)
    return user


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service-level tests compare messages in their English source form.
    Requests get their language from the URL: pages under /en/ are English,
    everything else is in the default language (zh-hans)."""
    with translation.override("en"):
        yield


@pytest.fixture
def org(db) -> Organization:
    return as_org(MediationOrgFactory(code="FMC", name="金融纠纷调解中心"))


@pytest.fixture
def other_org(db) -> Organization:
    return as_org(PeoplesMediationFactory())


@pytest.fixture
def bank(db) -> Organization:
    return as_org(InstitutionFactory(code="BANK", name="示例银行"))


@pytest.fixture
def other_bank(db) -> Organization:
    return as_org(InstitutionFactory(code="INS", name="示例保险", sector="insurance"))


@pytest.fixture
def regulator(db) -> Organization:
    return as_org(RegulatorFactory())


@pytest.fixture
def court(db) -> Organization:
    return as_org(CourtFactory())


@pytest.fixture
def alice(db) -> User:
    return as_user(CaseApplicantFactory(phone="13900000001", display_name="Alice"))


@pytest.fixture
def bob(db) -> User:
    return as_user(CaseApplicantFactory(phone="13900000002", display_name="Bob"))


@pytest.fixture
def ada(org) -> User:
    return member(UserFactory(username="ada", display_name="Ada"), Role.ORG_ADMIN, org)


@pytest.fixture
def mia(org) -> User:
    return member(UserFactory(username="mia", display_name="Mia"), Role.MEDIATOR, org)


@pytest.fixture
def max_(org) -> User:
    return member(UserFactory(username="max", display_name="Max"), Role.MEDIATOR, org)


@pytest.fixture
def ben(bank) -> User:
    return member(UserFactory(username="ben", display_name="Ben"), Role.INSTITUTION_STAFF, bank)


@pytest.fixture
def olga(regulator) -> User:
    return member(UserFactory(username="olga"), Role.REGULATOR_OFFICER, regulator)


@pytest.fixture
def cleo(court) -> User:
    return member(UserFactory(username="cleo"), Role.COURT_CLERK, court)


@pytest.fixture
def charlie(other_org) -> User:
    """Administrator and mediator elsewhere, staff of a third bank: no business here."""
    user = as_user(UserFactory(username="charlie", display_name="Charlie"))
    member(user, Role.ORG_ADMIN, other_org)
    member(user, Role.MEDIATOR, other_org)
    member(user, Role.INSTITUTION_STAFF, InstitutionFactory(code="THIRD", name="第三银行"))
    return user


@pytest.fixture
def application(org, bank) -> Callable[..., services.CaseApplication]:
    def build(**overrides: Any) -> services.CaseApplication:
        return make_application(**{"organization": org, "respondent": bank, **overrides})

    return build


@pytest.fixture
def case(alice, application) -> Case:
    return services.case_apply(applicant=alice, application=application())


@pytest.fixture
def drive(alice, ada, mia) -> Callable[[Case, CaseState], Case]:
    """Move a freshly submitted case into ``state`` through the services."""

    paths: dict[CaseState, list[tuple[User, CaseState, dict[str, Any]]]] = {
        CaseState.SUBMITTED: [],
        CaseState.ACCEPTED: [(ada, CaseState.ACCEPTED, {})],
        CaseState.DECLINED: [(ada, CaseState.DECLINED, {"reason": "不属于受理范围"})],
    }
    paths[CaseState.ASSIGNED] = [
        *paths[CaseState.ACCEPTED],
        (ada, CaseState.ASSIGNED, {"mediator": mia}),
    ]
    paths[CaseState.MEDIATING] = [*paths[CaseState.ASSIGNED], (mia, CaseState.MEDIATING, {})]
    for outcome in (CaseState.AGREEMENT, CaseState.FAILED, CaseState.TERMINATED):
        paths[outcome] = [*paths[CaseState.MEDIATING], (mia, outcome, {"reason": "结果"})]
    # Withdrawn late, so that the case has a mediator who may close it.
    paths[CaseState.WITHDRAWN] = [*paths[CaseState.MEDIATING], (alice, CaseState.WITHDRAWN, {})]
    paths[CaseState.CLOSED] = [*paths[CaseState.AGREEMENT], (mia, CaseState.CLOSED, {})]

    def go(case: Case, state: CaseState) -> Case:
        assert case.state == CaseState.SUBMITTED
        for user, to, extra in paths[state]:
            services.case_transition(case=case, user=user, to=to, **extra)
        assert case.state == state
        return case

    return go


def api_client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


# --- "Nothing was written" ---------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    cases: int
    counters: tuple[tuple[int, int, int], ...]
    chains: int
    events: int
    consultations: tuple[tuple[int, str], ...]
    evidence: int
    objects: frozenset[str]


def list_objects(prefix: str = "cases/") -> frozenset[str]:
    bucket = settings.S3_BUCKET_EVIDENCE
    return frozenset(
        str(obj.object_name) for obj in s3_client().list_objects(bucket, prefix, recursive=True)
    )


def snapshot(object_prefix: str = "cases/") -> Snapshot:
    """Every table a case service writes, and the evidence objects under a prefix.
    (The bucket outlives test databases, so compare snapshots, not absolutes.)"""
    assert connection.vendor in {"postgresql", "sqlite"}
    return Snapshot(
        cases=Case.objects.count(),
        counters=tuple(
            CaseCounter.objects.order_by("organization_id", "year").values_list(
                "organization_id", "year", "last_seq"
            )
        ),
        chains=TraceChain.objects.count(),
        events=TraceEvent.objects.count(),
        consultations=tuple(Consultation.objects.order_by("id").values_list("id", "status")),
        evidence=Material.objects.count(),
        objects=list_objects(object_prefix),
    )


def issue_failure_notice(case: Case, user: User) -> None:
    """The failure notice the outcomes app requires before a failed or terminated case is
    closed (R14): for tests of the whole procedure that close such a case."""
    from accord.outcomes.services import failure_notice_issue

    ensure_buckets([settings.S3_BUCKET_DOCUMENTS])
    failure_notice_issue(
        case=case, user=user, advice="建议双方通过诉讼解决争议。", routes=["litigation"]
    )
