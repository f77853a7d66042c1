"""Navigation: the notices link and how many are unread."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accord.inbox.selectors import unread_count


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the count never run the query.
    return {"unread_notices": SimpleLazyObject(lambda: unread_count(request.user))}
