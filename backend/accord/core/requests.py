"""Helpers about the HTTP request that every app's views share."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: trusting X-Forwarded-For needs a configured proxy list.
    return str(request.META.get("REMOTE_ADDR") or "unknown")
