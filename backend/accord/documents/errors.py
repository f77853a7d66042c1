from __future__ import annotations

from rest_framework import status

from accord.core.api import ConflictError, ServiceError


class DocumentInvalid(ServiceError):
    """The fields of a draft are malformed (field-level messages in ``fields``)."""

    code = "document_invalid"


class AgreementIncomplete(ServiceError):
    """The content check refused an agreement for signing (field-level messages)."""

    code = "agreement_incomplete"


class DocumentSealed(ConflictError):
    code = "document_sealed"


class DocumentStorageUnavailable(ServiceError):
    code = "storage_unavailable"
    http_status = status.HTTP_503_SERVICE_UNAVAILABLE
