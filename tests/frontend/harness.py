"""A room page served from frontend/ inside Playwright, with the signaling WebSocket replaced by
a scripted fake server (Playwright's route_web_socket): the client's behaviour on the protocol
(docs/rooms-protocol.md) is tested without Django or a media worker."""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, Route, WebSocketRoute

from accord.core.security_headers import page_policy_for

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
ORIGIN = "http://localhost:47999"  # localhost: a secure context, so getUserMedia exists
# The pages are served under the web's own Content-Security-Policy (accord.core.security_headers):
# the conftest fails a test whose page logs a violation.
PAGE_HEADERS = {"Content-Security-Policy": page_policy_for("localhost:47999", secure=False)}
SESSION_ID = "3f1c9a52-0000-4000-8000-000000000001"


def page_html(shell: str) -> str:
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        '<link rel=stylesheet href="/static/css/accord.css">'
        '<link rel=stylesheet href="/static/css/room.css"></head>'
        f"<body>{shell}</body></html>"
    )


def room_shell(**data: str) -> str:
    attrs = " ".join(f'data-{k.replace("_", "-")}="{escape(v)}"' for k, v in data.items())
    script = '<script type="module" src="/static/js/room/main.js"></script>'
    return f'<section id="room" {attrs}></section>{script}'


class FakeServer:
    """Every socket the page opens; frames the client sent, decoded."""

    def __init__(self) -> None:
        self.sockets: list[WebSocketRoute] = []
        self.received: list[dict[str, Any]] = []
        self.on_connect: Callable[[FakeServer, WebSocketRoute], None] | None = None
        self.on_frame: Callable[[dict[str, Any]], None] | None = None

    def handle(self, ws: WebSocketRoute) -> None:
        self.sockets.append(ws)
        ws.on_message(self._received)
        if self.on_connect is not None:
            self.on_connect(self, ws)

    def _received(self, message: str | bytes) -> None:
        frame = json.loads(message)
        self.received.append(frame)
        if self.on_frame is not None:
            self.on_frame(frame)

    def send(self, frame: dict[str, Any], ws: WebSocketRoute | None = None) -> None:
        (ws or self.sockets[-1]).send(json.dumps(frame))

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.received if f.get("type") == kind]

    def wait_for(self, page: Page, kind: str, count: int = 1, timeout: float = 10.0) -> dict:
        """The `count`-th frame of `kind` the client sent (pumping Playwright's events)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frames = self.of_type(kind)
            if len(frames) >= count:
                return frames[count - 1]
            page.wait_for_timeout(50)
        raise AssertionError(
            f"no {count}× {kind!r} frame; got {[f['type'] for f in self.received]}"
        )


def serve_static(context: BrowserContext, pages: dict[str, str]) -> None:
    def handler(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        if path in pages:
            route.fulfill(
                status=200, content_type="text/html", headers=PAGE_HEADERS, body=pages[path]
            )
            return
        if path.startswith("/static/"):
            file = (FRONTEND / path.removeprefix("/static/")).resolve()
            if file.is_relative_to(FRONTEND) and file.is_file():
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if file.suffix == ".js":
                    kind = "text/javascript"
                route.fulfill(status=200, content_type=kind, body=file.read_bytes())
                return
        if path == "/healthz":
            route.fulfill(status=200, content_type="application/json", body='{"status":"ok"}')
            return
        route.fulfill(status=404, body="not found")

    context.route(f"{ORIGIN}/**", handler)


def open_room(
    context: BrowserContext,
    *,
    role: str = "mediator",
    participant_id: str = "1",
    name: str = "Mia",
    lang: str = "en",
) -> tuple[Page, FakeServer]:
    server = FakeServer()
    serve_static(
        context,
        {
            "/room": page_html(
                room_shell(
                    session_id=SESSION_ID,
                    participant_id=participant_id,
                    role=role,
                    name=name,
                    ws_url=f"/ws/rooms/{SESSION_ID}/",
                    lang=lang,
                    slots="6",
                )
            )
        },
    )
    page = context.new_page()
    page.route_web_socket(f"ws://localhost:47999/ws/rooms/{SESSION_ID}/", server.handle)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{ORIGIN}/room")
    page.errors = errors  # type: ignore[attr-defined]
    return page, server
