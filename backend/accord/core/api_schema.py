"""The OpenAPI schema's error responses, documented on every operation (issue 13).

Every error the API answers has the shape ``{"error": {"code", "message", "fields"}}``
(``accord.core.api.error_body``), and the schema says so: ``ErrorSerializer`` is its component
(``Error``), and ``ApiAutoSchema`` adds to each operation the error answers any view of its kind
can give, besides those the view documents itself with ``extend_schema(responses=...)``:

- 400 for an operation with a body or query parameters (a body that does not parse, invalid
  fields),
- 401 where the view authenticates with a scheme that challenges (a bearer token), 403
  otherwise (no session, a CSRF failure, not your move),
- 404 for an operation with path parameters,
- 413, 415 and 429 for writes (the body cap, a body of a media type the view does not read,
  the write throttles),
- whatever the view lists in an ``error_responses`` class attribute (status → description).

Codes are listed in docs/api.md.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

# Built with inline_serializer: a declared field called "fields" would read as
# an override of Serializer.fields.
ErrorDetailSerializer = inline_serializer(
    name="ErrorDetail",
    fields={
        "code": serializers.CharField(help_text="Stable error code; see docs/api.md."),
        "message": serializers.CharField(),
        "fields": serializers.DictField(
            child=serializers.JSONField(),
            help_text="Messages by input field name (a list of strings, or nested the same "
            "way for a nested input).",
        ),
    },
)


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error response: ``{"error": {"code", "message", "fields"}}``."""

    error = ErrorDetailSerializer


def error_response(description: str) -> OpenApiResponse:
    """An error response in the schema, with ``description`` naming its codes."""
    return OpenApiResponse(ErrorSerializer, description=description)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

BAD_REQUEST = "`invalid` (with `fields`), or `parse_error`: the body does not parse."
NOT_SIGNED_IN = "`not_authenticated`: no session; `permission_denied` (also a CSRF failure)."
NO_CREDENTIALS = "`not_authenticated` or `authentication_failed`: no valid bearer token."
NOT_FOUND = "`not_found`: no such object, or not visible to you."
TOO_LARGE = "`too_large`: the request body is over the size cap."
THROTTLED = "`throttled`: too many requests; retry after `Retry-After` seconds."
UNSUPPORTED = "`unsupported_media_type`: the body's content type is not one this operation reads."


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the error responses every operation can answer."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self._error_responses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    error_response(description), str(code), direction=direction
                )
        return dict(sorted(responses.items()))

    def _error_responses(self) -> dict[int, str]:
        errors: dict[int, str] = {}
        parameters = self._get_parameters()
        writes = self.method in WRITE_METHODS
        if writes or any(p.get("in") == "query" for p in parameters):
            errors[400] = BAD_REQUEST
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            challenges = any(
                a.authenticate_header(self.view.request) for a in self.view.get_authenticators()
            )
            if challenges:
                errors[401] = NO_CREDENTIALS
            else:
                errors[403] = NOT_SIGNED_IN
        if any(p.get("in") == "path" for p in parameters):
            errors[404] = NOT_FOUND
        if writes:
            errors[413] = TOO_LARGE
            # DRF's parsers refuse a body of a media type the view does not read (a multipart
            # part that names none, say) before the view runs.
            errors[415] = UNSUPPORTED
            errors[429] = THROTTLED
        errors.update(getattr(self.view, "error_responses", {}))
        return errors
