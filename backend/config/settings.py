"""Settings for Accord, read from the environment (every variable: docs/operations.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import envbool, envint, envlist, envmap, envstr

BASE_DIR = Path(__file__).resolve().parent.parent  # backend/
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(envstr("ACCORD_VAR_DIR", str(REPO_DIR / "var")))


def _load_env_file(path: Path) -> None:
    """`make up` writes its ports and keys to var/stack.env; `accord ...` commands run by
    hand read it too, so they reach that stack. Variables already set win; the test harness
    sets ACCORD_ENV_FILE="" so a local stack never leaks into tests."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.lstrip().startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


_load_env_file(Path(os.environ.get("ACCORD_ENV_FILE", str(VAR_DIR / "stack.env"))))

# Demo mode (seeded data, demo links, the insecure defaults below) only when asked for:
# `make up` and the test harness set ACCORD_DEMO=1. Without it the web refuses to start with
# any of the defaults that are only fit for a laptop (accord.core.checks, docs/operations.md).
ACCORD_DEMO = envbool("ACCORD_DEMO", False)
DEBUG = envbool("ACCORD_DEBUG", False)
# Public (it is in this file): refused without ACCORD_DEMO by accord.core.checks.
DEMO_SECRET_KEY = "accord-dev-only-insecure-secret-key-change-me-0123456789"  # noqa: S105
SECRET_KEY = envstr("ACCORD_SECRET_KEY", DEMO_SECRET_KEY)
ALLOWED_HOSTS = envlist("ACCORD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("ACCORD_CSRF_TRUSTED_ORIGINS", [])
ACCORD_BASE_URL = envstr("ACCORD_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "accord.core",
    "accord.audit",
    "accord.trust",
    "accord.accounts",
    "accord.orgs",
    "accord.inbox",
    "accord.workdays",
    "accord.cases",
    "accord.deadlines",
    "accord.mediators",
    "accord.conflicts",
    "accord.outcomes",
    "accord.evaluation",
    "accord.documents",
    "accord.smallclaims",
    "accord.courts",
    "accord.rooms",
    "accord.recordings",
    "accord.replay",
    "accord.packages",
    "accord.analytics",
    "accord.alerts",
    "accord.meetings",
    "accord.publicity",
    "accord.institutions",
    "accord.demo",
]

MIDDLEWARE = [
    # CSP, Permissions-Policy and the rest on every answer, static files and Django's HTTPS
    # redirects too; drops X-Forwarded-Proto from untrusted peers before anything reads it.
    "accord.core.security_headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "accord.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.orgs.context_processors.navigation",
                "accord.workdays.context_processors.navigation",
                "accord.inbox.context_processors.navigation",
                "accord.outcomes.context_processors.navigation",
                "accord.evaluation.context_processors.navigation",
                "accord.smallclaims.context_processors.navigation",
                "accord.analytics.context_processors.navigation",
                "accord.institutions.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite (WAL, immediate transactions) is the embedded default of `make up`;
# PostgreSQL in production and in tests.
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'accord.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN, so two processes never deadlock on upgrade
        # from a read to a write lock ("database is locked").
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "cases:my_cases"
# AUTH_PASSWORD_VALIDATORS: in the authentication block at the end (issue 13).

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("ACCORD_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [REPO_DIR / "frontend"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Redis, channels, celery ---------------------------------------------
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": envstr("ACCORD_CHANNEL_PREFIX", "accord")},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": envstr("ACCORD_CACHE_PREFIX", "accord"),
    }
}
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = envstr("ACCORD_CELERY_QUEUE", "accord")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "accord.core.tasks.beat_heartbeat", "schedule": 10.0},
    "purge-signin-secrets": {
        "task": "accord.accounts.tasks.purge_signin_secrets",
        "schedule": 24 * 3600.0,
    },
    "expire-recordings": {
        "task": "accord.recordings.tasks.expire_recordings",
        "schedule": 24 * 3600.0,
    },
    # Reminders before deadlines and escalation of overdue ones (idempotent: each goes once).
    "sweep-deadlines": {
        "task": "accord.deadlines.tasks.sweep_deadlines",
        "schedule": 15 * 60.0,
    },
    # Recount running deadlines on the calendar as it is (a change queues this too; the daily
    # run redoes one whose queued task was lost). Changes nothing when nothing moved.
    "recompute-deadlines": {
        "task": "accord.deadlines.tasks.recompute_open_deadlines",
        "schedule": 24 * 3600.0,
    },
    # Reminders before an agreement's obligations are due, the overdue flag to the mediator
    # after (idempotent: each goes once).
    "sweep-performance": {
        "task": "accord.outcomes.tasks.sweep_performance",
        "schedule": 3600.0,
    },
    # Seal again a fully signed version whose seal task was lost or gave up (accord.documents).
    "seal-pending": {
        "task": "accord.documents.tasks.seal_pending",
        "schedule": 15 * 60.0,
    },
    # Small-claim proposals not answered by their answer day lapse (idempotent: once each).
    "sweep-smallclaim-proposals": {
        "task": "accord.smallclaims.tasks.sweep_proposals",
        "schedule": 3600.0,
    },
    # Joint meetings' follow-ups: remind the owners the working day before and when overdue
    # (idempotent: each notice goes once).
    "sweep-meeting-follow-ups": {
        "task": "accord.meetings.tasks.sweep_follow_ups",
        "schedule": 3600.0,
    },
    # Timestamp (RFC 3161) the head of every chain that moved since its last anchor.
    "anchor-chains": {
        "task": "accord.trust.tasks.anchor_moved_chains",
        "schedule": 24 * 3600.0,
    },
}

