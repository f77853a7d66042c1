"""What the court-docking services share: the chain they write to, who may act."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.models import TraceChain
from accord.cases.errors import NotAllowed
from accord.orgs.models import Organization, Role
from accord.orgs.selectors import has_role
from accord.orgs.services import org_chain

# Entrustments, their decisions and the callbacks about them are traced on the receiving
# mediation organization's chain (the case's chain once the case exists, as well).


def docking_chain(organization: Organization) -> TraceChain:
    return org_chain(organization)


def require_admin(user: User, organization: Organization) -> None:
    if not has_role(user, Role.ORG_ADMIN, organization):
        raise NotAllowed(
            _("Only an administrator of %(name)s decides on its entrustments.")
            % {"name": organization.name}
        )
