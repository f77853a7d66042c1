"""Authentication of the court API: a signed request from a court's key (``signing.py``).

Refusals are 401 with a documented code and store nothing; a request that passes records its
nonce (unique per key), so the same signed request cannot be played twice within the
10 minutes a nonce is kept (a timestamp older than 5 minutes is refused anyway).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accord.courts import signing
from accord.courts.models import CourtKey, CourtNonce


class CourtAuthFailed(exceptions.AuthenticationFailed):
    """401 with one of ``key_unknown``, ``signature_invalid``, ``timestamp_skew``,
    ``nonce_reused``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(detail=message, code=code)


def signed_path(request: HttpRequest) -> str:
    """The path and query string as the client sent them (ASGI's raw path when there is one:
    Django's ``path`` is percent-decoded)."""
    scope: dict[str, Any] | None = getattr(request, "scope", None)
    raw: bytes | None = scope.get("raw_path") if scope else None
    if raw:
        path = raw.decode("latin-1")
        query = scope.get("query_string", b"") if scope else b""
        query_text = query.decode("latin-1") if isinstance(query, bytes) else str(query)
    else:
        path = request.path
        query_text = request.META.get("QUERY_STRING", "")
    return f"{path}?{query_text}" if query_text else path


class CourtSignatureAuthentication(BaseAuthentication):
    def authenticate_header(self, request: Request) -> str:
        return 'Accord-HMAC-SHA256 realm="court"'

    def authenticate(self, request: Request) -> tuple[Any, CourtKey]:
        headers = request.headers
        key_id = headers.get(signing.HEADER_KEY, "")
        timestamp = headers.get(signing.HEADER_TIMESTAMP, "")
        nonce = headers.get(signing.HEADER_NONCE, "")
        given = headers.get(signing.HEADER_SIGNATURE, "")
        if not key_id:
            raise CourtAuthFailed("key_unknown", _("The request names no key."))
        key = (
            CourtKey.objects.select_related("court")
            .filter(key_id=key_id, revoked_at__isnull=True, court__is_active=True)
            .first()
        )
        if key is None:
            raise CourtAuthFailed("key_unknown", _("The key is unknown or revoked."))
        if (
            not signing.TIMESTAMP_RE.fullmatch(timestamp)
            or not signing.NONCE_RE.fullmatch(nonce)
            or not signing.SIGNATURE_RE.fullmatch(given)
        ):
            raise CourtAuthFailed(
                "signature_invalid", _("The signature headers are missing or malformed.")
            )
        body = request._request.body
        expected = signing.signature(
            key.secret,
            request.method or "GET",
            signed_path(request._request),
            timestamp,
            nonce,
            body,
        )
        if not signing.signatures_match(expected, given):
            raise CourtAuthFailed("signature_invalid", _("The signature does not match."))
        now = timezone.now()
        if abs(now.timestamp() - int(timestamp)) > signing.MAX_SKEW_SECONDS:
            raise CourtAuthFailed(
                "timestamp_skew",
                _("The timestamp is more than 300 seconds from the server's clock."),
            )
        _use_nonce(key, nonce, now)
        # Nobody is signed in: ``request.auth`` is the court's key.
        return AnonymousUser(), key


def _use_nonce(key: CourtKey, nonce: str, now: dt.datetime) -> None:
    horizon = now - dt.timedelta(seconds=signing.NONCE_TTL_SECONDS)
    try:
        with transaction.atomic():
            CourtNonce.objects.filter(key=key, nonce=nonce, seen_at__lt=horizon).delete()
            CourtNonce.objects.create(key=key, nonce=nonce, seen_at=now)
    except IntegrityError:
        raise CourtAuthFailed(
            "nonce_reused", _("This nonce was already used with this key.")
        ) from None
    CourtKey.objects.filter(pk=key.pk).update(last_used_at=now)


def nonces_sweep(now: dt.datetime | None = None) -> int:
    """Forget nonces older than their 10 minutes (Celery beat)."""
    horizon = (now or timezone.now()) - dt.timedelta(seconds=signing.NONCE_TTL_SECONDS)
    deleted, _count = CourtNonce.objects.filter(seen_at__lt=horizon).delete()
    return deleted


class IsCourt(BasePermission):
    """The request was signed by a court's key."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, CourtKey)


def court_key(request: Request) -> CourtKey:
    assert isinstance(request.auth, CourtKey)
    return request.auth
