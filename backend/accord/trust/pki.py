"""Certificates: the development PKI, the trust roots, the chains shipped in evidence packages.

The development PKI (``accord dev-pki``, created by ``make up`` and on first use) lives under
``ACCORD_PKI_DIR`` (default ``<ACCORD_VAR_DIR>/pki``)::

    ca.pem, ca.key.pem        the development root CA (not for production)
    ca.crl.pem                its CRL (empty; reissued when it nears its next update)
    tsa.pem, tsa.key.pem      the development timestamp authority (EKU timeStamping, critical)
    orgs/<id>.pem, .key.pem   an organization's seal certificate (subject O=<its name>),
                              issued by the CA on the first seal and reissued when the
                              organization's name changed; earlier ones are kept as
                              orgs/<id>.<serial>.pem so that older seals still find their chain

It is used only in demo mode (``ACCORD_DEMO=1``): without it nothing here issues a
certificate, and organizations seal with what ``ACCORD_SEAL_SIGNERS`` configures
(:mod:`accord.trust.signers`). Private keys are written unencrypted with mode 0600: they
protect nothing but a development stack. Writers take a file lock in the directory, so the
web, the Celery workers and the development TSA may all create it at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from accord.trust.errors import SealUnavailable
from accord.trust.signer_config import configured_chain_pem

CA_DAYS = 3650
TSA_DAYS = 5 * 365
SEAL_DAYS = 2 * 365
CRL_DAYS = 30
# A CRL or seal certificate this close to its end is replaced before it is used.
RENEW_BEFORE = dt.timedelta(days=7)
KEY_BITS = 3072
ORG_ID_PREFIX = "ACCORD-ORG-"

_PEM_BLOCK = re.compile(
    rb"-----BEGIN CERTIFICATE-----\r?\n.+?\r?\n-----END CERTIFICATE-----", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class DevPki:
    """Paths of the development PKI (all present once :func:`ensure_dev_pki` returned)."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key.pem"

    @property
    def crl(self) -> Path:
        return self.directory / "ca.crl.pem"

    @property
    def tsa_cert(self) -> Path:
        return self.directory / "tsa.pem"

    @property
    def tsa_key(self) -> Path:
        return self.directory / "tsa.key.pem"

    def org_cert(self, organization_id: int) -> Path:
        return self.directory / "orgs" / f"{organization_id}.pem"

    def org_key(self, organization_id: int) -> Path:
        return self.directory / "orgs" / f"{organization_id}.key.pem"

    def org_archive(self, organization_id: int) -> list[Path]:
        """Seal certificates the organization had before its current one."""
        return sorted((self.directory / "orgs").glob(f"{organization_id}.*[0-9a-f].pem"))


def dev_pki_enabled() -> bool:
    """The development PKI is a demo-mode facility, never a production fallback."""
    return bool(settings.ACCORD_DEMO)


def dev_pki() -> DevPki:
    return DevPki(Path(settings.ACCORD_PKI_DIR))


# --- Creating it ----------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _new_key() -> rsa.RSAPrivateKey:
    # RSA: the development TSA signs with pyHanko's DummyTimeStamper, which is RSA-only.
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: not an RSA key")
    return key


def _load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey, days: int
) -> x509.CertificateBuilder:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _issued_by_ca(
    builder: x509.CertificateBuilder, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey
) -> x509.Certificate:
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def _create_ca(pki: DevPki) -> None:
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Accord development"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, "Accord Development Root CA (not for production)"
            ),
        ]
    )
    cert = (
        _builder(name, name, key.public_key(), CA_DAYS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write(pki.ca_key, _key_pem(key), private=True)
    _write(pki.ca_cert, cert.public_bytes(serialization.Encoding.PEM))


def _create_tsa(pki: DevPki, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey) -> None:
    key = _new_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Accord development"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Accord Development Timestamp Authority"),
        ]
    )
    builder = (
        _builder(subject, ca_cert.subject, key.public_key(), TSA_DAYS)
        .add_extension(_key_usage(signing=True), critical=True)
        # RFC 3161 2.3: the TSA's certificate has exactly this EKU, marked critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    )
    cert = _issued_by_ca(builder, ca_cert, ca_key)
    _write(pki.tsa_key, _key_pem(key), private=True)
    _write(pki.tsa_cert, cert.public_bytes(serialization.Encoding.PEM))


def _crl_is_fresh(pki: DevPki) -> bool:
    if not pki.crl.is_file():
        return False
    crl = x509.load_pem_x509_crl(pki.crl.read_bytes())
    next_update = crl.next_update_utc
    return next_update is not None and next_update - RENEW_BEFORE > _now()


def _issue_crl(pki: DevPki, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey) -> None:
    """An empty CRL: the development CA never revokes. Validators and the B-LTA seals need it
    to show that the certificates it issued were not revoked."""
    now = _now()
    number = int(now.timestamp())
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write(pki.crl, crl.public_bytes(serialization.Encoding.PEM))


def ensure_dev_pki(pki: DevPki | None = None) -> DevPki:
    """Create what is missing of the development PKI (the CA, the TSA, the CRL); reissue a
    CRL near its next update. Safe to repeat and to run from several processes at once."""
    pki = pki or dev_pki()
    if pki.ca_cert.is_file() and pki.tsa_cert.is_file() and _crl_is_fresh(pki):
        return pki
    with _locked(pki.directory):
        if not (pki.ca_cert.is_file() and pki.ca_key.is_file()):
            _create_ca(pki)
        ca_cert, ca_key = _load_cert(pki.ca_cert), _load_key(pki.ca_key)
        if not (pki.tsa_cert.is_file() and pki.tsa_key.is_file()):
            _create_tsa(pki, ca_cert, ca_key)
        if not _crl_is_fresh(pki):
            _issue_crl(pki, ca_cert, ca_key)
    return pki


def _org_subject(organization_id: int, organization_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization_name),
            x509.NameAttribute(NameOID.COMMON_NAME, organization_name),
            # Names change and need not be unique; the id says which organization this is.
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"{ORG_ID_PREFIX}{organization_id}"),
        ]
    )


