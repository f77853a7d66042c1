"""Request bodies are capped before anything buffers them (docs/security/limits.md).

Three layers, each using :func:`body_cap` (the cap of a path):

- the ASGI middleware :class:`BodyLimitMiddleware` (``config/asgi.py``) refuses a request whose
  ``Content-Length`` is over the cap without reading its body, and cuts a chunked (or lying)
  body off as soon as the bytes received pass the cap; Django's ASGI handler, which reads the
  whole body into a temporary file before any view runs, never sees more than the cap;
- daphne itself, started through :mod:`accord.core.daphne`, refuses the same way while the
  bytes arrive, before Twisted spools them to a temporary file;
- the upload handler :class:`FileSizeLimitHandler` stops keeping a file's bytes once the file
  passes its own limit, so the service's size check refuses it with a field error.

Only evidence uploads (``EVIDENCE_MAX_BYTES``) and a mediator's profile photo may send more
than ``ACCORD_MAX_BODY_BYTES``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accord.core.api import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]

CODE = "body_too_large"
TOO_LARGE = gettext_noop("The request body is larger than %(cap)d bytes.")
# A mediator's profile photo (accord.mediators.services.PHOTO_MAX_BYTES; a test keeps them equal).
PHOTO_MAX_BYTES = 2 * 1024 * 1024
# Pages may carry a language prefix (i18n_patterns without one for the default language).
_LANG = r"(?:/[a-z]{2}(?:-[a-z]+)?)?"
EVIDENCE_PATHS = (
    re.compile(r"^/api/cases/[^/]+/evidence/$"),
    re.compile(rf"^{_LANG}/cases/[^/]+/evidence/$"),
)
PHOTO_PATHS = (re.compile(rf"^{_LANG}/mediators/.+/profile/$"),)


def evidence_file_limit() -> int:
    return int(settings.EVIDENCE_MAX_BYTES)


def body_cap(path: str) -> int:
    """The largest request body accepted for ``path``, in bytes."""
    overhead = int(settings.ACCORD_UPLOAD_OVERHEAD_BYTES)
    if any(p.match(path) for p in EVIDENCE_PATHS):
        return evidence_file_limit() + overhead
    if any(p.match(path) for p in PHOTO_PATHS):
        return PHOTO_MAX_BYTES + overhead
    return int(settings.ACCORD_MAX_BODY_BYTES)


def file_limit(path: str) -> int:
    """The largest single uploaded file accepted for ``path``."""
    if any(p.match(path) for p in EVIDENCE_PATHS):
        return evidence_file_limit()
    if any(p.match(path) for p in PHOTO_PATHS):
        return PHOTO_MAX_BYTES
    return int(settings.ACCORD_MAX_BODY_BYTES)


def wants_json(path: str) -> bool:
    return path.startswith(("/api/", "/internal/"))


def refusal(path: str, cap: int) -> tuple[bytes, bytes]:
    """``(content type, body)`` of the 413 answer: the API's error shape under ``/api/`` and
    ``/internal/``, a short plain-text page elsewhere; in the default language (the request's
    language is not known yet)."""
    # Translated once Django is set up (always, serving config.asgi).
    message = (_(TOO_LARGE) if apps.ready else TOO_LARGE) % {"cap": cap}
    if wants_json(path):
        body = json.dumps(error_body(CODE, message), ensure_ascii=False).encode()
        return b"application/json", body
    return b"text/plain; charset=utf-8", (message + "\n").encode()


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The ``Content-Length`` header; -1 when it is malformed (refused as too large)."""
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return -1
            return length if length >= 0 else -1
    return None


class BodyLimitMiddleware:
    """ASGI middleware for the HTTP application: see the module's docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path") or "/")
        cap = body_cap(path)
        length = declared_length(list(scope.get("headers") or []))
        if length is not None and (length < 0 or length > cap):
            await self._refuse(send, path, cap)  # the body is never read
            return
        state = {"received": 0, "refused": False, "started": False}

        async def limited_receive() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body") or b"")
                if state["received"] > cap:
                    state["refused"] = True
                    if not state["started"]:
                        await self._refuse(send, path, cap)
                    # The application sees a client that went away: Django stops reading.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return  # the 413 is the answer
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)

    @staticmethod
    async def _refuse(send: Send, path: str, cap: int) -> None:
        content_type, body = refusal(path, cap)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class OversizedUpload(UploadedFile):
    """A file that passed its limit while arriving: its bytes were not kept, only its size
    so far (over the limit), so the service's size check refuses it (``too_large``)."""

    def __init__(self, name: str, content_type: str | None, size: int) -> None:
        from io import BytesIO

        super().__init__(BytesIO(b""), name=name, content_type=content_type, size=size)


class FileSizeLimitHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: counts each file's bytes as they arrive; past the
    path's file limit the rest is dropped (not passed to the memory or temporary-file handler)
    and the file is replaced by an :class:`OversizedUpload`."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False
        self.limit = file_limit(self.request.path if self.request is not None else "/")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.oversized = True
        return None if self.oversized else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.oversized:
            return OversizedUpload(self.file_name or "", self.content_type, self.received)
        return None  # the next handler holds the file
