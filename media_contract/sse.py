"""Server-side encryption of stored objects: the ``S3_SSE`` setting, read alike by the web
and the media worker (both put objects into the store).

``none`` (the default: nothing asked of the store), ``s3`` (SSE-S3: the store encrypts each
object with its own keys, header ``x-amz-server-side-encryption: AES256``) or
``kms:<key id>`` (SSE-KMS under that key of the store's KMS; the minio SDK sends it over
TLS only, so ``S3_SECURE=1`` is needed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SETTING = "S3_SSE"
HEADER = "x-amz-server-side-encryption"
KMS_KEY_HEADER = "x-amz-server-side-encryption-aws-kms-key-id"
_KMS_KEY_RE = re.compile(r"^[A-Za-z0-9:/_+=.@-]{1,256}$")

Mode = Literal["none", "s3", "kms"]


@dataclass(frozen=True, slots=True)
class ServerSideEncryption:
    mode: Mode
    kms_key_id: str = ""

    @property
    def algorithm(self) -> str | None:
        """What the store answers in ``x-amz-server-side-encryption`` for such an object."""
        return {"none": None, "s3": "AES256", "kms": "aws:kms"}[self.mode]

    def describe(self) -> str:
        return f"kms:{self.kms_key_id}" if self.mode == "kms" else self.mode


def parse_sse(raw: str) -> ServerSideEncryption:
    """``S3_SSE`` as written; ``ValueError`` names what is wrong."""
    value = (raw or "").strip()
    if value in ("", "none"):
        return ServerSideEncryption("none")
    if value == "s3":
        return ServerSideEncryption("s3")
    if value.startswith("kms:"):
        key_id = value[len("kms:") :]
        if not _KMS_KEY_RE.match(key_id):
            raise ValueError(f"{SETTING}=kms:<key id> needs a key id, got {raw!r}")
        return ServerSideEncryption("kms", key_id)
    raise ValueError(f"{SETTING} must be none, s3 or kms:<key id>, got {raw!r}")


NO_SSE = ServerSideEncryption("none")
