"""Daphne hands every request body to Django unread (issue 13).

Twisted's ``http.Request`` parses a POST's ``multipart/form-data`` body into ``request.args``
before the server sees the request, and answers a body it cannot parse (no boundary, no parts)
with a bare ``400 Bad Request`` and no body, closing the connection: the API's clients got no
JSON error, and Django never saw the request. Daphne never reads ``request.args`` (it passes the
raw body to the ASGI application), so the parse is pure waste, and a memory cost for large
uploads: turned off here (Twisted's own ``parsePOSTFormSubmission`` switch). Django's and DRF's
parsers then read the body and refuse a malformed one with the documented JSON error.
"""

from __future__ import annotations

from typing import Any


def leave_request_bodies_to_django() -> None:
    """Make daphne's requests skip Twisted's form parsing. Idempotent; no-op without daphne."""
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:  # pragma: no cover - daphne is a runtime dependency
        return
    if getattr(WebRequest, "_accord_bodies_unparsed", False):
        return
    original_init = WebRequest.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False

    WebRequest.__init__ = __init__
    WebRequest._accord_bodies_unparsed = True
