"""Production defaults that fail closed: system checks the web runs before it serves.

Without ``ACCORD_DEMO`` every default that is only fit for a laptop is an error: the public
demo secret key, the development S3 keys, an SMS backend that does not deliver (the log
backend writes every sign-in code to the log), an empty or short media token, cookies sent
over plain HTTP, debug pages, HSTS off. Reverse-proxy settings that are wrong (an entry of
``ACCORD_TRUSTED_PROXIES`` that is no address, a network that trusts everyone, the proxy SSL
header without a trusted proxy) are errors in demo mode too. ``accord check --deploy`` reports
them; ``config.asgi`` and a Celery worker's start (``config.celery``) call
:func:`refuse_insecure_start`, so daphne and the worker exit instead of serving. The ids and
what to set are listed in docs/operations.md ("Production checks").

SMS backends are named by a setting and imported by name (this module is below the apps
that define them): a class that really delivers says ``delivers = True`` and may define a
``configuration_errors()`` classmethod that names what is missing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from accord.core import crypto
from accord.core.requests import invalid_proxy_entries, parse_network

logger = logging.getLogger(__name__)

TAG = "accord"
# Django's own advice (security.W009): at least 50 characters, at least 5 distinct ones.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5
MEDIA_TOKEN_MIN_LENGTH = 32
HSTS_MIN_SECONDS = 24 * 3600
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

_GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def _error(id_: str, msg: str, hint: str) -> checks.Error:
    return checks.Error(msg, hint=hint, id=id_)


def register_checks() -> None:
    """Called by CoreConfig.ready()."""
    checks.register(check_production_settings, TAG, checks.Tags.security, deploy=True)
    checks.register(check_proxy_settings, TAG, checks.Tags.security)


def check_production_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every refusal at once, so one restart fixes them all."""
    if settings.ACCORD_DEMO:
        return [
            checks.Warning(
                "ACCORD_DEMO is on: demo data, demo links and the insecure development "
                "defaults are allowed.",
                hint="Never in production: unset ACCORD_DEMO (or set it to 0).",
                id="accord.W001",
            )
        ]
    return [
        *_secret_key(),
        *_s3_keys(),
        *_sms_backend(),
        *_media_token(),
        *_cookies(),
        *_debug(),
        *_hsts(),
        *_data_keys(),
    ]


def _secret_key() -> list[checks.CheckMessage]:
    try:
        key: str = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to even read an empty one
        key = ""
    if key == settings.DEMO_SECRET_KEY:
        return [
            _error(
                "accord.E001",
                "ACCORD_SECRET_KEY is not set: sessions and links would be signed with the "
                "public demo key.",
                f"Set ACCORD_SECRET_KEY (or ACCORD_SECRET_KEY_FILE) to a random value, e.g. "
                f"{_GENERATE}.",
            )
        ]
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_UNIQUE:
        return [
            _error(
                "accord.E002",
                f"ACCORD_SECRET_KEY is empty or too short ({len(key)} characters; at least "
                f"{SECRET_KEY_MIN_LENGTH}, {SECRET_KEY_MIN_UNIQUE} of them distinct).",
                f"Set ACCORD_SECRET_KEY to a random value, e.g. {_GENERATE}.",
            )
        ]
    return []


def _s3_keys() -> list[checks.CheckMessage]:
    weak = [
        name
        for name, value, demo in (
            ("S3_ACCESS_KEY", settings.S3_ACCESS_KEY, settings.DEMO_S3_ACCESS_KEY),
            ("S3_SECRET_KEY", settings.S3_SECRET_KEY, settings.DEMO_S3_SECRET_KEY),
        )
        if not value or value == demo
    ]
    if not weak:
        return []
    return [
        _error(
            "accord.E003",
            f"{' and '.join(weak)} {'is' if len(weak) == 1 else 'are'} empty or the public "
            "development default.",
            "Set S3_ACCESS_KEY and S3_SECRET_KEY (or S3_SECRET_KEY_FILE) to the object "
            "store's credentials for Accord.",
        )
    ]


