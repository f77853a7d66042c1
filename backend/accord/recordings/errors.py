"""The refusals of the recording endpoints (docs/recording.md, docs/api.md)."""

from __future__ import annotations

from rest_framework import status

from accord.core.api import ServiceError
from media_contract import registration


class RecordingError(ServiceError):
    """A refusal with its own HTTP status; ``code`` is one of the contract's codes."""

    def __init__(self, message: str, *, code: str, http_status: int) -> None:
        super().__init__(message, code=code)
        self.http_status = http_status


def malformed(message: str) -> RecordingError:
    return RecordingError(
        message, code=registration.MALFORMED, http_status=status.HTTP_400_BAD_REQUEST
    )


def unknown_session() -> RecordingError:
    return RecordingError(
        "No such hearing session.",
        code=registration.UNKNOWN_SESSION,
        http_status=status.HTTP_404_NOT_FOUND,
    )


def unknown_participant() -> RecordingError:
    return RecordingError(
        "No such participant in this hearing session.",
        code=registration.UNKNOWN_PARTICIPANT,
        http_status=status.HTTP_404_NOT_FOUND,
    )


def segment_conflict(key: str) -> RecordingError:
    return RecordingError(
        f"Segment {key} is already registered with other content.",
        code=registration.SEGMENT_CONFLICT,
        http_status=status.HTTP_409_CONFLICT,
    )


def object_missing(message: str) -> RecordingError:
    return RecordingError(
        message, code=registration.OBJECT_MISSING, http_status=status.HTTP_422_UNPROCESSABLE_ENTITY
    )


def storage_unavailable(message: str) -> RecordingError:
    return RecordingError(
        message,
        code=registration.STORAGE_UNAVAILABLE,
        http_status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


def worker_mismatch(message: str) -> RecordingError:
    return RecordingError(
        message, code=registration.WORKER_MISMATCH, http_status=status.HTTP_403_FORBIDDEN
    )


def worker_not_assigned(worker: str) -> RecordingError:
    return RecordingError(
        f"This hearing session was never placed on media worker {worker}.",
        code=registration.WORKER_NOT_ASSIGNED,
        http_status=status.HTTP_403_FORBIDDEN,
    )
