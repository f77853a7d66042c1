"""Navigation: whoever watches a scope (organization administrators and auditors, regulators,
courts, institutions, system administrators) reaches the statistics."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accord.analytics.scope import scopes_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the link never run the query.
    return {"watches_oversight": SimpleLazyObject(lambda: bool(scopes_for(request.user)))}
