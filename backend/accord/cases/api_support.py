"""What every API module of the case apps repeats: the documented error response of the
schema and the signed-in user of a request."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request

from accord.accounts.models import User
from accord.core.api_schema import error_response as core_error_response


def error_response(description: str) -> OpenApiResponse:
    """An error response in the schema: ``{"code", "message", "fields"}`` as ``description``
    says."""
    return core_error_response(description)


def api_user(request: Request) -> User:
    """Precondition: ``IsAuthenticated`` (the default permission) passed."""
    assert isinstance(request.user, User)
    return request.user
