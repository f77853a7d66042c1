"""The development timestamp authority and the client: a real round trip over HTTP."""

from __future__ import annotations

import hashlib
import subprocess
import urllib.error
import urllib.request

import pytest

from accord.trust.errors import TsaError, TsaNotConfigured
from accord.trust.pki import DevPki
from accord.trust.tsa import (
    QUERY_TYPE,
    checked_token,
    post_request,
    request_token,
    timestamp_request,
    token_info,
)
from accord.trust.validate import verify_token
from infra.procs import free_port

DIGEST = hashlib.sha256(b"the head of a chain").digest()


def test_a_token_stamps_the_digest_it_was_asked_for_and_verifies(tsa):
    token = request_token(DIGEST)

    info = token_info(token)
    assert (info.hash_algo, info.digest) == ("sha256", DIGEST)
    assert info.gen_time is not None
    check = verify_token(token, digest=DIGEST)
    assert check.ok and check.gen_time == info.gen_time


def test_a_token_does_not_verify_for_another_digest(tsa):
    token = request_token(DIGEST)

    check = verify_token(token, digest=hashlib.sha256(b"another head").digest())

    assert not check.intact


def test_a_token_altered_after_issue_does_not_verify(tsa):
    token = bytearray(request_token(DIGEST))
    # The last bytes are the TSA's RSA signature.
    token[-5] ^= 0xFF

    assert not verify_token(bytes(token), digest=DIGEST).intact


def test_openssl_verifies_the_token_against_the_development_ca(tsa, tmp_path, pki: DevPki):
    path = tmp_path / "token.tsr"
    path.write_bytes(request_token(DIGEST))

    result = subprocess.run(
        [
            "openssl", "ts", "-verify", "-token_in", "-in", str(path),
            "-digest", DIGEST.hex(), "-CAfile", str(pki.ca_cert),
        ],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert "Verification: OK" in result.stdout, result.stdout + result.stderr


def test_a_token_for_another_nonce_is_refused(tsa):
    resp = post_request(timestamp_request(DIGEST, "sha256", nonce=1111))

    with pytest.raises(TsaError, match="nonce"):
        checked_token(resp, digest=DIGEST, hash_algo="sha256", nonce=2222)


def test_a_token_for_another_digest_is_refused(tsa):
    resp = post_request(timestamp_request(DIGEST, "sha256", nonce=1111))

    with pytest.raises(TsaError, match="stamps sha256"):
        checked_token(resp, digest=b"\0" * 32, hash_algo="sha256", nonce=1111)


def test_the_authority_rejects_weak_digests(tsa):
    weak = hashlib.sha1(b"x").digest()  # noqa: S324 (refusing it is the point)
    resp = post_request(timestamp_request(weak, "sha1", nonce=7))

    assert resp["status"]["status"].native == "rejection"
    with pytest.raises(TsaError, match="refused"):
        checked_token(resp, digest=b"", hash_algo="sha1", nonce=7)


def test_the_authority_answers_only_timestamp_queries(tsa):
    request = urllib.request.Request(  # noqa: S310
        tsa, data=b"hello", headers={"Content-Type": "text/plain"}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert refused.value.code == 415

    garbage = urllib.request.Request(  # noqa: S310
        tsa, data=b"\x30\x03\x02\x01\x01", headers={"Content-Type": QUERY_TYPE}, method="POST"
    )
    with urllib.request.urlopen(garbage, timeout=10) as response:  # noqa: S310
        assert response.headers.get_content_type() == "application/timestamp-reply"


def test_without_a_url_no_token_is_requested(settings):
    settings.ACCORD_TSA_URL = ""

    with pytest.raises(TsaNotConfigured):
        request_token(DIGEST)


def test_an_authority_that_does_not_answer_is_an_error(settings):
    settings.ACCORD_TSA_URL = f"http://127.0.0.1:{free_port()}/"

    with pytest.raises(TsaError, match="did not answer"):
        request_token(DIGEST)
