"""A tiny HTTP server standing in for the web's /internal/media/* endpoints.

The real endpoints are tested on the web's side; here they are an edge of the worker. The stub
records every request and answers with what the test's `answer` function returns (201 by
default).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "test-media-token"


@dataclass
class Call:
    path: str
    body: dict[str, Any]
    authorization: str
    status: int = 0


Answer = Callable[[Call], tuple[int, dict[str, Any] | None]]


def created(call: Call) -> tuple[int, dict[str, Any] | None]:
    return (202 if call.path.endswith("/flushed") else 201), {}


def error(status: int, code: str, message: str = "") -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": code, "message": message or code, "fields": {}}}


@dataclass
class WebStub:
    url: str = ""
    answer: Answer = created
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self, path: str) -> list[dict[str, Any]]:
        """Bodies the stub answered 2xx to on `path`, in order."""
        with self.lock:
            return [c.body for c in self.calls if c.path == path and 200 <= c.status < 300]

    def keys(self) -> list[str]:
        return [body["key"] for body in self.accepted("/internal/media/segments")]


@contextmanager
def web_stub() -> Iterator[WebStub]:
    stub = WebStub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            call = Call(self.path, body, self.headers.get("Authorization", ""))
            payload: dict[str, Any] | None
            if call.authorization != f"Bearer {TOKEN}":
                status, payload = error(401, "unauthorized")
            else:
                status, payload = stub.answer(call)
            call.status = status
            with stub.lock:
                stub.calls.append(call)
            data = json.dumps(payload or {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
