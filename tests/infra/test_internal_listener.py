"""daphne as `make up` starts it (infra.stack.app_argv) with its two endpoints: the media
endpoints answer on the internal listener only, whatever Host the request names
(config.listeners; docs/security/media.md)."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import time
from typing import Any

import pytest

from config.listeners import websockets_public_only
from infra.procs import free_ports
from infra.stack import app_argv, media_workers
from infra.testprocs import StackProcesses

pytestmark = pytest.mark.slow

TOKEN = secrets.token_urlsafe(32)


def request(
    port: int, method: str, path: str, body: Any = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **headers} if data else dict(headers)
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        answer = dict(response.getheaders())
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return response.status, answer, parsed
    finally:
        connection.close()


def wait_listening(port: int, log: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request(port, "GET", "/favicon.ico")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"daphne did not listen on {port}:\n{log()}")


@pytest.fixture(scope="module")
def daphne(tmp_path_factory):
    stack_processes = StackProcesses(
        work_dir=tmp_path_factory.mktemp("listeners"), env={**os.environ, "ACCORD_DEMO": "1"}
    )
    public, internal = free_ports(2)
    env = {
        "STACK_WEB_PORT": str(public),
        "ACCORD_INTERNAL_PORT": str(internal),
        "ACCORD_MEDIA_WORKERS": media_workers({"mw-1": TOKEN}),
    }
    assert app_argv("web", env)[-3:-1] == ["-e", f"tcp:port={internal}:interface=127.0.0.1"]
    stack_processes.start("web", **env)
    for port in (public, internal):
        wait_listening(port, lambda: stack_processes.log_tail("web"))
    try:
        yield public, internal
    finally:
        stack_processes.stop_all()


def test_the_public_listener_answers_404_json_to_the_media_endpoints(daphne):
    public, internal = daphne
    for host in ("127.0.0.1", f"127.0.0.1:{internal}"):
        status, headers, body = request(
            public,
            "POST",
            "/internal/media/segments",
            {},
            Host=host,
            Authorization=f"Bearer {TOKEN}",
        )
        assert status == 404
        assert headers["Content-Type"] == "application/json"
        assert body["error"]["code"] == "not_found"


def test_the_internal_listener_takes_the_workers_token(daphne):
    _public, internal = daphne
    status, headers, body = request(internal, "POST", "/internal/media/segments", {})
    assert (status, body["error"]["code"]) == (401, "not_authenticated")
    assert headers["WWW-Authenticate"] == "Bearer"
    status, _headers, body = request(
        internal,
        "POST",
        "/internal/media/segments",
        {},
        Authorization=f"Bearer {hashlib.sha256(TOKEN.encode()).hexdigest()}",
    )
    assert (status, body["error"]["code"]) == (401, "authentication_failed")
    # The right token reaches the view: the empty body is the contract's `malformed`.
    status, _headers, body = request(
        internal, "POST", "/internal/media/segments", {}, Authorization=f"Bearer {TOKEN}"
    )
    assert (status, body["error"]["code"]) == (400, "malformed")


def test_the_internal_listener_serves_no_pages(daphne):
    _public, internal = daphne
    for path in ("/", "/accounts/login/", "/api/schema/", "/django-admin/"):
        status, headers, body = request(internal, "GET", path)
        assert (status, body["error"]["code"]) == (404, "not_found"), path
        assert "Set-Cookie" not in headers


async def test_websockets_are_refused_on_the_internal_listener(settings):
    settings.ACCORD_INTERNAL_PORT = 8001
    reached: list[int] = []

    async def rooms(scope, receive, send):
        reached.append(scope["server"][1])

    guarded = websockets_public_only(rooms)
    sent: list[dict[str, Any]] = []

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    await guarded({"type": "websocket", "server": ("127.0.0.1", 8001)}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008}] and reached == []
    await guarded({"type": "websocket", "server": ("127.0.0.1", 8000)}, receive, send)
    assert reached == [8000]
