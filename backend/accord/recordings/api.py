"""The media worker's endpoints (docs/recording.md): bearer token, JSON, thin views.

Bodies and answers are the contract's (`media_contract.registration`): each body is checked
there before any service acts on it; a body that is not the contract's answers 400 `malformed`.

Not for browsers: no session, no CSRF; ``ACCORD_MEDIA_TOKEN`` unset turns them off (503).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.recordings import errors, services
from media_contract import registration

Parsed = TypeVar("Parsed")


class MediaWorker:
    """The authenticated caller of these endpoints (not a user)."""

    is_authenticated = True


class MediaTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[MediaWorker, None]:
        expected: str = settings.ACCORD_MEDIA_TOKEN
        if not expected:
            raise errors.RecordingError(
                "Recording is not configured on this server.",
                code=registration.RECORDING_DISABLED,
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
    # Besides 400/401/413/429 (accord.core.api_schema), documented on each operation.
    error_responses = {
        400: "`malformed`: the body is not JSON, or not the contract's.",
        503: "`recording_disabled`: no media token is configured on this server.",
    }

    def body(self, request: Request, parse: Callable[[Any], Parsed]) -> Parsed:
        try:
            data = request.data
        except Exception as exc:  # DRF's ParseError: the contract calls it malformed
            raise errors.malformed("the body is not JSON") from exc
        try:
            return parse(data)
        except registration.BodyError as exc:
            raise errors.malformed(str(exc)) from exc


class SegmentsView(MediaWorkerView):
    @extend_schema(
        summary="Register a recording segment: 201 new, 200 known (media worker)",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        meta = self.body(request, registration.parse_segment)
        segment, created = services.segment_register(meta=meta)
        answer = registration.SegmentAnswer(key=segment.key, id=segment.pk, created=created)
        return Response(
            answer,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class InterruptionsView(MediaWorkerView):
    @extend_schema(
        summary="Report an interruption of a recording (media worker)",
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        report = self.body(request, registration.parse_interruption)
        interruption = services.interruption_record(report=report)
        answer = registration.InterruptionAnswer(id=interruption.pk)
        return Response(answer, status=status.HTTP_201_CREATED)


class FlushedView(MediaWorkerView):
    @extend_schema(
        summary="Report a session's recordings flushed (media worker)",
        request=OpenApiTypes.OBJECT,
        responses={202: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        report = self.body(request, registration.parse_flushed)
        session = services.session_flushed(report=report)
        answer = registration.FlushedAnswer(session=str(session.pk))
        return Response(answer, status=status.HTTP_202_ACCEPTED)
