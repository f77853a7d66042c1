"""The user admin: configuration only, each change traced on the user's chain."""

from __future__ import annotations

import pytest

from accord.accounts.models import User
from accord.orgs.models import Role
from tests.accounts.conftest import actions, make_user
from tests.factories import MembershipFactory

PASS_PHRASE = "a-long-pass-phrase-9"


@pytest.fixture
def root(db) -> User:
    user = make_user(username="root", is_staff=True, is_superuser=True)
    MembershipFactory(user=user, organization=None, role=Role.SYSADMIN)
    return user


def test_adding_a_user_in_the_admin_is_traced(client, root):
    client.force_login(root)
    response = client.post(
        "/django-admin/accounts/user/add/",
        {
            "username": "erin",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302, response.content
    erin = User.objects.get(username="erin")
    assert erin.check_password(PASS_PHRASE)
    assert actions(erin) == ["account.created"]


def test_editing_a_user_in_the_admin_is_traced_with_the_changed_fields(client, root, dora):
    client.force_login(root)
    page = client.get(f"/django-admin/accounts/user/{dora.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"display_name": "Dora Li", "groups": [], "user_permissions": []})
    response = client.post(f"/django-admin/accounts/user/{dora.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert actions(dora)[-1] == "account.changed"


def test_the_reset_action_forgets_the_second_factor(client, root, alice):
    client.force_login(root)
    response = client.post(
        "/django-admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [alice.pk]},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.totp_confirmed_at is None
    assert actions(alice) == ["totp.reset"]


def test_the_user_list_masks_phones_and_finds_a_user_by_the_whole_number(client, root, dora):
    """The phone is encrypted: the list shows it masked, and a search by the whole number
    (spaces and +86 allowed) finds the user through the lookup hash."""
    client.force_login(root)
    listing = client.get("/django-admin/accounts/user/").content.decode()
    assert dora.phone not in listing
    assert f"{dora.phone[:3]}****{dora.phone[-4:]}" in listing
    spaced = f"+86 {dora.phone[:3]} {dora.phone[3:7]} {dora.phone[7:]}"
    found = client.get("/django-admin/accounts/user/", {"q": spaced})
    assert list(found.context["cl"].result_list) == [dora]
    assert (
        list(client.get("/django-admin/accounts/user/", {"q": "1390"}).context["cl"].result_list)
        == []
    )
    # A mismatch on the number still finds by username as before.
    by_name = client.get("/django-admin/accounts/user/", {"q": "root"})
    assert root in list(by_name.context["cl"].result_list)


def test_the_admin_refuses_a_second_user_with_the_same_phone(client, root, dora):
    client.force_login(root)
    bob = make_user(username="bobby")
    page = client.get(f"/django-admin/accounts/user/{bob.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"phone": dora.phone, "groups": [], "user_permissions": []})
    response = client.post(f"/django-admin/accounts/user/{bob.pk}/change/", data)
    assert response.status_code == 200
    assert "phone" in response.context["adminform"].form.errors
