"""What every API module of the case apps repeats: the documented error response of the
schema and the signed-in user of a request."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request

from accord.accounts.models import User
from accord.cases.serializers import ErrorSerializer


def error_response(description: str) -> OpenApiResponse:
    """An error response in the schema: ``{"code", "message", "fields"}`` as ``description``
    says."""
    return OpenApiResponse(ErrorSerializer, description=description)


def api_user(request: Request) -> User:
    """Precondition: ``IsAuthenticated`` (the default permission) passed."""
    assert isinstance(request.user, User)
    return request.user