# --- Time limits (accord.deadlines) -----------------------------------------
# The court-entrusted mediation period (calendar days from the day the materials were signed
# for) when the court sets none of its own for the case (最高人民法院: 委托调解 30 日).
ACCORD_COURT_MEDIATION_DAYS = envint("ACCORD_COURT_MEDIATION_DAYS", 30)

# --- Seals and timestamps (accord.trust, docs/operations.md) -------------
# The development PKI (demo mode only): CA, TSA certificate, CRL, organization seals.
ACCORD_PKI_DIR = envstr("ACCORD_PKI_DIR", str(VAR_DIR / "pki"))
# JSON: organization id -> PKCS#12 file or PKCS#11 token of its seal (accord.trust.signer_config).
ACCORD_SEAL_SIGNERS = envstr("ACCORD_SEAL_SIGNERS", "")
# PEM file of the roots seals and timestamps are validated against (plus the dev CA in demo).
ACCORD_TRUST_ROOTS = envstr("ACCORD_TRUST_ROOTS", "")
# The RFC 3161 timestamp authority; empty: no seals and no chain anchors.
ACCORD_TSA_URL = envstr("ACCORD_TSA_URL", "")
ACCORD_TSA_USERNAME = envstr("ACCORD_TSA_USERNAME", "")
ACCORD_TSA_PASSWORD = envstr("ACCORD_TSA_PASSWORD", "")
ACCORD_TSA_TIMEOUT_SECONDS = envint("ACCORD_TSA_TIMEOUT_SECONDS", 10)
# A chain anchor whose timestamp failed is tried again after this many seconds (doubling).
ACCORD_ANCHOR_RETRY_SECONDS = envint("ACCORD_ANCHOR_RETRY_SECONDS", 60)

# --- Object storage (S3 API through the minio SDK) ------------------------
S3_ENDPOINT = envstr("S3_ENDPOINT", "127.0.0.1:8333")
# The development keys (the media worker's defaults too): refused without ACCORD_DEMO.
DEMO_S3_ACCESS_KEY = "accord-dev"
DEMO_S3_SECRET_KEY = "accord-dev-secret-key"  # noqa: S105
S3_ACCESS_KEY = envstr("S3_ACCESS_KEY", DEMO_S3_ACCESS_KEY)
S3_SECRET_KEY = envstr("S3_SECRET_KEY", DEMO_S3_SECRET_KEY)
S3_SECURE = envbool("S3_SECURE", False)
S3_REGION = envstr("S3_REGION", "us-east-1")
S3_BUCKET_EVIDENCE = envstr("S3_BUCKET_EVIDENCE", "accord-evidence")
S3_BUCKET_RECORDINGS = envstr("S3_BUCKET_RECORDINGS", "accord-recordings")
S3_BUCKET_DOCUMENTS = envstr("S3_BUCKET_DOCUMENTS", "accord-documents")

