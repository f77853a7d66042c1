"""The pyHanko signer that seals an organization's documents.

A signer configured in ``ACCORD_SEAL_SIGNERS`` (PKCS#12 file or PKCS#11 token,
:mod:`accord.trust.signer_config`) comes first; in demo mode only, an organization without one
seals with a certificate the development CA issues for it (:mod:`accord.trust.pki`). Anything
else is refused with :class:`SealUnavailable`: production never self-signs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from asn1crypto import x509 as asn1_x509
from pkcs11 import PKCS11Error, Session
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder_data
from pyhanko.sign import signers
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from accord.trust import pki
from accord.trust.errors import SealUnavailable, SignerConfigError
from accord.trust.signer_config import (
    Pkcs11Signer,
    Pkcs12Signer,
    configuration_errors,
    pkcs12_passphrase,
    secret_from_env,
    signer_config,
)


def _pem_certs(data: bytes) -> list[asn1_x509.Certificate]:
    return list(load_certs_from_pemder_data(data)) if data else []


def _chain_certs(config: Pkcs12Signer | Pkcs11Signer) -> list[asn1_x509.Certificate]:
    extra = config.chain.read_bytes() if config.chain is not None else b""
    return _pem_certs(extra) + _pem_certs(pki.trust_roots_pem())


def _pkcs12_signer(config: Pkcs12Signer) -> signers.Signer:
    signer = signers.SimpleSigner.load_pkcs12_data(
        config.path.read_bytes(),
        other_certs=_chain_certs(config),
        passphrase=pkcs12_passphrase(config),
    )
    if signer is None:
        raise SealUnavailable(f"{config.path}: the PKCS#12 file or its passphrase is wrong")
    return signer


def _open_pkcs11_session(config: Pkcs11Signer) -> Session:
    return open_pkcs11_session(
        str(config.module),
        slot_no=config.slot,
        token_criteria=TokenCriteria(label=config.token_label) if config.token_label else None,
        user_pin=secret_from_env(config.pin_env),
    )


@contextlib.contextmanager
def seal_signer(*, organization_id: int, organization_name: str) -> Iterator[signers.Signer]:
    """The organization's signer, open for the duration of the ``with`` block.

    Raises :class:`SealUnavailable` when none is configured (outside demo mode) or the
    configured one cannot be opened."""
    try:
        config = signer_config(organization_id)
    except SignerConfigError as exc:
        raise SealUnavailable(str(exc)) from exc
    if config is None:
        key, cert = pki.dev_seal_credentials(
            organization_id=organization_id, organization_name=organization_name
        )
        yield signers.SimpleSigner.load(
            str(key), str(cert), ca_chain_files=(str(pki.dev_pki().ca_cert),)
        )
        return
    missing = configuration_errors(config)
    if missing:
        raise SealUnavailable(
            f"the seal signer of organization {organization_id} is not usable: "
            + "; ".join(missing)
        )
    cannot = f"the seal signer of organization {organization_id} cannot be used"
    if isinstance(config, Pkcs12Signer):
        try:
            signer = _pkcs12_signer(config)
        except (OSError, ValueError, SignerConfigError) as exc:
            raise SealUnavailable(f"{cannot}: {exc}") from exc
        yield signer
        return
    try:
        session = _open_pkcs11_session(config)
    except (OSError, PKCS11Error, SignerConfigError) as exc:
        raise SealUnavailable(f"{cannot}: {exc}") from exc
    try:
        if config.certificate is not None:
            yield PKCS11Signer(
                session,
                key_label=config.key_label,
                signing_cert=load_cert_from_pemder(str(config.certificate)),
                ca_chain=_chain_certs(config),
            )
        else:
            yield PKCS11Signer(
                session,
                key_label=config.key_label,
                cert_label=config.cert_label,
                ca_chain=_chain_certs(config),
            )
    finally:
        session.close()
