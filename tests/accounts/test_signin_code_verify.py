"""Signing in with a code: new applicants, wrong/expired/reused codes, tries and lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accord.accounts.models import SignInCode, User
from accord.accounts.services import RateLimited, signin_code_request, signin_code_verify
from accord.audit.models import TraceEvent
from accord.audit.personal import reveal
from accord.core.api import ServiceError
from accord.core.crypto import lookup_hash
from accord.orgs.models import Membership, Role
from tests.accounts.conftest import IP, actions, last_code, nothing_written

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCORD_OTP_RESEND_SECONDS = 0
    settings.ACCORD_OTP_REQUESTS_PER_HOUR = 50
    settings.ACCORD_OTP_MAX_ATTEMPTS = 3
    settings.ACCORD_SIGNIN_FAILURES_PER_15MIN = 5
    settings.ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN = 50


def send(outbox, phone: str = PHONE) -> str:
    signin_code_request(phone=phone, client_ip=IP)
    return last_code(outbox, phone)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_first_sign_in_creates_the_applicant_with_the_applicant_role(db, outbox):
    code = send(outbox)
    user = signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    # The username is a pseudonym: the number is only in the (erasable) phone field.
    assert user.username.startswith("applicant-") and PHONE not in user.username
    assert user.phone == PHONE
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, role=Role.APPLICANT, organization=None).exists()
    assert actions(user) == ["account.created", "signin.succeeded"]
    created = TraceEvent.objects.get(chain_id=user.chain_id, action="account.created")
    # The trace holds a keyed hash of the number, whose key and value can be erased.
    assert created.payload["phone"].startswith("hmac-sha256:")
    assert reveal(created.payload["phone"]) == PHONE
    assert created.actor == {"kind": "user", "user_id": user.pk}


def test_a_known_applicant_signs_in_without_a_new_account(dora, outbox):
    code = send(outbox, dora.phone)
    with nothing_written(used_codes=1, events=1):
        user = signin_code_verify(phone=dora.phone, code=code, client_ip=IP)
    assert user == dora
    assert actions(dora) == ["signin.code_requested", "signin.succeeded"]


def test_a_wrong_code_is_refused_and_writes_nothing_for_an_unknown_number(db, outbox):
    code = send(outbox)
    # Messages are in the active language (zh-hans by default); compare the English source.
    with translation.override("en"), nothing_written(), pytest.raises(ServiceError) as caught:
        signin_code_verify(phone=PHONE, code=wrong(code), client_ip=IP)
    assert caught.value.code == "code_wrong"
    assert "code" in caught.value.fields
    assert "2 tries left" in caught.value.message


def test_a_wrong_code_for_a_known_account_writes_only_a_failure_to_its_trace(dora, outbox):
    code = send(outbox, dora.phone)
    with nothing_written(events=1), pytest.raises(ServiceError) as caught:
        signin_code_verify(phone=dora.phone, code=wrong(code), client_ip=IP)
    assert caught.value.code == "code_wrong"
    assert actions(dora)[-1] == "signin.failed"


def test_an_expired_code_is_refused_and_writes_nothing(db, outbox):
    code = send(outbox)
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    assert caught.value.code == "code_expired"
    assert "code" in caught.value.fields


def test_a_reused_code_is_refused_and_writes_nothing_but_the_failure(db, outbox):
    code = send(outbox)
    user = signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    with nothing_written(events=1), pytest.raises(ServiceError) as caught:
        signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    assert caught.value.code == "code_used"
    assert actions(user)[-1] == "signin.failed"


def test_a_new_code_retires_the_previous_one(db, outbox):
    first = send(outbox)
    second = send(outbox)
    if first != second:
        with nothing_written(), pytest.raises(ServiceError) as caught:
            signin_code_verify(phone=PHONE, code=first, client_ip=IP)
        assert caught.value.code == "code_wrong"
    assert signin_code_verify(phone=PHONE, code=second, client_ip=IP).phone == PHONE


def test_too_many_tries_on_one_code_refuse_even_the_right_code(db, outbox):
    code = send(outbox)
    for _ in range(3):
        with pytest.raises(ServiceError):
            signin_code_verify(phone=PHONE, code=wrong(code), client_ip=IP)
    with nothing_written(), pytest.raises(RateLimited) as caught:
        signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    assert caught.value.code == "code_attempts"
    assert "code" in caught.value.fields
    # A new code works again.
    assert signin_code_verify(phone=PHONE, code=send(outbox), client_ip=IP).phone == PHONE


def test_a_number_is_locked_after_n_failures_in_15_minutes(db, outbox, settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_15MIN = 4
    for _ in range(2):
        code = send(outbox)
        for _ in range(2):
            with pytest.raises(ServiceError):
                signin_code_verify(phone=PHONE, code=wrong(code), client_ip=IP)
    code = send(outbox)
    with nothing_written(), pytest.raises(RateLimited) as caught:
        signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    assert caught.value.code == "locked"
    assert "phone" in caught.value.fields
    assert not User.objects.filter(phone_lookup=lookup_hash(PHONE)).exists()


def test_an_address_is_locked_after_many_failures_across_numbers(db, outbox, settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_IP_PER_15MIN = 2
    for phone in ("13800138001", "13800138002"):
        code = send(outbox, phone)
        with pytest.raises(ServiceError):
            signin_code_verify(phone=phone, code=wrong(code), client_ip=IP)
    code = send(outbox)
    with nothing_written(), pytest.raises(RateLimited) as caught:
        signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    assert caught.value.code == "ip_locked"


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
def test_a_malformed_code_is_refused_without_counting_a_try(db, outbox, code):
    send(outbox)
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    assert caught.value.code == "code_format"


def test_a_code_for_a_number_that_was_never_sent_one_is_refused(db):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_code_verify(phone=PHONE, code="123456", client_ip=IP)
    assert caught.value.code == "code_missing"


def test_a_bad_phone_format_is_refused(db):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_code_verify(phone="555", code="123456", client_ip=IP)
    assert caught.value.code == "phone_invalid"
    assert "phone" in caught.value.fields


def test_a_disabled_account_cannot_sign_in(dora, outbox):
    code = send(outbox, dora.phone)
    User.objects.filter(pk=dora.pk).update(is_active=False)
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_code_verify(phone=dora.phone, code=code, client_ip=IP)
    assert caught.value.code == "account_disabled"


def test_a_success_clears_the_failure_count(db, outbox, settings):
    settings.ACCORD_SIGNIN_FAILURES_PER_15MIN = 2
    code = send(outbox)
    with pytest.raises(ServiceError):
        signin_code_verify(phone=PHONE, code=wrong(code), client_ip=IP)
    signin_code_verify(phone=PHONE, code=code, client_ip=IP)
    code = send(outbox)
    with pytest.raises(ServiceError):
        signin_code_verify(phone=PHONE, code=wrong(code), client_ip=IP)
    assert signin_code_verify(phone=PHONE, code=code, client_ip=IP).phone == PHONE
