"""The court's side that Accord calls: callbacks and materials, on 127.0.0.1.

``POST /callbacks``
    Verifies the signature under the callback key (401 ``signature_invalid`` and the like on a
    bad one, nothing recorded), then records the event: once per ``event_id``, with a count of
    its deliveries (Accord may deliver an event again; a court deduplicates). 503 while down.
``GET /materials/<name>``
    A file of the materials directory, byte for byte (404 when there is none).
``/_sim/…`` (the simulator's own controls, unauthenticated: it listens on loopback only)
    ``GET /_sim/events`` (what it received), ``POST /_sim/down`` and ``POST /_sim/up``,
    ``PUT /_sim/materials/<name>`` (add a material), ``GET /_sim/health``.

In a test: ``with CourtSimulator(callback_key_id=..., callback_secret=...) as sim:`` runs it in
a thread; ``python -m infra.court_sim serve`` runs it as a process.
"""

from __future__ import annotations

import json
import mimetypes
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from infra.court_sim.signing import SignatureRefused, Verifier

HOST = "127.0.0.1"
CALLBACK_PATH = "/callbacks"
MAX_BODY = 64 * 1024 * 1024


def _safe_name(name: str) -> str | None:
    """A material's file name, or ``None`` when it could leave the directory."""
    name = unquote(name)
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        return None
    return name


