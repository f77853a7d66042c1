"""One-time sign-in links: made by a service, shown by GET, spent once by the POST."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accord.accounts.models import SignInLink
from accord.accounts.services import signin_link_create
from accord.core.api import ServiceError
from accord.core.links import DEMO_LINK_KEY
from accord.orgs.models import Role
from tests.accounts.conftest import actions, nothing_written
from tests.factories import MembershipFactory

TTL = timedelta(hours=2)


def test_a_link_is_a_path_with_a_token_stored_only_as_a_hash(dora):
    path = signin_link_create(user=dora, next_url="/cases/", ttl=TTL)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert path == f"/accounts/link/{token}/"
    link = SignInLink.objects.get()
    assert token not in link.token_hash
    assert link.next_url == "/cases/"
    assert not link.is_demo
    assert actions(dora) == ["signin_link.created"]


def test_a_link_signs_in_once_and_redirects_to_the_next_page(client, dora):
    path = signin_link_create(user=dora, next_url="/cases/42/", ttl=TTL)
    with nothing_written(used_links=1, events=1):
        response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/cases/42/"
    assert client.session["_auth_user_id"] == str(dora.pk)
    assert client.session[DEMO_LINK_KEY] is False
    assert actions(dora)[-1] == "signin.succeeded"


def test_a_used_link_shows_a_clear_page_with_410_and_does_not_sign_in(client, dora):
    path = signin_link_create(user=dora, next_url="/", ttl=TTL)
    client.post(path)
    client.logout()
    with nothing_written():
        response = client.get(path)
    assert response.status_code == 410
    # The link has no language prefix: the page is in the default language.
    assert "该登录链接已使用" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_link_shows_a_clear_page_with_410(client, dora):
    path = signin_link_create(user=dora, next_url="/", ttl=TTL)
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with nothing_written():
        response = client.get(path)
    assert response.status_code == 410
    assert "该登录链接已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_link_shows_a_clear_page_with_404(client, db):
    with nothing_written():
        response = client.get("/accounts/link/not-a-real-token/")
    assert response.status_code == 404
    assert "该登录链接无效" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_demo_link_is_marked_and_the_session_knows_it(client, dora, settings):
    settings.ACCORD_DEMO = True
    path = signin_link_create(user=dora, next_url="/", ttl=TTL, demo=True)
    assert SignInLink.objects.get().is_demo
    client.post(path)
    assert client.session[DEMO_LINK_KEY] is True


def test_demo_links_are_refused_outside_demo_mode(dora, settings):
    settings.ACCORD_DEMO = False
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_link_create(user=dora, next_url="/", ttl=TTL, demo=True)
    assert caught.value.code == "demo_disabled"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "cases/", ""])
def test_a_link_only_leads_to_a_page_of_this_site(dora, next_url):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_link_create(user=dora, next_url=next_url, ttl=TTL)
    assert caught.value.code == "next_url_invalid"


def test_a_link_needs_a_positive_lifetime(dora):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_link_create(user=dora, next_url="/", ttl=timedelta(0))
    assert caught.value.code == "ttl_invalid"


def test_a_head_request_does_not_spend_the_link(client, dora):
    path = signin_link_create(user=dora, next_url="/", ttl=TTL)
    assert client.head(path).status_code == 405
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302


def test_opening_a_link_shows_a_confirmation_and_spends_nothing(client, dora):
    path = signin_link_create(user=dora, next_url="/cases/", ttl=TTL)
    with nothing_written():
        response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'action="{path}"' in body
    assert 'method="post"' in body
    assert 'data-testid="signin-link-confirm"' in body
    assert "Dora" not in body  # a forwarded link (or its preview) shows nobody's name
    # The token never goes to another site, and the POST keeps its Origin for the CSRF check.
    assert response["Referrer-Policy"] == "same-origin"
    assert "_auth_user_id" not in client.session


def test_link_preview_bots_get_twice_and_the_person_still_signs_in(client, dora):
    path = signin_link_create(user=dora, next_url="/cases/", ttl=TTL)
    bot = client.__class__()
    assert bot.get(path).status_code == 200
    assert bot.get(path).status_code == 200
    assert "_auth_user_id" not in bot.session
    response = client.post(path)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dora.pk)


def test_a_second_post_is_refused(client, dora):
    path = signin_link_create(user=dora, next_url="/cases/", ttl=TTL)
    assert client.post(path).status_code == 302
    other = client.__class__()
    with nothing_written():
        response = other.post(path)
    assert response.status_code == 410
    assert "_auth_user_id" not in other.session


def test_the_post_needs_the_pages_csrf_token(dora):
    path = signin_link_create(user=dora, next_url="/cases/", ttl=TTL)
    browser = Client(enforce_csrf_checks=True)
    with nothing_written():
        assert browser.post(path).status_code == 403
    page = browser.get(path)
    token = page.context["csrf_token"]
    response = browser.post(path, {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(dora.pk)


def test_no_link_is_made_for_staff_outside_demo_mode(alice, settings):
    settings.ACCORD_DEMO = False
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_link_create(user=alice, next_url="/", ttl=TTL)
    assert caught.value.code == "link_staff"


def test_a_staff_link_from_demo_mode_is_not_honoured_outside_it(client, alice, settings):
    settings.ACCORD_DEMO = True
    path = signin_link_create(user=alice, next_url="/", ttl=TTL, demo=True)
    settings.ACCORD_DEMO = False
    with nothing_written():
        assert client.get(path).status_code == 403
        response = client.post(path)
    assert response.status_code == 403
    assert response.context["code"] == "link_staff"
    assert "_auth_user_id" not in client.session


def test_a_link_of_someone_who_became_staff_is_not_honoured(client, dora, org, settings):
    settings.ACCORD_DEMO = False
    path = signin_link_create(user=dora, next_url="/", ttl=TTL)
    MembershipFactory(user=dora, organization=org, role=Role.MEDIATOR)
    assert client.post(path).status_code == 403
    assert "_auth_user_id" not in client.session


def test_in_demo_mode_a_staff_link_signs_in(client, alice, settings):
    settings.ACCORD_DEMO = True
    path = signin_link_create(user=alice, next_url="/", ttl=TTL, demo=True)
    assert client.post(path).status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
