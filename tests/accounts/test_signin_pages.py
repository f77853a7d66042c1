"""The applicant sign-in pages: phone, then code; refusals shown on the form's fields."""

from __future__ import annotations

import pytest

from accord.accounts.views import PHONE_KEY
from tests.accounts.conftest import last_code, nothing_written

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCORD_OTP_RESEND_SECONDS = 60


def test_the_phone_page_renders_for_visitors(client, db):
    response = client.get("/en/accounts/signin/")
    assert response.status_code == 200
    assert b'name="phone"' in response.content
    assert b"/accounts/staff/signin/" in response.content


def test_the_whole_phone_sign_in_logs_the_session_in_and_goes_to_next(client, db, outbox):
    response = client.post("/accounts/signin/", {"phone": PHONE, "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signin/code/"
    assert "_auth_user_id" not in client.session
    page = client.get("/en/accounts/signin/code/")
    assert b"138****8000" in page.content
    response = client.post("/accounts/signin/code/", {"code": last_code(outbox)})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert "_auth_user_id" in client.session
    assert PHONE_KEY not in client.session


def test_a_bad_phone_is_shown_on_the_phone_field(client, db, outbox):
    with nothing_written():
        response = client.post("/en/accounts/signin/", {"phone": "12345"})
    assert response.status_code == 400
    assert response.context["form"].errors["phone"] == [
        "Enter an 11-digit mainland mobile number, e.g. 13800138000."
    ]
    assert outbox == []


def test_a_wrong_code_is_shown_on_the_code_field_and_does_not_sign_in(client, db, outbox):
    client.post("/accounts/signin/", {"phone": PHONE})
    code = last_code(outbox)
    with nothing_written():
        response = client.post(
            "/en/accounts/signin/code/", {"code": f"{(int(code) + 1) % 10**6:06d}"}
        )
    assert response.status_code == 400
    assert "Wrong code" in response.context["form"].errors["code"][0]
    assert "_auth_user_id" not in client.session


def test_resend_too_soon_is_a_429_with_the_reason_on_the_page(client, db, outbox):
    client.post("/accounts/signin/", {"phone": PHONE})
    with nothing_written():
        response = client.post("/en/accounts/signin/code/", {"resend": "1"})
    assert response.status_code == 429
    assert b"A code was just sent" in response.content
    assert len(outbox) == 1


def test_the_code_page_without_a_phone_goes_back_to_the_phone_page(client, db):
    response = client.get("/accounts/signin/code/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signin/"


def test_an_offsite_next_is_ignored(client, db, outbox):
    client.post("/accounts/signin/", {"phone": PHONE, "next": "https://evil.example/"})
    response = client.post("/accounts/signin/code/", {"code": last_code(outbox)})
    assert response["Location"] == "/cases/"


def test_sign_out_is_a_post_that_ends_the_session(client, dora):
    client.force_login(dora)
    assert client.get("/accounts/signout/").status_code == 405
    response = client.post("/accounts/signout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
