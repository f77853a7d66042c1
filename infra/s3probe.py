"""A signed S3 ListBuckets with the standard library, to know when an S3 gateway is ready.

The `minio` SDK is not importable before the virtualenv exists, and readiness means more than
an open port: SeaweedFS accepts connections before its S3 identities are loaded.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from collections.abc import Mapping
from typing import Any

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def list_buckets_status(
    endpoint: str,
    access_key: str | None,
    secret_key: str | None,
    *,
    region: str = "us-east-1",
    timeout: float = 3.0,
) -> int:
    """HTTP status of GET / (ListBuckets), signed with SigV4 unless access_key is None.

    Raises OSError when nothing answers.
    """
    headers = {"Host": endpoint, "x-amz-content-sha256": EMPTY_SHA256}
    if access_key is not None and secret_key is not None:
        headers.update(_sign("GET", "/", endpoint, access_key, secret_key, region))
    host, _, port = endpoint.partition(":")
    connection = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        connection.request("GET", "/", headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def s3_ready(endpoint: str, access_key: str, secret_key: str) -> bool:
    try:
        return list_buckets_status(endpoint, access_key, secret_key) == 200
    except OSError:
        return False


def put_bucket_policy(
    endpoint: str,
    access_key: str,
    secret_key: str,
    bucket: str,
    policy: Mapping[str, Any],
    *,
    region: str = "us-east-1",
    timeout: float = 10.0,
) -> tuple[int, str]:
    """PUT /<bucket>?policy (SigV4-signed); (HTTP status, body)."""
    body = json.dumps(policy).encode()
    payload = hashlib.sha256(body).hexdigest()
    path = f"/{bucket}"
    headers = {"Host": endpoint, "x-amz-content-sha256": payload}
    headers.update(
        _sign(
            "PUT", path, endpoint, access_key, secret_key, region, query="policy=", payload=payload
        )
    )
    host, _, port = endpoint.partition(":")
    connection = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        connection.request("PUT", f"{path}?policy", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _sign(
    method: str,
    path: str,
    host: str,
    access_key: str,
    secret_key: str,
    region: str,
    *,
    query: str = "",
    payload: str = EMPTY_SHA256,
) -> dict[str, str]:
    now = time.gmtime()
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", now)
    day = time.strftime("%Y%m%d", now)
    signed_headers = "host;x-amz-content-sha256;x-amz-date"
    canonical_headers = f"host:{host}\nx-amz-content-sha256:{payload}\nx-amz-date:{amz_date}\n"
    canonical_request = "\n".join([method, path, query, canonical_headers, signed_headers, payload])
    scope = f"{day}/{region}/s3/aws4_request"
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret_key}".encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "x-amz-date": amz_date,
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        ),
    }
