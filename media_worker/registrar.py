"""The worker's client for the web's recording endpoints (docs/recording.md, "Web endpoints");
paths, bodies and codes are the contract's (`media_contract.registration`).

Standard library only: one JSON POST per call through urllib, run in a thread so the event
loop keeps forwarding media. Every answer is reduced to what the uploader must do next.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from media_contract.registration import (
    FLUSHED,
    INTERRUPTIONS,
    OBJECT_MISSING,
    SEGMENTS,
    WORKER_MISMATCH,
    WORKER_NOT_ASSIGNED,
    FlushedBody,
    InterruptionBody,
    SegmentBody,
)

logger = logging.getLogger(__name__)

OK_STATUSES = frozenset({200, 201, 202})
# Answers that retrying the same request cannot change. 422 is only partly so: its
# `object_missing` asks for the object to be uploaded again (the uploader handles that).
REFUSED_STATUSES = frozenset({400, 404, 409, 422})
# A 403 with these codes: the web knows this worker and will never take this report from it.
REFUSED_FORBIDDEN_CODES = frozenset({WORKER_MISMATCH, WORKER_NOT_ASSIGNED})


class Outcome(enum.Enum):
    OK = "ok"
    REFUSED = "refused"
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    status: int | None
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def object_missing(self) -> bool:
        return self.status == 422 and self.code == OBJECT_MISSING

    def __str__(self) -> str:
        status = "no answer" if self.status is None else f"HTTP {self.status}"
        code = f" {self.code}" if self.code else ""
        return f"{self.outcome.value} ({status}{code}): {self.message}"


class Registrar:
    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        scheme = urlsplit(base_url).scheme
        if scheme not in {"http", "https"}:
            raise ValueError(f"ACCORD_INTERNAL_URL must be http(s), got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        # The web's internal address is reached directly, never through an HTTP(S)_PROXY.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def enabled(self) -> bool:
        """Without MEDIA_WORKER_TOKEN the web would answer 401 to everything."""
        return bool(self.token)

    async def register_segment(self, meta: SegmentBody) -> Answer:
        return await self.post(SEGMENTS, meta)

    async def report_interruption(self, body: InterruptionBody) -> Answer:
        return await self.post(INTERRUPTIONS, body)

    async def report_flushed(self, session: str, worker: str) -> Answer:
        return await self.post(FLUSHED, FlushedBody(session=session, worker=worker))

    async def post(self, path: str, body: Mapping[str, Any]) -> Answer:
        return await asyncio.to_thread(self._post, path, body)

    def _post(self, path: str, body: Mapping[str, Any]) -> Answer:
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.base_url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = int(response.status)
                response.read()
        except urllib.error.HTTPError as error:
            with error:
                return _classify(error.code, error.read())
        except OSError as exc:
            reason = getattr(exc, "reason", exc)
            return Answer(Outcome.RETRY, None, message=f"{path}: {reason}")
        return _classify(status, b"")


def _classify(status: int, payload: bytes) -> Answer:
    code, message = _envelope(payload)
    if status in OK_STATUSES:
        return Answer(Outcome.OK, status, code, message)
    if status in REFUSED_STATUSES or (status == 403 and code in REFUSED_FORBIDDEN_CODES):
        return Answer(Outcome.REFUSED, status, code, message)
    # 5xx, 401/other 403s (a token being rotated), 429 and anything unforeseen: the segment stays
    # and the request is made again later, never dropped.
    return Answer(Outcome.RETRY, status, code, message or f"HTTP {status}")


def _envelope(payload: bytes) -> tuple[str, str]:
    """(code, message) of the API error envelope `{"error": {"code", "message", "fields"}}`."""
    try:
        data = json.loads(payload) if payload else None
    except ValueError:
        return "", payload[:200].decode("utf-8", "replace")
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return "", ""
    message = str(error.get("message", ""))
    fields = error.get("fields")
    if fields:
        message = f"{message} {json.dumps(fields)}".strip()
    return str(error.get("code", "")), message
