"""The registration client over a real HTTP socket: what each answer means to the uploader."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from media_contract.registration import INTERRUPTIONS, SEGMENTS
from media_worker.registrar import Outcome, Registrar
from tests.media_worker.webstub import TOKEN, WebStub, error, web_stub


@pytest.fixture
def web() -> Iterator[WebStub]:
    with web_stub() as stub:
        yield stub


async def test_posts_json_with_the_bearer_token_to_the_three_endpoints(web):
    registrar = Registrar(web.url + "/", TOKEN)
    assert (await registrar.post(SEGMENTS, {"key": "s/p/camera/x.webm"})).outcome is Outcome.OK
    assert (await registrar.post(INTERRUPTIONS, {"reason": "worker_restart"})).ok
    flushed = await registrar.report_flushed("s", "mw-1")
    assert flushed.ok and flushed.status == 202
    assert [(c.path, c.authorization) for c in web.calls] == [
        ("/internal/media/segments", f"Bearer {TOKEN}"),
        ("/internal/media/interruptions", f"Bearer {TOKEN}"),
        ("/internal/media/flushed", f"Bearer {TOKEN}"),
    ]
    assert web.calls[2].body == {"session": "s", "worker": "mw-1"}


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (200, "", Outcome.OK),
        (409, "segment_conflict", Outcome.REFUSED),
        (404, "unknown_session", Outcome.REFUSED),
        (404, "unknown_participant", Outcome.REFUSED),
        (422, "object_missing", Outcome.REFUSED),
        (400, "malformed", Outcome.REFUSED),
        # Another worker's room, or a body speaking for another worker: never accepted.
        (403, "worker_not_assigned", Outcome.REFUSED),
        (403, "worker_mismatch", Outcome.REFUSED),
        (403, "permission_denied", Outcome.RETRY),
        (500, "server_error", Outcome.RETRY),
        (503, "unavailable", Outcome.RETRY),
        (429, "throttled", Outcome.RETRY),
    ],
)
async def test_answers_map_to_outcomes_with_the_envelope_code(web, status, code, outcome):
    web.answer = lambda call: error(status, code, "because") if code else (status, {})
    answer = await Registrar(web.url, TOKEN).post(SEGMENTS, {})
    assert (answer.outcome, answer.status, answer.code) == (outcome, status, code)
    assert answer.object_missing == (code == "object_missing")
    if code:
        assert "because" in answer.message


async def test_a_wrong_token_is_retried_not_refused(web):
    answer = await Registrar(web.url, "wrong").post(SEGMENTS, {})
    assert (answer.outcome, answer.status) == (Outcome.RETRY, 401)


async def test_no_server_and_a_slow_server_are_retried():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    answer = await Registrar(f"http://127.0.0.1:{port}", TOKEN).post(SEGMENTS, {})
    assert answer.outcome is Outcome.RETRY and answer.status is None

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        answer = await Registrar(url, TOKEN, timeout=0.3).post(SEGMENTS, {})
        assert answer.outcome is Outcome.RETRY and answer.status is None
        assert time.monotonic() - started < 3


async def test_the_event_loop_is_not_blocked_while_posting(web):
    released = threading.Event()

    def slow(call):
        released.wait(timeout=5)
        return 201, {}

    web.answer = slow
    registrar = Registrar(web.url, TOKEN)
    posting = asyncio.create_task(registrar.post(SEGMENTS, {}))
    await asyncio.sleep(0.1)
    assert not posting.done()  # the loop ran this coroutine meanwhile
    released.set()
    assert (await posting).ok


def test_only_http_urls_are_accepted():
    with pytest.raises(ValueError):
        Registrar("file:///etc/passwd", TOKEN)
    assert not Registrar("http://web:8000", "").enabled
