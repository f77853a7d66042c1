"""The public and the internal listener (docs/security/media.md, docs/operations.md).

daphne binds two endpoints: the public one (behind the reverse proxy) and the internal one
(``ACCORD_INTERNAL_PORT``, reached only by media workers). Which one accepted a request is the
port of the socket in the ASGI scope's ``server`` (Django's ``SERVER_PORT``), not the Host header
a client chooses:

- on the public listener ``/internal/…`` answers 404 with the API's JSON error body;
- on the internal listener only ``/internal/…`` and ``/healthz`` are served (the
  ``config.internal_urls`` URLconf); anything else answers the same 404.

Before the session, static-file and CSRF middlewares in ``MIDDLEWARE`` (right after the
security and API-error ones): a refused request touches no session, cookie or CSRF state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from accord.core.api import error_body

INTERNAL_PREFIX = "/internal/"
INTERNAL_URLCONF = "config.internal_urls"
INTERNAL_PATHS = ("/healthz",)


def listener_port(request: HttpRequest) -> int | None:
    """The port of the listener that accepted ``request`` (None when unknown)."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict):
        server = scope.get("server")
        if isinstance(server, (list, tuple)) and len(server) == 2 and server[1] is not None:
            return int(server[1])
        return None
    raw = request.META.get("SERVER_PORT", "")
    return int(raw) if str(raw).isdigit() else None


def on_internal_listener(request: HttpRequest) -> bool:
    port: int = settings.ACCORD_INTERNAL_PORT
    return port > 0 and listener_port(request) == port


def not_found() -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


class ListenerMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        internal_path = request.path_info.startswith(INTERNAL_PREFIX)
        if on_internal_listener(request):
            if not internal_path and request.path_info not in INTERNAL_PATHS:
                return not_found()
            request.urlconf = INTERNAL_URLCONF
        elif internal_path:
            return not_found()
        return self.get_response(request)


ASGIApp = Callable[..., Awaitable[None]]


def websockets_public_only(app: ASGIApp) -> ASGIApp:
    """WebSockets (the rooms) are served on the public listener only: on the internal one the
    handshake is refused (daphne answers 403) before any consumer runs."""

    async def guarded(
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        port: int = settings.ACCORD_INTERNAL_PORT
        server = scope.get("server")
        listener = server[1] if isinstance(server, (list, tuple)) and len(server) == 2 else None
        if port > 0 and listener is not None and int(listener) == port:
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        await app(scope, receive, send)

    return guarded
