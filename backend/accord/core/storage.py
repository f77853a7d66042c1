"""Object storage through the S3 API (minio SDK). One client per process.

Every object written through :func:`s3_client` asks for the server-side encryption of
``S3_SSE`` (``media_contract.sse``): the client fills ``sse=`` on each put, so a caller
cannot forget it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from minio import Minio
from minio.error import S3Error
from minio.sse import Sse, SseKMS, SseS3

from media_contract.sse import ServerSideEncryption, parse_sse


def configured_sse() -> ServerSideEncryption:
    try:
        return parse_sse(settings.S3_SSE)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from exc


def minio_sse(spec: ServerSideEncryption) -> Sse | None:
    if spec.mode == "s3":
        return SseS3()
    if spec.mode == "kms":
        return SseKMS(spec.kms_key_id, {})
    return None


class _EncryptingMinio(Minio):
    """Minio that asks for the configured server-side encryption on every put (fput_object
    and multipart uploads go through put_object)."""

    def put_object(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("sse") is None and len(args) < 7:
            kwargs["sse"] = minio_sse(configured_sse())
        return super().put_object(*args, **kwargs)


@functools.cache
def s3_client() -> Minio:
    return _EncryptingMinio(
        settings.S3_ENDPOINT,
        access_key=settings.S3_ACCESS_KEY,
        secret_key=settings.S3_SECRET_KEY,
        secure=settings.S3_SECURE,
        region=settings.S3_REGION,
    )


def all_buckets() -> list[str]:
    return [
        settings.S3_BUCKET_EVIDENCE,
        settings.S3_BUCKET_RECORDINGS,
        settings.S3_BUCKET_DOCUMENTS,
    ]


def ensure_buckets(buckets: Iterable[str] | None = None) -> list[str]:
    """Create missing buckets; returns the ones created. Safe to run twice."""
    client = s3_client()
    created = []
    for bucket in buckets or all_buckets():
        if not client.bucket_exists(bucket):
            try:
                client.make_bucket(bucket)
            except S3Error as exc:  # another process won the race
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise
            created.append(bucket)
    return created


@dataclass(frozen=True, slots=True)
class StoredObject:
    bucket: str
    key: str
    size: int
    sha256: str


def _read_object(
    bucket: str, key: str, out: BinaryIO | None, chunk_size: int = 1024 * 1024
) -> tuple[int, str]:
    """Stream a stored object (into `out`, if given) and hash it: (size, hex digest)."""
    response = s3_client().get_object(bucket, key)
    try:
        digest = hashlib.sha256()
        size = 0
        for chunk in response.stream(chunk_size):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
        return size, digest.hexdigest()
    finally:
        response.close()
        response.release_conn()


def sha256_of_object(bucket: str, key: str, chunk_size: int = 1024 * 1024) -> tuple[int, str]:
    """Re-read a stored object and hash it: (size, hex digest)."""
    return _read_object(bucket, key, None, chunk_size)


def download_object(bucket: str, key: str, path: Path) -> tuple[int, str]:
    """Copy a stored object to `path`, hashing it on the way: (size, hex digest)."""
    with path.open("wb") as out:
        return _read_object(bucket, key, out)


def put_object(
    *, bucket: str, key: str, data: BinaryIO, size: int, content_type: str, sha256: str
) -> StoredObject:
    s3_client().put_object(
        bucket,
        key,
        data,
        length=size,
        content_type=content_type,
        metadata={"x-amz-meta-sha256": sha256},
    )
    return StoredObject(bucket=bucket, key=key, size=size, sha256=sha256)


def remove_object(bucket: str, key: str) -> None:
    s3_client().remove_object(bucket, key)
