# ruff: noqa: F811  (pytest fixtures are imported, then used as parameters)
"""The outcome tests reuse the case tests' cast (alice applies against BANK, ada administers
FMC, mia mediates, ben is BANK's staff, cleo a clerk of the court CRT, charlie has no business
here) and add a notary office with its notary nora, another office with nick, an arbitration
commission, another court's clerk, and agreements that took effect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.cases import services as case_services
from accord.cases.models import Case, CaseState
from accord.documents.models import DocumentVersion
from accord.documents.services import document_draft
from accord.orgs.models import Organization, OrgKind, Role
from accord.outcomes.models import SealedAgreement
from accord.outcomes.services.performance import performance_open
from tests.cases.conftest import (  # noqa: F401  (fixtures)
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    bob,
    case,
    charlie,
    cleo,
    court,
    drive,
    evidence_bucket,
    member,
    mia,
    org,
    other_bank,
    other_org,
)
from tests.cases.factories import make_application
from tests.factories import OrganizationFactory, UserFactory


def as_org(made: object) -> Organization:
    assert isinstance(made, Organization)
    return made


@pytest.fixture
def notary_office(db: Any) -> Organization:
    return as_org(OrganizationFactory(kind=OrgKind.NOTARY_OFFICE, code="NOTARY", name="示例公证处"))


@pytest.fixture
def other_office(db: Any) -> Organization:
    return as_org(
        OrganizationFactory(kind=OrgKind.NOTARY_OFFICE, code="NOTARY2", name="另一公证处")
    )


@pytest.fixture
def arbitration(db: Any) -> Organization:
    return as_org(OrganizationFactory(kind=OrgKind.ARBITRATION, code="ARB", name="示例仲裁委员会"))


@pytest.fixture
def other_court(db: Any) -> Organization:
    return as_org(OrganizationFactory(kind=OrgKind.COURT, code="CRT2", name="另一法院"))


@pytest.fixture
def nora(notary_office: Organization) -> User:
    return member(UserFactory(username="nora", display_name="Nora"), Role.NOTARY, notary_office)


@pytest.fixture
def nick(other_office: Organization) -> User:
    return member(UserFactory(username="nick", display_name="Nick"), Role.NOTARY, other_office)


@pytest.fixture
def clara(other_court: Organization) -> User:
    """A clerk of another court."""
    return member(UserFactory(username="clara"), Role.COURT_CLERK, other_court)


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def agreement_fields(**overrides: Any) -> dict[str, Any]:
    """An agreement by which BANK pays alice 1,200.00 yuan in 10 days and alice withdraws her
    complaint in 5 (the shape of CONTRACTS.md)."""
    fields: dict[str, Any] = {
        "facts": "申请人购买理财产品后发现风险等级与宣传不符。",
        "dispute": "赔偿金额。",
        "items": [{"label": "本金损失补偿", "amount": "1200.00"}],
        "total": "1200.00",
        "currency": "CNY",
        "total_in_words": "人民币壹仟贰佰元整",
        "obligations": [
            {
                "obligor": "respondent",
                "obligee": "applicant",
                "what": "向申请人支付补偿款",
                "amount": "1200.00",
                "due": days(10),
            },
            {
                "obligor": "applicant",
                "obligee": "respondent",
                "what": "撤回相关投诉",
                "amount": "",
                "due": days(5),
            },
        ],
        "immediate_performance": False,
        "other_terms": "双方就本纠纷再无其他争议。",
    }
    fields.update(overrides)
    return fields


def draft_agreement(case: Case, by: User, **overrides: Any) -> DocumentVersion:
    return document_draft(case=case, kind="agreement", fields=agreement_fields(**overrides), by=by)


def take_effect(version: DocumentVersion) -> SealedAgreement:
    """What the seal does for outcomes: the hook, in a transaction."""
    with transaction.atomic():
        agreement = performance_open(version)
    assert agreement is not None
    return agreement


@pytest.fixture
def mediating(case: Case, drive: Callable[[Case, CaseState], Case]) -> Case:
    return drive(case, CaseState.MEDIATING)


@pytest.fixture
def sealed(mediating: Case, mia: User) -> Callable[..., SealedAgreement]:
    """An agreement of the mediating case that took effect (fields overridable)."""

    def make(**overrides: Any) -> SealedAgreement:
        return take_effect(draft_agreement(mediating, mia, **overrides))

    return make


@pytest.fixture
def agreement(sealed: Callable[..., SealedAgreement]) -> SealedAgreement:
    return sealed()


@pytest.fixture
def court_agreement(
    org: Organization, bank: Organization, court: Organization, ada: User, mia: User, ben: User
) -> SealedAgreement:
    """An agreement in effect on a case the court CRT entrusted (mediated by mia)."""
    entrusted = case_services.case_entrust_by_court(
        court=court,
        application=make_application(organization=org, respondent=bank),
        court_case_no="(2026)京01民初9号",
        entrusted_on=timezone.localdate(),
    )
    case_services.case_accept(case=entrusted, user=ada)
    case_services.case_assign_mediator(case=entrusted, user=ada, mediator=mia)
    case_services.case_start_mediation(case=entrusted, user=mia)
    return take_effect(draft_agreement(entrusted, mia))


def actions(case: Case, prefix: str = "") -> list[str]:
    return list(
        TraceEvent.objects.filter(chain_id=case.chain_id, action__startswith=prefix)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def events(case: Case, action: str) -> list[TraceEvent]:
    return list(TraceEvent.objects.filter(chain_id=case.chain_id, action=action).order_by("seq"))


def all_payload_text() -> str:
    return "\n".join(str(e.payload) for e in TraceEvent.objects.order_by("id"))
