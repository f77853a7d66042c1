# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""Document tests reuse the case tests' cast (alice applies against BANK, ada administers FMC,
mia is its mediator, ben is BANK's staff) and add an agreement's fields and pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from accord.accounts import sms
from accord.cases.states import CaseState
from accord.documents.models import DocumentKind
from accord.documents.services import document_draft, document_send_to_signing
from tests.cases.conftest import (
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    bob,
    case,
    drive,
    evidence_bucket,
    member,
    mia,
    org,
)


def agreement_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "facts": "申请人于2026年3月购买被申请人代销的理财产品，被申请人未充分揭示风险。",
        "dispute": "申请人请求赔偿本金损失及利息。",
        "items": [
            {"label": "本金损失赔偿", "amount": "12000.00"},
            {"label": "利息", "amount": "345.50"},
        ],
        "total": "12345.50",
        "currency": "CNY",
        "total_in_words": "人民币壹万贰仟叁佰肆拾伍元伍角",
        "obligations": [
            {
                "obligor": "respondent",
                "obligee": "applicant",
                "what": "支付赔偿款",
                "amount": "12345.50",
                "due": "2027-01-15",
            }
        ],
        "immediate_performance": False,
        "other_terms": "双方就本纠纷再无其他争议。",
    }
    fields.update(overrides)
    return fields


def pdf_text(pdf: bytes) -> str:
    """The text of ``pdf`` as poppler's pdftotext extracts it."""
    binary = shutil.which("pdftotext")
    assert binary, "pdftotext (poppler-utils) is installed by the test harness"
    done = subprocess.run([binary, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_metadata(pdf: bytes) -> str:
    """The XMP metadata of ``pdf`` (poppler's pdfinfo -meta), where PDF/A says its part."""
    binary = shutil.which("pdfinfo")
    assert binary, "pdfinfo (poppler-utils) is installed by the test harness"
    done = subprocess.run([binary, "-meta", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture
def outbox(settings: Any) -> list[sms.SmsMessage]:
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.OutboxSmsBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def signing(case, drive, mia, ben):
    # Staff accounts need a mobile number to receive the signing code.
    for user, phone in ((mia, "13900000011"), (ben, "13900000012")):
        user.phone = phone
        user.save(update_fields=["phone", "phone_lookup"])
    drive(case, CaseState.MEDIATING)
    case.refresh_from_db()
    version = document_draft(
        case=case, kind=DocumentKind.AGREEMENT, fields=agreement_fields(), by=mia
    )
    return document_send_to_signing(version=version, by=mia)
