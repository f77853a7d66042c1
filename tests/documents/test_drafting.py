"""Drafting documents: every kind renders to a PDF/A holding the case's data in Chinese; each
save is a new stored, hashed version on the case's trace; the agreement's content check."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from minio.error import S3Error

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import verify_all
from accord.core.storage import s3_client
from accord.documents import services
from accord.documents.amounts import amount_in_words, same_words
from accord.documents.errors import (
    AgreementIncomplete,
    DocumentInvalid,
    DocumentSealed,
    VersionConflict,
    VersionNotCurrent,
)
from accord.documents.models import Document, DocumentKind, DocumentVersion, VersionStatus
from accord.documents.services import document_draft, document_send_to_signing, version_pdf
from tests.documents.conftest import agreement_fields, pdf_metadata, pdf_text

pytestmark = pytest.mark.django_db

OTHER_FIELDS: dict[str, dict[str, Any]] = {
    DocumentKind.RECORD: {
        "held_on": "2026-12-01",
        "present": "调解员、申请人、被申请人代理人",
        "proceedings": "双方陈述意见，调解员释明法律规定。",
        "outcome": "双方达成协议。",
        "immediate_performance": True,
        "performance_details": "被申请人当场转账一万二千元。",
    },
    DocumentKind.FAILURE_NOTICE: {
        "reason": "双方对赔偿金额分歧较大",
        "advice": "建议申请人保留购买凭证，通过诉讼主张权利。",
        "routes": ["arbitration", "litigation"],
        "green_channel": True,
    },
    DocumentKind.EVALUATION_REPORT: {
        "expert_name": "评估专家甲",
        "ground": "疑难复杂投诉",
        "questions": "风险揭示是否充分",
        "findings": "销售录音未提示风险等级。",
        "opinion": "被申请人应承担主要责任。",
    },
    DocumentKind.SMALLCLAIM_PROPOSAL: {
        "facts": "信用卡年费争议",
        "dispute": "是否应退还年费",
        "grounds": [
            {"kind": "law", "kind_label": "法律", "citation": "《消费者权益保护法》第二十六条"}
        ],
        "amount": "300.00",
        "currency": "CNY",
        "amount_in_words": "人民币叁佰元整",
        "terms": "退还年费",
        "answer_due": "2026-12-15",
        "effect": "接受即对各方具有约束力。",
    },
    DocumentKind.NOTARIZATION_REFERRAL: {
        "notary_office": "第一公证处",
        "creditor": "申请人",
        "debtor": "被申请人",
        "guarantor": "担保公司乙",
    },
    DocumentKind.CONFIRMATION_APPLICATION: {
        "court": "第一人民法院",
        "agreement_date": "2026-12-01",
    },
    DocumentKind.COURT_FEEDBACK: {"court": "第一人民法院", "outcome": "调解成功"},
}

TITLES = {
    DocumentKind.AGREEMENT: "调解协议书",
    DocumentKind.RECORD: "调解笔录",
    DocumentKind.FAILURE_NOTICE: "调解不成功告知书",
    DocumentKind.EVALUATION_REPORT: "中立评估报告",
    DocumentKind.SMALLCLAIM_PROPOSAL: "小额纠纷调解建议书",
    DocumentKind.NOTARIZATION_REFERRAL: "公证转介函",
    DocumentKind.CONFIRMATION_APPLICATION: "司法确认申请书",
    DocumentKind.COURT_FEEDBACK: "反馈函",
}


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_renders_the_case_in_chinese(case, mia, kind) -> None:
    fields = agreement_fields() if kind == DocumentKind.AGREEMENT else OTHER_FIELDS[kind]
    version = document_draft(case=case, kind=kind, fields=fields, by=mia)
    pdf = version_pdf(version)
    assert pdf.startswith(b"%PDF-")
    assert 'pdfaid:part="3"' in pdf_metadata(pdf) or "<pdfaid:part>3<" in pdf_metadata(pdf)
    text = squeeze(pdf_text(pdf))
    assert squeeze(TITLES[kind]) in text
    assert case.case_no in text
    assert squeeze(case.applicant_name) in text
    assert squeeze(case.respondent.name) in text
    for value in fields.values():
        if isinstance(value, str) and len(value) > 4 and kind != DocumentKind.SMALLCLAIM_PROPOSAL:
            assert squeeze(value)[:12] in text, value


def test_the_agreement_says_who_pays_whom_what_by_when(case, mia) -> None:
    version = document_draft(case=case, kind="agreement", fields=agreement_fields(), by=mia)
    text = squeeze(pdf_text(version_pdf(version)))
    for expected in (
        "本金损失赔偿",
        "12000.00",
        "12345.50",
        "人民币壹万贰仟叁佰肆拾伍元伍角",
        "被申请人申请人支付赔偿款",
        "2027-01-15",
    ):
        assert squeeze(expected) in text, expected


def test_english_when_a_party_asks(case, mia) -> None:
    version = document_draft(
        case=case, kind="agreement", fields=agreement_fields(), by=mia, language="en"
    )
    text = pdf_text(version_pdf(version))
    assert "Mediation Agreement" in text
    assert "Respondent" in text


def test_each_save_is_a_new_version_and_the_old_one_stays_readable(case, mia) -> None:
    first = document_draft(case=case, kind="agreement", fields=agreement_fields(), by=mia)
    second = document_draft(
        case=case,
        kind="agreement",
        fields=agreement_fields(other_terms="另行约定。"),
        by=mia,
        document=first.document,
    )
    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.status == VersionStatus.SUPERSEDED and second.status == VersionStatus.DRAFT
    assert first.document.current == second
    assert first.sha256 != second.sha256
    assert version_pdf(first) != version_pdf(second)
    drafted = [
        e.payload
        for e in TraceEvent.objects.filter(chain=case.chain, action="document.drafted").order_by(
            "seq"
        )
    ]
    assert [(p["version"], p["sha256"], p["number"]) for p in drafted] == [
        (str(first.uuid), first.sha256, 1),
        (str(second.uuid), second.sha256, 2),
    ]
    assert case.applicant_name not in str(drafted)  # no particulars in the trace
    assert case.applicant_phone not in str(drafted)


def test_the_case_particulars_come_from_the_case(case, mia) -> None:
    with pytest.raises(DocumentInvalid) as refused:
        document_draft(
            case=case, kind="agreement", fields={**agreement_fields(), "case": {}}, by=mia
        )
    assert "case" in refused.value.fields
    with pytest.raises(DocumentInvalid) as refused:
        document_draft(case=case, kind="receipt", fields={}, by=mia)
    assert refused.value.fields == {"kind": ["Unknown kind."]}
    with pytest.raises(DocumentInvalid) as refused:
        document_draft(
            case=case,
            kind="agreement",
            fields=agreement_fields(total="12,345.505", items="x"),
            by=mia,
        )
    assert set(refused.value.fields) == {"total", "items"}
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not TraceEvent.objects.filter(chain=case.chain, action="document.drafted").exists()


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"facts": ""}, {"facts"}),
        ({"total": "12000.00", "total_in_words": "人民币壹万贰仟元整"}, {"total", "obligations"}),
        ({"total_in_words": "人民币壹万贰仟叁佰肆拾伍元"}, {"total_in_words"}),
        ({"currency": "USD"}, {"total_in_words"}),
        ({"items": []}, {"items"}),
        (
            {
                "obligations": [
                    {"obligor": "respondent", "obligee": "respondent", "what": "", "due": ""}
                ]
            },
            {"obligations.0.obligee", "obligations.0.what", "obligations.0.due"},
        ),
        ({"obligations": []}, {"obligations"}),
    ],
)
def test_the_content_check_refuses_an_unfit_agreement(case, mia, overrides, fields) -> None:
    version = document_draft(
        case=case, kind="agreement", fields=agreement_fields(**overrides), by=mia
    )
    before = TraceEvent.objects.filter(chain=case.chain).count()
    with pytest.raises(AgreementIncomplete) as refused:
        document_send_to_signing(version=version, by=mia)
    assert refused.value.code == "agreement_incomplete"
    assert set(refused.value.fields) == fields
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert TraceEvent.objects.filter(chain=case.chain).count() == before


def test_a_fit_agreement_goes_to_signing(case, mia) -> None:
    version = document_draft(case=case, kind="agreement", fields=agreement_fields(), by=mia)
    document_send_to_signing(version=version, by=mia)
    version.refresh_from_db()
    assert version.status == VersionStatus.SIGNING
    event = TraceEvent.objects.filter(chain=case.chain).order_by("-seq").first()
    assert event and event.action == "document.sent_to_signing"
    assert event.payload["sha256"] == version.sha256


def test_verify_case_catches_a_swapped_pdf(case, mia) -> None:
    version = document_draft(case=case, kind="agreement", fields=agreement_fields(), by=mia)
    assert verify_all(TraceChain.objects.get(pk=case.chain_id)).ok
    forged = version_pdf(version) + b"%changed after the fact\n"
    s3_client().put_object(
        settings.S3_BUCKET_DOCUMENTS, version.storage_key, io.BytesIO(forged), len(forged)
    )
    report = verify_all(TraceChain.objects.get(pk=case.chain_id))
    assert not report.ok
    assert version.storage_key in str(report.first_failure)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.50", "人民币伍角"),
        ("10.05", "人民币壹拾元零伍分"),
        ("1005.50", "人民币壹仟零伍元伍角"),
        ("100100000", "人民币壹亿零壹拾万元整"),
        ("1000001", "人民币壹佰万零壹元整"),
        ("20000", "人民币贰万元整"),
    ],
)
def test_amounts_in_words(amount, words) -> None:
    assert amount_in_words(Decimal(amount)) == words
    assert same_words(words.removeprefix("人民币"), Decimal(amount))
    assert not same_words("美元" + words.removeprefix("人民币"), Decimal(amount))


def _stored(key: str) -> bool:
    try:
        s3_client().stat_object(settings.S3_BUCKET_DOCUMENTS, key)
    except S3Error:
        return False
    return True


def test_a_draft_numbered_while_another_was_drafted_is_refused(case, mia, monkeypatch) -> None:
    """Two drafts of the same document at once: the one whose PDF was numbered before the
    other committed is refused (its PDF would say the wrong number) and its object removed."""
    first = document_draft(
        case=case, kind=DocumentKind.AGREEMENT, fields=agreement_fields(), by=mia
    )
    real_store = services.store_pdf
    stored: list[str] = []

    def store_then_race(**kwargs: Any) -> tuple[str, str, str]:
        done = real_store(**kwargs)
        if not stored:
            stored.append(done[1])
            # Meanwhile someone else drafts version 2 of the same document.
            document_draft(
                case=case,
                kind=DocumentKind.AGREEMENT,
                fields=agreement_fields(other_terms="另一版本"),
                by=mia,
                document=first.document,
            )
        return done

    monkeypatch.setattr(services, "store_pdf", store_then_race)
    events = TraceEvent.objects.filter(chain=case.chain, action="document.drafted").count()
    with pytest.raises(VersionConflict) as conflict:
        document_draft(
            case=case,
            kind=DocumentKind.AGREEMENT,
            fields=agreement_fields(other_terms="我的版本"),
            by=mia,
            document=first.document,
        )
    assert conflict.value.code == "version_conflict"
    assert conflict.value.http_status == 409
    assert not _stored(stored[0])
    numbers = list(first.document.versions.values_list("number", "fields__other_terms"))
    assert numbers == [(1, agreement_fields()["other_terms"]), (2, "另一版本")]
    # Only the other draft was traced.
    drafted = TraceEvent.objects.filter(chain=case.chain, action="document.drafted").count()
    assert drafted == events + 1


def test_sending_a_version_that_is_no_longer_the_draft_is_a_conflict_of_its_own(case, mia) -> None:
    version = document_draft(
        case=case, kind=DocumentKind.AGREEMENT, fields=agreement_fields(), by=mia
    )
    document_send_to_signing(version=version, by=mia)
    with pytest.raises(VersionNotCurrent) as again:
        document_send_to_signing(version=version, by=mia)
    assert again.value.code == "illegal_state"
    assert again.value.http_status == 409
    assert not isinstance(again.value, DocumentSealed)
    assert DocumentSealed.code == "document_sealed"
