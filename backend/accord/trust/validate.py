"""Validating seals and timestamp tokens against the configured trust roots (pyHanko).

:func:`validate_pdf` answers what a court's PDF validator would: is every seal intact (the
bytes it signed unchanged, and nothing after it but long-term-validation updates), does its
certificate chain to a trusted root, does it carry a valid RFC 3161 timestamp.
:func:`verify_token` checks a chain anchor's token the same way.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import cms, x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import SignatureCoverageLevel, TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from accord.trust import pki

ACCEPTED_AFTER_SEAL = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES}


@dataclass(frozen=True, slots=True)
class SealReport:
    intact: bool
    trusted: bool
    timestamped: bool
    signers: list[str]
    summary: str
    # "B-LTA" (document timestamp over the validation data), "B-T", "B-B", "" (no seal).
    level: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.timestamped


def trust_roots() -> list[x509.Certificate]:
    return list(load_certs_from_pemder_data(pki.trust_roots_pem()))


def validation_context() -> ValidationContext:
    """Trust roots from configuration; in demo mode the development CA and its CRL, nothing
    fetched; otherwise revocation data is fetched from the certificates' own URLs."""
    return ValidationContext(
        trust_roots=trust_roots(),
        crls=pki.dev_crls_der() or None,
        allow_fetching=not pki.dev_pki_enabled(),
    )


def _signer_name(cert: x509.Certificate) -> str:
    subject = cert.subject.native
    return str(subject.get("organization_name") or subject.get("common_name") or "?")


def _empty(summary: str) -> SealReport:
    return SealReport(
        intact=False, trusted=False, timestamped=False, signers=[], summary=summary, level=""
    )


def validate_pdf(pdf: bytes) -> SealReport:
    """Validate every seal and document timestamp in ``pdf``."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        seals = reader.embedded_regular_signatures
        doc_timestamps = reader.embedded_timestamp_signatures
    except (PdfReadError, ValueError, KeyError) as exc:
        return _empty(f"not a readable PDF: {exc}")
    if not seals:
        return _empty("no seal in the document")
    problems: list[str] = []
    signers: list[str] = []
    trusted = timestamped = True
    for seal in seals:
        context = validation_context()
        try:
            status = validate_pdf_signature(seal, context, context)
        except (PdfReadError, ValueError, KeyError, TypeError) as exc:
            # pyHanko's SignatureValidationError is a ValueError too.
            signers.append("?")
            trusted = timestamped = False
            problems.append(f"a seal cannot be read: the document's bytes were changed ({exc})")
            continue
        name = _signer_name(status.signing_cert)
        signers.append(name)
        if not (status.intact and status.valid):
            problems.append(f"the seal of {name} does not match the document's bytes")
        if (
            status.coverage is None
            or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION
            or status.modification_level not in ACCEPTED_AFTER_SEAL
            or status.docmdp_ok is False
        ):
            problems.append(f"the document was changed after the seal of {name}")
        if not status.trusted:
            trusted = False
            problems.append(f"the certificate of {name} does not chain to a trusted root")
        stamp = status.timestamp_validity
        if stamp is None:
            timestamped = False
            problems.append(f"the seal of {name} has no timestamp")
        elif not (stamp.intact and stamp.valid and stamp.trusted):
            timestamped = False
            problems.append(f"the timestamp of the seal of {name} does not validate")
    for doc_timestamp in doc_timestamps:
        context = validation_context()
        try:
            ts_status = validate_pdf_timestamp(doc_timestamp, context)
        except (PdfReadError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"a document timestamp cannot be read: its bytes were changed ({exc})")
            continue
        if not (ts_status.intact and ts_status.valid):
            problems.append("a document timestamp does not match the document's bytes")
        if ts_status.modification_level not in ACCEPTED_AFTER_SEAL:
            problems.append("the document was changed after its document timestamp")
        if not ts_status.trusted:
            trusted = False
            problems.append("a document timestamp does not chain to a trusted root")
    intact = not [p for p in problems if "changed" in p or "bytes" in p]
    level = "B-LTA" if doc_timestamps else ("B-T" if timestamped else "B-B")
    names = ", ".join(signers)
    if intact and trusted and timestamped:
        summary = f"valid PAdES {level} seal of {names}"
    else:
        summary = f"seal of {names} does not validate: " + "; ".join(problems)
    return SealReport(
        intact=intact,
        trusted=trusted,
        timestamped=timestamped,
        signers=signers,
        summary=summary,
        level=level,
        problems=problems,
    )


@dataclass(frozen=True, slots=True)
class TokenCheck:
    intact: bool  # the token's signature holds and it stamps the expected digest
    trusted: bool  # the TSA's certificate chains to a trusted root
    gen_time: datetime | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted


def verify_token(token_der: bytes, *, digest: bytes, hash_algo: str = "sha256") -> TokenCheck:
    """Check a DER ``TimeStampToken``: signature, TSA chain, and that it stamps ``digest``."""
    try:
        token = cms.ContentInfo.load(token_der)
        signed_data = token["content"]
        if not isinstance(signed_data, cms.SignedData):
            return TokenCheck(False, False, None, "not a CMS SignedData token")

        def expected(algorithm: str) -> bytes:
            return digest if algorithm == hash_algo else b""

        kwargs = asyncio.run(validate_tst_signed_data(signed_data, validation_context(), expected))
    except (ValueError, TypeError, KeyError, SignatureValidationError) as exc:
        return TokenCheck(False, False, None, f"not a valid timestamp token: {exc}")
    status = TimestampSignatureStatus(**kwargs)
    return TokenCheck(
        intact=status.intact and status.valid, trusted=status.trusted, gen_time=status.timestamp
    )
