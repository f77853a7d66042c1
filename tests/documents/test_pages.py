"""The documents pages, reached from the case page: the mediator drafts the agreement and the
record from the case's data in a form (each save a new version), sends a draft to signing
(refusals on the fields); each signer signs on a page that shows the exact version and its
SHA-256, with a code from their phone and an optional handwritten signature."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from accord.audit.models import TraceEvent
from accord.cases.states import CaseState
from accord.core.storage import s3_client
from accord.documents.models import (
    Document,
    DocumentKind,
    DocumentVersion,
    Signature,
    SignCode,
    VersionStatus,
)
from accord.documents.services import document_draft, document_send_to_signing
from accord.documents.signing import document_seal, document_sign, signing_code_request

pytestmark = pytest.mark.django_db

AGREEMENT_FORM: dict[str, str] = {
    "facts": "申请人购买理财产品，被申请人未充分揭示风险。",
    "dispute": "申请人请求赔偿本金损失及利息。",
    "items.0.label": "本金损失赔偿",
    "items.0.amount": "12000.00",
    "items.1.label": "利息",
    "items.1.amount": "345.50",
    "total": "12345.50",
    "currency": "CNY",
    "total_in_words": "人民币壹万贰仟叁佰肆拾伍元伍角",
    "obligations.0.obligor": "respondent",
    "obligations.0.obligee": "applicant",
    "obligations.0.what": "支付赔偿款",
    "obligations.0.amount": "12345.50",
    "obligations.0.due": "2027-01-15",
    "other_terms": "双方就本纠纷再无其他争议。",
}


def png_data_url() -> str:
    """A real 2x2 PNG, as the canvas sends it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x00\x00\x00\xff" * 2 for _row in range(2))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def mediating(case, drive):
    drive(case, CaseState.MEDIATING)
    case.refresh_from_db()
    return case


def draft_url(case, kind: str = "agreement") -> str:
    return reverse("documents:draft", kwargs={"case_no": case.case_no, "kind": kind})


def sign_url(version) -> str:
    return reverse(
        "documents:sign",
        kwargs={"case_no": version.document.case.case_no, "version_uuid": version.uuid},
    )


def version_objects(case) -> frozenset[str]:
    """The stored objects of the case's versions and their signature images (named by the
    versions' uuids: the bucket outlives the test databases, case numbers repeat)."""
    names = [
        str(uuid)
        for uuid in DocumentVersion.objects.filter(document__case=case).values_list(
            "uuid", flat=True
        )
    ]
    prefix = f"cases/{case.case_no}/documents/"
    return frozenset(
        str(obj.object_name)
        for obj in s3_client().list_objects(settings.S3_BUCKET_DOCUMENTS, prefix, recursive=True)
        if any(str(obj.object_name).startswith(prefix + name) for name in names)
    )


def written(case) -> tuple[int, int, int, int, frozenset[str]]:
    """Versions, signatures, trace events, used codes and stored objects of the case."""
    return (
        DocumentVersion.objects.filter(document__case=case).count(),
        Signature.objects.filter(version__document__case=case).count(),
        TraceEvent.objects.filter(chain=case.chain).count(),
        SignCode.objects.filter(used_at__isnull=False).count(),
        version_objects(case),
    )


def field_error(html: str, name: str) -> str:
    """The field group of input ``name`` when it is marked in error (else '')."""
    for group in html.split('<div class="field')[1:]:
        if f'name="{name}"' in group:
            return group if group.startswith(" has-error") else ""
    raise AssertionError(f"no field {name}")


def test_the_mediator_reaches_the_drafting_page_from_the_case_page(client, mediating, mia):
    client.force_login(mia)
    page = client.get(f"/en/cases/{mediating.case_no}/").content.decode()
    assert f'href="{draft_url(mediating)}"' in page
    assert f'href="{draft_url(mediating, "record")}"' in page


