"""Navigation: staff and administrators of a financial institution reach its desk."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accord.institutions.selectors import keeps_institutions


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the link never run the query.
    return {"keeps_institutions": SimpleLazyObject(lambda: keeps_institutions(request.user))}