def _sms_backend() -> list[checks.CheckMessage]:
    path: str = settings.ACCORD_SMS_BACKEND
    try:
        backend = import_string(path)
    except ImportError as exc:
        return [
            _error(
                "accord.E005",
                f"ACCORD_SMS_BACKEND names {path!r}, which cannot be imported ({exc}).",
                "Set ACCORD_SMS_BACKEND to the dotted path of an SMS backend class, e.g. "
                "accord.accounts.sms.TencentSmsBackend.",
            )
        ]
    if not getattr(backend, "delivers", False):
        return [
            _error(
                "accord.E004",
                f"ACCORD_SMS_BACKEND is {path}, which delivers no text message (the log "
                "backend writes every sign-in code to the log).",
                "Set ACCORD_SMS_BACKEND=accord.accounts.sms.TencentSmsBackend and its "
                "ACCORD_SMS_TENCENT_* variables (docs/operations.md).",
            )
        ]
    missing: list[str] = list(getattr(backend, "configuration_errors", list)())
    if missing:
        return [
            _error(
                "accord.E005",
                f"ACCORD_SMS_BACKEND is {path}, but it is not configured: "
                + "; ".join(missing)
                + ".",
                "Set the variables named (docs/operations.md, SMS).",
            )
        ]
    return []


def _media_token() -> list[checks.CheckMessage]:
    """Per-worker credentials of the internal media endpoints (docs/security/media.md)."""
    workers: dict[str, str] = settings.ACCORD_MEDIA_WORKERS
    bad = sorted(w for w, digest in workers.items() if not _SHA256_HEX.fullmatch(digest))
    problems: list[str] = []
    if not workers:
        problems.append("ACCORD_MEDIA_WORKERS is empty: recording registration would be off")
    if bad:
        problems.append(
            "ACCORD_MEDIA_WORKERS holds something other than a SHA-256 (64 hex digits) for "
            + ", ".join(bad)
        )
    if settings.ACCORD_INTERNAL_PORT <= 0:
        problems.append(
            "ACCORD_INTERNAL_PORT is not set: the media endpoints would be served nowhere"
        )
    if not problems:
        return []
    return [
        _error(
            "accord.E006",
            "; ".join(problems) + ".",
            "Give every media worker its own token (MEDIA_WORKER_TOKEN, at least "
            f"{MEDIA_TOKEN_MIN_LENGTH} characters, e.g. {_GENERATE}) and list "
            "<worker id>=<sha256 hex of its token> in ACCORD_MEDIA_WORKERS; bind daphne's "
            "internal endpoint to ACCORD_INTERNAL_PORT (docs/operations.md).",
        )
    ]


def _cookies() -> list[checks.CheckMessage]:
    plain = [
        name
        for name, secure in (
            ("SESSION_COOKIE_SECURE", settings.SESSION_COOKIE_SECURE),
            ("CSRF_COOKIE_SECURE", settings.CSRF_COOKIE_SECURE),
        )
        if not secure
    ]
    if not plain:
        return []
    return [
        _error(
            "accord.E007",
            f"{' and '.join(plain)} {'is' if len(plain) == 1 else 'are'} off: the session and "
            "CSRF cookies would also be sent over plain HTTP.",
            "Serve Accord over HTTPS and set ACCORD_SECURE_COOKIES=1.",
        )
    ]


def _debug() -> list[checks.CheckMessage]:
    if not settings.DEBUG:
        return []
    return [
        _error(
            "accord.E008",
            "ACCORD_DEBUG is on: error pages would show settings and stack traces to anyone.",
            "Unset ACCORD_DEBUG (or set it to 0).",
        )
    ]


def _hsts() -> list[checks.CheckMessage]:
    seconds: int = settings.SECURE_HSTS_SECONDS
    if seconds >= HSTS_MIN_SECONDS:
        return []
    return [
        _error(
            "accord.E020",
            f"ACCORD_HSTS_SECONDS is {seconds}: browsers would not be told to use only HTTPS "
            f"(at least {HSTS_MIN_SECONDS} seconds, a day, is required; a year is usual).",
            "Unset ACCORD_HSTS_SECONDS (a year by default) or set it to e.g. 31536000.",
        )
    ]


