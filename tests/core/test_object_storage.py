"""The S3 gateway of the run behaves as production object storage must: it refuses requests
without the right key, and serves the presigned range GETs that recording replay uses."""

from __future__ import annotations

import io
import secrets
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings

from infra.s3probe import list_buckets_status


def test_it_refuses_anonymous_and_wrong_key_requests(s3):
    endpoint = settings.S3_ENDPOINT

    assert list_buckets_status(endpoint, settings.S3_ACCESS_KEY, settings.S3_SECRET_KEY) == 200
    assert list_buckets_status(endpoint, settings.S3_ACCESS_KEY, "wrong-secret") == 403
    assert list_buckets_status(endpoint, None, None) == 403


def test_an_object_cannot_be_read_without_a_signature(s3):
    key = f"probe/{secrets.token_hex(4)}"
    s3.put_object(settings.S3_BUCKET_EVIDENCE, key, io.BytesIO(b"secret"), length=6)

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(
            f"http://{settings.S3_ENDPOINT}/{settings.S3_BUCKET_EVIDENCE}/{key}", timeout=10
        )
    assert refused.value.code == 403


def test_a_presigned_url_serves_a_byte_range(s3):
    key = f"segments/{secrets.token_hex(4)}.webm"
    data = bytes(range(256)) * 64
    s3.put_object(settings.S3_BUCKET_RECORDINGS, key, io.BytesIO(data), length=len(data))
    url = s3.presigned_get_object(settings.S3_BUCKET_RECORDINGS, key, expires=timedelta(minutes=5))

    request = urllib.request.Request(url, headers={"Range": "bytes=1000-1999"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
        assert response.read() == data[1000:2000]
