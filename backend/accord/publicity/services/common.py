"""Helpers shared by the publicity services."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.orgs.models import Organization, Role
from accord.publicity.selectors import may_curate


def refuse(message: str, *, code: str, field: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]} if field else None)


def admin_actor(user: User, organization: Organization) -> Actor:
    """The acting administrator; refuses ``not_found`` (404-like) for anyone else."""
    if not may_curate(user, organization):
        error = refuse(_("Only the organization's administrators may do this."), code="not_found")
        error.http_status = 404
        raise error
    return Actor.for_user(user, role=Role.ORG_ADMIN)
