"""Production checks of the seal configuration: errors at start, not at the first seal."""

from __future__ import annotations

import json

from accord.trust.checks import check_trust_settings


def ids() -> list[str | None]:
    return [m.id for m in check_trust_settings()]


def test_demo_mode_checks_nothing(settings):
    settings.ACCORD_DEMO = True
    settings.ACCORD_TSA_URL = ""
    settings.ACCORD_SEAL_SIGNERS = "not json"

    assert ids() == []


def test_without_a_timestamp_authority_production_is_warned(settings):
    settings.ACCORD_DEMO = False
    settings.ACCORD_TSA_URL = ""
    settings.ACCORD_SEAL_SIGNERS = ""

    [warning] = check_trust_settings()
    assert warning.id == "accord.W002" and not warning.is_serious()


def test_a_seal_configuration_that_cannot_work_is_an_error(settings, tmp_path):
    settings.ACCORD_DEMO = False
    settings.ACCORD_TSA_URL = "https://tsa.example.org/"
    settings.ACCORD_SEAL_SIGNERS = json.dumps(
        {"5": {"pkcs12": str(tmp_path / "missing.p12"), "passphrase_env": "ACCORD_UNSET_P"}}
    )

    [error] = check_trust_settings()
    assert error.id == "accord.E009" and error.is_serious()
    assert "missing.p12 does not exist" in error.msg
    assert "ACCORD_UNSET_P" in error.msg

    settings.ACCORD_SEAL_SIGNERS = "{not json"
    assert ids() == ["accord.E009"]


def test_a_working_seal_configuration_passes(settings, tmp_path, monkeypatch):
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(b"not opened by the check")
    monkeypatch.setenv("ACCORD_TEST_P", "secret")
    settings.ACCORD_DEMO = False
    settings.ACCORD_TSA_URL = "https://tsa.example.org/"
    settings.ACCORD_SEAL_SIGNERS = json.dumps(
        {"5": {"pkcs12": str(p12), "passphrase_env": "ACCORD_TEST_P"}}
    )

    assert ids() == []
