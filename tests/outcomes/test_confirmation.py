"""Judicial confirmation: one side applies within 30 days to the competent court, the other
joins, the package (agreement, record, application, identities) is filed; only a clerk of that
court records the ruling. Bad inputs are refused with their code and write nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.conf import settings
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases.errors import NotAllowed
from accord.core.api import ConflictError, ServiceError
from accord.core.storage import s3_client
from accord.documents.models import Document
from accord.inbox.models import Notice
from accord.outcomes.models import ConfirmationApplication, ConfirmationStatus
from accord.outcomes.services import (
    confirmation_apply,
    confirmation_consent,
    confirmation_record_outcome,
)
from tests.outcomes.conftest import all_payload_text, events

pytestmark = pytest.mark.django_db

ALICE_ID = "110101199003074514"


def read_zip(application: ConfirmationApplication) -> zipfile.ZipFile:
    response = s3_client().get_object(application.package_bucket, application.package_key)
    try:
        return zipfile.ZipFile(io.BytesIO(response.read()))
    finally:
        response.close()
        response.release_conn()


@pytest.fixture
def filed(agreement, alice, ben, court) -> ConfirmationApplication:
    case = agreement.case
    case.applicant_id_number = ALICE_ID
    case.save(update_fields=["applicant_id_number"])
    application = confirmation_apply(agreement=agreement, user=alice, court=court.code)
    return confirmation_consent(application=application, user=ben)


def test_the_parties_apply_jointly_and_the_package_is_filed(agreement, alice, ben, court, cleo):
    application = confirmation_apply(agreement=agreement, user=alice, court=court)
    assert application.status == ConfirmationStatus.AWAITING_CONSENT
    assert application.statement.document.kind == "confirmation_application"
    assert Notice.objects.filter(user=ben, kind="confirmation.requested").exists()
    assert not Notice.objects.filter(user=cleo).exists()

    filed = confirmation_consent(application=application, user=ben)
    assert filed.status == ConfirmationStatus.FILED
    assert filed.package_key and len(filed.package_sha256) == 64
    assert Notice.objects.filter(user=cleo, kind="confirmation.filed").exists()
    case = agreement.case
    assert [
        e.action
        for e in TraceEvent.objects.filter(
            chain=case.chain, action__startswith="confirmation."
        ).order_by("seq")
    ] == [
        "confirmation.requested",
        "confirmation.consented",
        "confirmation.filed",
    ]


def test_the_package_holds_agreement_application_and_identities(filed, agreement):
    archive = read_zip(filed)
    names = set(archive.namelist())
    assert {"manifest.json", "agreement.pdf", "application.pdf", "identities.json"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "accord-confirmation-package/1"
    assert manifest["case_no"] == agreement.case.case_no
    roles = {f["role"]: f for f in manifest["files"]}
    assert roles["agreement"]["version"] == str(agreement.version.uuid)
    assert archive.read("agreement.pdf").startswith(b"%PDF")
    people = json.loads(archive.read("identities.json"))
    assert people["applicant"]["id_number"] == ALICE_ID
    assert people["respondent"]["name"] == "示例银行"
    # The trace names the documents by version and hash, the parties by reference only.
    payload = events(agreement.case, "confirmation.filed")[0].payload
    assert payload["package_sha256"] == filed.package_sha256
    assert {d["role"] for d in payload["documents"]} >= {"agreement", "statement"}
    assert payload["applicant"] == agreement.case.applicant_id
    assert ALICE_ID not in all_payload_text()
    assert "张三" not in json.dumps(payload, ensure_ascii=False)


def test_a_record_is_included_when_the_case_has_one(agreement, alice, ben, court, mia):
    from accord.documents.services import document_draft

    record = document_draft(case=agreement.case, kind="record", fields=record_fields(), by=mia)
    application = confirmation_apply(agreement=agreement, user=alice, court=court)
    filed = confirmation_consent(application=application, user=ben)
    manifest = json.loads(read_zip(filed).read("manifest.json"))
    versions = {f["role"]: f.get("version") for f in manifest["files"]}
    assert versions["record"] == str(record.uuid)


def record_fields() -> dict[str, object]:
    return {"content": "调解过程记录。"}


def test_only_a_clerk_of_that_court_records_the_ruling(filed, cleo, clara, mia, alice):
    for user in (clara, mia, alice):
        with pytest.raises(NotAllowed):
            confirmation_record_outcome(
                application=filed, user=user, outcome="confirmed", ruling_no="(2026)京0101民特1号"
            )
    done = confirmation_record_outcome(
        application=filed, user=cleo, outcome="confirmed", ruling_no="(2026)京0101民特1号"
    )
    assert (done.status, done.ruling_no, done.decided_by) == (
        ConfirmationStatus.CONFIRMED,
        "(2026)京0101民特1号",
        cleo,
    )
    event = events(filed.case, "confirmation.confirmed")[0]
    assert event.actor["role"] == "court_clerk"
    assert event.payload["ruling_no"] == "(2026)京0101民特1号"
    assert Notice.objects.filter(user=alice, kind="confirmation.confirmed").exists()
    with pytest.raises(ConflictError) as again:
        confirmation_record_outcome(
            application=filed, user=cleo, outcome="rejected", ruling_no="x", reason="y"
        )
    assert again.value.code == "not_filed"


def test_a_rejection_records_its_reason(filed, cleo):
    done = confirmation_record_outcome(
        application=filed,
        user=cleo,
        outcome="rejected",
        ruling_no="(2026)京0101民特2号",
        reason="协议内容违反法律强制性规定",
    )
    assert done.status == ConfirmationStatus.REJECTED
    assert done.decision_reason == "协议内容违反法律强制性规定"
    assert "协议内容违反" not in all_payload_text()


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"outcome": "maybe", "ruling_no": "1"}, "invalid_outcome", "outcome"),
        ({"outcome": "confirmed", "ruling_no": " "}, "ruling_no_required", "ruling_no"),
        ({"outcome": "rejected", "ruling_no": "1"}, "reason_required", "reason"),
        (
            {"outcome": "confirmed", "ruling_no": "1", "decided_on": dt.date(2000, 1, 1)},
            "invalid_date",
            "decided_on",
        ),
        (
            {"outcome": "confirmed", "ruling_no": "1", "decided_on": dt.date(2999, 1, 1)},
            "invalid_date",
            "decided_on",
        ),
    ],
)
def test_bad_rulings_are_refused_and_nothing_written(filed, cleo, kwargs, code, field):
    before = TraceEvent.objects.count()
    with pytest.raises(ServiceError) as refused:
        confirmation_record_outcome(application=filed, user=cleo, **kwargs)
    assert (refused.value.code, field in refused.value.fields) == (code, True)
    assert TraceEvent.objects.count() == before
    filed.refresh_from_db()
    assert filed.status == ConfirmationStatus.FILED


def _nothing_written(run, code):
    before = (
        TraceEvent.objects.count(),
        ConfirmationApplication.objects.count(),
        Document.objects.count(),
    )
    with pytest.raises(ServiceError) as refused:
        run()
    assert refused.value.code == code
    after = (
        TraceEvent.objects.count(),
        ConfirmationApplication.objects.count(),
        Document.objects.count(),
    )
    assert after == before


def test_bad_applications_are_refused_and_nothing_written(agreement, alice, mia, court, bank):
    _nothing_written(
        lambda: confirmation_apply(agreement=agreement, user=mia, court=court), "permission_denied"
    )
    _nothing_written(lambda: confirmation_apply(agreement=agreement, user=alice), "court_required")
    _nothing_written(
        lambda: confirmation_apply(agreement=agreement, user=alice, court=bank), "invalid_court"
    )
    _nothing_written(
        lambda: confirmation_apply(agreement=agreement, user=alice, court="NOPE"), "invalid_court"
    )
    agreement.confirmation_due_on = timezone.localdate() - dt.timedelta(days=1)
    agreement.save(update_fields=["confirmation_due_on"])
    _nothing_written(
        lambda: confirmation_apply(agreement=agreement, user=alice, court=court),
        "confirmation_late",
    )


def test_a_second_application_or_consent_is_refused(filed, agreement, alice, ben, court):
    _nothing_written(
        lambda: confirmation_apply(agreement=agreement, user=ben, court=court),
        "confirmation_exists",
    )
    _nothing_written(
        lambda: confirmation_consent(application=filed, user=alice), "already_consented"
    )


def test_a_court_entrusted_case_goes_to_its_court(court_agreement, alice, ben, other_court):
    _nothing_written(
        lambda: confirmation_apply(agreement=court_agreement, user=ben, court=other_court),
        "court_fixed",
    )
    application = confirmation_apply(agreement=court_agreement, user=ben)
    assert application.court == court_agreement.case.court


def test_the_package_is_stored_in_the_documents_bucket(filed):
    assert filed.package_bucket == settings.S3_BUCKET_DOCUMENTS
