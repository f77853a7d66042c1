"""Navigation: court clerks reach the applications and referrals of their court, notaries the
referrals to their office."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accord.outcomes.selectors import is_court_clerk, is_notary


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the links never run the queries.
    return {
        "is_court_clerk": SimpleLazyObject(lambda: is_court_clerk(request.user)),
        "is_notary": SimpleLazyObject(lambda: is_notary(request.user)),
    }
