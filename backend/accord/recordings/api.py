"""The media worker's endpoints (docs/recording.md): bearer token, JSON, thin views.

Bodies and answers are the contract's (`media_contract.registration`): each body is checked
there before any service acts on it; a body that is not the contract's answers 400 `malformed`.

Not for browsers: no session, no CSRF. Served only on the internal listener
(``config.listeners``). Each media worker has its own token; ``ACCORD_MEDIA_WORKERS`` maps worker
ids to the tokens' SHA-256, and the token names the worker: a worker may report only for the
sessions placed on it (``services``: 403 ``worker_not_assigned``) and only as itself
(403 ``worker_mismatch``). ``ACCORD_MEDIA_WORKERS`` empty turns the endpoints off (503).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
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
    """The authenticated caller of these endpoints (not a user): one configured media worker."""

    is_authenticated = True

    def __init__(self, worker_id: str) -> None:
        self.id = worker_id


def token_hash(token: str) -> str:
    """What ``ACCORD_MEDIA_WORKERS`` holds for a worker's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def worker_for_token(token: str, workers: Mapping[str, str]) -> str | None:
    """The id of the worker whose token hashes to a configured hash, or None.

    Every configured hash is compared (in constant time), so the answer's timing does not tell
    which worker, if any, came close."""
    digest = token_hash(token).encode()
    found: str | None = None
    for worker_id, expected in workers.items():
        if hmac.compare_digest(digest, expected.strip().lower().encode()) and found is None:
            found = worker_id
    return found


class MediaTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <the worker's own token>``; the token names the worker."""

    def authenticate(self, request: Request) -> tuple[MediaWorker, None] | None:
        workers: Mapping[str, str] = settings.ACCORD_MEDIA_WORKERS
        if not workers:
            raise errors.RecordingError(
                "Recording is not configured on this server.",
                code=registration.RECORDING_DISABLED,
                http_status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None  # 401 not_authenticated (IsMediaWorker)
        scheme, _sep, token = header.partition(" ")
        token = token.strip()
        worker_id = worker_for_token(token, workers) if scheme.lower() == "bearer" else None
        if not token or worker_id is None:
            raise AuthenticationFailed("A valid media worker token is required.")
        return MediaWorker(worker_id), None

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

    def worker(self, request: Request) -> str:
        user = request.user
        assert isinstance(user, MediaWorker)
        return user.id

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
        segment, created = services.segment_register(meta=meta, by=self.worker(request))
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
        interruption = services.interruption_record(report=report, by=self.worker(request))
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
        session = services.session_flushed(report=report, by=self.worker(request))
        answer = registration.FlushedAnswer(session=str(session.pk))
        return Response(answer, status=status.HTTP_202_ACCEPTED)
