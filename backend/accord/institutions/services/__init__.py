"""Writes of the institutions app (R17). Each runs in one transaction and appends one event to
the institution's chain (``org:<CODE>``). See ``contacts``, ``clauses`` and ``channels``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.core.api import ServiceError
from accord.institutions.selectors import keeper_role
from accord.orgs.models import Organization


def refuse(message: str, *, code: str = "invalid", field: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]} if field else None)


def keeper_actor(user: User, institution: Organization) -> Actor:
    """The actor for ``user`` keeping ``institution``; ``permission_denied`` (403) if not."""
    role = keeper_role(user, institution)
    if role is None:
        raise NotAllowed(_("Only the institution's staff and administrators keep these records."))
    return Actor.for_user(user, role=role)
