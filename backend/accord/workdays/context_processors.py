"""Navigation: whether to link the working-day calendar (system administrators only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accord.orgs.selectors import is_sysadmin


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the link never run the query.
    return {"can_manage_workdays": SimpleLazyObject(lambda: is_sysadmin(request.user))}
