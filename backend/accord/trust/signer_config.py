"""``ACCORD_SEAL_SIGNERS``: which key and certificate seal each organization's documents.

A JSON object keyed by organization id (docs/operations.md, Seals and timestamps)::

    {"7": {"pkcs12": "/etc/accord/seals/fmc.p12", "passphrase_env": "ACCORD_SEAL_7_PASSPHRASE",
           "chain": "/etc/accord/seals/intermediates.pem"},
     "8": {"pkcs11_module": "/usr/lib/softhsm/libsofthsm2.so", "token_label": "accord",
           "key_label": "seal-8", "cert_label": "seal-8", "pin_env": "ACCORD_SEAL_8_PIN"}}

Secrets are never in the JSON: ``passphrase_env`` / ``pin_env`` name an environment variable
(or ``<NAME>_FILE``, a file holding the secret). ``chain`` (optional) is a PEM file with the
intermediate certificates between the seal certificate and a trust root. This module parses
the configuration and reads the certificates it names; :mod:`accord.trust.signers` turns it
into a pyHanko signer.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.conf import settings

from accord.trust.errors import SignerConfigError

_PKCS12_KEYS = {"pkcs12", "passphrase_env", "chain"}
_PKCS11_KEYS = {
    "pkcs11_module",
    "token_label",
    "slot",
    "key_label",
    "cert_label",
    "certificate",
    "pin_env",
    "chain",
}


@dataclass(frozen=True, slots=True)
class Pkcs12Signer:
    path: Path
    passphrase_env: str
    chain: Path | None


@dataclass(frozen=True, slots=True)
class Pkcs11Signer:
    module: Path
    token_label: str | None
    slot: int | None
    key_label: str
    cert_label: str
    # The seal certificate as a PEM file, when it is not stored on the token.
    certificate: Path | None
    pin_env: str
    chain: Path | None


SignerConfig = Pkcs12Signer | Pkcs11Signer


def secret_from_env(name: str) -> str:
    """The value of ``name`` or the content of the file ``<name>_FILE``."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    value = os.environ.get(name)
    if value is None:
        raise SignerConfigError(f"the environment variable {name} (or {name}_FILE) is not set")
    return value


def _parse_one(org: str, entry: Any) -> SignerConfig:
    where = f"ACCORD_SEAL_SIGNERS[{org!r}]"
    if not isinstance(entry, dict):
        raise SignerConfigError(f"{where} is not an object")
    chain = Path(entry["chain"]) if entry.get("chain") else None
    if "pkcs12" in entry:
        unknown = set(entry) - _PKCS12_KEYS
        if unknown:
            raise SignerConfigError(f"{where}: unknown keys {sorted(unknown)}")
        return Pkcs12Signer(
            path=Path(entry["pkcs12"]),
            passphrase_env=str(entry.get("passphrase_env", "")),
            chain=chain,
        )
    if "pkcs11_module" in entry:
        unknown = set(entry) - _PKCS11_KEYS
        if unknown:
            raise SignerConfigError(f"{where}: unknown keys {sorted(unknown)}")
        if not entry.get("key_label") or not entry.get("pin_env"):
            raise SignerConfigError(f"{where}: a PKCS#11 signer needs key_label and pin_env")
        if not entry.get("token_label") and entry.get("slot") is None:
            raise SignerConfigError(f"{where}: a PKCS#11 signer needs token_label or slot")
        slot = entry.get("slot")
        return Pkcs11Signer(
            module=Path(entry["pkcs11_module"]),
            token_label=entry.get("token_label") or None,
            slot=None if slot is None else int(slot),
            key_label=str(entry["key_label"]),
            cert_label=str(entry.get("cert_label") or entry["key_label"]),
            certificate=Path(entry["certificate"]) if entry.get("certificate") else None,
            pin_env=str(entry["pin_env"]),
            chain=chain,
        )
    raise SignerConfigError(f"{where} names neither pkcs12 nor pkcs11_module")


def parse_signers(raw: str) -> dict[int, SignerConfig]:
    """Parse the JSON text of ``ACCORD_SEAL_SIGNERS``; raises :class:`SignerConfigError`."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SignerConfigError(f"ACCORD_SEAL_SIGNERS is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SignerConfigError("ACCORD_SEAL_SIGNERS is not a JSON object")
    parsed: dict[int, SignerConfig] = {}
    for key, entry in data.items():
        try:
            org_id = int(key)
        except ValueError:
            raise SignerConfigError(
                f"ACCORD_SEAL_SIGNERS: {key!r} is not an organization id"
            ) from None
        parsed[org_id] = _parse_one(key, entry)
    return parsed


def configured_signers() -> dict[int, SignerConfig]:
    return parse_signers(settings.ACCORD_SEAL_SIGNERS)


def signer_config(organization_id: int) -> SignerConfig | None:
    return configured_signers().get(organization_id)


def configuration_errors(config: SignerConfig) -> list[str]:
    """What is missing for ``config`` to be usable (files, secrets), without opening a key."""
    errors: list[str] = []
    files = [config.path] if isinstance(config, Pkcs12Signer) else [config.module]
    if isinstance(config, Pkcs11Signer) and config.certificate is not None:
        files.append(config.certificate)
    if config.chain is not None:
        files.append(config.chain)
    errors.extend(f"{path} does not exist" for path in files if not path.is_file())
    secret = config.passphrase_env if isinstance(config, Pkcs12Signer) else config.pin_env
    if secret:
        try:
            secret_from_env(secret)
        except (SignerConfigError, OSError) as exc:
            errors.append(str(exc))
    return errors


def pkcs12_passphrase(config: Pkcs12Signer) -> bytes | None:
    return secret_from_env(config.passphrase_env).encode() if config.passphrase_env else None


def configured_chain_pem(organization_id: int) -> bytes:
    """The seal certificate of a configured organization and the certificates of its
    ``chain`` file, as PEM: from the PKCS#12 file, or the PKCS#11 signer's ``certificate``
    file (a certificate kept only on the token is not read here: that needs the PIN);
    empty when nothing is configured."""
    config = signer_config(organization_id)
    if config is None:
        return b""
    parts: list[bytes] = []
    if isinstance(config, Pkcs12Signer):
        _key, cert, extra = pkcs12.load_key_and_certificates(
            config.path.read_bytes(), pkcs12_passphrase(config)
        )
        if cert is not None:
            parts.append(cert.public_bytes(Encoding.PEM))
        parts.extend(c.public_bytes(Encoding.PEM) for c in extra)
    elif config.certificate is not None:
        parts.append(config.certificate.read_bytes())
    if config.chain is not None:
        parts.append(config.chain.read_bytes())
    return b"".join(parts)
