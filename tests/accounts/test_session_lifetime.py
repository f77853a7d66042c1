"""Session lifetimes: staff sessions end 12 hours after the sign-in or 30 minutes idle;
applicants' after a day or two hours idle. Pages redirect to the sign-in with a message, the
API answers 401 in the error shape; last-seen is written at most once a minute."""

from __future__ import annotations

import time

import pytest

from accord.accounts.sessions import (
    APPLICANT,
    KIND_KEY,
    LAST_SEEN_KEY,
    SIGNED_IN_AT_KEY,
    STAFF,
)
from tests.accounts.conftest import PASSWORD, totp_now

HOUR = 3600


@pytest.fixture(autouse=True)
def _lifetimes(settings):
    settings.ACCORD_STAFF_SESSION_MAX_SECONDS = 12 * HOUR
    settings.ACCORD_STAFF_SESSION_IDLE_SECONDS = 30 * 60
    settings.ACCORD_APPLICANT_SESSION_SECONDS = 24 * HOUR
    settings.ACCORD_APPLICANT_SESSION_IDLE_SECONDS = 2 * HOUR


def age(client, *, signed_in: float = 0, seen: float = 0) -> None:
    """Move the session's clocks ``signed_in`` / ``seen`` seconds into the past."""
    session = client.session
    session[SIGNED_IN_AT_KEY] = session[SIGNED_IN_AT_KEY] - signed_in
    session[LAST_SEEN_KEY] = session[LAST_SEEN_KEY] - seen
    session.save()


def test_a_staff_sign_in_starts_the_staff_clocks(client, alice):
    client.post("/accounts/staff/signin/", {"username": "alice", "password": PASSWORD})
    client.post("/accounts/staff/verify/", {"code": totp_now(alice)})
    session = client.session
    assert session["_auth_user_id"] == str(alice.pk)
    assert session[KIND_KEY] == STAFF
    assert abs(session[SIGNED_IN_AT_KEY] - time.time()) < 5
    # Django's own expiry (cookie and stored session) is the absolute lifetime too.
    assert 12 * HOUR - 5 < session.get_expiry_age() <= 12 * HOUR


def test_an_applicant_session_gets_the_applicant_lifetime(client, dora):
    client.force_login(dora)
    assert client.session[KIND_KEY] == APPLICANT
    assert 24 * HOUR - 5 < client.session.get_expiry_age() <= 24 * HOUR


def test_a_staff_session_ends_after_its_absolute_lifetime(client, alice):
    client.force_login(alice)
    assert client.get("/en/cases/").status_code == 200
    age(client, signed_in=12 * HOUR + 1)
    response = client.get("/en/cases/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/staff/signin/?next=/en/cases/%3Fpage%3D2"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Your session has ended. Please sign in again."
    ]


def test_a_staff_session_ends_after_thirty_idle_minutes(client, alice):
    client.force_login(alice)
    age(client, signed_in=31 * 60, seen=31 * 60)
    response = client.get("/en/cases/")
    assert response["Location"].startswith("/en/accounts/staff/signin/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "without activity" in str(next(iter(page.context["messages"])))


def test_activity_keeps_a_staff_session_alive_until_the_absolute_lifetime(client, alice):
    client.force_login(alice)
    age(client, signed_in=11 * HOUR, seen=29 * 60)
    assert client.get("/en/cases/").status_code == 200
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5


def test_an_applicant_idle_for_thirty_minutes_is_still_signed_in(client, dora):
    client.force_login(dora)
    age(client, signed_in=31 * 60, seen=31 * 60)
    assert client.get("/en/cases/").status_code == 200
    assert client.session["_auth_user_id"] == str(dora.pk)


def test_an_applicant_session_ends_after_two_idle_hours_and_after_a_day(client, dora):
    client.force_login(dora)
    age(client, signed_in=2 * HOUR + 1, seen=2 * HOUR + 1)
    response = client.get("/en/cases/")
    assert response["Location"] == "/en/accounts/signin/?next=/en/cases/"
    client.force_login(dora)
    age(client, signed_in=24 * HOUR + 1)
    response = client.get("/en/cases/")
    assert response["Location"] == "/en/accounts/signin/?next=/en/cases/"
    assert "_auth_user_id" not in client.session


def test_the_api_answers_an_ended_session_with_401_in_the_error_shape(client, alice):
    client.force_login(alice)
    assert client.get("/api/cases/").status_code == 200
    age(client, signed_in=13 * HOUR)
    response = client.get("/api/cases/")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "session_expired"
    assert body["error"]["message"]
    assert body["error"]["fields"] == {}
    assert "_auth_user_id" not in client.session


def test_last_seen_is_written_at_most_once_a_minute(client, dora):
    client.force_login(dora)
    age(client, seen=30)
    before = client.session[LAST_SEEN_KEY]
    client.get("/en/cases/")
    assert client.session[LAST_SEEN_KEY] == before
    age(client, seen=31)
    client.get("/en/cases/")
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5


def test_a_session_from_before_the_clocks_gets_them_on_its_next_request(client, alice):
    client.force_login(alice)
    session = client.session
    for key in (SIGNED_IN_AT_KEY, LAST_SEEN_KEY, KIND_KEY):
        del session[key]
    session.save()
    assert client.get("/en/cases/").status_code == 200
    assert client.session[KIND_KEY] == STAFF
    assert abs(client.session[SIGNED_IN_AT_KEY] - time.time()) < 5
