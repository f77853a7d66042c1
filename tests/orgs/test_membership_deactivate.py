"""Removing a role: one trace event; never the last administrator."""

from __future__ import annotations

import pytest

from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.orgs.models import Membership, Role
from accord.orgs.services import membership_deactivate
from tests.accounts.conftest import nothing_written
from tests.factories import MembershipFactory
from tests.orgs.conftest import last_event


def test_removing_a_role_appends_one_event(client, alice, bob, org):
    membership = bob.memberships.get()
    client.force_login(alice)
    with nothing_written(events=1):
        response = client.post(f"/orgs/manage/{org.code}/members/{membership.pk}/deactivate/")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    event = last_event(org)
    assert event.action == "membership.deactivated"
    assert event.payload == {
        "membership_id": membership.pk,
        "user_id": bob.pk,
        "role": "mediator",
    }


def test_removing_an_inactive_role_is_refused(alice, bob):
    membership = bob.memberships.get()
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    with nothing_written(), pytest.raises(ServiceError) as caught:
        membership_deactivate(membership=membership, actor=Actor.for_user(alice))
    assert caught.value.code == "already_inactive"


def test_the_last_administrator_cannot_be_removed(client, alice, org):
    membership = alice.memberships.get(organization=org, role=Role.ORG_ADMIN)
    client.force_login(alice)
    with nothing_written():
        response = client.post(f"/en/orgs/manage/{org.code}/members/{membership.pk}/deactivate/")
    assert response.status_code == 400
    assert b"at least one active administrator" in response.content
    membership.refresh_from_db()
    assert membership.is_active


def test_an_administrator_can_be_removed_while_another_remains(alice, bob, org):
    MembershipFactory(user=bob, organization=org, role=Role.ORG_ADMIN)
    membership = alice.memberships.get(organization=org, role=Role.ORG_ADMIN)
    with nothing_written(events=1):
        membership_deactivate(membership=membership, actor=Actor.for_user(bob))


def test_a_membership_of_another_organization_is_not_found(client, alice, org, charlie):
    other = charlie.memberships.get()
    client.force_login(alice)
    with nothing_written():
        response = client.post(f"/orgs/manage/{org.code}/members/{other.pk}/deactivate/")
    assert response.status_code == 404
