"""Signing an agreement: the three sides with real codes from the SMS outbox, and each
refusal (twice, a changed version, a wrong code, a non-signer) with nothing written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accord.accounts import sms
from accord.audit.models import TraceEvent
from accord.core.api import ServiceError
from accord.documents.models import DocumentKind, Signature, VersionStatus
from accord.documents.services import document_draft, document_send_to_signing, version_pdf
from accord.documents.signing import document_seal, document_sign, signing_code_request
from accord.trust.validate import validate_pdf
from tests.documents.conftest import agreement_fields

pytestmark = pytest.mark.django_db


def _code(outbox: list[sms.SmsMessage]) -> str:
    template = outbox[-1].template
    assert template is not None and template.kind == "document_sign_code"
    return template.params[1]


def _sign(version, user, outbox, *, code: str | None = None) -> Signature:
    signing_code_request(version=version, user=user)
    return document_sign(
        version=version, user=user, code=code or _code(outbox), shown_sha256=version.sha256
    )


def _signed_events(case) -> int:
    return TraceEvent.objects.filter(chain=case.chain, action="document.signed").count()


def test_three_sides_sign_and_the_seal_validates(signing, case, alice, ben, mia, outbox, tsa):
    for user in (alice, ben, mia):
        _sign(signing, user, outbox)
    assert set(signing.signatures.values_list("side", flat=True)) == {
        "applicant",
        "institution",
        "mediator",
    }
    assert _signed_events(case) == 3
    sealed = document_seal(version_id=signing.pk)
    assert sealed.status == VersionStatus.SEALED
    pdf = version_pdf(sealed, sealed=True)
    report = validate_pdf(pdf)
    assert report.intact and report.trusted and report.timestamped
    changed = bytearray(pdf)
    at = len(changed) // 3
    changed[at] = (changed[at] + 1) % 256
    assert not validate_pdf(bytes(changed)).intact
    event = TraceEvent.objects.get(chain=case.chain, action="document.sealed")
    assert event.payload["sha256"] == sealed.sealed_sha256


def test_refusals_write_nothing(signing, case, alice, bob, mia, outbox):
    _sign(signing, alice, outbox)
    with pytest.raises(ServiceError) as twice:
        _sign(signing, alice, outbox)
    assert twice.value.code == "already_signed"
    signing_code_request(version=signing, user=mia)
    with pytest.raises(ServiceError) as wrong:
        document_sign(version=signing, user=mia, code="000000", shown_sha256=signing.sha256)
    assert wrong.value.code == "code_invalid"
    with pytest.raises(ServiceError) as outsider:
        signing_code_request(version=signing, user=bob)
    assert outsider.value.code == "not_a_signer"
    assert signing.signatures.count() == 1
    assert _signed_events(case) == 1


def test_a_changed_version_is_refused(signing, case, alice, mia, outbox):
    signing_code_request(version=signing, user=alice)
    code = _code(outbox)
    newer = document_draft(
        case=case,
        kind=DocumentKind.AGREEMENT,
        fields=agreement_fields(other_terms="另行约定"),
        by=mia,
        document=signing.document,
    )
    newer = document_send_to_signing(version=newer, by=mia)
    signing.refresh_from_db()
    with pytest.raises(ServiceError) as stale:
        document_sign(version=signing, user=alice, code=code, shown_sha256=signing.sha256)
    assert stale.value.code == "version_superseded"
    signing_code_request(version=newer, user=alice)
    with pytest.raises(ServiceError) as other_hash:
        document_sign(version=newer, user=alice, code=_code(outbox), shown_sha256=signing.sha256)
    assert other_hash.value.code == "version_superseded"
    assert Signature.objects.count() == 0


def test_a_signed_version_whose_seal_was_lost_is_sealed_by_the_sweep(
    signing, case, alice, ben, mia, outbox, settings, eager_celery, dev_tsa_url
):
    from datetime import timedelta

    from accord.documents.tasks import STALE_SECONDS, seal_pending_task

    # The TSA was down when the last side signed: the seal task gave up (not queued here).
    settings.ACCORD_TSA_URL = ""
    for user in (alice, ben, mia):
        _sign(signing, user, outbox)
    signing.refresh_from_db()
    assert signing.status == VersionStatus.SIGNING
    assert seal_pending_task() == []  # too recent: its own task may still be retrying
    Signature.objects.filter(version=signing).update(
        signed_at=timezone.now() - timedelta(seconds=STALE_SECONDS + 60)
    )
    settings.ACCORD_TSA_URL = dev_tsa_url
    assert seal_pending_task() == [signing.pk]
    signing.refresh_from_db()
    assert signing.status == VersionStatus.SEALED
    assert seal_pending_task() == []
