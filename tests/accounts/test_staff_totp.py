"""Staff sign-in, second factor: TOTP codes and first-time enrollment."""

from __future__ import annotations

import time

import pyotp
import pytest

from accord.accounts.services import (
    RateLimited,
    staff_totp_verify,
    totp_enroll_confirm,
    totp_reset,
    totp_reset_by_admin,
)
from accord.audit.actors import Actor
from accord.audit.models import TraceEvent
from accord.core.api import ServiceError
from tests.accounts.conftest import (
    IP,
    actions,
    make_user,
    nothing_written,
    totp_now,
    wrong_totp,
)

now = time.time


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_15MIN = 3


def test_a_valid_code_completes_the_sign_in(alice):
    with nothing_written(events=1):
        staff_totp_verify(user=alice, code=totp_now(alice), client_ip=IP)
    assert actions(alice) == ["signin.succeeded"]


def test_a_wrong_code_is_refused_and_only_the_failure_is_traced(alice):
    with nothing_written(events=1), pytest.raises(ServiceError) as caught:
        staff_totp_verify(user=alice, code=wrong_totp(alice.totp_secret), client_ip=IP)
    assert caught.value.code == "totp_wrong"
    assert "code" in caught.value.fields
    assert actions(alice) == ["signin.failed"]


def test_a_code_cannot_be_used_twice(alice):
    code = totp_now(alice)
    staff_totp_verify(user=alice, code=code, client_ip=IP)
    with nothing_written(events=1), pytest.raises(ServiceError) as caught:
        staff_totp_verify(user=alice, code=code, client_ip=IP)
    assert caught.value.code == "totp_replayed"


def test_wrong_codes_lock_the_account(alice):
    for _ in range(3):
        with pytest.raises(ServiceError):
            staff_totp_verify(user=alice, code=wrong_totp(alice.totp_secret), client_ip=IP)
    with nothing_written(), pytest.raises(RateLimited) as caught:
        staff_totp_verify(user=alice, code=totp_now(alice), client_ip=IP)
    assert caught.value.code == "locked"


def test_a_malformed_code_is_refused_without_counting(alice):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        staff_totp_verify(user=alice, code="12 34", client_ip=IP)
    assert caught.value.code == "totp_format"


def test_enrollment_stores_the_secret_once_a_code_proves_it(bob):
    secret = pyotp.random_base32()
    with nothing_written(events=2):
        totp_enroll_confirm(
            user=bob,
            secret=secret,
            code=pyotp.TOTP(secret).now(),
            client_ip=IP,
            password_verified_at=now(),
        )
    bob.refresh_from_db()
    assert bob.totp_secret == secret
    assert bob.totp_confirmed_at is not None
    assert actions(bob) == ["totp.enrolled", "signin.succeeded"]


def test_enrollment_with_a_wrong_code_stores_nothing(bob):
    secret = pyotp.random_base32()
    with nothing_written(events=1), pytest.raises(ServiceError) as caught:
        totp_enroll_confirm(
            user=bob,
            secret=secret,
            code=wrong_totp(secret),
            client_ip=IP,
            password_verified_at=now(),
        )
    assert caught.value.code == "totp_wrong"
    bob.refresh_from_db()
    assert bob.totp_secret == ""
    assert bob.totp_confirmed_at is None


def test_an_enrolled_second_factor_cannot_be_replaced_by_enrolling_again(alice):
    secret = pyotp.random_base32()
    with nothing_written(), pytest.raises(ServiceError) as caught:
        totp_enroll_confirm(
            user=alice,
            secret=secret,
            code=pyotp.TOTP(secret).now(),
            client_ip=IP,
            password_verified_at=now(),
        )
    assert caught.value.code == "totp_already_enrolled"


def test_an_unenrolled_user_cannot_pass_the_second_factor(bob):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        staff_totp_verify(user=bob, code="123456", client_ip=IP)
    assert caught.value.code == "totp_not_enrolled"


def test_a_reset_forgets_the_second_factor_and_is_traced(alice):
    totp_reset(user=alice, actor=Actor.system("tests"))
    alice.refresh_from_db()
    assert alice.totp_confirmed_at is None
    assert actions(alice) == ["totp.reset"]


def enrol(user, secret: str, password_verified_at: float) -> None:
    totp_enroll_confirm(
        user=user,
        secret=secret,
        code=pyotp.TOTP(secret).now(),
        client_ip=IP,
        password_verified_at=password_verified_at,
    )


def test_enrolment_is_refused_once_the_window_after_the_password_has_passed(bob, settings):
    settings.ACCORD_TOTP_ENROL_WINDOW_SECONDS = 600
    secret = pyotp.random_base32()
    for stale in (now() - 601, 0.0, now() + 60):
        with nothing_written(), pytest.raises(ServiceError) as caught:
            enrol(bob, secret, stale)
        assert caught.value.code == "enrol_window_passed"
    enrol(bob, secret, now() - 590)
    bob.refresh_from_db()
    assert bob.totp_secret == secret


@pytest.fixture
def root(db):
    user = make_user(username="root", is_staff=True, is_superuser=True)
    return user


def test_an_admin_reset_is_traced_with_the_admin_as_actor_and_allows_re_enrolment(alice, root):
    totp_reset_by_admin(user=alice, by=root)
    alice.refresh_from_db()
    assert alice.totp_confirmed_at is None
    event = TraceEvent.objects.filter(chain_id=alice.chain_id, action="totp.reset").get()
    assert event.payload == {"user_id": alice.pk}
    assert event.actor_user_id == root.pk
    secret = pyotp.random_base32()
    enrol(alice, secret, now())
    alice.refresh_from_db()
    assert alice.totp_secret == secret


def test_only_an_admin_resets_a_second_factor(alice, bob):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        totp_reset_by_admin(user=alice, by=bob)
    assert caught.value.code == "not_admin"
    alice.refresh_from_db()
    assert alice.totp_confirmed_at is not None


def test_an_admin_does_not_reset_their_own_second_factor(root):
    root.totp_secret = pyotp.random_base32()
    root.totp_confirmed_at = root.date_joined
    root.save()
    with nothing_written(), pytest.raises(ServiceError) as caught:
        totp_reset_by_admin(user=root, by=root)
    assert caught.value.code == "reset_self"
