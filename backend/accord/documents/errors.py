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


class VersionConflict(ConflictError):
    """Another version of the document was drafted while this one was being rendered."""

    code = "version_conflict"


class VersionNotCurrent(ConflictError):
    """The version is no longer the document's current draft (sent, superseded or sealed)."""

    code = "illegal_state"


class DocumentStorageUnavailable(ServiceError):
    code = "storage_unavailable"
    http_status = status.HTTP_503_SERVICE_UNAVAILABLE


class VersionSuperseded(ConflictError):
    """The version shown to the signer is no longer the current one (or its hash differs)."""

    code = "version_superseded"


class AlreadySigned(ConflictError):
    code = "already_signed"


class CodeInvalid(ServiceError):
    code = "code_invalid"


class NotASigner(ServiceError):
    code = "not_a_signer"
    http_status = status.HTTP_403_FORBIDDEN


class NotForSigning(ConflictError):
    code = "not_for_signing"
