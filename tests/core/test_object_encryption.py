"""Object storage server-side encryption (``S3_SSE``): every put of the web asks for it, the
local SeaweedFS honours SSE-S3 (the test run starts it with a key-encryption key and sets
``S3_SSE=s3``), and a bad setting is refused."""

from __future__ import annotations

import io
import secrets

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from accord.core import storage
from media_contract.sse import ServerSideEncryption, parse_sse


def sse_of(s3, bucket: str, key: str) -> str | None:
    metadata = {k.lower(): v for k, v in s3.stat_object(bucket, key).metadata.items()}
    return metadata.get("x-amz-server-side-encryption")


def test_the_test_run_asks_for_sse_s3():
    assert django_settings.S3_SSE == "s3"


@pytest.mark.parametrize("bucket_setting", ["S3_BUCKET_EVIDENCE", "S3_BUCKET_RECORDINGS"])
def test_an_object_put_through_the_project_is_stored_encrypted(s3, bucket_setting):
    bucket = getattr(django_settings, bucket_setting)
    key = f"test-sse/{secrets.token_hex(4)}"
    storage.put_object(
        bucket=bucket,
        key=key,
        data=io.BytesIO(b"personal evidence"),
        size=17,
        content_type="text/plain",
        sha256="0" * 64,
    )
    assert sse_of(s3, bucket, key) == "AES256"
    # A direct put through the shared client (as materials and documents do) too.
    direct = f"test-sse/{secrets.token_hex(4)}"
    storage.s3_client().put_object(bucket, direct, io.BytesIO(b"x"), 1)
    assert sse_of(s3, bucket, direct) == "AES256"
    # And the store decrypts on read.
    response = s3.get_object(bucket, key)
    try:
        assert response.read() == b"personal evidence"
    finally:
        response.close()
        response.release_conn()


def test_without_sse_the_store_keeps_the_object_plain(s3, settings):
    settings.S3_SSE = "none"
    bucket = django_settings.S3_BUCKET_EVIDENCE
    key = f"test-sse/{secrets.token_hex(4)}"
    storage.s3_client().put_object(bucket, key, io.BytesIO(b"x"), 1)
    assert sse_of(s3, bucket, key) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ServerSideEncryption("none")),
        ("none", ServerSideEncryption("none")),
        ("s3", ServerSideEncryption("s3")),
        ("kms:alias/accord", ServerSideEncryption("kms", "alias/accord")),
    ],
)
def test_the_setting_is_parsed(raw, expected):
    assert parse_sse(raw) == expected


@pytest.mark.parametrize("raw", ["aes", "kms:", "kms:bad key", "S3"])
def test_a_bad_setting_is_refused(raw, settings):
    with pytest.raises(ValueError, match="S3_SSE"):
        parse_sse(raw)
    settings.S3_SSE = raw
    with pytest.raises(ImproperlyConfigured):
        storage.configured_sse()
