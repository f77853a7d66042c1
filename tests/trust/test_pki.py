"""The development PKI (demo mode) and configured signers (production)."""

from __future__ import annotations

import io
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import CommandError, call_command

from accord.trust import pki as pki_module
from accord.trust.errors import SealUnavailable
from accord.trust.pki import DevPki, certificate_chain_pem, dev_seal_credentials, pem_blocks
from accord.trust.seal import seal_pdf
from accord.trust.validate import validate_pdf
from tests.trust.conftest import ORG_NAME


def load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_development_pki_is_created_once(pki: DevPki):
    ca = pki.ca_cert.read_bytes()

    again = pki_module.ensure_dev_pki()

    assert again.ca_cert.read_bytes() == ca
    assert pki.ca_key.stat().st_mode & 0o777 == 0o600
    assert pki.tsa_key.stat().st_mode & 0o777 == 0o600


def test_the_tsa_certificate_is_for_timestamping_only(pki: DevPki):
    tsa, ca = load(pki.tsa_cert), load(pki.ca_cert)

    eku = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert tsa.issuer == ca.subject
    tsa.verify_directly_issued_by(ca)


def test_the_crl_is_the_cas(pki: DevPki):
    crl = x509.load_pem_x509_crl(pki.crl.read_bytes())

    ca_key = load(pki.ca_cert).public_key()
    assert isinstance(ca_key, rsa.RSAPublicKey)
    assert crl.is_signature_valid(ca_key)
    assert len(list(crl)) == 0


def test_a_seal_certificate_is_issued_per_organization_and_cached(pki: DevPki):
    key, cert_path = dev_seal_credentials(organization_id=8101, organization_name=ORG_NAME)
    first = cert_path.read_bytes()

    _key, again = dev_seal_credentials(organization_id=8101, organization_name=ORG_NAME)

    assert again.read_bytes() == first
    cert = load(cert_path)
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORG_NAME
    cert.verify_directly_issued_by(load(pki.ca_cert))
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature and not usage.key_cert_sign
    assert key.stat().st_mode & 0o777 == 0o600


def test_a_renamed_organization_gets_a_new_certificate_and_keeps_the_old_in_its_chain(pki):
    _k, path = dev_seal_credentials(organization_id=8102, organization_name="旧名称调解中心")
    old = path.read_bytes()

    _k, path = dev_seal_credentials(organization_id=8102, organization_name="新名称调解中心")

    assert path.read_bytes() != old
    chain = pem_blocks(certificate_chain_pem(8102))
    assert chain[0] == path.read_bytes()
    assert old in chain
    assert pki.ca_cert.read_bytes() in chain


def test_an_organization_that_never_sealed_has_no_chain(pki):
    assert certificate_chain_pem(8199) == b""


def test_outside_demo_mode_no_seal_certificate_is_issued(settings, pki):
    settings.ACCORD_DEMO = False

    with pytest.raises(SealUnavailable, match="ACCORD_DEMO"):
        dev_seal_credentials(organization_id=8103, organization_name=ORG_NAME)
    assert not pki.org_cert(8103).exists()
    with pytest.raises(CommandError, match="demo mode"):
        call_command("dev_pki")


def test_outside_demo_mode_only_the_configured_roots_are_trusted(settings, tmp_path, pki):
    settings.ACCORD_DEMO = False
    settings.ACCORD_TRUST_ROOTS = ""
    assert pki_module.trust_roots_pem() == b""

    roots = tmp_path / "roots.pem"
    roots.write_bytes(pki.ca_cert.read_bytes())
    settings.ACCORD_TRUST_ROOTS = str(roots)
    assert pki_module.trust_roots_pem() == pki.ca_cert.read_bytes()


def _pkcs12_from_dev_ca(pki: DevPki, tmp_path, passphrase: bytes) -> tuple[str, bytes]:
    """A PKCS#12 file as a real CA would hand it out (issued here by the development CA)."""
    key_path, cert_path = dev_seal_credentials(organization_id=8104, organization_name="某调解中心")
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    cert = load(cert_path)
    data = pkcs12.serialize_key_and_certificates(
        b"seal",
        key,  # type: ignore[arg-type]
        cert,
        [load(pki.ca_cert)],
        serialization.BestAvailableEncryption(passphrase),
    )
    path = tmp_path / "seal.p12"
    path.write_bytes(data)
    return str(path), cert.fingerprint(hashes.SHA256())


def test_a_configured_pkcs12_signer_seals_in_production(
    tsa, settings, tmp_path, monkeypatch, pki, agreement_pdf
):
    p12, fingerprint = _pkcs12_from_dev_ca(pki, tmp_path, b"correct horse")
    monkeypatch.setenv("ACCORD_TEST_SEAL_PASSPHRASE", "correct horse")
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pki.ca_cert.read_bytes())
    settings.ACCORD_DEMO = False
    settings.ACCORD_TRUST_ROOTS = str(roots)
    settings.ACCORD_SEAL_SIGNERS = json.dumps(
        {"77": {"pkcs12": p12, "passphrase_env": "ACCORD_TEST_SEAL_PASSPHRASE"}}
    )

    sealed = seal_pdf(agreement_pdf, organization_id=77, organization_name="某调解中心", reason="r")

    report = validate_pdf(sealed)
    assert report.ok, report.summary
    assert report.signers == ["某调解中心"]
    chain = pem_blocks(certificate_chain_pem(77))
    assert load_from_pem(chain[0]).fingerprint(hashes.SHA256()) == fingerprint
    assert not pki.org_cert(77).exists()


def load_from_pem(block: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(block)


def test_a_wrong_pkcs12_passphrase_refuses_the_seal(
    tsa, settings, tmp_path, monkeypatch, pki, agreement_pdf
):
    p12, _ = _pkcs12_from_dev_ca(pki, tmp_path, b"correct horse")
    monkeypatch.setenv("ACCORD_TEST_SEAL_PASSPHRASE", "wrong")
    settings.ACCORD_SEAL_SIGNERS = json.dumps(
        {"78": {"pkcs12": p12, "passphrase_env": "ACCORD_TEST_SEAL_PASSPHRASE"}}
    )

    with pytest.raises(SealUnavailable, match="cannot be used"):
        seal_pdf(agreement_pdf, organization_id=78, organization_name="某调解中心", reason="r")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('{"79": {"pkcs12": "/nonexistent.p12"}}', "does not exist"),
        ('{"79": {"pkcs12": "/etc/hostname", "passphrase_env": "ACCORD_UNSET_X"}}', "not set"),
        ('{"79": {"pkcs11_module": "/x.so"}}', "key_label and pin_env"),
        ('{"79": {"pem": "x"}}', "neither pkcs12 nor pkcs11_module"),
        ("[1]", "not a JSON object"),
    ],
)
def test_a_misconfigured_signer_refuses_the_seal(tsa, settings, agreement_pdf, config, message):
    settings.ACCORD_SEAL_SIGNERS = config

    with pytest.raises(SealUnavailable, match=message):
        seal_pdf(agreement_pdf, organization_id=79, organization_name="某调解中心", reason="r")


def test_the_dev_pki_command_prints_where_it_is(pki):
    out = io.StringIO()
    call_command("dev_pki", stdout=out)
    assert str(pki.directory) in out.getvalue()
