"""Outbound SMS behind one class hierarchy (the healthchecks transport shape).

``settings.ACCORD_SMS_BACKEND`` names the class. Development logs the message; tests read
:data:`outbox`; production sends through a provider's gateway (:class:`TencentSmsBackend`).

Every message has a text (what the log and outbox backends keep) and, for gateways that send
only pre-approved templates (all Chinese providers), a :class:`SmsTemplate`: the message kind
names the approved template and its parameters fill the template's placeholders in order.
A backend that really delivers says ``delivers = True``; the production checks
(accord.core.checks) refuse the others without ACCORD_DEMO.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111 import sms_client

from accord.accounts.phones import mask_phone

logger = logging.getLogger(__name__)


class TransportError(Exception):
    """Sending failed. ``permanent`` means retrying the same message will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


# The parameters of each message kind, in the order of the approved template's placeholders
# ({1}, {2}, ...). Only what the recipient needs: no names, no free text a user typed.
TEMPLATE_PARAMS: dict[str, tuple[str, ...]] = {
    # 您的登录验证码为{1}，{2}分钟内有效，请勿泄露给他人。
    "signin_code": ("code", "minutes"),
    # 案件{1}的在线调解定于{2}举行，入会链接将另行发送。
    "hearing_scheduled": ("case_no", "when"),
    # 案件{1}的在线调解定于{2}举行，入会链接：{3}（仅限本人使用）。
    "hearing_link": ("case_no", "when", "link"),
    # 案件{1}的在线调解定于{2}举行，请登录后入会：{3}
    "hearing_invited": ("case_no", "when", "link"),
    # 案件{1}的在线调解改期至{2}举行。
    "hearing_rescheduled": ("case_no", "when"),
    # 案件{1}原定于{2}举行的在线调解已取消。
    "hearing_cancelled": ("case_no", "when"),
    # 案件{1}有新的进展或待办事项，请登录平台查看。
    "case_notice": ("case_no",),
    # 您在案件{1}的调解文书签署验证码为{2}，{3}分钟内有效，请勿泄露。
    "document_sign_code": ("case_no", "code", "minutes"),
}


@dataclass(frozen=True, slots=True)
class SmsTemplate:
    kind: str
    params: tuple[str, ...]

    @classmethod
    def of(cls, kind: str, **params: object) -> SmsTemplate:
        """The template of ``kind`` with its parameters by name; refuses unknown or missing
        ones (a programming error, not a transport one)."""
        names = TEMPLATE_PARAMS.get(kind)
        if names is None:
            raise ValueError(f"unknown SMS kind {kind!r}; known: {', '.join(TEMPLATE_PARAMS)}")
        if set(params) != set(names):
            raise ValueError(f"SMS kind {kind!r} takes {', '.join(names)}, got {sorted(params)}")
        return cls(kind=kind, params=tuple(str(params[name]) for name in names))


@dataclass(frozen=True, slots=True)
class SmsMessage:
    phone: str
    body: str
    template: SmsTemplate | None = None


class SmsBackend:
    delivers = False

    def send(self, phone: str, message: str, *, template: SmsTemplate | None = None) -> None:
        raise NotImplementedError

    @classmethod
    def configuration_errors(cls) -> list[str]:
        """What the settings lack for this backend to send (the production checks ask)."""
        return []


class LogSmsBackend(SmsBackend):
    """Development: the message, code included, goes to the log (refused without
    ACCORD_DEMO)."""

    def send(self, phone: str, message: str, *, template: SmsTemplate | None = None) -> None:
        logger.warning("SMS to %s: %s", phone, message)


# Read by tests, like django.core.mail.outbox.
outbox: list[SmsMessage] = []


class OutboxSmsBackend(SmsBackend):
    def send(self, phone: str, message: str, *, template: SmsTemplate | None = None) -> None:
        outbox.append(SmsMessage(phone=phone, body=message, template=template))


class FileOutboxSmsBackend(OutboxSmsBackend):
    """Tests across processes (the browser stack's web and Celery): the outbox, and one JSON
    line per message appended to ``ACCORD_SMS_OUTBOX_FILE`` for the test to read."""

    def send(self, phone: str, message: str, *, template: SmsTemplate | None = None) -> None:
        super().send(phone, message, template=template)
        path = getattr(settings, "ACCORD_SMS_OUTBOX_FILE", None) or os.environ.get(
            "ACCORD_SMS_OUTBOX_FILE", ""
        )
        if not path:
            raise TransportError("ACCORD_SMS_OUTBOX_FILE is not set", permanent=True)
        line = json.dumps({"phone": phone, "body": message}, ensure_ascii=False)
        with open(path, "a", encoding="utf-8") as outbox_file:
            outbox_file.write(line + "\n")


class FailingSmsBackend(SmsBackend):
    """Tests: a gateway that is down."""

    def send(self, phone: str, message: str, *, template: SmsTemplate | None = None) -> None:
        raise TransportError("SMS gateway unavailable", permanent=False)


# Tencent Cloud error codes worth retrying (https://cloud.tencent.com/document/product/382/
# 55981): the gateway's own faults, throttling, and the SDK's network errors. Everything else
# (authentication, parameters, templates, balance, daily limits) needs a person to act.
_TENCENT_TRANSIENT_PREFIXES = ("InternalError", "RequestLimitExceeded", "ResourceUnavailable")
_TENCENT_TRANSIENT_CODES = {
    "ClientNetworkError",
    "ServerNetworkError",
    "LimitExceeded.PhoneNumberThirtySecondLimit",
    "LimitExceeded.PhoneNumberOneHourLimit",
    "FailedOperation.JsonParseFail",
}


