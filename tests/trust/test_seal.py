"""Seals: a WeasyPrint PDF/A sealed by an organization validates with pyHanko (intact, chained
to the development CA, timestamped, B-LTA); a PDF changed after sealing does not."""

from __future__ import annotations

import asyncio
import io
import subprocess
from collections.abc import Iterator

import pytest
from django.test import override_settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.authority import CertTrustAnchor

from accord.trust.appearance import appearance_pdf
from accord.trust.errors import SealUnavailable
from accord.trust.pki import DevPki, dev_pki, ensure_dev_pki
from accord.trust.seal import seal_pdf
from accord.trust.validate import validate_pdf
from infra.procs import free_port
from tests.trust.conftest import ORG_ID, ORG_NAME


@pytest.fixture(scope="session")
def sealed_pdf(dev_tsa_url: str, agreement_pdf: bytes) -> Iterator[bytes]:
    with override_settings(ACCORD_TSA_URL=dev_tsa_url):
        yield seal_pdf(
            agreement_pdf,
            organization_id=ORG_ID,
            organization_name=ORG_NAME,
            reason="调解协议书盖章",
            location="深圳",
        )


def pdftotext(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def test_a_sealed_pdf_validates_intact_trusted_and_timestamped(sealed_pdf):
    report = validate_pdf(sealed_pdf)

    assert report.intact and report.trusted and report.timestamped, report.summary
    assert report.signers == [ORG_NAME]
    assert report.level == "B-LTA"
    assert report.ok


def test_pyhankos_own_validator_chains_the_seal_to_the_development_ca(sealed_pdf):
    # Independent of accord.trust.validate: only the CA certificate file is trusted.
    reader = PdfFileReader(io.BytesIO(sealed_pdf))
    seal = reader.embedded_regular_signatures[0]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(dev_pki().ca_cert))])

    status = asyncio.run(async_validate_pdf_signature(seal, context, context))

    assert status.intact and status.valid and status.trusted
    assert status.validation_path is not None
    anchor = status.validation_path.trust_anchor
    assert isinstance(anchor, CertTrustAnchor)
    assert anchor.certificate.subject.native["common_name"].startswith("Accord Development Root CA")
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert status.signing_cert.subject.native["organization_name"] == ORG_NAME
    # The document security store holds the CA's CRL and a document timestamp covers it.
    assert len(reader.root["/DSS"]["/CRLs"]) == 1
    assert len(reader.embedded_timestamp_signatures) == 1


def test_sealing_appends_to_the_pdf_and_keeps_its_bytes(sealed_pdf, agreement_pdf):
    assert sealed_pdf.startswith(agreement_pdf)
    assert "调解协议书" in pdftotext(sealed_pdf)


def test_the_seal_appearance_shows_the_organization_name_in_chinese():
    text = pdftotext(appearance_pdf(organization_name=ORG_NAME, width_pt=180, height_pt=90))

    assert ORG_NAME in text
    assert "电子印章" in text


def test_the_seal_field_is_on_the_last_page_with_an_appearance(sealed_pdf):
    reader = PdfFileReader(io.BytesIO(sealed_pdf))
    seal = reader.embedded_regular_signatures[0]
    widget = seal.sig_field
    assert "/AP" in widget
    rect = [float(v) for v in widget["/Rect"]]
    assert rect[2] - rect[0] == 180 and rect[3] - rect[1] == 90


def test_a_byte_changed_inside_the_sealed_content_fails_validation(sealed_pdf):
    position = sealed_pdf.index(b"/Type /Page") if b"/Type /Page" in sealed_pdf else 200
    tampered = bytearray(sealed_pdf)
    tampered[position + 1] ^= 0x01

    report = validate_pdf(bytes(tampered))

    assert not report.intact
    assert not report.ok


def test_a_page_changed_in_an_update_after_sealing_fails_validation(sealed_pdf):
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed_pdf))
    page_ref = writer.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (PAID IN FULL) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)

    report = validate_pdf(out.getvalue())

    assert not report.intact
    assert any("changed after" in problem for problem in report.problems)


def test_an_unsealed_pdf_has_no_seal(agreement_pdf):
    report = validate_pdf(agreement_pdf)

    assert not (report.intact or report.trusted or report.timestamped)
    assert report.summary == "no seal in the document"


def test_a_pdf_cannot_be_sealed_twice(tsa, sealed_pdf):
    with pytest.raises(ValueError, match="signed already"):
        seal_pdf(sealed_pdf, organization_id=ORG_ID, organization_name=ORG_NAME, reason="x")


def test_without_a_timestamp_authority_nothing_is_sealed(settings, agreement_pdf):
    settings.ACCORD_TSA_URL = ""

    with pytest.raises(SealUnavailable, match="ACCORD_TSA_URL") as refused:
        seal_pdf(agreement_pdf, organization_id=ORG_ID, organization_name=ORG_NAME, reason="x")
    assert refused.value.code == "seal_unavailable"


def test_an_unreachable_timestamp_authority_refuses_the_seal(settings, agreement_pdf):
    settings.ACCORD_TSA_URL = f"http://127.0.0.1:{free_port()}/"

    with pytest.raises(SealUnavailable, match="no timestamp"):
        seal_pdf(agreement_pdf, organization_id=ORG_ID, organization_name=ORG_NAME, reason="x")


def test_production_never_self_signs(tsa, settings, agreement_pdf, pki: DevPki):
    settings.ACCORD_DEMO = False
    settings.ACCORD_TRUST_ROOTS = str(pki.ca_cert)

    with pytest.raises(SealUnavailable, match="ACCORD_SEAL_SIGNERS"):
        seal_pdf(agreement_pdf, organization_id=4242, organization_name="某调解中心", reason="x")
    assert not ensure_dev_pki().org_cert(4242).exists()
