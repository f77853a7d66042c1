"""Navigation: whether to link "My evaluations" (an independent expert's landing)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accord.evaluation.selectors import appointments_for_expert
from accord.orgs.models import Role
from accord.orgs.selectors import has_role


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the link never run the query.
    def is_expert() -> bool:
        user = request.user
        return has_role(user, Role.EXPERT) or appointments_for_expert(user).exists()

    return {"is_expert": SimpleLazyObject(is_expert)}
