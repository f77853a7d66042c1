"""The evidence package carries every document the platform drew up and its sealed copy:
verify.py checks their hashes offline against the trace, the package's own certificates
validate the seal with pyHanko's validator (as a court's validator would), and a sealed PDF
changed inside the package fails verify.py."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from accord.accounts import sms
from accord.cases.models import Case
from accord.documents.models import DocumentKind, DocumentVersion
from accord.documents.services import document_draft, document_send_to_signing
from accord.documents.signing import document_seal, document_sign, signing_code_request
from accord.packages.export import export_case_to_path
from tests.documents.conftest import agreement_fields
from tests.packages.conftest import run_verifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(mediating: Case, alice, ben, mia, tsa, settings: Any) -> DocumentVersion:
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.OutboxSmsBackend"
    for user, phone in ((mia, "13900000021"), (ben, "13900000022")):
        user.phone = phone
        user.save(update_fields=["phone", "phone_lookup"])
    version = document_draft(
        case=mediating, kind=DocumentKind.AGREEMENT, fields=agreement_fields(), by=mia
    )
    version = document_send_to_signing(version=version, by=mia)
    for user in (alice, ben, mia):
        sms.outbox.clear()
        signing_code_request(version=version, user=user)
        template = sms.outbox[-1].template
        assert template is not None
        document_sign(
            version=version, user=user, code=template.params[1], shown_sha256=version.sha256
        )
    return document_seal(version_id=version.pk)


def export(case: Case, tmp_path: Path) -> Path:
    path = tmp_path / "package.zip"
    export_case_to_path(case=case, user=None, path=path, via="test")
    return path


def test_the_package_carries_the_drafted_and_the_sealed_agreement(sealed, tmp_path):
    package = export(sealed.document.case, tmp_path)
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        sealed_name = next(
            n for n in names if n.startswith("signed/") and n.endswith("-sealed.pdf")
        )
        sealed_pdf = archive.read(sealed_name)
        roots = list(load_certs_from_pemder_data(archive.read("certificates/ca.pem")))
    drafted = [n for n in names if n.startswith("signed/") and not n.endswith("-sealed.pdf")]
    assert len(drafted) == 1
    entry = next(e for e in manifest["documents"] if e["path"] == sealed_name)
    assert entry["sha256"] == sealed.sealed_sha256 and entry["copy"] == "sealed"
    assert entry["kind"] == "agreement"
    result = run_verifier(package)
    assert result.returncode == 0, result.stdout + result.stderr
    # The package alone validates the seal: chain to the CA in certificates/, intact.
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(sealed_pdf))
    status = validate_pdf_signature(reader.embedded_regular_signatures[0], context, context)
    assert status.intact and status.trusted


def test_a_sealed_pdf_changed_in_the_package_fails_verify(sealed, tmp_path):
    package = export(sealed.document.case, tmp_path)
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("signed/") and info.filename.endswith("-sealed.pdf"):
                data = data.replace(b"/Type", b"/Typf", 1)
            target.writestr(info, data)
    result = run_verifier(changed)
    assert result.returncode != 0
    assert "signed/" in result.stdout + result.stderr
