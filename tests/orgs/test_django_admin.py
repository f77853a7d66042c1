"""The Django admin is for configuration; its changes are traced and the role rules hold."""

from __future__ import annotations

import pytest

from accord.orgs.models import ComplaintChannel, Membership, Role
from tests.accounts.conftest import make_user
from tests.factories import MembershipFactory
from tests.orgs.conftest import last_event


@pytest.fixture
def root(db):
    user = make_user(username="root", is_staff=True, is_superuser=True)
    MembershipFactory(user=user, organization=None, role=Role.SYSADMIN)
    return user


def test_adding_a_complaint_channel_in_the_admin_is_traced_on_the_orgs_chain(client, root, bank):
    client.force_login(root)
    response = client.post(
        "/django-admin/orgs/complaintchannel/add/",
        {"organization": bank.pk, "scope": "internal", "name": "热线", "phone": "95588"},
    )
    assert response.status_code == 302, response.content
    assert ComplaintChannel.objects.filter(organization=bank).exists()
    event = last_event(bank)
    assert event.action == "config.created"
    assert event.payload["model"] == "complaintchannel"
    assert event.actor["user_id"] == root.pk


def test_the_admin_refuses_a_role_not_allowed_in_the_org_kind(client, root, bank):
    erin = make_user(username="erin")
    client.force_login(root)
    response = client.post(
        "/django-admin/orgs/membership/add/",
        {"user": erin.pk, "organization": bank.pk, "role": Role.MEDIATOR, "is_active": "on"},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=erin).exists()


def test_organizations_cannot_be_deleted_in_the_admin(client, root, org):
    client.force_login(root)
    assert client.get(f"/django-admin/orgs/organization/{org.pk}/delete/").status_code == 403
