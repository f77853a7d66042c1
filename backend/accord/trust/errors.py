"""Refusals and failures of the trust services."""

from __future__ import annotations

from rest_framework import status

from accord.core.api import ServiceError


class SealUnavailable(ServiceError):
    """No seal can be applied now: the organization has no certificate configured (and the
    development PKI is off), its key cannot be used, or no timestamp authority is configured
    or reachable. Nothing was sealed; the caller may try again later."""

    code = "seal_unavailable"
    http_status = status.HTTP_503_SERVICE_UNAVAILABLE

    def __init__(self, message: str) -> None:
        super().__init__(message)


class TsaError(Exception):
    """A timestamp could not be obtained: no TSA configured, the TSA did not answer, refused,
    or answered with a token that does not match the request."""


class TsaNotConfigured(TsaError):
    """``ACCORD_TSA_URL`` is empty."""


class SignerConfigError(Exception):
    """``ACCORD_SEAL_SIGNERS`` names something that cannot be used (a wrong shape, a missing
    file, a secret that is not set)."""
