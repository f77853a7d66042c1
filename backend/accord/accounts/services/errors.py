"""Refusals of the account services."""

from __future__ import annotations

from rest_framework import status

from accord.core.api import ServiceError


class RateLimited(ServiceError):
    http_status = status.HTTP_429_TOO_MANY_REQUESTS


def refuse(
    message: str, *, code: str, field: str | None = None, limited: bool = False
) -> ServiceError:
    fields = {field: [message]} if field else None
    if limited:
        return RateLimited(message, code=code, fields=fields)
    return ServiceError(message, code=code, fields=fields)
