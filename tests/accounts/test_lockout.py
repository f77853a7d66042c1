"""Lockout per (account, address) with exponential backoff: an attacker locks only their own
address, never the account holder on another network (docs/security/auth.md)."""

from __future__ import annotations

import pytest

from accord.accounts import ratelimit
from accord.accounts.services import (
    RateLimited,
    signin_code_request,
    signin_code_verify,
    staff_password_check,
    staff_totp_verify,
)
from accord.accounts.services.lockout import (
    RL_FAIL_PHONE,
    RL_FAIL_USER,
    RL_LOCK_PAIR,
    _pair,
    lock_seconds,
)
from accord.core.api import ServiceError
from tests.accounts.conftest import PASSWORD, actions, last_code, totp_now

ATTACKER = "198.51.100.66"
VICTIM = "203.0.113.7"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_15MIN = 3
    settings.ACCORD_SIGNIN_ACCOUNT_FAILURES_PER_15MIN = 10
    settings.ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN = 50
    settings.ACCORD_SIGNIN_LOCK_BASE_SECONDS = 60
    settings.ACCORD_SIGNIN_LOCK_MAX_SECONDS = 3600


def fail(username: str, ip: str) -> str:
    with pytest.raises(ServiceError) as caught:
        staff_password_check(username=username, password="wrong guess", client_ip=ip)
    return caught.value.code


def lock_left(username: str, ip: str) -> float | None:
    return ratelimit.locked_for(RL_LOCK_PAIR, _pair(RL_FAIL_USER, username, ip))


def let_the_lock_pass(username: str, ip: str) -> None:
    """What waiting out the lock does (the counter of the pair stays)."""
    ratelimit.release(RL_LOCK_PAIR, _pair(RL_FAIL_USER, username, ip))


def test_the_backoff_starts_at_the_threshold_and_doubles_up_to_the_cap(settings):
    waits = [lock_seconds(pair_failures=n, account_failures=n) for n in range(1, 12)]
    assert waits == [0, 0, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_under_attack_the_backoff_starts_at_a_pairs_first_failure(settings):
    assert lock_seconds(pair_failures=1, account_failures=10) == 0
    assert lock_seconds(pair_failures=1, account_failures=11) == 60
    assert lock_seconds(pair_failures=2, account_failures=11) == 120


def test_the_attackers_address_is_locked_with_a_growing_backoff(alice):
    for _ in range(3):
        assert fail("alice", ATTACKER) == "password_wrong"
    left = lock_left("alice", ATTACKER)
    assert left is not None and 55 < left <= 60
    # Locked: even the right password is refused, and nothing is counted or traced.
    traced = len(actions(alice))
    with pytest.raises(RateLimited) as caught:
        staff_password_check(username="alice", password=PASSWORD, client_ip=ATTACKER)
    assert caught.value.code == "locked"
    assert "1 minute" in caught.value.message
    assert len(actions(alice)) == traced
    let_the_lock_pass("alice", ATTACKER)
    assert fail("alice", ATTACKER) == "password_wrong"
    left = lock_left("alice", ATTACKER)
    assert left is not None and 115 < left <= 120
    let_the_lock_pass("alice", ATTACKER)
    assert fail("alice", ATTACKER) == "password_wrong"
    left = lock_left("alice", ATTACKER)
    assert left is not None and 235 < left <= 240
    with pytest.raises(RateLimited) as caught:
        staff_password_check(username="alice", password=PASSWORD, client_ip=ATTACKER)
    assert "4 minutes" in caught.value.message


def test_the_victim_signs_in_from_their_own_network_during_the_attack(alice):
    # An attack from ten addresses, each guessing until it is locked: the account is under
    # attack (the later addresses are locked from their first failure).
    for n in range(10):
        while lock_left("alice", f"198.51.100.{n}") is None:
            assert fail("alice", f"198.51.100.{n}") == "password_wrong"
    assert ratelimit.count(RL_FAIL_USER, "alice") > 10
    # Alice, from an address that has not failed: password and second factor both work.
    assert lock_left("alice", VICTIM) is None
    assert staff_password_check(username="alice", password=PASSWORD, client_ip=VICTIM) == alice
    staff_totp_verify(user=alice, code=totp_now(alice), client_ip=VICTIM)
    assert actions(alice)[-1] == "signin.succeeded"


def test_under_attack_a_new_address_is_slowed_from_its_first_failure(alice):
    for n in range(4):
        for _ in range(3):
            fail("alice", f"198.51.100.{n}")
    # 12 failures > 10: one wrong guess from a fresh address now locks that address.
    assert fail("alice", "192.0.2.1") == "password_wrong"
    left = lock_left("alice", "192.0.2.1")
    assert left is not None and 55 < left <= 60
    # ...and never an address that has not failed.
    assert lock_left("alice", VICTIM) is None
    assert staff_password_check(username="alice", password=PASSWORD, client_ip=VICTIM) == alice


def test_a_completed_sign_in_resets_the_counter_of_its_address(alice):
    fail("alice", VICTIM)
    fail("alice", VICTIM)
    staff_password_check(username="alice", password=PASSWORD, client_ip=VICTIM)
    staff_totp_verify(user=alice, code=totp_now(alice), client_ip=VICTIM)
    # Without the reset, this third failure would lock (threshold 3).
    fail("alice", VICTIM)
    fail("alice", VICTIM)
    assert lock_left("alice", VICTIM) is None
    fail("alice", VICTIM)
    assert lock_left("alice", VICTIM) is not None


def test_the_password_alone_does_not_reset_the_counter(alice):
    fail("alice", VICTIM)
    fail("alice", VICTIM)
    staff_password_check(username="alice", password=PASSWORD, client_ip=VICTIM)
    fail("alice", VICTIM)
    assert lock_left("alice", VICTIM) is not None


def test_the_limit_per_address_across_accounts_stays(alice, settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN = 5
    for name in ("u1", "u2", "u3", "u4", "u5"):
        fail(name, ATTACKER)
    with pytest.raises(RateLimited) as caught:
        staff_password_check(username="alice", password=PASSWORD, client_ip=ATTACKER)
    assert caught.value.code == "ip_locked"
    # Another address is not concerned.
    assert staff_password_check(username="alice", password=PASSWORD, client_ip=VICTIM) == alice


def test_an_unknown_username_is_locked_exactly_like_a_known_one(alice):
    answers = {}
    for name in ("alice", "mallory"):
        codes = [fail(name, ATTACKER) for _ in range(3)]
        with pytest.raises(RateLimited) as caught:
            staff_password_check(username=name, password=PASSWORD, client_ip=ATTACKER)
        answers[name] = (codes, caught.value.code, caught.value.message, caught.value.fields)
    assert answers["alice"] == answers["mallory"]


def test_wrong_phone_codes_lock_the_number_only_from_that_address(dora, outbox, settings):
    settings.ACCORD_OTP_MAX_ATTEMPTS = 10
    signin_code_request(phone=dora.phone, client_ip=VICTIM)
    code = last_code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        with pytest.raises(ServiceError) as caught:
            signin_code_verify(phone=dora.phone, code=wrong, client_ip=ATTACKER)
        assert caught.value.code == "code_wrong"
    assert ratelimit.locked_for(RL_LOCK_PAIR, _pair(RL_FAIL_PHONE, dora.phone, ATTACKER))
    with pytest.raises(RateLimited):
        signin_code_verify(phone=dora.phone, code=code, client_ip=ATTACKER)
    assert signin_code_verify(phone=dora.phone, code=code, client_ip=VICTIM) == dora