def _org_cert_current(pki: DevPki, organization_id: int, organization_name: str) -> bool:
    path, key = pki.org_cert(organization_id), pki.org_key(organization_id)
    if not (path.is_file() and key.is_file()):
        return False
    cert = _load_cert(path)
    return (
        cert.subject == _org_subject(organization_id, organization_name)
        and cert.not_valid_after_utc - RENEW_BEFORE > _now()
    )


def dev_seal_credentials(*, organization_id: int, organization_name: str) -> tuple[Path, Path]:
    """(key, certificate) of the organization's development seal, issued on first use.

    Refused (:class:`SealUnavailable`) outside demo mode: production never self-issues."""
    if not dev_pki_enabled():
        raise SealUnavailable(
            f"no seal certificate is configured for organization {organization_id} "
            "(ACCORD_SEAL_SIGNERS) and the development PKI is only used with ACCORD_DEMO=1"
        )
    pki = ensure_dev_pki()
    if _org_cert_current(pki, organization_id, organization_name):
        return pki.org_key(organization_id), pki.org_cert(organization_id)
    with _locked(pki.directory):
        if not _org_cert_current(pki, organization_id, organization_name):
            _issue_org_cert(pki, organization_id, organization_name)
    return pki.org_key(organization_id), pki.org_cert(organization_id)


def _issue_org_cert(pki: DevPki, organization_id: int, organization_name: str) -> None:
    current = pki.org_cert(organization_id)
    if current.is_file():
        old = _load_cert(current)
        _write(
            current.with_name(f"{organization_id}.{old.serial_number:x}.pem"), current.read_bytes()
        )
    ca_cert, ca_key = _load_cert(pki.ca_cert), _load_key(pki.ca_key)
    key = _new_key()
    builder = _builder(
        _org_subject(organization_id, organization_name),
        ca_cert.subject,
        key.public_key(),
        SEAL_DAYS,
    ).add_extension(_key_usage(signing=True), critical=True)
    cert = _issued_by_ca(builder, ca_cert, ca_key)
    _write(pki.org_key(organization_id), _key_pem(key), private=True)
    _write(current, cert.public_bytes(serialization.Encoding.PEM))


# --- Reading certificates -------------------------------------------------------------------


def pem_blocks(data: bytes) -> list[bytes]:
    """The PEM certificate blocks in ``data``, each ending with a newline."""
    return [block.replace(b"\r\n", b"\n") + b"\n" for block in _PEM_BLOCK.findall(data)]


def trust_roots_pem() -> bytes:
    """The roots seals and timestamps are validated against: the file ``ACCORD_TRUST_ROOTS``
    names (PEM, one or more certificates) and, in demo mode, the development CA."""
    blocks: list[bytes] = []
    path = settings.ACCORD_TRUST_ROOTS
    if path:
        blocks.extend(pem_blocks(Path(path).read_bytes()))
    if dev_pki_enabled():
        blocks.extend(pem_blocks(ensure_dev_pki().ca_cert.read_bytes()))
    return b"".join(dict.fromkeys(blocks))


def dev_crls_der() -> list[bytes]:
    """The development CA's CRL in DER (demo mode); none otherwise."""
    if not dev_pki_enabled():
        return []
    crl = x509.load_pem_x509_crl(ensure_dev_pki().crl.read_bytes())
    return [crl.public_bytes(serialization.Encoding.DER)]


def certificate_chain_pem(organization_id: int) -> bytes:
    """The certificates needed to validate the organization's seals, leaf first: its seal
    certificate(s) (the current one and, in demo mode, earlier ones), the intermediates its
    signer configuration names, then the trust roots. Empty when the organization has no
    seal certificate at all."""
    blocks = pem_blocks(configured_chain_pem(organization_id))
    if not blocks and dev_pki_enabled():
        pki = dev_pki()
        current = pki.org_cert(organization_id)
        if current.is_file():
            blocks.extend(pem_blocks(current.read_bytes()))
            for older in pki.org_archive(organization_id):
                blocks.extend(pem_blocks(older.read_bytes()))
    if not blocks:
        return b""
    blocks.extend(pem_blocks(trust_roots_pem()))
    return b"".join(dict.fromkeys(blocks))
