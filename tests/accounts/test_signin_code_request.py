"""Asking for a sign-in code: format, staff numbers, cooldown, hourly and per-address limits."""

from __future__ import annotations

import pytest

from accord.accounts.models import SignInCode
from accord.accounts.services import RateLimited, signin_code_request
from accord.core.api import ServiceError
from tests.accounts.conftest import IP, actions, last_code, nothing_written

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCORD_OTP_RESEND_SECONDS = 60
    settings.ACCORD_OTP_REQUESTS_PER_HOUR = 5
    settings.ACCORD_OTP_REQUESTS_PER_IP_PER_HOUR = 30


def test_it_texts_a_six_digit_code_and_stores_only_its_hash(db, outbox):
    record = signin_code_request(phone=PHONE, client_ip=IP)
    code = last_code(outbox, PHONE)
    assert len(code) == 6
    assert code not in record.code_hash
    assert record.used_at is None
    assert record.expires_at > record.created_at


def test_it_accepts_spaces_dashes_and_the_country_code(db, outbox):
    signin_code_request(phone="+86 138-0013-8000", client_ip=IP)
    assert SignInCode.objects.get().phone == PHONE
    assert outbox[-1].phone == PHONE


def test_it_traces_a_request_for_a_known_account_but_not_for_an_unknown_number(dora, outbox):
    signin_code_request(phone=dora.phone, client_ip=IP)
    signin_code_request(phone=PHONE, client_ip=IP)
    assert actions(dora) == ["signin.code_requested"]


@pytest.mark.parametrize("phone", ["", "12345", "23800138000", "1380013800a", "138001380001"])
def test_it_refuses_a_bad_phone_format_and_writes_nothing(db, outbox, phone):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_code_request(phone=phone, client_ip=IP)
    assert caught.value.code == "phone_invalid"
    assert "phone" in caught.value.fields
    assert outbox == []


def test_it_refuses_a_resend_too_soon_and_writes_nothing(db, outbox):
    signin_code_request(phone=PHONE, client_ip=IP)
    with nothing_written(), pytest.raises(RateLimited) as caught:
        signin_code_request(phone=PHONE, client_ip=IP)
    assert caught.value.code == "resend_too_soon"
    assert "phone" in caught.value.fields
    assert caught.value.http_status == 429
    assert len(outbox) == 1


def test_the_cooldown_is_per_number(db, outbox):
    signin_code_request(phone=PHONE, client_ip=IP)
    signin_code_request(phone="13800138001", client_ip=IP)
    assert len(outbox) == 2


def test_it_refuses_too_many_requests_for_one_number_in_an_hour(db, outbox, settings):
    settings.ACCORD_OTP_RESEND_SECONDS = 0
    settings.ACCORD_OTP_REQUESTS_PER_HOUR = 2
    signin_code_request(phone=PHONE, client_ip=IP)
    signin_code_request(phone=PHONE, client_ip=IP)
    with nothing_written(), pytest.raises(RateLimited) as caught:
        signin_code_request(phone=PHONE, client_ip=IP)
    assert caught.value.code == "too_many_requests"
    assert "phone" in caught.value.fields
    assert len(outbox) == 2


def test_it_refuses_too_many_requests_from_one_address(db, outbox, settings):
    settings.ACCORD_OTP_REQUESTS_PER_IP_PER_HOUR = 2
    signin_code_request(phone="13800138001", client_ip=IP)
    signin_code_request(phone="13800138002", client_ip=IP)
    with nothing_written(), pytest.raises(RateLimited) as caught:
        signin_code_request(phone="13800138003", client_ip=IP)
    assert caught.value.code == "too_many_requests_ip"
    assert caught.value.fields == {}
    # Another address is not affected.
    signin_code_request(phone="13800138003", client_ip="198.51.100.1")
    assert len(outbox) == 3


def test_a_failing_gateway_stores_no_code_and_frees_the_cooldown(db, outbox, settings):
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.FailingSmsBackend"
    with nothing_written(), pytest.raises(ServiceError) as caught:
        signin_code_request(phone=PHONE, client_ip=IP)
    assert caught.value.code == "sms_failed"
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.OutboxSmsBackend"
    signin_code_request(phone=PHONE, client_ip=IP)
    assert len(outbox) == 1
