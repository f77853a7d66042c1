"""Timestamp tokens in the evidence package: verify.py checks offline that each token stamps
the trace's hash at its seq and prints the openssl command for the authority's signature; a
chain rewritten before a stamped head (triggers off, every hash recomputed) is caught by
verify.py on the exported package and by verify-case."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography import x509
from django.core.management import CommandError, call_command
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from accord.audit.verify import verify_chain
from accord.cases.models import Case
from accord.packages import verify_package
from accord.packages.export import export_case_to_path
from accord.trust.models import ChainAnchor
from accord.trust.seal import seal_pdf
from accord.trust.services import anchor_chain
from accord.trust.tsa import request_token, token_info
from tests.packages.conftest import PDF, run_verifier, upload
from tests.trust.conftest import render_pdf
from tests.trust.tampering import rewrite_history

pytestmark = pytest.mark.django_db


def export(case: Case, tmp_path: Path, name: str = "package.zip") -> Path:
    path = tmp_path / name
    export_case_to_path(case=case, user=None, path=path, via="test")
    return path


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_der_reader_reads_what_asn1crypto_reads(tsa):
    digest = hashlib.sha256(b"head").digest()
    token = request_token(digest)

    algorithm, hashed, gen_time = verify_package.read_tst_info(token)

    assert algorithm == verify_package.OID_SHA256
    assert hashed == digest == token_info(token).digest
    assert gen_time.startswith(token_info(token).gen_time.strftime("%Y%m%d%H%M%S"))


def test_an_anchored_package_carries_its_tokens_and_verifies(tsa, documented, tmp_path, alice):
    anchor = anchor_chain(documented.chain_id, reason="test")
    assert anchor is not None
    upload(documented, alice, PDF.replace(b"1 0", b"3 0"), "later.pdf")

    package = export(documented, tmp_path)

    content = members(package)
    assert content[f"anchors/{anchor.seq}.tsr"] == bytes(anchor.token)
    index = json.loads(content["anchors/index.json"])
    assert index["anchors"][0]["seq"] == anchor.seq
    assert index["anchors"][0]["head_hash"] == anchor.head_hash
    assert {"certificates/ca.pem", "certificates/tsa.pem"} <= set(content)
    manifest = json.loads(content["manifest.json"])
    assert manifest["anchors"] == {"index": "anchors/index.json"}
    result = run_verifier(package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"timestamps: 1 tokens stamp the trace's hash at their seq (latest: seq {anchor.seq}"
        in (result.stdout)
    )
    assert f"-in anchors/{anchor.seq}.tsr -digest {anchor.head_hash}" in result.stdout


def test_the_printed_openssl_command_verifies_the_token(tsa, documented, tmp_path):
    anchor_chain(documented.chain_id, reason="test")
    package = export(documented, tmp_path)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(unpacked)
    result = run_verifier(unpacked, verifier=unpacked / "verify.py")
    [command] = re.findall(r"^\s+(openssl ts -verify .*)$", result.stdout, flags=re.M)

    checked = subprocess.run(
        command.split(), cwd=unpacked, capture_output=True, text=True, timeout=60
    )

    assert "Verification: OK" in checked.stdout, checked.stdout + checked.stderr


def test_a_chain_rewritten_before_a_stamped_head_fails_the_package(
    tsa, documented, alice, tmp_path
):
    anchor = anchor_chain(documented.chain_id, reason="test")
    assert anchor is not None
    upload(documented, alice, PDF.replace(b"1 0", b"3 0"), "later.pdf")
    documented.chain.refresh_from_db()
    # The operator edits the first event (the case's creation) and recomputes every hash.
    first = documented.chain.events.get(seq=1)
    rewrite_history(documented.chain, 1, {**first.payload, "amount": "1.00"})
    assert verify_chain(documented.chain).ok

    package = export(documented, tmp_path)

    result = run_verifier(package)
    assert result.returncode == 1
    assert f"FAILED: anchors/{anchor.seq}.tsr: the timestamp of" in result.stdout
    assert "is not the one the timestamp authority saw" in result.stdout
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_case", documented.case_no, stdout=io.StringIO(), stderr=err)
    assert f"anchor at seq {anchor.seq}" in err.getvalue()


def test_an_unanchored_package_says_it_has_no_timestamps(documented, tmp_path):
    package = export(documented, tmp_path)

    result = run_verifier(package)
    assert result.returncode == 0, result.stdout
    assert "timestamps: none in this package" in result.stdout
    assert not [name for name in members(package) if name.startswith(("anchors/", "certif"))]


def test_the_organizations_seal_chain_is_in_the_package(tsa, documented, tmp_path):
    org = documented.organization
    sealed = seal_pdf(render_pdf(), organization_id=org.pk, organization_name=org.name, reason="r")

    content = members(export(documented, tmp_path))

    chain = content[f"certificates/org-{org.pk}.pem"]
    assert org.name in x509.load_pem_x509_certificate(chain).subject.rfc4514_string()
    # The package's roots alone validate the seal, as a court's validator would.
    roots = list(load_certs_from_pemder_data(content["certificates/ca.pem"]))
    reader = PdfFileReader(io.BytesIO(sealed))
    context = ValidationContext(trust_roots=roots)
    status = validate_pdf_signature(reader.embedded_regular_signatures[0], context, context)
    assert status.intact and status.valid and status.trusted


def test_an_export_anchors_the_case_chain_in_time(
    tsa, documented, tmp_path, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export(documented, tmp_path)

    anchor = ChainAnchor.objects.get(chain_id=documented.chain_id)
    assert anchor.reason == "case.exported"
    exported = documented.chain.events.get(action="case.exported")
    assert anchor.seq >= exported.seq
