"""The media worker's endpoints (docs/recording.md): bearer token, JSON, thin views.

Not for browsers: no session, no CSRF; ``ACCORD_MEDIA_TOKEN`` unset turns them off (503).
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.recordings import errors, payloads, services


class MediaWorker:
    """The authenticated caller of these endpoints (not a user)."""

    is_authenticated = True


class MediaTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[MediaWorker, None]:
        expected: str = settings.ACCORD_MEDIA_TOKEN
        if not expected:
            raise errors.RecordingError(
                "Recording is not configured on this server.",
                code="recording_disabled",
                http_status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        scheme, _sep, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), expected.encode()
        ):
            raise AuthenticationFailed("A valid media token is required.")
        return MediaWorker(), None

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class IsMediaWorker(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, MediaWorker)


class MediaWorkerView(APIView):
    authentication_classes = [MediaTokenAuthentication]
    permission_classes = [IsMediaWorker]
    parser_classes = [JSONParser]

    def body(self, request: Request) -> Any:
        try:
            return request.data
        except Exception as exc:  # DRF's ParseError: the contract calls it malformed
            raise errors.malformed("the body is not JSON") from exc


class SegmentsView(MediaWorkerView):
    def post(self, request: Request) -> Response:
        meta = payloads.parse_segment(self.body(request))
        segment, created = services.segment_register(meta=meta)
        return Response(
            {"key": segment.key, "id": segment.pk, "created": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class InterruptionsView(MediaWorkerView):
    def post(self, request: Request) -> Response:
        report = payloads.parse_interruption(self.body(request))
        interruption = services.interruption_record(report=report)
        return Response({"id": interruption.pk}, status=status.HTTP_201_CREATED)


class FlushedView(MediaWorkerView):
    def post(self, request: Request) -> Response:
        report = payloads.parse_flushed(self.body(request))
        session = services.session_flushed(report=report)
        return Response({"session": str(session.pk)}, status=status.HTTP_202_ACCEPTED)
