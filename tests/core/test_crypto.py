"""accord.core.crypto: values encrypted under configured keys, every key decrypts, the key
id travels with the ciphertext, and a lookup hash under a key of its own."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from accord.core import crypto

K1 = crypto.new_data_key()
K2 = crypto.new_data_key()


def test_a_value_round_trips_and_names_its_key(settings):
    settings.ACCORD_DATA_KEYS = f"k1={K1}"
    token = crypto.encrypt("13800138000")
    assert token.startswith("v1:k1:")
    assert "13800138000" not in token
    assert crypto.decrypt(token) == "13800138000"
    # A fresh nonce each time: equal values do not give equal ciphertexts.
    assert crypto.encrypt("13800138000") != token


def test_every_configured_key_decrypts_and_the_first_encrypts(settings):
    settings.ACCORD_DATA_KEYS = f"k1={K1}"
    old = crypto.encrypt("110101199003074514")
    settings.ACCORD_DATA_KEYS = f"k2={K2},k1={K1}"
    assert crypto.decrypt(old) == "110101199003074514"
    assert crypto.needs_rotation(old)
    new = crypto.encrypt("110101199003074514")
    assert crypto.key_id_of(new) == "k2"
    assert not crypto.needs_rotation(new)
    # Once the old key is gone, what it encrypted no longer opens (loudly).
    settings.ACCORD_DATA_KEYS = f"k2={K2}"
    with pytest.raises(crypto.DecryptionError, match="k1"):
        crypto.decrypt(old)


def test_an_altered_or_relabelled_ciphertext_is_refused(settings):
    settings.ACCORD_DATA_KEYS = f"k1={K1},k2={K2}"
    token = crypto.encrypt("secret")
    version, kid, body = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{version}:{kid}:{base64.urlsafe_b64encode(bytes(raw)).decode()}")
    # The key id is bound to the ciphertext (associated data): relabelling fails too.
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{version}:k2:{body}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("13800138000")


def test_keys_are_read_as_pairs_or_json_in_order():
    pairs = crypto.parse_data_keys(f" new = {K2} , old={K1}")
    assert pairs.current == "new"
    assert list(pairs.keys) == ["new", "old"]
    as_json = crypto.parse_data_keys(json.dumps({"old": K1, "new": K2}))
    assert as_json.current == "old"
    assert as_json.keys["new"] == base64.b64decode(K2)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "k1",
        f"k1={K1},k1={K2}",
        "k1=c2hvcnQ=",
        f"bad:id={K1}",
        "[1]",
        '{"k1": 1}',
        "{not json",
    ],
    # Named ids: the keys are random, and xdist workers must collect the same test ids.
    ids=[
        "empty",
        "no-key",
        "duplicate-id",
        "short-key",
        "bad-id",
        "json-list",
        "json-number",
        "not-json",
    ],
)
def test_unusable_key_configurations_are_refused(raw):
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_data_keys(raw)


def test_the_lookup_hash_is_keyed_and_stable(settings):
    settings.ACCORD_LOOKUP_KEY = "a" * 50
    first = crypto.lookup_hash("13800138000")
    assert first == crypto.lookup_hash("13800138000")
    assert len(first) == 64
    assert first != crypto.lookup_hash("13800138001")
    settings.ACCORD_LOOKUP_KEY = "b" * 50
    assert crypto.lookup_hash("13800138000") != first
