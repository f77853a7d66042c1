"""The REST API answers in the language the client asks for."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_api_errors_follow_accept_language(client):
    english = client.get("/api/cases/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 403
    assert english.headers["Content-Language"] == "en"
    assert chinese.headers["Content-Language"] == "zh-hans"
    assert english.json()["error"]["message"] != chinese.json()["error"]["message"]


def test_pages_keep_choosing_their_language_by_url(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").headers["Content-Language"] == "zh-hans"
