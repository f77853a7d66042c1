"""The media worker's object-storage key against the run's real SeaweedFS S3 gateway: it can
put recordings and do nothing else (docs/security/media.md).

The key is the one infra/testenv.py gives the gateway (`S3Writer`: `Write:<recordings>` only)
and the test processes (MEDIA_WORKER_S3_*); the deny-delete bucket policy is the one `make up`
and the browser stack put on the recordings bucket (`SeaweedS3.protect`).
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from minio import Minio
from minio.error import S3Error

from infra.s3probe import put_bucket_policy
from infra.services import S3Writer
from media_worker.uploader import make_store


@pytest.fixture
def writer(s3: Minio) -> S3Writer:
    access = os.environ.get("MEDIA_WORKER_S3_ACCESS_KEY", "")
    secret = os.environ.get("MEDIA_WORKER_S3_SECRET_KEY", "")
    if not access:
        pytest.fail("MEDIA_WORKER_S3_ACCESS_KEY is not set: run through `make pytest`")
    writer = S3Writer("media-worker", access, secret, settings.S3_BUCKET_RECORDINGS)
    status, body = put_bucket_policy(
        settings.S3_ENDPOINT,
        settings.S3_ACCESS_KEY,
        settings.S3_SECRET_KEY,
        writer.bucket,
        writer.policy(),
        region=settings.S3_REGION,
    )
    assert status in {200, 204}, body
    return writer


@pytest.fixture
def worker_store(writer: S3Writer) -> Minio:
    """The client the media worker's uploader builds from its configuration."""
    return make_store(
        settings.S3_ENDPOINT,
        writer.access_key,
        writer.secret_key,
        secure=settings.S3_SECURE,
        region=settings.S3_REGION,
    )


def denied(call: Callable[[], Any]) -> str:
    with pytest.raises(S3Error) as caught:
        call()
    return str(caught.value.code)


def put(client: Minio, bucket: str, key: str, data: bytes) -> None:
    client.put_object(bucket, key, io.BytesIO(data), length=len(data))


def test_the_worker_key_puts_recordings_and_nothing_else(s3: Minio, worker_store: Minio):
    bucket = settings.S3_BUCKET_RECORDINGS
    key = f"{secrets.token_hex(8)}/1/camera/seg-mw-1.webm"
    put(worker_store, bucket, key, b"segment bytes")
    assert s3.get_object(bucket, key).read() == b"segment bytes"  # the web reads it

    # Not read back, listed, or its size asked for: only the web checks what arrived.
    assert denied(lambda: worker_store.get_object(bucket, key).read()) == "AccessDenied"
    assert denied(lambda: worker_store.stat_object(bucket, key)) == "AccessDenied"
    assert denied(lambda: list(worker_store.list_objects(bucket, recursive=True))) == (
        "AccessDenied"
    )
    # Not deleted: the bucket policy denies it (SeaweedFS's Write alone would allow it).
    assert denied(lambda: worker_store.remove_object(bucket, key)) == "AccessDenied"
    assert s3.stat_object(bucket, key).size == len(b"segment bytes")

    # No other bucket at all: evidence and documents are neither written nor read.
    for other in (settings.S3_BUCKET_EVIDENCE, settings.S3_BUCKET_DOCUMENTS):
        probe = f"{secrets.token_hex(8)}/probe"
        put(s3, other, probe, b"evidence")
        assert denied(partial(put, worker_store, other, "forged", b"x")) == "AccessDenied"
        assert denied(partial(worker_store.get_object, other, probe)) == "AccessDenied"
        assert denied(partial(worker_store.remove_object, other, probe)) == "AccessDenied"
        assert s3.stat_object(other, probe).size == len(b"evidence")
        s3.remove_object(other, probe)
    with pytest.raises(S3Error):
        s3.stat_object(settings.S3_BUCKET_EVIDENCE, "forged")
    # Nor any bucket operation.
    assert denied(lambda: worker_store.make_bucket(f"forged-{secrets.token_hex(4)}")) == (
        "AccessDenied"
    )
    assert denied(lambda: worker_store.remove_bucket(bucket)) == "AccessDenied"

    # The web's admin key still deletes (retention, legal holds released).
    s3.remove_object(bucket, key)


def test_a_large_segment_goes_up_in_parts_with_the_worker_key(s3: Minio, worker_store: Minio):
    """fput_object switches to a multipart upload above its part size: Write covers it."""
    bucket = settings.S3_BUCKET_RECORDINGS
    key = f"{secrets.token_hex(8)}/1/screen/big-mw-1.webm"
    data = secrets.token_bytes(6 * 1024 * 1024)
    worker_store.put_object(bucket, key, io.BytesIO(data), length=-1, part_size=5 * 1024 * 1024)
    assert s3.stat_object(bucket, key).size == len(data)
    s3.remove_object(bucket, key)
