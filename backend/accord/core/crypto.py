"""Personal data at rest: authenticated encryption of single values and their lookup hash.

Each value is encrypted with AES-256-GCM under a key-encryption key from configuration
(``ACCORD_DATA_KEYS``: ``id=base64key,id=base64key`` or a JSON object, the first one is the
current key). The stored text names the key it was made with::

    v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>

so that decryption accepts every configured key and rotation (``accord rotate-data-keys``)
re-encrypts what an older key made. The version and key id are bound to the ciphertext as
associated data: a value cannot be relabelled to another key. A fresh 96-bit nonce per
value; nothing here keeps state.

A field that is searched (a phone number at sign-in) keeps a companion column with
:func:`lookup_hash`: HMAC-SHA256 under a separate key (``ACCORD_LOOKUP_KEY``). The lookup
key is not a data key: a stolen lookup key alone decrypts nothing (though it lets phone
numbers, a small space, be tested against the column), and a stolen data key does not give
the lookup hashes away.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

VERSION = "v1"
PREFIX = f"{VERSION}:"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_TOKEN_RE = re.compile(r"^v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]+={0,2})$")


class DecryptionError(ValueError):
    """A stored value that no configured key opens (unknown key id, altered text)."""


@dataclass(frozen=True, slots=True)
class DataKeys:
    """The configured key-encryption keys: ``current`` encrypts, all of them decrypt."""

    current: str
    keys: dict[str, bytes]


def _decode_key(key_id: str, raw: str) -> bytes:
    try:
        key = base64.b64decode(raw.strip() + "=" * (-len(raw.strip()) % 4), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"data key {key_id!r} is not base64") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"data key {key_id!r} has {len(key)} bytes; AES-256 needs {KEY_BYTES}"
        )
    return key


def parse_data_keys(raw: str) -> DataKeys:
    """``id=base64,id=base64`` or ``{"id": "base64", ...}``; the first key is current."""
    raw = raw.strip()
    if not raw:
        raise ImproperlyConfigured("ACCORD_DATA_KEYS is empty")
    pairs: list[tuple[str, str]]
    if raw.startswith("{"):
        try:
            loaded = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ImproperlyConfigured(f"ACCORD_DATA_KEYS is not valid JSON: {exc}") from exc
        if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
            raise ImproperlyConfigured('ACCORD_DATA_KEYS JSON must be {"id": "base64key"}')
        pairs = list(loaded.items())
    else:
        pairs = []
        for part in raw.split(","):
            if not part.strip():
                continue
            key_id, sep, value = (s.strip() for s in part.partition("="))
            if not sep or not value:
                raise ImproperlyConfigured(
                    f"ACCORD_DATA_KEYS must be id=base64key pairs separated by commas, got "
                    f"{key_id!r} without a key"
                )
            pairs.append((key_id, value))
    keys: dict[str, bytes] = {}
    for key_id, value in pairs:
        if not KEY_ID_RE.match(key_id):
            raise ImproperlyConfigured(f"data key id {key_id!r}: 1-32 letters, digits, '-' or '_'")
        if key_id in keys:
            raise ImproperlyConfigured(f"data key id {key_id!r} is given twice")
        keys[key_id] = _decode_key(key_id, value)
    if not keys:
        raise ImproperlyConfigured("ACCORD_DATA_KEYS names no key")
    return DataKeys(current=pairs[0][0], keys=keys)


@lru_cache(maxsize=1)
def _configured(raw: str) -> DataKeys:
    return parse_data_keys(raw)


def data_keys() -> DataKeys:
    return _configured(str(settings.ACCORD_DATA_KEYS))


def _lookup_key() -> bytes:
    raw = str(settings.ACCORD_LOOKUP_KEY)
    if not raw:
        raise ImproperlyConfigured("ACCORD_LOOKUP_KEY is empty")
    return raw.encode()


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: object) -> None:
    if setting == "ACCORD_DATA_KEYS":
        _configured.cache_clear()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _aad(key_id: str) -> bytes:
    return f"{VERSION}:{key_id}".encode()


def is_encrypted(value: object) -> bool:
    """Whether ``value`` has the shape of a stored ciphertext (not whether it opens)."""
    return isinstance(value, str) and bool(_TOKEN_RE.match(value))


def key_id_of(token: str) -> str | None:
    match = _TOKEN_RE.match(token)
    return match.group(1) if match else None


def encrypt(plaintext: str) -> str:
    """``plaintext`` under the current data key."""
    keys = data_keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keys.keys[keys.current]).encrypt(
        nonce, plaintext.encode("utf-8"), _aad(keys.current)
    )
    return f"{PREFIX}{keys.current}:{_b64(nonce + sealed)}"


def decrypt(token: str) -> str:
    """The plaintext of a stored value, under whichever configured key made it."""
    match = _TOKEN_RE.match(token)
    if match is None:
        raise DecryptionError("not an encrypted value")
    key_id, body = match.groups()
    key = data_keys().keys.get(key_id)
    if key is None:
        raise DecryptionError(
            f"value was encrypted with data key {key_id!r}, which ACCORD_DATA_KEYS no longer lists"
        )
    try:
        raw = base64.urlsafe_b64decode(body)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("malformed encrypted value") from exc
    if len(raw) < NONCE_BYTES + 16:
        raise DecryptionError("malformed encrypted value")
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(key_id))
    except InvalidTag as exc:
        raise DecryptionError(f"value does not open with data key {key_id!r}") from exc
    return plain.decode("utf-8")


def needs_rotation(token: str) -> bool:
    """A stored value not (yet) under the current key: clear text or an older key's."""
    return key_id_of(token) != data_keys().current


def lookup_hash(value: str) -> str:
    """The searchable stand-in of a value: hex HMAC-SHA256 under ``ACCORD_LOOKUP_KEY``.

    Callers hash the normal form they search by (a normalized phone number)."""
    return hmac.new(_lookup_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()


def new_data_key() -> str:
    """A fresh base64 AES-256 key, for ``ACCORD_DATA_KEYS``."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")
