"""Request bodies are capped before anything buffers them (accord.core.bodylimit), and
daphne started through accord.core.daphne refuses over-large bodies and WebSocket messages
itself (docs/security/limits.md)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory

from accord.core import bodylimit
from accord.core.bodylimit import BodyLimitMiddleware, FileSizeLimitHandler, OversizedUpload
from accord.mediators.services import PHOTO_MAX_BYTES
from infra.procs import free_port

REPO = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024


class Recorder:
    """The application behind the middleware: reads the whole body, counts it, answers 200."""

    def __init__(self) -> None:
        self.called = False
        self.received = 0
        self.saw_disconnect = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.saw_disconnect = True
                return
            self.received += len(message.get("body") or b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def http_scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }


async def response_of(
    communicator: ApplicationCommunicator,
) -> tuple[int, dict[bytes, bytes], bytes]:
    start = await communicator.receive_output(5)
    body = await communicator.receive_output(5)
    return start["status"], dict(start["headers"]), body["body"]


# --- The ASGI middleware -------------------------------------------------------------


async def test_an_oversized_content_length_is_refused_without_reading_the_body(settings):
    settings.ACCORD_MAX_BODY_BYTES = 1000
    app = Recorder()
    scope = http_scope("/api/cases/", [(b"content-length", b"1001")])
    communicator = ApplicationCommunicator(BodyLimitMiddleware(app), scope)
    await communicator.send_input({"type": "http.request", "body": b"x" * 1001})
    status, headers, body = await response_of(communicator)
    assert status == 413
    assert headers[b"content-type"] == b"application/json"
    error = json.loads(body)["error"]
    assert (error["code"], error["fields"]) == ("body_too_large", {})
    assert "1000" in error["message"]
    assert not app.called
    # The body message is still waiting: nobody read it.
    assert communicator.input_queue.qsize() == 1
    await communicator.wait(5)


async def test_a_page_gets_a_plain_refusal(settings):
    settings.ACCORD_MAX_BODY_BYTES = 1000
    scope = http_scope("/accounts/signin/", [(b"content-length", b"5000")])
    communicator = ApplicationCommunicator(BodyLimitMiddleware(Recorder()), scope)
    status, headers, body = await response_of(communicator)
    assert status == 413
    assert headers[b"content-type"].startswith(b"text/plain")
    assert b"1000" in body


async def test_a_malformed_content_length_is_refused(settings):
    scope = http_scope("/api/cases/", [(b"content-length", b"12abc")])
    communicator = ApplicationCommunicator(BodyLimitMiddleware(Recorder()), scope)
    status, _headers, _body = await response_of(communicator)
    assert status == 413


@pytest.mark.parametrize(
    "headers",
    [[(b"transfer-encoding", b"chunked")], [(b"content-length", b"100")]],
    ids=["chunked", "lying-length"],
)
async def test_a_stream_is_cut_off_once_it_passes_the_cap(settings, headers):
    settings.ACCORD_MAX_BODY_BYTES = 10_000
    app = Recorder()
    communicator = ApplicationCommunicator(BodyLimitMiddleware(app), http_scope("/api/x/", headers))
    chunk = b"y" * 3000
    for _ in range(10):  # 30 000 bytes offered, 10 000 allowed
        await communicator.send_input({"type": "http.request", "body": chunk, "more_body": True})
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    status, _headers, body = await response_of(communicator)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "body_too_large"
    # The application got at most the cap and then a disconnect; the rest was never read.
    assert app.saw_disconnect
    assert app.received <= 10_000
    assert communicator.input_queue.qsize() == 10 - 4 + 1
    await communicator.wait(5)


async def test_a_body_within_the_cap_goes_through(settings):
    settings.ACCORD_MAX_BODY_BYTES = 10_000
    app = Recorder()
    communicator = ApplicationCommunicator(
        BodyLimitMiddleware(app), http_scope("/api/x/", [(b"transfer-encoding", b"chunked")])
    )
    await communicator.send_input({"type": "http.request", "body": b"z" * 6000, "more_body": True})
    await communicator.send_input({"type": "http.request", "body": b"z" * 4000})
    status, _headers, body = await response_of(communicator)
    assert (status, body, app.received) == (200, b"ok", 10_000)


def test_uploads_get_their_file_limit_plus_the_multipart_overhead(settings):
    settings.EVIDENCE_MAX_BYTES = 20 * MiB
    settings.ACCORD_UPLOAD_OVERHEAD_BYTES = 64 * 1024
    settings.ACCORD_MAX_BODY_BYTES = MiB
    evidence = 20 * MiB + 64 * 1024
    assert bodylimit.body_cap("/api/cases/C-2026-1/evidence/") == evidence
    assert bodylimit.body_cap("/cases/C-2026-1/evidence/") == evidence
    assert bodylimit.body_cap("/en/cases/C-2026-1/evidence/") == evidence
    assert bodylimit.body_cap("/mediators/manage/org/7/profile/") == PHOTO_MAX_BYTES + 64 * 1024
    # Anything else, an evidence file's download included, gets the small default.
    assert bodylimit.body_cap("/api/cases/") == MiB
    assert bodylimit.body_cap("/api/cases/C-2026-1/evidence/abc/") == MiB
    assert bodylimit.body_cap("/internal/media/segments/") == MiB
    assert bodylimit.PHOTO_MAX_BYTES == PHOTO_MAX_BYTES


# --- The upload handler ----------------------------------------------------------------


def multipart(file_bytes: bytes) -> tuple[bytes, str]:
    boundary = "limits-boundary"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body += file_bytes + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def parse_upload(path: str, file_bytes: bytes) -> tuple[Any, MemoryFileUploadHandler]:
    body, content_type = multipart(file_bytes)
    request = RequestFactory().post(path, data=body, content_type=content_type)
    memory = MemoryFileUploadHandler(request)
    handlers = [FileSizeLimitHandler(request), memory]
    meta = {**request.META, "CONTENT_LENGTH": str(len(body))}
    parser = MultiPartParser(meta, io.BytesIO(body), handlers, "utf-8")
    _post, files = parser.parse()
    return files["file"], memory


def test_a_file_over_its_limit_is_dropped_while_it_arrives(settings):
    settings.EVIDENCE_MAX_BYTES = 100_000
    upload, memory = parse_upload("/api/cases/C-1/evidence/", b"%PDF-" + b"p" * 300_000)
    assert isinstance(upload, OversizedUpload)
    assert (upload.size or 0) > 100_000
    assert upload.read() == b""
    # The memory handler stopped getting bytes at the limit (plus at most one chunk).
    assert len(memory.file.getvalue()) <= 100_000  # type: ignore[attr-defined]


def test_a_file_within_its_limit_is_kept_whole(settings):
    settings.EVIDENCE_MAX_BYTES = 100_000
    data = b"%PDF-" + b"p" * 50_000
    upload, _memory = parse_upload("/api/cases/C-1/evidence/", data)
    assert not isinstance(upload, OversizedUpload)
    assert upload.read() == data


# --- daphne through accord.core.daphne ---------------------------------------------------


@pytest.fixture
def daphne_server() -> Iterator[int]:
    """``python -m accord.core.daphne`` serving tests/core/limits_app.py, with small limits."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ACCORD_MAX_BODY_BYTES": "4096",
        "ACCORD_WS_MAX_MESSAGE_BYTES": "2048",
    }
    argv = [sys.executable, "-m", "accord.core.daphne", "-b", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(
        [*argv, "tests.core.limits_app:application"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "daphne exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "daphne did not listen"
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def raw_http(port: int, head: bytes, body_chunks: list[bytes]) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        for chunk in body_chunks:
            try:
                sock.sendall(chunk)
            except OSError:
                break  # the server closed the connection: it refused
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
        return answer


@pytest.mark.slow
def test_daphne_refuses_bodies_over_the_cap_before_buffering(daphne_server):
    port = daphne_server
    declared = (
        b"POST /api/cases/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
    )
    answer = raw_http(port, declared, [])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "body_too_large"

    chunked = b"POST /api/cases/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"800\r\n" + b"c" * 0x800 + b"\r\n"  # 2048 bytes each; the cap is 4096
    answer = raw_http(port, chunked, [chunk] * 3 + [b"0\r\n\r\n"])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]

    small = (
        b"POST /api/cases/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Length: 10\r\n\r\n"
    )
    answer = raw_http(port, small + b"0123456789", [])
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'{"received": 10}' in answer  # the application read the whole (small) body


@pytest.mark.slow
def test_daphne_closes_a_websocket_that_sends_a_too_large_message(daphne_server):
    async def talk() -> tuple[str, int | None]:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{daphne_server}/ws/"
            async with http.ws_connect(url) as ws:
                await ws.send_str("a" * 100)
                echo = (await ws.receive(5)).data
                await ws.send_str("b" * 5000)
                message = await ws.receive(5)
                assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                return echo, ws.close_code

    echo, code = asyncio.run(talk())
    assert echo == "echo 100"
    assert code == 1009  # "message too big", from the protocol before the application
