"""The SMS transports: one shape, interchangeable by setting."""

from __future__ import annotations

import logging

import pytest

from accord.accounts import sms


def test_the_outbox_backend_keeps_messages_for_tests(outbox):
    sms.send_sms(phone="13800138000", message="hello")
    assert outbox == [sms.SmsMessage(phone="13800138000", body="hello")]


def test_the_log_backend_writes_the_message_to_the_log(settings, caplog):
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.LogSmsBackend"
    with caplog.at_level(logging.WARNING, logger="accord.accounts.sms"):
        sms.send_sms(phone="13800138000", message="code 123456")
    assert "13800138000" in caplog.text
    assert "123456" in caplog.text


def test_a_failing_gateway_raises_a_transport_error_that_says_if_it_is_permanent(settings):
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.FailingSmsBackend"
    with pytest.raises(sms.TransportError) as caught:
        sms.send_sms(phone="13800138000", message="x")
    assert caught.value.permanent is False
