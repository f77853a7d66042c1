"""A mediator of the demo center for one browser test: the browser stack is shared, and other
tests change the demo mediators (a declared relationship, a suspension), so a test that needs
an assignable mediator makes its own, who signs in like the demo staff."""

from __future__ import annotations

from tests.browser.stack import BrowserStack

_SCRIPT = """
from accord.accounts.services import staff_create, totp_provision
from accord.audit.actors import Actor
from accord.demo import data
from accord.mediators.services import ProfileData, mediator_profile_save
from accord.orgs.models import Organization, Role
from accord.orgs.services import membership_grant
actor = Actor.system("browser-test")
user = staff_create(username="{username}", password=data.DEMO_PASSWORD,
                    display_name="{name}", phone="{phone}", actor=actor)
membership = membership_grant(organization=Organization.objects.get(code="FMC"), user=user,
                              role=Role.MEDIATOR, actor=actor)
totp_provision(user=user, secret=data.DEMO_TOTP_SECRET, actor=actor)
mediator_profile_save(membership=membership, data=ProfileData(
    specialties=["banking"], years_of_experience=5, languages="普通话"), actor=actor)
"""


def new_mediator(stack: BrowserStack, username: str, name: str, phone: str) -> str:
    """Create the mediator ``username`` (display ``name``, mobile ``phone``); its username."""
    script = (
        _SCRIPT.replace("{username}", username).replace("{name}", name).replace("{phone}", phone)
    )
    stack.accord("shell", "-c", script)
    return username
