# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""The small-claim tests reuse the case tests' cast (alice applies against BANK, ada
administers FMC, mia mediates, ben is BANK's staff, charlie has no business here) and add a
memorandum of FMC and BANK covering alice's case (wealth management, 12,000.50 yuan)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.cases.models import Case, CaseState
from accord.core.storage import ensure_buckets, s3_client
from accord.documents.models import Document, DocumentVersion
from accord.orgs.models import Organization
from accord.smallclaims.drafting import Ground
from accord.smallclaims.models import GroundKind, Memorandum, Proposal
from accord.smallclaims.services.memoranda import MemorandumInput, memorandum_create
from accord.smallclaims.services.proposals import ProposalInput, proposal_issue
from tests.cases.conftest import (
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    bob,
    case,
    charlie,
    drive,
    evidence_bucket,
    member,
    mia,
    org,
    other_bank,
    other_org,
)
from tests.documents.conftest import pdf_text


@pytest.fixture(scope="session", autouse=True)
def documents_bucket(_buckets: list[str]) -> Iterator[str]:
    """The documents bucket, one per xdist worker (``written`` lists its objects, and case
    numbers repeat across workers' databases)."""
    original: str = settings.S3_BUCKET_DOCUMENTS
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    bucket = f"{original}-{worker}" if worker else original
    settings.S3_BUCKET_DOCUMENTS = bucket
    ensure_buckets([bucket])
    yield bucket
    settings.S3_BUCKET_DOCUMENTS = original


def today() -> dt.date:
    return timezone.localdate()


def memo_input(**overrides: Any) -> MemorandumInput:
    values: dict[str, Any] = {
        "threshold": Decimal("50000.00"),
        "business_types": ["wealth_management"],
        "dispute_natures": ["civil_commercial"],
        "valid_from": today() - dt.timedelta(days=30),
        "valid_to": today() + dt.timedelta(days=365),
        "signed_on": today() - dt.timedelta(days=31),
        "answer_days": 5,
        "reference": "FMC-BANK-2026-01",
    }
    values.update(overrides)
    return MemorandumInput(**values)


@pytest.fixture
def memorandum(org: Organization, bank: Organization, ada: User) -> Memorandum:
    return memorandum_create(organization=org, institution=bank, data=memo_input(), by=ada)


@pytest.fixture
def mediating(case: Case, drive: Callable[[Case, CaseState], Case]) -> Case:
    return drive(case, CaseState.MEDIATING)


def proposal_input(**overrides: Any) -> ProposalInput:
    values: dict[str, Any] = {
        "amount": Decimal("8000.00"),
        "facts": "申请人购买理财产品，被申请人未充分揭示风险。",
        "dispute": "申请人请求赔偿本金损失。",
        "terms": "被申请人向申请人支付补偿款，双方再无其他争议。",
        "pay_within_days": 15,
        "grounds": [
            Ground(kind=GroundKind.LAW, citation="《中华人民共和国消费者权益保护法》第二十九条"),
            Ground(kind=GroundKind.INDUSTRY_PRACTICE, citation="理财产品销售适当性管理的行业惯例"),
        ],
    }
    values.update(overrides)
    return ProposalInput(**values)


@pytest.fixture
def proposal(mediating: Case, memorandum: Memorandum, mia: User) -> Proposal:
    return proposal_issue(case=mediating, user=mia, data=proposal_input())


@dataclass(frozen=True)
class Written:
    events: int
    memoranda: int
    proposals: tuple[tuple[int, str], ...]
    documents: int
    versions: int
    objects: frozenset[str]


def document_objects() -> frozenset[str]:
    bucket = settings.S3_BUCKET_DOCUMENTS
    return frozenset(
        str(o.object_name) for o in s3_client().list_objects(bucket, "cases/", recursive=True)
    )


def written() -> Written:
    """What the small-claim services write: trace events, memoranda, proposals (and their
    statuses), documents, versions and stored document objects."""
    return Written(
        events=TraceEvent.objects.count(),
        memoranda=Memorandum.objects.count(),
        proposals=tuple(Proposal.objects.order_by("pk").values_list("pk", "status")),
        documents=Document.objects.count(),
        versions=DocumentVersion.objects.count(),
        objects=document_objects(),
    )


def actions(case: Case, prefix: str = "") -> list[str]:
    return list(
        TraceEvent.objects.filter(chain_id=case.chain_id, action__startswith=prefix)
        .order_by("seq")
        .values_list("action", flat=True)
    )