def check_proxy_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Reverse-proxy settings that are wrong in any mode (demo too): they are refused at start."""
    entries: list[str] = list(settings.ACCORD_TRUSTED_PROXIES)
    errors: list[checks.CheckMessage] = []
    bad = invalid_proxy_entries(entries)
    if bad:
        errors.append(
            _error(
                "accord.E021",
                f"ACCORD_TRUSTED_PROXIES has entries that are not an IP address or network: "
                f"{', '.join(repr(b) for b in bad)}.",
                "List the reverse proxies' addresses or networks, separated by commas, e.g. "
                "10.0.0.5,10.1.0.0/16,2001:db8::/64.",
            )
        )
    everyone = [e for e in entries if (net := parse_network(e)) is not None and net.prefixlen == 0]
    if everyone:
        errors.append(
            _error(
                "accord.E022",
                f"ACCORD_TRUSTED_PROXIES trusts every address ({', '.join(everyone)}): any "
                "client could choose its address with X-Forwarded-For (and claim HTTPS).",
                "List only the reverse proxies' own addresses or networks.",
            )
        )
    if settings.ACCORD_PROXY_SSL_HEADER and not entries:
        errors.append(
            _error(
                "accord.E023",
                "ACCORD_PROXY_SSL_HEADER is on but ACCORD_TRUSTED_PROXIES is empty: "
                "X-Forwarded-Proto would be believed from nobody, so the web never sees HTTPS.",
                "Set ACCORD_TRUSTED_PROXIES to the TLS-terminating proxy's address, or turn "
                "ACCORD_PROXY_SSL_HEADER off when the web terminates TLS itself.",
            )
        )
    return errors


def _data_keys() -> list[checks.CheckMessage]:
    """Personal data at rest (accord.core.crypto): the public demo keys are refused."""
    problems: list[checks.CheckMessage] = []
    raw: str = settings.ACCORD_DATA_KEYS
    try:
        keys = crypto.parse_data_keys(raw)
    except ImproperlyConfigured as exc:
        problems.append(
            _error(
                "accord.E030",
                f"ACCORD_DATA_KEYS cannot be used: {exc}.",
                "Set ACCORD_DATA_KEYS to id=base64key pairs (32-byte keys), the current key "
                "first, e.g. k1=$(python3 -c 'import base64,os; "
                "print(base64.b64encode(os.urandom(32)).decode())').",
            )
        )
    else:
        demo = crypto.parse_data_keys(settings.DEMO_DATA_KEYS)
        if set(keys.keys.values()) & set(demo.keys.values()):
            problems.append(
                _error(
                    "accord.E030",
                    "ACCORD_DATA_KEYS is not set or still lists the public demo key: personal "
                    "data at rest would be readable by anyone with this source code.",
                    "Set ACCORD_DATA_KEYS to your own key(s) and run `accord rotate-data-keys` "
                    "before removing the demo key (docs/operations.md, Personal data at rest).",
                )
            )
    lookup: str = settings.ACCORD_LOOKUP_KEY
    if lookup == settings.DEMO_LOOKUP_KEY or len(lookup) < SECRET_KEY_MIN_LENGTH:
        problems.append(
            _error(
                "accord.E031",
                "ACCORD_LOOKUP_KEY is the public demo key or shorter than "
                f"{SECRET_KEY_MIN_LENGTH} characters: phone numbers could be tested against "
                "their lookup hashes.",
                f"Set ACCORD_LOOKUP_KEY to a random value, e.g. {_GENERATE}, then run "
                "`accord rotate-data-keys`.",
            )
        )
    return problems


def refuse_insecure_start() -> None:
    """Raise ImproperlyConfigured, naming every refusal, unless the production checks pass.

    Called where the web process starts (config.asgi), after Django is set up.
    """
    messages = checks.run_checks(tags=[TAG], include_deployment_checks=True)
    errors = [m for m in messages if m.is_serious()]
    for message in messages:
        if not message.is_serious():
            logger.warning("%s", message)
    if errors:
        lines = "\n".join(f"  {m}" for m in errors)
        raise ImproperlyConfigured(
            "Accord refuses to start: without ACCORD_DEMO=1 these settings are not safe "
            f"(docs/operations.md, Production checks):\n{lines}"
        )
