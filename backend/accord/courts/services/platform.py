"""The account a court's platform acts as over the API.

What a court does through its signed API (record a ruling on a confirmation, require a
mediator's recusal) goes through the same services as a clerk's page, with the same checks and
trace events. Those services take a user who holds the court-clerk role of the court; the
platform's account is such a clerk that can never sign in (no phone, no usable password, no
second factor): the key authenticates the platform, this account is who the trace records.
"""

from __future__ import annotations

from django.db import transaction

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.courts.models import CourtDocking
from accord.orgs.models import Membership, Organization, Role
from accord.orgs.services import membership_grant


def platform_user(court: Organization) -> User:
    """The court's platform account (made, with its clerk role, on first use)."""
    with transaction.atomic():
        docking, _created = CourtDocking.objects.select_for_update().get_or_create(court=court)
        if docking.platform_user_id is not None:
            user = User.objects.get(pk=docking.platform_user_id)
        else:
            user = User.objects.create_user(
                username=f"court-platform-{court.pk}",
                display_name=f"{court.name} · 法院调解平台",
            )
            docking.platform_user = user
            docking.save(update_fields=["platform_user", "updated_at"])
        if not Membership.objects.filter(
            user=user, organization=court, role=Role.COURT_CLERK, is_active=True
        ).exists():
            membership_grant(
                organization=court,
                user=user,
                role=Role.COURT_CLERK,
                actor=Actor.system("court-platform"),
            )
    return user