def tencent_error_is_transient(code: str) -> bool:
    return code in _TENCENT_TRANSIENT_CODES or code.startswith(_TENCENT_TRANSIENT_PREFIXES)


def _e164(phone: str) -> str:
    """Mainland numbers are stored as 11 digits; the API wants +86 in front."""
    phone = phone.strip()
    if phone.startswith("+"):
        return phone
    if len(phone) == 11 and phone.isdigit() and phone.startswith("1"):
        return f"+86{phone}"
    raise TransportError(
        f"not a phone number the gateway accepts: {mask_phone(phone)}", permanent=True
    )


class TencentSmsBackend(SmsBackend):
    """Tencent Cloud SMS (短信, API version 2021-01-11, action SendSms) through its SDK.

    Settings (docs/operations.md): ACCORD_SMS_TENCENT_SECRET_ID / _SECRET_KEY (a CAM key
    allowed sms:SendSms), _APP_ID (SmsSdkAppId), _SIGN_NAME, _TEMPLATES (template id per
    message kind), _REGION, _ENDPOINT, and ACCORD_SMS_TIMEOUT_SECONDS. The SDK does not retry;
    a transient TransportError is retried by the caller (Celery) or by the person.
    Nothing personal is logged: the number masked, never the parameters.
    """

    delivers = True

    @classmethod
    def configuration_errors(cls) -> list[str]:
        missing = [
            name
            for name in (
                "ACCORD_SMS_TENCENT_SECRET_ID",
                "ACCORD_SMS_TENCENT_SECRET_KEY",
                "ACCORD_SMS_TENCENT_APP_ID",
                "ACCORD_SMS_TENCENT_SIGN_NAME",
                "ACCORD_SMS_TENCENT_REGION",
                "ACCORD_SMS_TENCENT_ENDPOINT",
            )
            if not getattr(settings, name, "")
        ]
        errors = [f"{name} is not set" for name in missing]
        templates: dict[str, str] = settings.ACCORD_SMS_TENCENT_TEMPLATES
        absent = [kind for kind in TEMPLATE_PARAMS if kind not in templates]
        if absent:
            errors.append(
                f"ACCORD_SMS_TENCENT_TEMPLATES has no template id for {', '.join(absent)}"
            )
        unknown = [kind for kind in templates if kind not in TEMPLATE_PARAMS]
        if unknown:
            errors.append(f"ACCORD_SMS_TENCENT_TEMPLATES names unknown kinds: {', '.join(unknown)}")
        return errors

    def _client(self) -> Any:
        endpoint: str = settings.ACCORD_SMS_TENCENT_ENDPOINT
        scheme = "https"
        if "://" in endpoint:  # a stand-in of the API, e.g. http://127.0.0.1:PORT
            parts = urlsplit(endpoint)
            scheme, endpoint = parts.scheme, parts.netloc
        http_profile = HttpProfile(
            protocol=scheme,
            endpoint=endpoint,
            reqMethod="POST",
            reqTimeout=settings.ACCORD_SMS_TIMEOUT_SECONDS,
        )
        cred = credential.Credential(
            settings.ACCORD_SMS_TENCENT_SECRET_ID, settings.ACCORD_SMS_TENCENT_SECRET_KEY
        )
        return sms_client.SmsClient(
            cred, settings.ACCORD_SMS_TENCENT_REGION, ClientProfile(httpProfile=http_profile)
        )

    def send(self, phone: str, message: str, *, template: SmsTemplate | None = None) -> None:
        if template is None:
            raise TransportError(
                "Tencent Cloud SMS sends approved templates only; this message has none",
                permanent=True,
            )
        template_id = settings.ACCORD_SMS_TENCENT_TEMPLATES.get(template.kind)
        if not template_id:
            raise TransportError(
                f"ACCORD_SMS_TENCENT_TEMPLATES has no template id for {template.kind!r}",
                permanent=True,
            )
        request = tencent_models.SendSmsRequest()
        request.PhoneNumberSet = [_e164(phone)]
        request.SmsSdkAppId = settings.ACCORD_SMS_TENCENT_APP_ID
        request.SignName = settings.ACCORD_SMS_TENCENT_SIGN_NAME
        request.TemplateId = template_id
        request.TemplateParamSet = list(template.params)
        masked = mask_phone(phone)
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            code = str(exc.get_code() or "")
            transient = tencent_error_is_transient(code)
            logger.warning(
                "Tencent SMS %s to %s refused: %s (request %s)",
                template.kind,
                masked,
                code,
                exc.get_request_id(),
            )
            raise TransportError(
                f"Tencent Cloud SMS: {code}: {exc.get_message()}", permanent=not transient
            ) from exc
        statuses = response.SendStatusSet or []
        status = statuses[0] if statuses else None
        if status is None or status.Code != "Ok":
            code = status.Code if status is not None else "NoSendStatus"
            logger.warning(
                "Tencent SMS %s to %s not sent: %s (request %s)",
                template.kind,
                masked,
                code,
                response.RequestId,
            )
            detail = status.Message if status is not None else "empty SendStatusSet"
            raise TransportError(
                f"Tencent Cloud SMS: {code}: {detail}",
                permanent=not tencent_error_is_transient(code),
            )
        logger.info(
            "Tencent SMS %s to %s sent (serial %s, request %s)",
            template.kind,
            masked,
            status.SerialNo,
            response.RequestId,
        )


def get_backend() -> SmsBackend:
    backend_class: type[SmsBackend] = import_string(settings.ACCORD_SMS_BACKEND)
    return backend_class()


def send_sms(*, phone: str, message: str, template: SmsTemplate | None = None) -> None:
    """Send ``message`` to ``phone``; ``template`` is what template-only gateways send.

    Raises TransportError (``permanent`` says whether retrying can help).
    """
    get_backend().send(phone, message, template=template)
