"""The court API's request signature, written from the spec (docs/court-api.md), not from
Accord's code: a court's own implementation, so that tests can hold the two against each other.

A request is signed over ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body))`` with
HMAC-SHA256 under the key's secret, as lowercase hex; PATH carries the query string as sent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from email.message import Message

HEADER_KEY = "X-Accord-Key"
HEADER_TIMESTAMP = "X-Accord-Timestamp"
HEADER_NONCE = "X-Accord-Nonce"
HEADER_SIGNATURE = "X-Accord-Signature"

MAX_SKEW_SECONDS = 300
NONCE_TTL_SECONDS = 600
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")
SIGNATURE_RE = re.compile(r"[0-9a-f]{64}")


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the string to sign."""
    text = "\n".join(
        (method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest())
    ).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), text, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]


def sign_headers(
    *,
    key_id: str,
    secret: str,
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four signature headers of a request, signed at ``now`` (default: the clock)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or new_nonce()
    return {
        HEADER_KEY: key_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(secret, method, path, timestamp, nonce, body),
    }


class SignatureRefused(Exception):
    """A request the verifier refuses; ``code`` is one of ``key_unknown``,
    ``signature_invalid``, ``timestamp_skew``, ``nonce_reused``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Headers = Mapping[str, str] | Message


def _header(headers: Headers, name: str) -> str:
    if isinstance(headers, Message):  # http.server's headers: case-insensitive already
        return str(headers.get(name, "") or "")
    value = headers.get(name)
    if value is None:  # a plain dict: look the name up case-insensitively
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    return value or ""


class Verifier:
    """Checks signed requests under one or more keys (key id → secret): the signature, a
    timestamp within ``skew`` seconds of the clock, and a nonce not seen with that key within
    ``nonce_ttl`` seconds. Thread-safe; a refused request leaves no nonce behind."""

    def __init__(
        self,
        keys: Mapping[str, str],
        *,
        skew: int = MAX_SKEW_SECONDS,
        nonce_ttl: int = NONCE_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = dict(keys)
        self.skew = skew
        self.nonce_ttl = nonce_ttl
        self.clock = clock
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def verify(self, method: str, path: str, headers: Headers, body: bytes) -> str:
        """Returns the key id of a good request; raises :class:`SignatureRefused` otherwise."""
        key_id = _header(headers, HEADER_KEY)
        timestamp = _header(headers, HEADER_TIMESTAMP)
        nonce = _header(headers, HEADER_NONCE)
        given = _header(headers, HEADER_SIGNATURE)
        secret = self.keys.get(key_id) if key_id else None
        if secret is None:
            raise SignatureRefused("key_unknown", "The key is unknown.")
        if not (
            TIMESTAMP_RE.fullmatch(timestamp)
            and NONCE_RE.fullmatch(nonce)
            and SIGNATURE_RE.fullmatch(given)
        ):
            raise SignatureRefused(
                "signature_invalid", "The signature headers are missing or malformed."
            )
        expected = signature(secret, method, path, timestamp, nonce, body)
        if not hmac.compare_digest(expected, given):
            raise SignatureRefused("signature_invalid", "The signature does not match.")
        now = self.clock()
        if abs(now - int(timestamp)) > self.skew:
            raise SignatureRefused(
                "timestamp_skew", f"The timestamp is more than {self.skew} seconds off."
            )
        with self._lock:
            horizon = now - self.nonce_ttl
            for seen_key in [k for k, at in self._seen.items() if at < horizon]:
                del self._seen[seen_key]
            if (key_id, nonce) in self._seen:
                raise SignatureRefused("nonce_reused", "This nonce was already used.")
            self._seen[(key_id, nonce)] = now
        return key_id
