"""404, 403 and 500 are pages of the site, in both languages, with a way back; the
favicon is there."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_missing_page_has_the_site_chrome_and_a_way_back_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'lang="zh-hans"' in page
    assert "页面不存在" in page
    assert 'class="site-header"' in page and 'href="/"' in page
    assert 'href="/accounts/signin/"' in page


def test_a_missing_page_in_english_offers_my_cases_to_a_signed_in_user(client):
    client.force_login(UserFactory(username="someone"))
    response = client.get("/en/cases/NO-SUCH-CASE/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page
    assert 'href="/en/cases/"' in page and 'href="/en/"' in page
    assert "Not Found" not in page


def test_a_refusal_is_a_styled_403(client):
    client.force_login(UserFactory(username="someone"))
    response = client.get("/en/cases/refer/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not do this" in page and 'class="site-header"' in page
    page = client.get("/cases/refer/").content.decode()
    assert "您无权进行此操作" in page


def test_the_500_page_renders_without_a_request():
    with translation.override("zh-hans"):
        page = render_to_string("500.html")
    assert "服务器出错了" in page and 'href="/accounts/signin/"' in page


def test_the_favicon_is_linked_and_served():
    client = Client()
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain and response.redirect_chain[-1][0].endswith("/favicon.ico")
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # type: ignore[attr-defined]
