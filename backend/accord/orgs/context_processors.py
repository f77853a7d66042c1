"""Template context every page needs for its navigation: whether to link the organization
administration, and a mediator's pages (orgs knows who holds which role; core, below it,
cannot)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accord.orgs.models import Role
from accord.orgs.selectors import has_role, is_sysadmin, organizations_administered_by


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the link never run the query.
    def is_org_admin() -> bool:
        user = request.user
        return is_sysadmin(user) or organizations_administered_by(user).exists()

    def is_mediator() -> bool:
        return has_role(request.user, Role.MEDIATOR)

    return {
        "is_org_admin": SimpleLazyObject(is_org_admin),
        "is_mediator": SimpleLazyObject(is_mediator),
    }
