"""The home page: the one-stop entry of R2."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_home_offers_the_four_one_stop_entries_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="zh-hans"' in page
    for href in (
        "/cases/consult/?topic=consultation",
        "/cases/apply/",
        "/cases/consult/?topic=notarization",
        "/cases/consult/?topic=arbitration",
    ):
        assert f'href="{href}"' in page


def test_home_is_available_in_english(client):
    response = client.get("/en/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="en"' in page
    assert "Apply for mediation" in page
    assert 'href="/en/cases/apply/"' in page