# --- Evidence limits (checked on content) ---------------------------------
EVIDENCE_MAX_BYTES = envint("ACCORD_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_ALLOWED_TYPES = envlist(
    "ACCORD_EVIDENCE_ALLOWED_TYPES",
    ["application/pdf", "image/jpeg", "image/png", "audio/mpeg", "video/mp4", "audio/x-wav"],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- SMS (accord.accounts.sms) --------------------------------------------
# The log backend writes every sign-in code to the log: refused without ACCORD_DEMO.
# Production: accord.accounts.sms.TencentSmsBackend and the ACCORD_SMS_TENCENT_* below.
ACCORD_SMS_BACKEND = envstr("ACCORD_SMS_BACKEND", "accord.accounts.sms.LogSmsBackend")
ACCORD_SMS_TENCENT_SECRET_ID = envstr("ACCORD_SMS_TENCENT_SECRET_ID", "")
ACCORD_SMS_TENCENT_SECRET_KEY = envstr("ACCORD_SMS_TENCENT_SECRET_KEY", "")
ACCORD_SMS_TENCENT_APP_ID = envstr("ACCORD_SMS_TENCENT_APP_ID", "")  # SmsSdkAppId
ACCORD_SMS_TENCENT_SIGN_NAME = envstr("ACCORD_SMS_TENCENT_SIGN_NAME", "")  # approved 签名
# Approved template id per message kind, e.g. "signin_code=1234567,hearing_scheduled=1234568".
ACCORD_SMS_TENCENT_TEMPLATES = envmap("ACCORD_SMS_TENCENT_TEMPLATES", {})
ACCORD_SMS_TENCENT_REGION = envstr("ACCORD_SMS_TENCENT_REGION", "ap-guangzhou")
# Host of the API; a URL with a scheme (http://127.0.0.1:PORT) points at a stand-in.
ACCORD_SMS_TENCENT_ENDPOINT = envstr("ACCORD_SMS_TENCENT_ENDPOINT", "sms.tencentcloudapi.com")
ACCORD_SMS_TIMEOUT_SECONDS = envint("ACCORD_SMS_TIMEOUT_SECONDS", 10)

# --- Sign-in: one-time codes and rate limits ------------------------------
ACCORD_OTP_TTL_SECONDS = envint("ACCORD_OTP_TTL_SECONDS", 300)
ACCORD_OTP_REQUESTS_PER_HOUR = envint("ACCORD_OTP_REQUESTS_PER_HOUR", 5)
ACCORD_OTP_RESEND_SECONDS = envint("ACCORD_OTP_RESEND_SECONDS", 60)
ACCORD_SIGNIN_FAILURES_PER_15MIN = envint("ACCORD_SIGNIN_FAILURES_PER_15MIN", 5)
ACCORD_TOTP_ISSUER = envstr("ACCORD_TOTP_ISSUER", "Accord")
ACCORD_OTP_MAX_ATTEMPTS = envint("ACCORD_OTP_MAX_ATTEMPTS", 3)
ACCORD_OTP_REQUESTS_PER_IP_PER_HOUR = envint("ACCORD_OTP_REQUESTS_PER_IP_PER_HOUR", 30)
ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN = envint("ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN", 50)
ACCORD_STAFF_SECOND_FACTOR_SECONDS = envint("ACCORD_STAFF_SECOND_FACTOR_SECONDS", 300)

# --- Media workers --------------------------------------------------------
# ICE servers handed to room clients, as RTCIceServer dicts in JSON, e.g.
# [{"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}].
# On loopback none is needed; production behind NAT needs TURN (infra/coturn/).
ACCORD_ICE_SERVERS = json.loads(envstr("ACCORD_ICE_SERVERS", "[]"))
ACCORD_MEDIA_HEARTBEAT_TTL = envint("ACCORD_MEDIA_HEARTBEAT_TTL", 15)
ACCORD_CELERY_HEARTBEAT_TTL = envint("ACCORD_CELERY_HEARTBEAT_TTL", 30)
# Prefix of the liveness keys (accord.core.heartbeats, media_worker.config): stacks that share
# one Redis must not see each other's workers.
ACCORD_HEARTBEAT_PREFIX = envstr("ACCORD_HEARTBEAT_PREFIX", "accord")

# --- Recording (docs/recording.md) ----------------------------------------
# The web's base URL as the media worker reaches it (it posts segments there).
ACCORD_INTERNAL_URL = envstr("ACCORD_INTERNAL_URL", ACCORD_BASE_URL)
RECORDING_SEGMENT_SECONDS = envint("RECORDING_SEGMENT_SECONDS", 10)
# The optional composite export (accord.recordings.composite).
RECORDING_COMPOSITE_SIZE = envstr("RECORDING_COMPOSITE_SIZE", "1280x720")
RECORDING_COMPOSITE_FPS = envint("RECORDING_COMPOSITE_FPS", 15)
RECORDING_COMPOSITE_FONT = envstr("RECORDING_COMPOSITE_FONT", "")
FFMPEG_BINARY = envstr("FFMPEG_BINARY", "")

# --- REST API -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "accord.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Accord API",
    "DESCRIPTION": "Online dispute resolution for financial disputes.",
    "VERSION": "0.1.0",
}

