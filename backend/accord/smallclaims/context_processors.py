"""Navigation: administrators of a mediation organization and staff of a financial
institution reach their small-claim memoranda."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accord.smallclaims.selectors import may_manage_memoranda


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the link never run the query.
    return {"manages_memoranda": SimpleLazyObject(lambda: may_manage_memoranda(request.user))}
