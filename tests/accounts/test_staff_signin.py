"""Staff sign-in, first factor: username and password, lockout, applicants turned away."""

from __future__ import annotations

import pytest

from accord.accounts.services import RateLimited, staff_password_check
from accord.core.api import ServiceError
from tests.accounts.conftest import IP, PASSWORD, actions, make_user, nothing_written


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_15MIN = 3
    settings.ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN = 50


def test_the_right_password_returns_the_user_but_traces_no_sign_in_yet(alice):
    with nothing_written():
        assert staff_password_check(username="alice", password=PASSWORD, client_ip=IP) == alice


def test_a_wrong_password_is_refused_and_only_the_failure_is_traced(alice):
    with nothing_written(events=1), pytest.raises(ServiceError) as caught:
        staff_password_check(username="alice", password="wrong", client_ip=IP)
    assert caught.value.code == "password_wrong"
    assert "password" in caught.value.fields
    assert actions(alice) == ["signin.failed"]


def test_an_unknown_username_gets_the_same_answer_and_writes_nothing(db):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        staff_password_check(username="mallory", password=PASSWORD, client_ip=IP)
    assert caught.value.code == "password_wrong"


def test_an_account_is_locked_after_n_failures_even_with_the_right_password(alice):
    for _ in range(3):
        with pytest.raises(ServiceError):
            staff_password_check(username="alice", password="wrong", client_ip=IP)
    with nothing_written(), pytest.raises(RateLimited) as caught:
        staff_password_check(username="alice", password=PASSWORD, client_ip=IP)
    assert caught.value.code == "locked"
    assert "username" in caught.value.fields


def test_the_lock_ignores_the_case_of_the_username(alice):
    for _ in range(3):
        with pytest.raises(ServiceError):
            staff_password_check(username="ALICE", password="wrong", client_ip=IP)
    with pytest.raises(RateLimited):
        staff_password_check(username="alice", password=PASSWORD, client_ip=IP)


def test_an_applicant_cannot_use_the_password_form(db):
    make_user(username="13900000009", phone="13900000009")  # no staff role, has a password
    with nothing_written(), pytest.raises(ServiceError) as caught:
        staff_password_check(username="13900000009", password=PASSWORD, client_ip=IP)
    assert caught.value.code == "use_phone_signin"
    assert "username" in caught.value.fields


def test_a_disabled_staff_member_is_refused(alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(ServiceError) as caught:
        staff_password_check(username="alice", password=PASSWORD, client_ip=IP)
    assert caught.value.code == "account_disabled"
