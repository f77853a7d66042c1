"""Outbound SMS behind one class hierarchy (the healthchecks transport shape).

``settings.ACCORD_SMS_BACKEND`` names the class. Development logs the message;
tests read :data:`outbox`; production plugs in a provider's gateway by
subclassing :class:`SmsBackend`.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class TransportError(Exception):
    """Sending failed. ``permanent`` means retrying the same message will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class SmsMessage:
    phone: str
    body: str


class SmsBackend:
    def send(self, phone: str, message: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Development: the message, code included, goes to the log."""

    def send(self, phone: str, message: str) -> None:
        logger.warning("SMS to %s: %s", phone, message)


# Read by tests, like django.core.mail.outbox.
outbox: list[SmsMessage] = []


class OutboxSmsBackend(SmsBackend):
    def send(self, phone: str, message: str) -> None:
        outbox.append(SmsMessage(phone=phone, body=message))


class FileOutboxSmsBackend(OutboxSmsBackend):
    """Tests across processes (the browser stack's web and Celery): the outbox, and one JSON
    line per message appended to ``ACCORD_SMS_OUTBOX_FILE`` for the test to read."""

    def send(self, phone: str, message: str) -> None:
        super().send(phone, message)
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

    def send(self, phone: str, message: str) -> None:
        raise TransportError("SMS gateway unavailable", permanent=False)


def get_backend() -> SmsBackend:
    backend_class: type[SmsBackend] = import_string(settings.ACCORD_SMS_BACKEND)
    return backend_class()


def send_sms(*, phone: str, message: str) -> None:
    get_backend().send(phone, message)
