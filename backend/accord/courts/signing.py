"""The court API's request signature (docs/court-api.md), both directions.

A request is signed over ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body))`` with
HMAC-SHA256 under the key's secret; PATH carries the query string exactly as sent. The same
scheme signs Accord's callbacks to a court, under the court's callback key. Pure functions:
the authentication class (``auth.py``) and the callback sender (``callbacks.py``) use them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

HEADER_KEY = "X-Accord-Key"
HEADER_TIMESTAMP = "X-Accord-Timestamp"
HEADER_NONCE = "X-Accord-Nonce"
HEADER_SIGNATURE = "X-Accord-Signature"
HEADERS = (HEADER_KEY, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)

MAX_SKEW_SECONDS = 300
NONCE_TTL_SECONDS = 600
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")
SIGNATURE_RE = re.compile(r"[0-9a-f]{64}")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join((method.upper(), path, timestamp, nonce, body_sha256(body)))


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = string_to_sign(method, path, timestamp, nonce, body).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(
    *, key_id: str, secret: str, method: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The four headers of a request Accord sends (a callback), signed now."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_urlsafe(24)
    return {
        HEADER_KEY: key_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(secret, method, path, timestamp, nonce, body),
    }


def signatures_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace"))


def new_key_id() -> str:
    return "ck_" + secrets.token_hex(10)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
