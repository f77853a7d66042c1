# ruff: noqa: F811  (pytest fixtures are imported, then used as parameters)
"""Conflict and recusal tests reuse the case tests' cast (alice applies against BANK, ada
administers FMC, mia and max are its mediators, ben is BANK's staff, cleo a clerk of the court
CRT) and add declared relationships, a court-entrusted case and trace helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.cases import services as case_services
from accord.cases.models import Case, CaseState
from accord.conflicts.models import RecusalApplication, Relationship, RelationshipKind
from accord.conflicts.services import RelationshipInput, relationship_declare
from accord.orgs.models import Organization, Role
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
    max_,
    member,
    mia,
    org,
    other_bank,
    other_org,
)
from tests.cases.factories import CourtFactory, make_application
from tests.factories import UserFactory

ALICE_ID = "110101199003074514"


def declare(mediator: User, organization: Organization, kind: str, **fields: Any) -> Relationship:
    return relationship_declare(
        mediator=mediator,
        organization=organization,
        by=mediator,
        data=RelationshipInput(kind=kind, **fields),
    )


def employed(
    mediator: User, organization: Organization, institution: Organization, **dates: Any
) -> Relationship:
    dates.setdefault("started_on", dt.date(2019, 1, 1))
    return declare(
        mediator, organization, RelationshipKind.EMPLOYMENT, institution=institution, **dates
    )


def actions(case: Case) -> list[str]:
    return list(
        TraceEvent.objects.filter(chain_id=case.chain_id)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def events(case: Case, action: str) -> list[TraceEvent]:
    return list(TraceEvent.objects.filter(chain_id=case.chain_id, action=action).order_by("seq"))


def all_payload_text() -> str:
    """Every payload of every chain, as one string (to look for personal data)."""
    return "\n".join(str(e.payload) for e in TraceEvent.objects.order_by("id"))


@pytest.fixture
def accepted(case: Case, drive: Callable[[Case, CaseState], Case]) -> Case:
    return drive(case, CaseState.ACCEPTED)


@pytest.fixture
def mediating(case: Case, drive: Callable[[Case, CaseState], Case]) -> Case:
    """mia mediates it."""
    return drive(case, CaseState.MEDIATING)


@pytest.fixture
def other_court(db: Any) -> Organization:
    made = CourtFactory(code="CRT2", name="另一法院")
    assert isinstance(made, Organization)
    return made


@pytest.fixture
def other_clerk(other_court: Organization) -> User:
    return member(UserFactory(username="clerk2"), Role.COURT_CLERK, other_court)


@pytest.fixture
def court_case(
    org: Organization, bank: Organization, court: Organization, ada: User, mia: User, cleo: User
) -> Case:
    """Entrusted by CRT, accepted and assigned to mia."""
    entrusted = case_services.case_entrust_by_court(
        court=court,
        application=make_application(organization=org, respondent=bank),
        court_case_no="(2025)京01民初1号",
        entrusted_on=timezone.localdate(),
    )
    case_services.case_accept(case=entrusted, user=ada)
    case_services.case_assign_mediator(case=entrusted, user=ada, mediator=mia)
    return entrusted


def pending(case: Case) -> RecusalApplication | None:
    return RecusalApplication.objects.filter(case=case, status="pending").first()
