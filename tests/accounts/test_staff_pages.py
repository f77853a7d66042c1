"""The staff sign-in pages: password, then TOTP (or enrollment); logged in only at the end."""

from __future__ import annotations

import re

import pyotp
import pytest

from accord.accounts.views import ENROLL_SECRET_KEY, PENDING_KEY
from tests.accounts.conftest import (
    PASSWORD,
    actions,
    make_user,
    nothing_written,
    totp_now,
    wrong_totp,
)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_15MIN = 5


def test_the_password_alone_does_not_log_the_session_in(client, alice):
    response = client.post(
        "/accounts/staff/signin/",
        {"username": "alice", "password": PASSWORD, "next": "/orgs/manage/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/staff/verify/"
    assert "_auth_user_id" not in client.session
    assert client.session[PENDING_KEY]["user_id"] == alice.pk
    # Pages that need a sign-in still send the visitor away.
    assert client.get("/orgs/manage/").status_code == 302


def test_password_then_totp_logs_in_and_goes_to_next(client, alice):
    client.post(
        "/accounts/staff/signin/",
        {"username": "alice", "password": PASSWORD, "next": "/orgs/manage/"},
    )
    response = client.post("/accounts/staff/verify/", {"code": totp_now(alice)})
    assert response.status_code == 302
    assert response["Location"] == "/orgs/manage/"
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert PENDING_KEY not in client.session


def test_a_wrong_password_is_shown_on_the_password_field(client, alice):
    with nothing_written(events=1):
        response = client.post(
            "/en/accounts/staff/signin/", {"username": "alice", "password": "nope"}
        )
    assert response.status_code == 400
    assert response.context["form"].errors["password"] == ["Wrong username or password."]
    assert PENDING_KEY not in client.session


def test_a_wrong_totp_is_shown_on_the_code_field_and_does_not_log_in(client, alice):
    client.post("/accounts/staff/signin/", {"username": "alice", "password": PASSWORD})
    with nothing_written(events=1):
        response = client.post(
            "/en/accounts/staff/verify/", {"code": wrong_totp(alice.totp_secret)}
        )
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["Wrong authenticator code."]
    assert "_auth_user_id" not in client.session


def test_the_lock_shows_on_the_username_field_with_429(client, alice, settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_15MIN = 2
    for _ in range(2):
        client.post("/accounts/staff/signin/", {"username": "alice", "password": "nope"})
    response = client.post(
        "/en/accounts/staff/signin/", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.context["form"].errors["username"][0]


def test_an_applicant_is_sent_to_the_phone_form(client, db):

    make_user(username="13900000009", phone="13900000009")
    response = client.post(
        "/en/accounts/staff/signin/", {"username": "13900000009", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "mobile number" in response.context["form"].errors["username"][0]


def test_first_sign_in_shows_enrollment_with_a_qr_code_and_then_logs_in(client, bob):
    response = client.post("/accounts/staff/signin/", {"username": "bob", "password": PASSWORD})
    assert response["Location"] == "/accounts/staff/enroll/"
    page = client.get("/en/accounts/staff/enroll/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    uri = page.context["otpauth_uri"]
    assert uri.startswith("otpauth://totp/")
    found = re.search(r"secret=([A-Z2-7]+)", uri)
    assert found
    secret = found.group(1)
    assert client.session[ENROLL_SECRET_KEY] == secret
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/staff/enroll/", {"code": pyotp.TOTP(secret).now(), "next": "/x/"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)
    bob.refresh_from_db()
    assert bob.totp_secret == secret
    assert actions(bob) == ["totp.enrolled", "signin.succeeded"]


def test_an_enrolled_user_cannot_reach_enrollment(client, alice):
    client.post("/accounts/staff/signin/", {"username": "alice", "password": PASSWORD})
    response = client.get("/accounts/staff/enroll/")
    assert response["Location"] == "/accounts/staff/verify/"


def test_the_second_step_without_a_password_goes_back_to_the_start(client, alice):
    for path in ("/accounts/staff/verify/", "/accounts/staff/enroll/"):
        response = client.post(path, {"code": totp_now(alice)})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/staff/signin/"
    assert "_auth_user_id" not in client.session


def test_a_pending_second_factor_times_out(client, alice, settings):
    settings.ACCORD_STAFF_SECOND_FACTOR_SECONDS = -1
    client.post("/accounts/staff/signin/", {"username": "alice", "password": PASSWORD})
    response = client.post("/accounts/staff/verify/", {"code": totp_now(alice)})
    assert response["Location"] == "/accounts/staff/signin/"
    assert "_auth_user_id" not in client.session


def test_the_django_admin_login_sends_staff_through_the_two_step_sign_in(client, db):
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/staff/signin/?next=")


def test_enrolment_ends_with_its_window_after_the_password(client, bob, settings):
    settings.ACCORD_TOTP_ENROL_WINDOW_SECONDS = 600
    client.post("/accounts/staff/signin/", {"username": "bob", "password": PASSWORD})
    page = client.get("/en/accounts/staff/enroll/")
    secret = re.search(r"secret=([A-Z2-7]+)", page.context["otpauth_uri"])
    assert secret
    session = client.session
    pending = session[PENDING_KEY]
    # Eleven minutes later (the same session, the right code): back to the password.
    pending["password_at"] -= 660
    pending["until"] -= 660
    session[PENDING_KEY] = pending
    session.save()
    response = client.post("/accounts/staff/enroll/", {"code": pyotp.TOTP(secret.group(1)).now()})
    assert response["Location"] == "/accounts/staff/signin/"
    assert "_auth_user_id" not in client.session
    bob.refresh_from_db()
    assert bob.totp_confirmed_at is None


def test_the_enrolment_window_is_bound_to_the_session_that_gave_the_password(client, bob):
    client.post("/accounts/staff/signin/", {"username": "bob", "password": PASSWORD})
    assert client.get("/accounts/staff/enroll/").status_code == 200
    other = client.__class__()
    response = other.get("/accounts/staff/enroll/")
    assert response["Location"] == "/accounts/staff/signin/"


def test_a_new_password_step_forgets_an_earlier_enrolment_secret(client, bob):
    client.post("/accounts/staff/signin/", {"username": "bob", "password": PASSWORD})
    client.get("/accounts/staff/enroll/")
    first = client.session[ENROLL_SECRET_KEY]
    client.post("/accounts/staff/signin/", {"username": "bob", "password": PASSWORD})
    assert ENROLL_SECRET_KEY not in client.session
    client.get("/accounts/staff/enroll/")
    assert client.session[ENROLL_SECRET_KEY] != first
