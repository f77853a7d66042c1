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