class CourtSimulator:
    """A court's callback endpoint and material server. Events are kept in memory (and
    appended as JSON lines to ``events_file`` when given); materials live in
    ``materials_dir`` (a temporary directory when none is given)."""

    def __init__(
        self,
        *,
        callback_key_id: str,
        callback_secret: str,
        port: int = 0,
        materials_dir: str | Path | None = None,
        events_file: str | Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifier = Verifier({callback_key_id: callback_secret}, clock=clock)
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if materials_dir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="court-sim-")
            materials_dir = self._tempdir.name
        self.materials_dir = Path(materials_dir)
        self.materials_dir.mkdir(parents=True, exist_ok=True)
        self.events_file = Path(events_file) if events_file else None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._events: list[dict[str, Any]] = []  # one per event id, in arrival order
        self._deliveries: dict[str, int] = {}
        self._refused: list[dict[str, str]] = []  # callbacks refused, with the code answered
        self._down = False
        self._thread: threading.Thread | None = None
        self.httpd = ThreadingHTTPServer((HOST, port), _handler_for(self))
        self.httpd.daemon_threads = True

    # --- Where it is -----------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def callback_url(self) -> str:
        return self.url + CALLBACK_PATH

    @property
    def netloc(self) -> str:
        """``127.0.0.1:<port>``: what a docking's material hosts must list."""
        return f"{HOST}:{self.port}"

    def material_url(self, name: str) -> str:
        from urllib.parse import quote

        return f"{self.url}/materials/{quote(name, safe='')}"

    # --- Running ---------------------------------------------------------------

    def start(self) -> CourtSimulator:
        """Serve in a daemon thread (for tests); :meth:`stop` ends it."""
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name=f"court-sim-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (for the ``serve`` command)."""
        try:
            self.httpd.serve_forever()
        finally:
            self.close()

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.close()

    def close(self) -> None:
        self.httpd.server_close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> CourtSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- Down and up -------------------------------------------------------------

    def down(self) -> None:
        """From now on ``POST /callbacks`` answers 503 (the court's system is unavailable)."""
        with self._lock:
            self._down = True

    def up(self) -> None:
        with self._lock:
            self._down = False

    @property
    def is_down(self) -> bool:
        with self._lock:
            return self._down

    # --- What it received --------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        """The bodies of the events received, one per event id, in arrival order."""
        with self._lock:
            return [dict(record["body"]) for record in self._events]

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event.get("event") == kind]

    def deliveries(self, event_id: str) -> int:
        """How many times the event was delivered (accepted with a good signature)."""
        with self._lock:
            return self._deliveries.get(event_id, 0)

    def records(self) -> list[dict[str, Any]]:
        """What ``GET /_sim/events`` lists: each event with its deliveries."""
        with self._lock:
            return [
                {**record, "deliveries": self._deliveries[record["event_id"]]}
                for record in self._events
            ]

    def wait_for(self, kind: str, *, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        """Wait until ``count`` events of ``kind`` arrived (for a sender in another process)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [r["body"] for r in self._events if r["body"].get("event") == kind]
                if len(found) >= count:
                    return [dict(body) for body in found]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{count} {kind!r} event(s) did not arrive in {timeout} s")
                self._changed.wait(left)

    @property
    def refused(self) -> list[dict[str, str]]:
        """The callbacks refused, each with the code answered (``down`` for a 503)."""
        with self._lock:
            return list(self._refused)

    def refuse(self, code: str, path: str) -> None:
        with self._lock:
            self._refused.append({"code": code, "path": path})

    def record(self, body: dict[str, Any]) -> bool:
        """Keep a verified event; ``True`` when its event id is new."""
        event_id = str(body.get("event_id", ""))
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._changed:
            new = event_id not in self._deliveries
            self._deliveries[event_id] = self._deliveries.get(event_id, 0) + 1
            if new:
                self._events.append({"event_id": event_id, "received_at": now, "body": body})
            if self.events_file is not None:
                line = {"received_at": now, "duplicate": not new, "body": body}
                with self.events_file.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            self._changed.notify_all()
        return new

    # --- Materials ---------------------------------------------------------------

    def add_material(self, name: str, data: bytes) -> str:
        """Write a material; returns its URL."""
        safe = _safe_name(name)
        if safe is None:
            raise ValueError(f"not a plain file name: {name!r}")
        (self.materials_dir / safe).write_bytes(data)
        return self.material_url(safe)


def _handler_for(sim: CourtSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        simulator = sim

    return Handler


class _Handler(BaseHTTPRequestHandler):
    simulator: CourtSimulator
    server_version = "AccordCourtSimulator/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: a test's output is not the place for an access log

    # --- Answers -------------------------------------------------------------------

    def _send(
        self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8"
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def _error(self, status: int, code: str, message: str) -> None:
        self._json(status, {"error": {"code": code, "message": message}})

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._error(413, "too_large", "The body is too large or its length is unknown.")
            return None
        return self.rfile.read(length) if length else b""

    # --- Routes ----------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        sim = self.simulator
        if path == "/_sim/events":
            self._json(200, {"events": sim.records(), "refused": sim.refused})
        elif path == "/_sim/health":
            self._json(200, {"ok": True, "down": sim.is_down})
        elif path.startswith("/materials/"):
            self._material(path.removeprefix("/materials/"))
        else:
            self._error(404, "not_found", "No such resource on the court simulator.")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        sim = self.simulator
        body = self._body()
        if body is None:
            return
        if path == CALLBACK_PATH:
            self._callback(body)
        elif path == "/_sim/down":
            sim.down()
            self._json(200, {"down": True})
        elif path == "/_sim/up":
            sim.up()
            self._json(200, {"down": False})
        else:
            self._error(404, "not_found", "No such resource on the court simulator.")

    def do_PUT(self) -> None:
        path = urlsplit(self.path).path
        body = self._body()
        if body is None:
            return
        if not path.startswith("/_sim/materials/"):
            self._error(404, "not_found", "No such resource on the court simulator.")
            return
        name = _safe_name(path.removeprefix("/_sim/materials/"))
        if name is None:
            self._error(400, "invalid_name", "A material's name is a plain file name.")
            return
        url = self.simulator.add_material(name, body)
        self._json(201, {"name": name, "url": url, "size": len(body)})

    def _material(self, raw_name: str) -> None:
        name = _safe_name(raw_name)
        file = self.simulator.materials_dir / name if name else None
        if file is None or not file.is_file():
            self._error(404, "not_found", "No such material.")
            return
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        self._send(200, file.read_bytes(), content_type)

    def _callback(self, body: bytes) -> None:
        sim = self.simulator
        if sim.is_down:
            sim.refuse("down", self.path)
            self._error(503, "unavailable", "The court's system is down (simulated).")
            return
        try:
            sim.verifier.verify(self.command, self.path, self.headers, body)
        except SignatureRefused as exc:
            sim.refuse(exc.code, self.path)
            self._error(401, exc.code, exc.message)
            return
        try:
            event = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            event = None
        if not isinstance(event, dict) or not event.get("event_id") or not event.get("event"):
            sim.refuse("invalid_body", self.path)
            self._error(400, "invalid_body", "A callback is a JSON object with event_id, event.")
            return
        new = sim.record(event)
        self._json(200, {"received": event["event_id"], "duplicate": not new})
