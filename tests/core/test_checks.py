"""Production defaults fail closed: without ACCORD_DEMO the web refuses each insecure default.

In process, each refusal through the check function with settings overridden; in
subprocesses, `accord check --deploy` and daphne itself with the environment a careless
deployment would have (the test run's own is demo mode, see infra/testenv.py).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from accord.core import checks, crypto
from infra import REPO_DIR, VENV_BIN
from infra.procs import free_port
from infra.stack import app_argv

TENCENT = {
    "ACCORD_SMS_BACKEND": "accord.accounts.sms.TencentSmsBackend",
    "ACCORD_SMS_TENCENT_SECRET_ID": "AKIDexample",
    "ACCORD_SMS_TENCENT_SECRET_KEY": "example-secret",
    "ACCORD_SMS_TENCENT_APP_ID": "1400000000",
    "ACCORD_SMS_TENCENT_SIGN_NAME": "调解平台",
    "ACCORD_SMS_TENCENT_TEMPLATES": {
        "signin_code": "1",
        "hearing_scheduled": "2",
        "hearing_link": "3",
        "hearing_invited": "4",
        "hearing_rescheduled": "5",
        "hearing_cancelled": "6",
        "case_notice": "7",
        "document_sign_code": "8",
    },
}


@pytest.fixture
def production(settings):
    """A fully configured production: demo off, every secret set, a real SMS gateway."""
    settings.ACCORD_DEMO = False
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(48)
    settings.S3_ACCESS_KEY = "accord-prod"
    settings.S3_SECRET_KEY = secrets.token_urlsafe(30)
    settings.ACCORD_MEDIA_WORKERS = {"mw-1": hashlib.sha256(b"mw-1's token").hexdigest()}
    settings.ACCORD_INTERNAL_PORT = 8001
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.ACCORD_TRUSTED_PROXIES = []
    settings.ACCORD_PROXY_SSL_HEADER = False
    settings.ACCORD_DATA_KEYS = f"prod1={crypto.new_data_key()}"
    settings.ACCORD_LOOKUP_KEY = secrets.token_urlsafe(48)
    for name, value in TENCENT.items():
        setattr(settings, name, value)
    return settings


def ids() -> list[str | None]:
    return [m.id for m in checks.check_production_settings() if m.is_serious()]


def test_a_fully_configured_production_passes(production):
    assert checks.check_production_settings() == []
    checks.refuse_insecure_start()


def test_demo_mode_passes_with_every_development_default_and_says_so(settings):
    settings.ACCORD_DEMO = True
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.LogSmsBackend"
    settings.ACCORD_MEDIA_WORKERS = {}
    settings.ACCORD_INTERNAL_PORT = 0
    [warning] = checks.check_production_settings()
    assert warning.id == "accord.W001"
    assert not warning.is_serious()
    checks.refuse_insecure_start()


def test_the_demo_secret_key_is_refused(production):
    production.SECRET_KEY = production.DEMO_SECRET_KEY
    [error] = checks.check_production_settings()
    assert error.id == "accord.E001"
    assert "ACCORD_SECRET_KEY" in error.msg and "ACCORD_SECRET_KEY" in str(error.hint)


@pytest.mark.parametrize("key", ["", "short-key", "a" * 60])
def test_an_empty_short_or_uniform_secret_key_is_refused(production, key):
    production.SECRET_KEY = key
    assert ids() == ["accord.E002"]


@pytest.mark.parametrize("name", ["S3_ACCESS_KEY", "S3_SECRET_KEY"])
def test_default_or_empty_s3_keys_are_refused(production, name):
    setattr(production, name, getattr(production, f"DEMO_{name}"))
    [error] = checks.check_production_settings()
    assert error.id == "accord.E003"
    assert name in error.msg
    setattr(production, name, "")
    assert ids() == ["accord.E003"]


@pytest.mark.parametrize("backend", ["LogSmsBackend", "OutboxSmsBackend", "FailingSmsBackend"])
def test_an_sms_backend_that_delivers_nothing_is_refused(production, backend):
    production.ACCORD_SMS_BACKEND = f"accord.accounts.sms.{backend}"
    [error] = checks.check_production_settings()
    assert error.id == "accord.E004"
    assert "ACCORD_SMS_BACKEND" in error.msg


def test_an_sms_backend_that_cannot_be_imported_or_is_unconfigured_is_refused(production):
    production.ACCORD_SMS_BACKEND = "accord.accounts.sms.NoSuchBackend"
    [error] = checks.check_production_settings()
    assert error.id == "accord.E005"
    production.ACCORD_SMS_BACKEND = TENCENT["ACCORD_SMS_BACKEND"]
    production.ACCORD_SMS_TENCENT_SECRET_KEY = ""
    [error] = checks.check_production_settings()
    assert error.id == "accord.E005"
    assert "ACCORD_SMS_TENCENT_SECRET_KEY is not set" in error.msg


@pytest.mark.parametrize(
    ("workers", "port", "named"),
    [
        ({}, 8001, "ACCORD_MEDIA_WORKERS is empty"),
        ({"mw-1": "the-token-itself"}, 8001, "mw-1"),
        ({"mw-1": "a" * 64}, 0, "ACCORD_INTERNAL_PORT"),
    ],
)
def test_missing_or_clear_media_worker_credentials_are_refused(production, workers, port, named):
    production.ACCORD_MEDIA_WORKERS = workers
    production.ACCORD_INTERNAL_PORT = port
    [error] = checks.check_production_settings()
    assert error.id == "accord.E006"
    assert named in error.msg


@pytest.mark.parametrize("name", ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"])
def test_cookies_sent_over_plain_http_are_refused(production, name):
    setattr(production, name, False)
    [error] = checks.check_production_settings()
    assert error.id == "accord.E007"
    assert name in error.msg and "ACCORD_SECURE_COOKIES=1" in str(error.hint)


def test_the_demo_data_key_is_refused_even_next_to_a_new_one(production, settings):
    settings.ACCORD_DATA_KEYS = settings.DEMO_DATA_KEYS
    assert ids() == ["accord.E030"]
    # Mid-rotation (a new key first, the demo key still listed to read old rows): refused.
    settings.ACCORD_DATA_KEYS = f"new={crypto.new_data_key()},{settings.DEMO_DATA_KEYS}"
    assert ids() == ["accord.E030"]


@pytest.mark.parametrize("keys", ["", "k1", "k1=c2hvcnQ=", '{"k1": 5}', "bad id=" + "A" * 44])
def test_unusable_data_keys_are_refused(production, settings, keys):
    settings.ACCORD_DATA_KEYS = keys
    [error] = checks.check_production_settings()
    assert error.id == "accord.E030"


@pytest.mark.parametrize("key", ["accord-dev-only-insecure-lookup-key", "short"])
def test_the_demo_or_a_short_lookup_key_is_refused(production, settings, key):
    settings.ACCORD_LOOKUP_KEY = key
    assert ids() == ["accord.E031"]


def test_debug_is_refused(production):
    production.DEBUG = True
    assert ids() == ["accord.E008"]


@pytest.mark.parametrize("seconds", [0, 3600])
def test_hsts_off_or_too_short_is_refused(production, seconds):
    production.SECURE_HSTS_SECONDS = seconds
    [error] = checks.check_production_settings()
    assert error.id == "accord.E020"
    assert "ACCORD_HSTS_SECONDS" in error.msg


def proxy_ids() -> list[str | None]:
    return [m.id for m in checks.check_proxy_settings() if m.is_serious()]


def test_trusted_proxies_and_the_proxy_ssl_header_pass_when_consistent(production):
    production.ACCORD_TRUSTED_PROXIES = ["10.0.0.5", "10.1.0.0/16", "2001:db8::/64"]
    production.ACCORD_PROXY_SSL_HEADER = True
    assert checks.check_proxy_settings() == []
    checks.refuse_insecure_start()


@pytest.mark.parametrize("demo", [False, True])
def test_a_trusted_proxy_that_is_no_address_is_refused_in_any_mode(production, demo):
    production.ACCORD_DEMO = demo
    production.ACCORD_TRUSTED_PROXIES = ["10.0.0.5", "proxy.internal", "10.0.0.0/40"]
    [error] = checks.check_proxy_settings()
    assert error.id == "accord.E021"
    assert "'proxy.internal'" in error.msg and "'10.0.0.0/40'" in error.msg
    with pytest.raises(ImproperlyConfigured, match=r"accord\.E021"):
        checks.refuse_insecure_start()


@pytest.mark.parametrize("everyone", ["0.0.0.0/0", "::/0"])
def test_trusting_every_address_is_refused(production, everyone):
    production.ACCORD_TRUSTED_PROXIES = ["10.0.0.5", everyone]
    assert proxy_ids() == ["accord.E022"]


def test_the_proxy_ssl_header_without_a_trusted_proxy_is_refused(production):
    production.ACCORD_PROXY_SSL_HEADER = True
    assert proxy_ids() == ["accord.E023"]


def test_the_start_refusal_names_every_problem_at_once(production):
    production.ACCORD_MEDIA_WORKERS = {}
    production.SESSION_COOKIE_SECURE = False
    with pytest.raises(ImproperlyConfigured) as caught:
        checks.refuse_insecure_start()
    assert "accord.E006" in str(caught.value)
    assert "accord.E007" in str(caught.value)


# --- The processes ----------------------------------------------------------


def insecure_env() -> dict[str, str]:
    """The test run's environment without ACCORD_DEMO: development keys, log SMS backend,
    no media token, plain-HTTP cookies."""
    env = {k: v for k, v in os.environ.items() if k != "ACCORD_DEMO"}
    env.pop("ACCORD_SECRET_KEY", None)
    env.pop("ACCORD_MEDIA_WORKERS", None)
    env.pop("ACCORD_INTERNAL_PORT", None)
    env.pop("ACCORD_DATA_KEYS", None)
    env.pop("ACCORD_LOOKUP_KEY", None)
    env["S3_ACCESS_KEY"] = "accord-dev"
    env["S3_SECRET_KEY"] = "accord-dev-secret-key"
    return env


def production_env() -> dict[str, str]:
    env = insecure_env()
    env.update(
        {
            "ACCORD_SECRET_KEY": secrets.token_urlsafe(48),
            "S3_ACCESS_KEY": "accord-prod",
            "S3_SECRET_KEY": secrets.token_urlsafe(30),
            "ACCORD_MEDIA_WORKERS": f"mw-1={hashlib.sha256(b'token').hexdigest()}",
            "ACCORD_INTERNAL_PORT": "8001",
            "ACCORD_SECURE_COOKIES": "1",
            "ACCORD_DATA_KEYS": f"prod1={crypto.new_data_key()}",
            "ACCORD_LOOKUP_KEY": secrets.token_urlsafe(48),
            # Seals and chain anchors (accord.trust.checks warns without one; never contacted).
            "ACCORD_TSA_URL": "https://tsa.example.org/",
            **{k: v for k, v in TENCENT.items() if isinstance(v, str)},
            "ACCORD_SMS_TENCENT_TEMPLATES": (
                "signin_code=1,hearing_scheduled=2,hearing_link=3,hearing_invited=4,"
                "hearing_rescheduled=5,hearing_cancelled=6,case_notice=7,document_sign_code=8"
            ),
        }
    )
    return env


def accord_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "accord"), "check", "--deploy", "--fail-level", "ERROR"],
        env=env,
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_fails_with_the_insecure_defaults_and_names_each(tmp_path):
    result = accord_check(insecure_env())
    assert result.returncode != 0
    for id_ in (
        "accord.E001",
        "accord.E003",
        "accord.E004",
        "accord.E006",
        "accord.E007",
        "accord.E030",
        "accord.E031",
    ):
        assert id_ in result.stderr
    assert "ACCORD_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_check_deploy_passes_a_configured_production():
    result = accord_check(production_env())
    assert result.returncode == 0, result.stderr
    assert "(accord." not in result.stderr + result.stdout


@pytest.mark.slow
def test_the_web_process_refuses_to_start_with_the_insecure_defaults(tmp_path):
    env = {**insecure_env(), "STACK_WEB_PORT": str(free_port())}
    log = tmp_path / "web.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            app_argv("web", env), env=env, cwd=REPO_DIR, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            code = process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text()
    assert code != 0, text
    assert "Accord refuses to start" in text
    assert "accord.E001" in text and "ACCORD_SECRET_KEY" in text


@pytest.mark.slow
def test_the_web_process_starts_in_demo_mode(tmp_path):
    port = free_port()
    env = {**insecure_env(), "ACCORD_DEMO": "1", "STACK_WEB_PORT": str(port)}
    log = tmp_path / "web.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            app_argv("web", env), env=env, cwd=REPO_DIR, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while "Listening on TCP address" not in log.read_text():
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert "accord.W001" in log.read_text()


@pytest.mark.slow
def test_a_celery_worker_refuses_to_start_with_the_insecure_defaults(tmp_path):
    env = {**insecure_env(), "ACCORD_CELERY_QUEUE": f"refused-{secrets.token_hex(4)}"}
    result = subprocess.run(
        app_argv("celery-worker", env, run_dir=tmp_path),
        env=env,
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Accord refuses to start" in result.stderr
    assert "accord.E004" in result.stderr
