"""A local stand-in of Have I Been Pwned's Pwned Passwords range API
(https://haveibeenpwned.com/API/v3#PwnedPasswords): ``GET /range/{first 5 hex of SHA-1}``
answers ``text/plain`` lines ``SUFFIX:COUNT`` (35 upper-case hex digits, a colon, a count)
for every breached hash with that prefix; with the ``Add-Padding: true`` header it adds
random suffixes with a count of 0. A prefix that is not 5 hex digits gets 400, as the real
API answers. It keeps the paths it was asked, to show that only the prefix leaves.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_RANGE = re.compile(r"^/range/([0-9A-Fa-f]{5})$")


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


@dataclass
class PwnedStandIn:
    """Serve ``breached`` (password → count); ``delay`` seconds before each answer."""

    breached: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    status: int = 200
    paths: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> PwnedStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                standin.paths.append(self.path)
                standin.headers.append({k.lower(): v for k, v in self.headers.items()})
                if standin.delay:
                    time.sleep(standin.delay)
                match = _RANGE.match(self.path)
                if standin.status != 200 or match is None:
                    self.send_response(standin.status if match else 400)
                    self.end_headers()
                    return
                prefix = match.group(1).upper()
                lines = [
                    f"{digest[5:]}:{count}"
                    for digest, count in ((sha1_hex(p), c) for p, c in standin.breached.items())
                    if digest.startswith(prefix)
                ]
                if self.headers.get("Add-Padding", "").lower() == "true":
                    lines += [f"{secrets.token_hex(18)[:35].upper()}:0" for _ in range(5)]
                body = "\r\n".join(lines).encode("ascii")
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): nothing to answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
