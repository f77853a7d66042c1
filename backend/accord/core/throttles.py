"""Per-user rate limits on the API's writes (docs/api.md, "Rate limits").

Every unsafe request (POST, PUT, PATCH, DELETE) to ``/api/`` counts against its user (or,
signed out, its client address) in the shared Redis cache, so all web processes see one count:
``ACCORD_API_WRITE_RATE`` for writes, ``ACCORD_API_UPLOAD_RATE`` for multipart uploads
(evidence). Past the rate the answer is 429 ``throttled`` in the API's error shape with a
``Retry-After`` header (accord.core.api.exception_handler keeps DRF's header). Reads are not
limited here, nor the internal media endpoints (the workers' own token, not a person).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

WRITE = "write"
UPLOAD = "upload"


def is_upload(request: Request) -> bool:
    return str(request.content_type or "").startswith("multipart/")


class WriteRateThrottle(SimpleRateThrottle):
    """The one throttle of ``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``; its scope (and so
    its rate) is chosen per request."""

    scope = WRITE

    def __init__(self) -> None:  # the rate depends on the request: read in allow_request
        self.rate: str | None = None
        self.num_requests: int | None = None
        self.duration: int | None = None

    def get_rate(self) -> str | None:
        rate: str | None = (
            settings.ACCORD_API_UPLOAD_RATE
            if self.scope == UPLOAD
            else settings.ACCORD_API_WRITE_RATE
        )
        return rate or None

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS or not request.path.startswith("/api/"):
            return True
        self.scope = UPLOAD if is_upload(request) else WRITE
        self.rate = self.get_rate()
        if self.rate is None:  # no rate set: not limited
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request, view))

    def get_cache_key(self, request: Request, view: Any) -> str:
        user = request.user
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        prefix = getattr(settings, "ACCORD_THROTTLE_PREFIX", "throttle")
        return f"{prefix}:{self.scope}:{ident}"
