"""A seal key on a PKCS#11 token (SoftHSM, the software token `make test` installs): the
production path for keys that never leave a hardware module."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from accord.trust.errors import SealUnavailable
from accord.trust.pki import dev_seal_credentials, ensure_dev_pki
from accord.trust.seal import seal_pdf
from accord.trust.validate import validate_pdf

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
ORG_ID, ORG_NAME = 8301, "硬件密钥调解中心"
PIN = "1234"


@dataclass
class Token:
    label: str
    key_label: str
    certificate: Path


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    if not MODULE.exists():
        pytest.fail(f"{MODULE} is missing: `make test` installs softhsm2")
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
    # Read by the library when it is first initialized in this process (this module only).
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    env = {**os.environ}
    label = "accord-test"
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN,
         "--so-pin", "12345678"],
        check=True, capture_output=True, env=env, timeout=60,
    )  # fmt: skip
    key, cert = dev_seal_credentials(organization_id=ORG_ID, organization_name=ORG_NAME)
    subprocess.run(
        ["softhsm2-util", "--import", str(key), "--token", label, "--label", "seal",
         "--id", "01", "--pin", PIN],
        check=True, capture_output=True, env=env, timeout=60,
    )  # fmt: skip
    try:
        yield Token(label=label, key_label="seal", certificate=cert)
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture
def production(settings, tmp_path, monkeypatch, token: Token):
    roots = tmp_path / "roots.pem"
    roots.write_bytes(ensure_dev_pki().ca_cert.read_bytes())
    settings.ACCORD_DEMO = False
    settings.ACCORD_TRUST_ROOTS = str(roots)
    settings.ACCORD_SEAL_SIGNERS = json.dumps(
        {
            str(ORG_ID): {
                "pkcs11_module": str(MODULE),
                "token_label": token.label,
                "key_label": token.key_label,
                "certificate": str(token.certificate),
                "pin_env": "ACCORD_TEST_TOKEN_PIN",
            }
        }
    )
    return settings


def test_an_organization_seals_with_a_key_on_a_token(tsa, production, monkeypatch, agreement_pdf):
    monkeypatch.setenv("ACCORD_TEST_TOKEN_PIN", PIN)

    sealed = seal_pdf(agreement_pdf, organization_id=ORG_ID, organization_name=ORG_NAME, reason="r")

    report = validate_pdf(sealed)
    assert report.ok, report.summary
    assert report.signers == [ORG_NAME]


def test_a_wrong_pin_refuses_the_seal(tsa, production, monkeypatch, agreement_pdf):
    monkeypatch.setenv("ACCORD_TEST_TOKEN_PIN", "9999")

    with pytest.raises(SealUnavailable, match="cannot be used"):
        seal_pdf(agreement_pdf, organization_id=ORG_ID, organization_name=ORG_NAME, reason="r")