SESSION_COOKIE_HTTPONLY = True
# Off for http://127.0.0.1 (demo); without ACCORD_DEMO the web refuses to start unless on.
SESSION_COOKIE_SECURE = envbool("ACCORD_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("ACCORD_LOG_LEVEL", "INFO")},
    # Tencent's SDK logs whole requests at DEBUG: phone numbers and sign-in codes.
    "loggers": {
        "tencentcloud_sdk_common": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Security headers and reverse proxies (issue 13, docs/security/headers.md) ---
# Reverse proxies whose X-Forwarded-For (and, with ACCORD_PROXY_SSL_HEADER, X-Forwarded-Proto)
# is believed: addresses or networks, e.g. "10.0.0.5,2001:db8::/64". Empty: REMOTE_ADDR only.
ACCORD_TRUSTED_PROXIES = envlist("ACCORD_TRUSTED_PROXIES", [])
# Behind a TLS-terminating proxy: X-Forwarded-Proto: https from a trusted proxy means HTTPS
# (secure cookies, HSTS, wss:// for the room). accord.core.security_headers drops the header
# from any other peer.
ACCORD_PROXY_SSL_HEADER = envbool("ACCORD_PROXY_SSL_HEADER", False)
if ACCORD_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS, sent on HTTPS answers only (Django's SecurityMiddleware): a year outside demo mode.
SECURE_HSTS_SECONDS = envint("ACCORD_HSTS_SECONDS", 0 if ACCORD_DEMO else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("ACCORD_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("ACCORD_HSTS_PRELOAD", False)
# Redirect plain HTTP to HTTPS in the web itself (usually the proxy's job).
SECURE_SSL_REDIRECT = envbool("ACCORD_SSL_REDIRECT", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True

# --- Authentication and sessions (issue 13; docs/security/auth.md) ---------------------------
# Session lifetimes, enforced by accord.accounts.middleware.SessionLifetimeMiddleware (pages and
# the API) and accord.accounts.sessions.websocket_session_refusal (room sockets). Staff: an
# absolute lifetime from the sign-in and an idle timeout. Applicants: one day, and an idle
# timeout of two hours (they sign in again with a text-message code; see the docs for why).
ACCORD_STAFF_SESSION_MAX_SECONDS = envint("ACCORD_STAFF_SESSION_MAX_SECONDS", 12 * 3600)
ACCORD_STAFF_SESSION_IDLE_SECONDS = envint("ACCORD_STAFF_SESSION_IDLE_SECONDS", 30 * 60)
ACCORD_APPLICANT_SESSION_SECONDS = envint("ACCORD_APPLICANT_SESSION_SECONDS", 24 * 3600)
ACCORD_APPLICANT_SESSION_IDLE_SECONDS = envint("ACCORD_APPLICANT_SESSION_IDLE_SECONDS", 2 * 3600)
# Django's own cookie and stored-session expiry: no session outlives the longest lifetime.
SESSION_COOKIE_AGE = max(ACCORD_STAFF_SESSION_MAX_SECONDS, ACCORD_APPLICANT_SESSION_SECONDS)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accord.accounts.middleware.SessionLifetimeMiddleware",
)
# Passwords (staff): 12 characters at least, not a common password, not like the username,
# and (when a range API is configured) not in a known breach. Empty URL: the breach check is
# off (the default; the demo has no internet). The check fails open, with a warning logged.
ACCORD_PWNED_PASSWORDS_URL = envstr("ACCORD_PWNED_PASSWORDS_URL", "")
ACCORD_PWNED_PASSWORDS_TIMEOUT_SECONDS = envint("ACCORD_PWNED_PASSWORDS_TIMEOUT_SECONDS", 3)
AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email", "phone")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accord.accounts.passwords.PwnedPasswordValidator"},
]
# Lockout (accord.accounts.services.lockout): failures of one account from one address lock
# that pair after ACCORD_SIGNIN_FAILURES_PER_15MIN, for the base time doubling with each
# further failure up to the cap. Past ACCORD_SIGNIN_ACCOUNT_FAILURES_PER_15MIN failures of
# the account from everywhere, an address that has failed for it is locked from its first
# failure on; an address that has not failed for it is never locked by others' failures.
ACCORD_SIGNIN_LOCK_BASE_SECONDS = envint("ACCORD_SIGNIN_LOCK_BASE_SECONDS", 60)
ACCORD_SIGNIN_LOCK_MAX_SECONDS = envint("ACCORD_SIGNIN_LOCK_MAX_SECONDS", 3600)
ACCORD_SIGNIN_ACCOUNT_FAILURES_PER_15MIN = envint("ACCORD_SIGNIN_ACCOUNT_FAILURES_PER_15MIN", 20)
# TOTP enrolment: only within this time of a correct password in the same session.
ACCORD_TOTP_ENROL_WINDOW_SECONDS = envint("ACCORD_TOTP_ENROL_WINDOW_SECONDS", 600)

# --- API errors and schema, for fuzzing (issue 13) ---
# Any error under /api/ or /internal/ that another layer answered in HTML (a URL
# that does not resolve, a 500) becomes the API's JSON error (accord.core.api_errors).
# Right inside the two security middlewares, so the JSON it answers carries their headers.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "accord.core.api_errors.ApiErrorMiddleware",
)
# The schema documents on every operation the error answers it can give (accord.core.api_schema).
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "accord.core.api_schema.ApiAutoSchema"

# --- Limits before buffering (issue 13; docs/security/limits.md) ---------------
# Request bodies: refused with 413 past the cap, before anything buffers them
# (accord.core.bodylimit, accord.core.daphne). Evidence uploads get EVIDENCE_MAX_BYTES plus
# the multipart overhead; everything else ACCORD_MAX_BODY_BYTES.
ACCORD_MAX_BODY_BYTES = envint("ACCORD_MAX_BODY_BYTES", 1024 * 1024)
ACCORD_UPLOAD_OVERHEAD_BYTES = envint("ACCORD_UPLOAD_OVERHEAD_BYTES", 64 * 1024)
# Each uploaded file is counted while it arrives and dropped past its limit.
FILE_UPLOAD_HANDLERS = [
    "accord.core.bodylimit.FileSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# WebSocket messages and frames over this are refused by daphne (accord.core.daphne).
# Above the room protocol's own frame limit (accord.rooms.schemas.MAX_FRAME_CHARS, ASCII).
ACCORD_WS_MAX_MESSAGE_BYTES = envint("ACCORD_WS_MAX_MESSAGE_BYTES", 256 * 1024)
# API writes per user (accord.core.throttles): "<n>/<s|min|hour|day>"; empty: not limited.
# Multipart uploads count against ACCORD_API_UPLOAD_RATE, other writes ACCORD_API_WRITE_RATE.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["accord.core.throttles.WriteRateThrottle"]
ACCORD_API_WRITE_RATE = envstr("ACCORD_API_WRITE_RATE", "60/min")
ACCORD_API_UPLOAD_RATE = envstr("ACCORD_API_UPLOAD_RATE", "60/hour")
# Cache keys of the counts (tests give each test its own).
ACCORD_THROTTLE_PREFIX = "throttle"
# Open room sockets per user (accord.rooms.live.socket_claim); one more is refused (4429).
ACCORD_ROOM_SOCKETS_PER_USER = envint("ACCORD_ROOM_SOCKETS_PER_USER", 4)
# A participant's stay in a room survives a reconnect within this many seconds: one
# room.joined per stay, reconnects summarized in its room.left (accord.rooms.services).
ACCORD_ROOM_REJOIN_GRACE_SECONDS = envint("ACCORD_ROOM_REJOIN_GRACE_SECONDS", 60)
CELERY_BEAT_SCHEDULE["room-leaves"] = {
    "task": "accord.rooms.tasks.settle_room_leaves",
    "schedule": 15.0,
}

# --- Internal media endpoints (issue 13) ------------------------------------
# /internal/media/... is served only on the internal listener: daphne binds it as a second
# endpoint (infra/stack.py) and config.listeners tells the two apart by the port of the socket
# that accepted the connection (the ASGI scope's "server"), never by the Host header. 0: no
# internal listener, so the media endpoints are served nowhere (recording registration off).
ACCORD_INTERNAL_PORT = envint("ACCORD_INTERNAL_PORT", 0)
# The media workers allowed to call them: ``worker-id=<sha256 hex of its token>,...``. Each
# worker sends its own token (MEDIA_WORKER_TOKEN); the web keeps only the hashes. Empty: the
# endpoints answer 503 recording_disabled (refused at start without ACCORD_DEMO).
ACCORD_MEDIA_WORKERS = envmap("ACCORD_MEDIA_WORKERS", {})
# Inside the security and API-error middlewares, so its refusals carry their headers.
MIDDLEWARE.insert(
    MIDDLEWARE.index("accord.core.api_errors.ApiErrorMiddleware") + 1,
    "config.listeners.ListenerMiddleware",
)

# --- Personal data at rest (issue 13) --------------------------------------
# Key-encryption keys of accord.core.crypto: ``id=base64(32 bytes),...`` or a JSON object;
# the first one encrypts, every one listed decrypts (rotation: put a new key first, run
# ``accord rotate-data-keys``, then drop the old one). The demo key is public (it is in this
# file): refused without ACCORD_DEMO by accord.core.checks.
DEMO_DATA_KEYS = "demo=Ypj7FmyR7022a4giid6agCknbL86BeIszOvfVDp29qQ="
ACCORD_DATA_KEYS = envstr("ACCORD_DATA_KEYS", DEMO_DATA_KEYS)
# The HMAC key of the lookup hashes of searched encrypted fields (phone numbers). Changing it
# needs the web stopped and ``accord rotate-data-keys`` (which recomputes every lookup hash).
DEMO_LOOKUP_KEY = "accord-dev-only-insecure-lookup-key"
ACCORD_LOOKUP_KEY = envstr("ACCORD_LOOKUP_KEY", DEMO_LOOKUP_KEY)
# Server-side encryption asked for on every object written: ``none``, ``s3`` (SSE-S3,
# AES256) or ``kms:<key id>`` (SSE-KMS). The media worker reads the same variable.
S3_SSE = envstr("S3_SSE", "none")

# --- Court docking (issue 14; docs/court-api.md) -----------------------------
# Callbacks to a court: attempts before a callback is a dead letter, and the first backoff
# (doubled after each failed attempt, at most an hour).
ACCORD_COURT_CALLBACK_ATTEMPTS = envint("ACCORD_COURT_CALLBACK_ATTEMPTS", 8)
ACCORD_COURT_CALLBACK_BACKOFF_SECONDS = envint("ACCORD_COURT_CALLBACK_BACKOFF_SECONDS", 30)
ACCORD_COURT_HTTP_TIMEOUT_SECONDS = envint("ACCORD_COURT_HTTP_TIMEOUT_SECONDS", 15)
ACCORD_COURT_MATERIAL_MAX_BYTES = envint("ACCORD_COURT_MATERIAL_MAX_BYTES", 50 * 1024 * 1024)
CELERY_BEAT_SCHEDULE["court-callbacks"] = {
    "task": "accord.courts.tasks.deliver_due_callbacks",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["court-nonces"] = {
    "task": "accord.courts.tasks.sweep_nonces",
    "schedule": 600.0,
}

# --- Early warning (issue 15; docs/early-warning.md) -------------------------
# Surges: the window (days ending today) against the series' own baseline (the days before),
# alarm when P(X >= observed) < alpha and at least min_count cases; the least daily rate.
ACCORD_ALERT_WINDOW_DAYS = envint("ACCORD_ALERT_WINDOW_DAYS", 7)
ACCORD_ALERT_BASELINE_DAYS = envint("ACCORD_ALERT_BASELINE_DAYS", 84)
ACCORD_ALERT_ALPHA = float(envstr("ACCORD_ALERT_ALPHA", "1e-4"))
ACCORD_ALERT_MIN_COUNT = envint("ACCORD_ALERT_MIN_COUNT", 5)
ACCORD_ALERT_FLOOR_PER_DAY = float(envstr("ACCORD_ALERT_FLOOR_PER_DAY", "0.05"))
# Group disputes: near-duplicate applications (3-gram Jaccard >= similarity) against one
# respondent within the last days, in clusters of at least min_size.
ACCORD_ALERT_GROUP_DAYS = envint("ACCORD_ALERT_GROUP_DAYS", 14)
ACCORD_ALERT_GROUP_SIMILARITY = float(envstr("ACCORD_ALERT_GROUP_SIMILARITY", "0.6"))
ACCORD_ALERT_GROUP_MIN_SIZE = envint("ACCORD_ALERT_GROUP_MIN_SIZE", 5)
CELERY_BEAT_SCHEDULE["scan-alerts"] = {
    "task": "accord.alerts.tasks.scan_alerts",
    "schedule": 3600.0,
}
