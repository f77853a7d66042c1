"""The Tencent Cloud SMS backend, through its SDK, against a local stand-in of the HTTP API."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest

from accord.accounts import sms
from accord.accounts.services.signin_codes import signin_code_request
from tests.accounts.tencent_standin import TencentSmsStandIn

SECRET_ID = "AKIDstandin0000000000000000000000000"
SECRET_KEY = "standin-secret-key-0000000000000000"
APP_ID = "1400000000"
TEMPLATES = {
    "signin_code": "1000001",
    "hearing_scheduled": "1000002",
    "hearing_link": "1000003",
    "hearing_invited": "1000004",
    "hearing_rescheduled": "1000005",
    "hearing_cancelled": "1000006",
    "case_notice": "1000007",
    "document_sign_code": "1000008",
}
PHONE = "13800138000"


@pytest.fixture
def standin() -> Iterator[TencentSmsStandIn]:
    server = TencentSmsStandIn(secret_id=SECRET_ID, secret_key=SECRET_KEY, app_id=APP_ID)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tencent(settings, standin) -> TencentSmsStandIn:
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.TencentSmsBackend"
    settings.ACCORD_SMS_TENCENT_SECRET_ID = SECRET_ID
    settings.ACCORD_SMS_TENCENT_SECRET_KEY = SECRET_KEY
    settings.ACCORD_SMS_TENCENT_APP_ID = APP_ID
    settings.ACCORD_SMS_TENCENT_SIGN_NAME = "调解平台"
    settings.ACCORD_SMS_TENCENT_TEMPLATES = TEMPLATES
    settings.ACCORD_SMS_TENCENT_REGION = "ap-guangzhou"
    settings.ACCORD_SMS_TENCENT_ENDPOINT = standin.endpoint
    settings.ACCORD_SMS_TIMEOUT_SECONDS = 5
    return standin


def send_code(code: str = "123456") -> None:
    sms.send_sms(
        phone=PHONE,
        message=f"Your code is {code}",
        template=sms.SmsTemplate.of("signin_code", code=code, minutes=5),
    )


def test_it_sends_the_approved_template_with_its_parameters_to_the_e164_number(tencent):
    send_code("654321")
    [request] = tencent.requests
    assert request["params"] == {
        "PhoneNumberSet": ["+8613800138000"],
        "SmsSdkAppId": APP_ID,
        "SignName": "调解平台",
        "TemplateId": "1000001",
        "TemplateParamSet": ["654321", "5"],
    }
    assert request["headers"]["x-tc-region"] == "ap-guangzhou"


def test_a_wrong_secret_key_is_refused_by_the_gateway_as_permanent(tencent, settings):
    settings.ACCORD_SMS_TENCENT_SECRET_KEY = "not-the-key"
    with pytest.raises(sms.TransportError) as caught:
        send_code()
    assert caught.value.permanent is True
    assert "AuthFailure.SignatureFailure" in caught.value.message
    assert tencent.requests == []


def test_an_unknown_secret_id_is_refused_as_permanent(tencent, settings):
    settings.ACCORD_SMS_TENCENT_SECRET_ID = "AKIDsomeoneelse"
    with pytest.raises(sms.TransportError) as caught:
        send_code()
    assert caught.value.permanent is True
    assert "AuthFailure.SecretIdNotFound" in caught.value.message


@pytest.mark.parametrize(
    ("code", "permanent"),
    [
        ("InternalError.Timeout", False),
        ("RequestLimitExceeded", False),
        ("LimitExceeded.PhoneNumberThirtySecondLimit", False),
        ("LimitExceeded.PhoneNumberDailyLimit", True),
        ("FailedOperation.InsufficientBalanceInSmsPackage", True),
        ("FailedOperation.TemplateIncorrectOrUnapproved", True),
        ("InvalidParameterValue.IncorrectPhoneNumber", True),
    ],
)
def test_an_api_error_maps_to_a_transport_error_that_says_if_it_is_permanent(
    tencent, code, permanent
):
    tencent.error_code = code
    with pytest.raises(sms.TransportError) as caught:
        send_code()
    assert caught.value.permanent is permanent
    assert code in caught.value.message


def test_a_number_the_gateway_does_not_deliver_to_raises(tencent):
    tencent.undeliverable["+8613800138000"] = "LimitExceeded.PhoneNumberOneHourLimit"
    with pytest.raises(sms.TransportError) as caught:
        send_code()
    assert caught.value.permanent is False


def test_an_http_error_of_the_gateway_is_transient(tencent):
    tencent.http_status = 502
    with pytest.raises(sms.TransportError) as caught:
        send_code()
    assert caught.value.permanent is False
    assert "ServerNetworkError" in caught.value.message


def test_an_unreachable_gateway_is_transient(tencent, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ACCORD_SMS_TENCENT_ENDPOINT = f"http://127.0.0.1:{port}"
    with pytest.raises(sms.TransportError) as caught:
        send_code()
    assert caught.value.permanent is False
    assert "ClientNetworkError" in caught.value.message


def test_a_message_without_a_template_or_template_id_is_refused_before_sending(tencent, settings):
    with pytest.raises(sms.TransportError, match="templates only") as caught:
        sms.send_sms(phone=PHONE, message="free text")
    assert caught.value.permanent is True
    settings.ACCORD_SMS_TENCENT_TEMPLATES = {}
    with pytest.raises(sms.TransportError, match="signin_code"):
        send_code()
    assert tencent.requests == []


def test_nothing_personal_reaches_the_log(tencent, caplog):
    with caplog.at_level(logging.DEBUG):
        send_code("987123")
        tencent.error_code = "InternalError.Timeout"
        with pytest.raises(sms.TransportError):
            send_code("987124")
    assert "Tencent SMS signin_code to 138****8000 sent" in caplog.text
    for secret in (PHONE, "+8613800138000", "987123", "987124", SECRET_KEY):
        assert secret not in caplog.text


@pytest.mark.django_db
def test_a_sign_in_code_goes_out_through_the_gateway(tencent):
    signin_code_request(phone=PHONE, client_ip="127.0.0.1")
    [request] = tencent.requests
    assert request["params"]["TemplateId"] == TEMPLATES["signin_code"]
    code, minutes = request["params"]["TemplateParamSet"]
    assert len(code) == 6 and code.isdigit()
    assert minutes == "5"


def test_the_configuration_names_what_is_missing(settings):
    settings.ACCORD_SMS_TENCENT_SECRET_ID = ""
    settings.ACCORD_SMS_TENCENT_SIGN_NAME = ""
    settings.ACCORD_SMS_TENCENT_TEMPLATES = {"signin_code": "1", "typo": "2"}
    errors = sms.TencentSmsBackend.configuration_errors()
    assert "ACCORD_SMS_TENCENT_SECRET_ID is not set" in errors
    assert "ACCORD_SMS_TENCENT_SIGN_NAME is not set" in errors
    assert any(
        "no template id for hearing_scheduled, hearing_link, hearing_invited" in e for e in errors
    )
    assert any("unknown kinds: typo" in e for e in errors)


def test_a_template_refuses_unknown_kinds_and_wrong_parameters():
    with pytest.raises(ValueError, match="unknown SMS kind"):
        sms.SmsTemplate.of("nope")
    with pytest.raises(ValueError, match="takes code, minutes"):
        sms.SmsTemplate.of("signin_code", code="1")
