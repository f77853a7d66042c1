"""The errors the case services raise. Each ``code`` is documented in docs/api.md."""

from __future__ import annotations

from rest_framework import status

from accord.core.api import ConflictError, ServiceError


class OutOfScope(ServiceError):
    """R9: the dispute is not one the platform may take (field-level reasons)."""

    code = "out_of_scope"


class NotAllowed(ServiceError):
    """The user may see the object but may not do this to it."""

    code = "permission_denied"
    http_status = status.HTTP_403_FORBIDDEN


class IllegalTransition(ConflictError):
    """The state machine has no such move from the case's current state."""

    code = "illegal_transition"


class TooLarge(ServiceError):
    code = "too_large"
    http_status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class UnsupportedType(ServiceError):
    code = "unsupported_type"
    http_status = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE


class StorageUnavailable(ServiceError):
    code = "storage_unavailable"
    http_status = status.HTTP_503_SERVICE_UNAVAILABLE
