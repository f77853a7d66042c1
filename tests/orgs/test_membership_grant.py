"""Granting roles: only roles the organization's kind allows, one trace event each."""

from __future__ import annotations

import pytest

from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.orgs.models import Membership, Role
from accord.orgs.services import membership_grant
from tests.accounts.conftest import make_user, nothing_written
from tests.orgs.conftest import last_event, org_actions


def test_granting_a_role_by_username_appends_one_event_on_the_orgs_chain(client, alice, org):
    erin = make_user(username="erin")
    client.force_login(alice)
    with nothing_written(memberships=1, events=1):
        response = client.post(
            f"/orgs/manage/{org.code}/members/grant/", {"user": "erin", "role": Role.MEDIATOR}
        )
    assert response.status_code == 302
    assert Membership.objects.filter(user=erin, organization=org, role=Role.MEDIATOR).exists()
    event = last_event(org)
    assert event.action == "membership.granted"
    assert event.chain.key == "org:MEDA"
    assert event.payload["user_id"] == erin.pk and "username" not in event.payload
    assert event.payload["role"] == "mediator"
    assert event.actor["user_id"] == alice.pk


def test_granting_a_role_by_phone_number_finds_the_user(client, alice, org):
    erin = make_user(username="erin", phone="13500000005")
    client.force_login(alice)
    client.post(
        f"/orgs/manage/{org.code}/members/grant/", {"user": "135 0000 0005", "role": Role.EXPERT}
    )
    assert Membership.objects.filter(user=erin, organization=org, role=Role.EXPERT).exists()


def test_a_role_not_allowed_in_the_org_kind_is_refused_by_the_page(client, alice, org):
    make_user(username="erin")
    client.force_login(alice)
    with nothing_written():
        response = client.post(
            f"/en/orgs/manage/{org.code}/members/grant/",
            {"user": "erin", "role": Role.INSTITUTION_STAFF},
        )
    assert response.status_code == 400
    assert response.context["form"].errors["role"]


def test_a_role_not_allowed_in_the_org_kind_is_refused_by_the_service(alice, org):
    erin = make_user(username="erin")
    with nothing_written(), pytest.raises(ServiceError) as caught:
        membership_grant(
            organization=org, user=erin, role=Role.COURT_CLERK, actor=Actor.for_user(alice)
        )
    assert caught.value.code == "role_not_allowed"
    assert "role" in caught.value.fields


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.SYSADMIN])
def test_roles_held_without_an_organization_cannot_be_granted_in_one(alice, org, role):
    erin = make_user(username="erin")
    with nothing_written(), pytest.raises(ServiceError) as caught:
        membership_grant(organization=org, user=erin, role=role, actor=Actor.for_user(alice))
    assert caught.value.code == "role_not_allowed"


def test_an_unknown_user_is_shown_on_the_user_field(client, alice, org):
    client.force_login(alice)
    with nothing_written():
        response = client.post(
            f"/en/orgs/manage/{org.code}/members/grant/", {"user": "nobody", "role": Role.MEDIATOR}
        )
    assert response.status_code == 400
    assert response.context["form"].errors["user"] == [
        "No user has this username or mobile number."
    ]


def test_granting_a_role_someone_already_holds_is_refused(client, alice, bob, org):
    client.force_login(alice)
    with nothing_written():
        response = client.post(
            f"/en/orgs/manage/{org.code}/members/grant/", {"user": "bob", "role": Role.MEDIATOR}
        )
    assert response.status_code == 400
    assert "already has this role" in response.context["form"].errors["user"][0]


def test_granting_a_removed_role_again_reactivates_it_with_one_event(alice, bob, org):
    Membership.objects.filter(user=bob).update(is_active=False)
    with nothing_written(events=1):
        membership = membership_grant(
            organization=org, user=bob, role=Role.MEDIATOR, actor=Actor.for_user(alice)
        )
    assert membership.is_active
    assert last_event(org).payload["reactivated"] is True


def test_a_disabled_account_cannot_be_given_a_role(alice, org):
    erin = make_user(username="erin", is_active=False)
    with nothing_written(), pytest.raises(ServiceError) as caught:
        membership_grant(
            organization=org, user=erin, role=Role.MEDIATOR, actor=Actor.for_user(alice)
        )
    assert caught.value.code == "user_inactive"


def test_a_system_role_is_traced_on_the_users_own_chain(db):
    root = make_user(username="root")
    membership_grant(organization=None, user=root, role=Role.SYSADMIN, actor=Actor.system("tests"))
    root.refresh_from_db()
    assert root.chain is not None
    assert root.chain.key == f"user:{root.pk}"
    assert list(root.chain.events.values_list("action", flat=True)) == ["membership.granted"]


def test_the_grant_form_offers_only_the_roles_of_the_org_kind(client, alice, org):
    client.force_login(alice)
    choices = {
        value
        for value, _ in client.get(f"/orgs/manage/{org.code}/")
        .context["form"]
        .fields["role"]
        .choices
    }
    assert choices == {Role.MEDIATOR, Role.ORG_ADMIN, Role.EXPERT, Role.AUDITOR}
    assert org_actions(org) == []
