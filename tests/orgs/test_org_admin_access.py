"""Who reaches the organization admin pages: administrators yes, everyone else no."""

from __future__ import annotations

import pytest

from accord.orgs.models import Role
from tests.accounts.conftest import make_user, nothing_written
from tests.factories import MembershipFactory


def admin_paths(code: str, membership_id: int = 1, channel_id: int = 1) -> list[tuple[str, str]]:
    base = f"/orgs/manage/{code}/"
    return [
        ("get", base),
        ("post", f"{base}members/grant/"),
        ("post", f"{base}members/{membership_id}/deactivate/"),
        ("get", f"{base}rules/"),
        ("post", f"{base}rules/"),
        ("get", f"{base}channels/"),
        ("post", f"{base}channels/"),
    ]


def test_an_administrator_sees_the_organization_and_its_members(client, alice, bob, org):
    client.force_login(alice)
    response = client.get(f"/en/orgs/manage/{org.code}/")
    assert response.status_code == 200
    assert org.name in response.content.decode()
    assert "Bob" in response.content.decode()
    assert b"Mediator" in response.content


def test_the_index_takes_an_administrator_of_one_organization_straight_to_it(client, alice, org):
    client.force_login(alice)
    response = client.get("/orgs/manage/")
    assert response["Location"] == f"/orgs/manage/{org.code}/"


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_an_outsider_or_a_plain_member_cannot_reach_org_admin(request, client, org, bob, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    membership = bob.memberships.get()
    with nothing_written():
        for method, path in admin_paths(org.code, membership.pk):
            response = getattr(client, method)(path, {"user": "dora", "role": Role.MEDIATOR})
            assert response.status_code == 404, (method, path)
    assert bob.memberships.get().is_active


def test_someone_signed_out_is_sent_to_the_staff_sign_in(client, org):
    response = client.get(f"/orgs/manage/{org.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/staff/signin/?next=")


def test_the_index_has_nothing_for_someone_who_administers_nothing(client, bob):
    client.force_login(bob)
    assert client.get("/orgs/manage/").status_code == 404


def test_a_system_administrator_manages_any_organization(client, org, charlie):
    root = make_user(username="root")
    MembershipFactory(user=root, organization=None, role=Role.SYSADMIN)
    client.force_login(root)
    assert client.get(f"/orgs/manage/{org.code}/").status_code == 200
    assert client.get("/orgs/manage/BANKZ/").status_code == 200
