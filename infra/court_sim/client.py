"""A court's client of Accord's court API (``/api/court/v1/``), signing every request.

Every method returns the HTTP status and the parsed JSON body (``None`` when the body is not
JSON) and never raises on an HTTP error status: a 4xx is an answer a court has to handle
(``{"error": {"code", "message", "fields"}}``). Only a failure to connect raises (``OSError``).
The one exception is :meth:`CourtClient.confirmation_package`, which returns the zip's bytes
and raises :class:`CourtAPIError` when there is no zip to return.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

from infra.court_sim.signing import sign_headers

API_PREFIX = "/api/court/v1/"


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, ValueError):
            return None


class CourtAPIError(Exception):
    """Raised only by :meth:`CourtClient.confirmation_package` (see the module's docstring)."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body!r}")
        self.status = status
        self.body = body


def api_base(base_url: str) -> str:
    """``http://host:port`` or a URL already ending in the API prefix → the API's base URL."""
    base = base_url.rstrip("/")
    if not urlsplit(base).path.rstrip("/").endswith(API_PREFIX.rstrip("/")):
        base += API_PREFIX.rstrip("/")
    return base + "/"


class CourtClient:
    def __init__(self, base_url: str, key_id: str, secret: str, *, timeout: float = 15) -> None:
        self.base_url = api_base(base_url)
        self.key_id = key_id
        self.secret = secret
        self.timeout = timeout

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    def request_raw(self, method: str, path: str, body: Any = None) -> RawResponse:
        """Sign and send; ``path`` is relative to the API base (``entrustments/…``), ``body``
        is JSON-encoded unless it is bytes already."""
        url = self.url(path)
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        parts = urlsplit(url)
        signed_path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        headers = sign_headers(
            key_id=self.key_id, secret=self.secret, method=method, path=signed_path, body=data
        )
        headers["Accept"] = "application/json"
        if data:
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(  # noqa: S310 - the URL the operator gave
            url, data=data if method.upper() not in ("GET", "HEAD") else None, method=method
        )
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return RawResponse(int(response.status), dict(response.headers), response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return RawResponse(int(exc.code), dict(exc.headers), exc.read())

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = self.request_raw(method, path, body)
        return response.status, response.json()

    # --- The court API ---------------------------------------------------------

    def push_entrustment(self, body: dict[str, Any]) -> tuple[int, Any]:
        return self.request("POST", "entrustments", body)

    def get_entrustment(self, entrustment_id: str) -> tuple[int, Any]:
        return self.request("GET", f"entrustments/{quote(str(entrustment_id), safe='')}")

    def require_recusal(self, entrustment_id: str, reason: str) -> tuple[int, Any]:
        path = f"entrustments/{quote(str(entrustment_id), safe='')}/recusals"
        return self.request("POST", path, {"reason": reason})

    def list_confirmations(self, status: str | None = "filed") -> tuple[int, Any]:
        query = f"?{urlencode({'status': status})}" if status else ""
        return self.request("GET", f"confirmations{query}")

    def get_confirmation(self, confirmation_id: str) -> tuple[int, Any]:
        return self.request("GET", f"confirmations/{quote(str(confirmation_id), safe='')}")

    def confirmation_package(self, confirmation_id: str) -> bytes:
        path = f"confirmations/{quote(str(confirmation_id), safe='')}/package"
        response = self.request_raw("GET", path)
        if response.status != 200:
            raise CourtAPIError(response.status, response.json())
        return response.body

    def record_outcome(
        self,
        confirmation_id: str,
        *,
        outcome: str,
        ruling_no: str = "",
        decided_on: str = "",
        reason: str = "",
    ) -> tuple[int, Any]:
        """``outcome`` is ``confirmed`` or ``rejected``; ``decided_on`` is ``YYYY-MM-DD``."""
        body: dict[str, Any] = {"outcome": outcome}
        if ruling_no:
            body["ruling_no"] = ruling_no
        if decided_on:
            body["decided_on"] = decided_on
        if reason:
            body["reason"] = reason
        path = f"confirmations/{quote(str(confirmation_id), safe='')}/outcome"
        return self.request("POST", path, body)