def test_the_form_shows_the_case_read_only_and_each_save_is_a_version(client, mediating, mia):
    client.force_login(mia)
    page = client.get(draft_url(mediating)).content.decode()
    particulars = page.split('data-testid="case-particulars"')[1].split("</section>")[0]
    assert mediating.applicant_name in particulars
    assert mediating.respondent.name in particulars
    assert "<input" not in particulars and "<textarea" not in particulars
    assert 'name="applicant_name"' not in page and 'name="case"' not in page

    response = client.post(draft_url(mediating), AGREEMENT_FORM)
    assert response.status_code == 302
    document = Document.objects.get(case=mediating, kind=DocumentKind.AGREEMENT)
    first = document.versions.get()
    assert first.number == 1 and first.status == VersionStatus.DRAFT
    assert first.fields["items"] == [
        {"label": "本金损失赔偿", "amount": "12000.00"},
        {"label": "利息", "amount": "345.50"},
    ]
    assert first.fields["obligations"][0]["due"] == "2027-01-15"
    assert first.fields["case"]["applicant_name"] == mediating.applicant_name

    # The page now holds the draft's own values, and a new save is version 2.
    page = client.get(draft_url(mediating)).content.decode()
    assert 'value="本金损失赔偿"' in page
    changed = {**AGREEMENT_FORM, "other_terms": "另行约定"}
    assert client.post(draft_url(mediating), changed).status_code == 302
    assert list(document.versions.values_list("number", "status")) == [
        (1, VersionStatus.SUPERSEDED),
        (2, VersionStatus.DRAFT),
    ]
    page = client.get(draft_url(mediating)).content.decode()
    assert page.count('data-testid="document-version"') == 2
    for version in document.versions.all():
        assert reverse("documents:version_pdf", args=[mediating.case_no, version.uuid]) in page
        pdf = client.get(reverse("documents:version_pdf", args=[mediating.case_no, version.uuid]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bad_input_is_refused_on_its_fields_and_nothing_is_written(client, mediating, mia):
    client.force_login(mia)
    before = written(mediating)
    bad = {
        **AGREEMENT_FORM,
        "items.1.amount": "12,34x",
        "obligations.0.due": "next week",
        "currency": "XYZ",
    }
    response = client.post(draft_url(mediating), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-summary"' in html
    assert field_error(html, "items.1.amount")
    assert field_error(html, "obligations.0.due")
    assert field_error(html, "currency")
    assert not field_error(html, "items.0.amount")
    assert written(mediating) == before
    assert not Document.objects.filter(case=mediating).exists()


def test_only_the_case_s_mediator_drafts(client, mediating, alice, ada, ben):
    for user in (alice, ada, ben):
        client.force_login(user)
        assert client.get(draft_url(mediating)).status_code == 404
        assert client.post(draft_url(mediating), AGREEMENT_FORM).status_code == 404
    assert not Document.objects.filter(case=mediating).exists()


def test_the_record_with_immediate_performance(client, mediating, mia):
    client.force_login(mia)
    response = client.post(
        draft_url(mediating, "record"),
        {
            "held_on": "2026-12-01",
            "present": "调解员、申请人、被申请人代理人",
            "proceedings": "双方陈述意见。",
            "outcome": "双方达成协议。",
            "immediate_performance": "on",
            "performance_details": "被申请人当场转账一万二千元。",
        },
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get(document__case=mediating, document__kind="record")
    assert version.fields["immediate_performance"] is True
    assert version.fields["performance_details"] == "被申请人当场转账一万二千元。"
    assert version.fields["held_on"] == "2026-12-01"


def test_send_to_signing_refusal_is_on_the_fields(client, mediating, mia):
    client.force_login(mia)
    incomplete = {**AGREEMENT_FORM, "facts": "", "total": "100.00"}
    assert client.post(draft_url(mediating), incomplete).status_code == 302
    version = DocumentVersion.objects.get(document__case=mediating)
    page = client.get(draft_url(mediating)).content.decode()
    send = reverse("documents:send_to_signing", args=[mediating.case_no, version.uuid])
    assert f'action="{send}"' in page
    before = written(mediating)
    response = client.post(send)
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not the sum of the items, 12345.50" in field_error(html, "total")
    assert "Required." in field_error(html, "facts")
    assert not field_error(html, "dispute")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert written(mediating) == before

    # Corrected in a new version, it goes out and the mediator lands on the signing page.
    assert client.post(draft_url(mediating), AGREEMENT_FORM).status_code == 302
    current = DocumentVersion.objects.get(document__case=mediating, number=2)
    response = client.post(
        reverse("documents:send_to_signing", args=[mediating.case_no, current.uuid])
    )
    assert response.status_code == 302
    assert response["Location"] == sign_url(current)
    current.refresh_from_db()
    assert current.status == VersionStatus.SIGNING
    page = client.get(draft_url(mediating)).content.decode()
    assert 'data-testid="withdraws-signing"' in page
    assert 'data-testid="send-to-signing"' not in page


def test_signers_reach_the_signing_page_from_the_case_page(client, signing, alice, ben, mia, ada):
    for user in (alice, ben, mia):
        client.force_login(user)
        page = client.get(f"/en/cases/{signing.document.case.case_no}/").content.decode()
        assert 'data-testid="sign-link"' in page
        assert f'href="{sign_url(signing)}"' in page
    client.force_login(ada)  # the organization's administrator does not sign
    page = client.get(f"/en/cases/{signing.document.case.case_no}/").content.decode()
    assert 'data-testid="sign-link"' not in page


def test_the_signing_page_shows_the_version_and_signs_with_the_code(client, signing, alice, outbox):
    client.force_login(alice)
    page = client.get(sign_url(signing)).content.decode()
    assert f'<code class="hash" data-testid="version-sha256">{signing.sha256}</code>' in page
    pdf_url = reverse("documents:version_pdf", args=[signing.document.case.case_no, signing.uuid])
    assert f'src="{pdf_url}"' in page
    for testid in ("request-code", "sign-code", "signature-canvas", "sign", "signed-status"):
        assert f'data-testid="{testid}"' in page, testid
    assert f'name="shown_sha256" value="{signing.sha256}"' in page
    assert '<script type="module" src="/static/js/documents/signature-pad.js">' in page

    code_url = reverse("documents:sign_code", args=[signing.document.case.case_no, signing.uuid])
    assert client.post(code_url).status_code == 302
    code = outbox[-1].template.params[1]
    response = client.post(
        sign_url(signing),
        {"code": code, "shown_sha256": signing.sha256, "image": png_data_url()},
    )
    assert response.status_code == 302
    signature = Signature.objects.get(version=signing)
    assert signature.side == "applicant" and signature.signer == alice
    assert signature.image_sha256
    page = client.get(sign_url(signing)).content.decode()
    status = page.split('data-testid="signed-status"')[1].split("</ul>")[0]
    assert 'data-side="applicant" data-signed="yes"' in status
    assert "signed by Alice" in status
    assert 'data-side="institution" data-signed="no"' in status
    assert 'data-side="mediator" data-signed="no"' in status
    assert 'data-testid="sign-form"' not in page


def _code_for(client, version, outbox) -> str:
    url = reverse("documents:sign_code", args=[version.document.case.case_no, version.uuid])
    assert client.post(url).status_code == 302
    return str(outbox[-1].template.params[1])


def test_refusals_are_shown_and_write_nothing(client, signing, alice, mia, outbox):
    client.force_login(alice)
    _code_for(client, signing, outbox)
    before = written(signing.document.case)
    wrong = client.post(sign_url(signing), {"code": "000000", "shown_sha256": signing.sha256})
    assert wrong.status_code == 400
    assert "Wrong, expired or used code." in field_error(wrong.content.decode(), "code")
    changed = client.post(
        sign_url(signing), {"code": _code_for(client, signing, outbox), "shown_sha256": "0" * 64}
    )
    assert changed.status_code == 409
    assert "This version has changed since it was shown" in changed.content.decode()
    assert written(signing.document.case) == before

    code = _code_for(client, signing, outbox)
    ok = {"code": code, "shown_sha256": signing.sha256}
    assert client.post(sign_url(signing), ok).status_code == 302
    before = written(signing.document.case)
    twice = client.post(sign_url(signing), ok)
    assert twice.status_code == 409
    assert "Your side has already signed this version." in twice.content.decode()
    assert written(signing.document.case) == before


def test_a_version_changed_since_it_was_shown_is_refused(client, signing, alice, mia, outbox):
    client.force_login(alice)
    code = _code_for(client, signing, outbox)
    newer = document_draft(
        case=signing.document.case,
        kind=DocumentKind.AGREEMENT,
        fields={
            **{k: v for k, v in signing.fields.items() if k != "case"},
            "other_terms": "另行约定",
        },
        by=mia,
        document=signing.document,
    )
    document_send_to_signing(version=newer, by=mia)
    before = written(signing.document.case)
    response = client.post(sign_url(signing), {"code": code, "shown_sha256": signing.sha256})
    assert response.status_code == 409
    html = response.content.decode()
    assert "This version has changed since it was shown" in html
    assert sign_url(newer) in html  # the way to the current version
    assert written(signing.document.case) == before


def test_not_a_signer_is_told_so(client, signing, ada, bob, outbox):
    client.force_login(ada)
    page = client.get(sign_url(signing)).content.decode()
    assert 'data-testid="sign-form"' not in page
    code_url = reverse("documents:sign_code", args=[signing.document.case.case_no, signing.uuid])
    response = client.post(code_url, follow=True)
    assert "You do not sign this document." in response.content.decode()
    assert not outbox
    response = client.post(sign_url(signing), {"code": "123456", "shown_sha256": signing.sha256})
    assert response.status_code == 403
    assert "You do not sign this document." in response.content.decode()
    client.force_login(bob)  # not on the case at all
    assert client.get(sign_url(signing)).status_code == 404


def test_once_sealed_the_page_links_the_sealed_pdf(client, signing, alice, ben, mia, outbox, tsa):
    for user in (alice, ben, mia):
        signing_code_request(version=signing, user=user)
        document_sign(
            version=signing,
            user=user,
            code=str(outbox[-1].template.params[1]),
            shown_sha256=signing.sha256,
        )
    document_seal(version_id=signing.pk)
    client.force_login(alice)
    page = client.get(sign_url(signing)).content.decode()
    sealed = reverse("documents:sealed_pdf", args=[signing.document.case.case_no, signing.uuid])
    assert re.search(rf'href="{re.escape(sealed)}" data-testid="sealed-pdf"', page)
    assert page.count('data-signed="yes"') == 3
    pdf = client.get(sealed)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_signature_script_is_served(client) -> None:
    response = client.get("/static/js/documents/signature-pad.js")
    assert response.status_code == 200
    body: Any = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    assert "pointerdown" in text and 'toDataURL("image/png")' in text
