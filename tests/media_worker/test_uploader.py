"""The uploader against real object storage (the run's SeaweedFS, or a private one for the
outage test) and a stub of the web's endpoints on a real HTTP socket."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from minio import Minio

from infra import REPO_DIR
from infra.procs import free_ports
from infra.services import Layout, SeaweedPorts, SeaweedS3
from media_worker.config import WorkerConfig
from media_worker.registrar import Registrar
from media_worker.spool import FULL, NEARLY_FULL, Spool, parse_key
from media_worker.uploader import QUARANTINED, Uploader, make_store
from tests.media_worker.webstub import TOKEN, Call, WebStub, error, web_stub

SEGMENTS = "/internal/media/segments"
FAST = {"backoff_start": 0.1, "backoff_max": 0.4}


@pytest.fixture
def web() -> Iterator[WebStub]:
    with web_stub() as stub:
        yield stub


@pytest.fixture
def bucket(s3: Minio) -> str:
    return django_settings.S3_BUCKET_RECORDINGS


@pytest.fixture
def store(s3: Minio) -> Minio:
    return make_store(
        django_settings.S3_ENDPOINT,
        django_settings.S3_ACCESS_KEY,
        django_settings.S3_SECRET_KEY,
        secure=django_settings.S3_SECURE,
        region=django_settings.S3_REGION,
    )


class Recording:
    """Segments of one session written through a spool as the recorder would."""

    def __init__(self, spool: Spool, worker: str = "mw-1") -> None:
        self.spool = spool
        self.session = str(uuid.uuid4())
        self.worker = worker
        self.written: dict[str, bytes] = {}

    def key(self, track: str, index: int, participant: str = "7") -> str:
        stamp = f"20261127T18{index // 6:02d}{index % 6 * 10:02d}000000Z"
        return f"{self.session}/{participant}/{track}/{stamp}-{self.worker}.webm"

    def write(self, track: str, index: int, size: int = 2000) -> str:
        key = self.key(track, index)
        data = secrets.token_bytes(size)
        handle = self.spool.open(key)
        handle.write(data)
        handle.close()
        parts = parse_key(key)
        self.spool.commit(
            key,
            {
                "session": self.session,
                "participant": parts.participant,
                "track": track,
                "kind": "audio" if track == "microphone" else "video",
                "key": key,
                "size": size,
                "sha256": hashlib.sha256(data).hexdigest(),
                "index": index,
                "worker": self.worker,
            },
        )
        self.written[key] = data
        return key

    def in_order(self, keys: list[str], track: str) -> list[str]:
        return [k for k in keys if f"/{track}/" in k]


async def run_until(
    uploader: Uploader, done: Callable[[], bool], timeout: float = 15.0
) -> asyncio.Event:
    """Run the uploader until `done()`; fail after `timeout` seconds."""
    stop = asyncio.Event()
    task = asyncio.create_task(uploader.run(stop))
    deadline = time.monotonic() + timeout
    try:
        while not done():
            assert time.monotonic() < deadline, f"not done after {timeout}s: {uploader.stats()}"
            assert not task.done(), task
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    return stop


def stored(client: Minio, bucket: str, key: str) -> bytes:
    response = client.get_object(bucket, key)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def uploader_for(spool: Spool, web: WebStub, store: Minio, bucket: str, **kwargs: Any) -> Uploader:
    return Uploader(
        spool,
        Registrar(web.url, TOKEN, timeout=5),
        store,
        bucket=bucket,
        worker_id="mw-1",
        **{**FAST, **kwargs},
    )


async def test_segments_are_stored_with_the_configured_server_side_encryption(
    tmp_path, web, s3, bucket
):
    """The worker reads S3_SSE as the web does; the test run's SeaweedFS honours SSE-S3."""
    config = WorkerConfig.from_env(dict(os.environ))
    assert config.s3_sse.mode == "s3"
    store = make_store(
        config.s3_endpoint,
        config.s3_access_key,
        config.s3_secret_key,
        secure=config.s3_secure,
        region=config.s3_region,
        sse=config.s3_sse,
    )
    spool = Spool(tmp_path, 10_000_000)
    recording = Recording(spool)
    key = recording.write("camera", 0)
    uploader = uploader_for(spool, web, store, bucket)

    await run_until(uploader, lambda: spool.pending_count == 0)

    metadata = {k.lower(): v for k, v in s3.stat_object(bucket, key).metadata.items()}
    assert metadata["x-amz-server-side-encryption"] == "AES256"
    assert stored(s3, bucket, key) == recording.written[key]


async def test_segments_are_uploaded_registered_and_deleted_in_order(
    tmp_path, web, s3, store, bucket
):
    spool = Spool(tmp_path, 10_000_000)
    recording = Recording(spool)
    for index in range(3):
        recording.write("camera", index)
        recording.write("microphone", index)
    uploader = uploader_for(spool, web, store, bucket)

    await run_until(uploader, lambda: spool.pending_count == 0)

    registered = web.keys()
    assert sorted(registered) == sorted(recording.written)
    for track in ("camera", "microphone"):
        assert recording.in_order(registered, track) == [recording.key(track, i) for i in range(3)]
    for key, data in recording.written.items():
        assert stored(s3, bucket, key) == data
    assert s3.stat_object(bucket, recording.key("camera", 0)).content_type == "video/webm"
    assert s3.stat_object(bucket, recording.key("microphone", 0)).content_type == "audio/webm"
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # both files of each deleted
    assert uploader.uploads == 6
    assert (
        web.calls[0].body["sha256"]
        == hashlib.sha256(recording.written[web.calls[0].body["key"]]).hexdigest()
    )
    stats = uploader.stats()
    assert stats == {
        "bytes": 0,
        "limit": 10_000_000,
        "pending": 0,
        "oldest_pending_age": 0,
        "upload_failing": False,
        "alert": None,
        "quarantined": 0,
    }


async def test_while_the_web_answers_503_files_stay_and_order_is_kept(
    tmp_path, web, s3, store, bucket
):
    spool = Spool(tmp_path, 10_000_000)
    recording = Recording(spool)
    for index in range(3):
        recording.write("camera", index)
    down = {"until": time.monotonic() + 1.0}

    def flaky(call: Call) -> tuple[int, dict[str, Any] | None]:
        if time.monotonic() < down["until"]:
            return error(503, "unavailable")
        return 201, {}

    web.answer = flaky
    uploader = uploader_for(spool, web, store, bucket)
    stop = asyncio.Event()
    task = asyncio.create_task(uploader.run(stop))
    await asyncio.sleep(0.6)
    assert spool.pending_count == 3
    assert all((tmp_path / key).exists() for key in recording.written)
    assert uploader.stats()["upload_failing"] is True
    # The failing head is uploaded once and re-registered, never overtaken by the next one.
    assert {c.body["key"] for c in web.calls} == {recording.key("camera", 0)}
    assert uploader.uploads == 1
    deadline = time.monotonic() + 10
    while spool.pending_count:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert web.keys() == [recording.key("camera", i) for i in range(3)]
    assert uploader.stats()["upload_failing"] is False
    assert uploader.uploads == 3


async def test_a_failing_track_does_not_hold_back_another(tmp_path, web, s3, store, bucket):
    spool = Spool(tmp_path, 10_000_000)
    recording = Recording(spool)
    for index in range(2):
        recording.write("camera", index)
        recording.write("microphone", index)
    web.answer = lambda call: error(500, "boom") if "/camera/" in call.body["key"] else (201, {})
    uploader = uploader_for(spool, web, store, bucket)
    await run_until(uploader, lambda: spool.pending_count == 2)
    assert web.keys() == [recording.key("microphone", i) for i in range(2)]
    assert [s.key for s in spool.pending()] == [recording.key("camera", i) for i in range(2)]


async def test_a_refused_segment_is_quarantined_kept_and_alerted(tmp_path, web, s3, store, bucket):
    spool = Spool(tmp_path, 10_000_000)
    recording = Recording(spool)
    first, second = recording.write("camera", 0), recording.write("camera", 1)
    web.answer = lambda call: (
        error(409, "segment_conflict", "other content") if call.body["key"] == first else (201, {})
    )
    alerts: list[tuple[str, str]] = []
    uploader = uploader_for(
        spool, web, store, bucket, alert=lambda code, message: alerts.append((code, message))
    )
    await run_until(uploader, lambda: spool.pending_count == 0)
    assert web.keys() == [second]
    kept = tmp_path / "quarantine" / first
    assert kept.read_bytes() == recording.written[first]
    assert Path(f"{kept}.json").exists()
    assert [code for code, _ in alerts] == [QUARANTINED]
    assert "segment_conflict" in alerts[0][1]
    assert uploader.stats()["quarantined"] == 1


async def test_object_missing_uploads_again_then_registers(tmp_path, web, s3, store, bucket):
    spool = Spool(tmp_path, 10_000_000)
    recording = Recording(spool)
    key = recording.write("microphone", 0)
    answers = iter([error(422, "object_missing")])
    web.answer = lambda call: next(answers, (201, {}))
    uploader = uploader_for(spool, web, store, bucket)
    await run_until(uploader, lambda: spool.pending_count == 0)
    assert uploader.uploads == 2
    assert web.keys() == [key]
    assert not (tmp_path / "quarantine").exists()


async def test_flushed_is_reported_once_every_segment_of_the_session_is_registered(
    tmp_path, web, s3, store, bucket
):
    spool = Spool(tmp_path, 10_000_000)
    recording = Recording(spool)
    recording.write("camera", 0)
    open_part = spool.open(recording.key("camera", 1))
    open_part.write(b"still recording")
    uploader = uploader_for(spool, web, store, bucket)
    uploader.on_session_closed(recording.session)
    assert (tmp_path / "flush-pending" / recording.session).exists()
    stop = asyncio.Event()
    task = asyncio.create_task(uploader.run(stop))
    await asyncio.sleep(0.5)
    assert web.accepted("/internal/media/flushed") == []  # a segment is still open
    open_part.close()
    spool.commit(recording.key("camera", 1), {"key": recording.key("camera", 1), "kind": "video"})
    deadline = time.monotonic() + 10
    while not web.accepted("/internal/media/flushed"):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert web.accepted("/internal/media/flushed") == [
        {"session": recording.session, "worker": "mw-1"}
    ]
    assert [c.path for c in web.calls] == [SEGMENTS, SEGMENTS, "/internal/media/flushed"]
    assert not (tmp_path / "flush-pending" / recording.session).exists()


async def test_recover_after_a_crash_uploads_closed_segments_and_reports_the_part(
    tmp_path, web, s3, store, bucket
):
    crashed = Spool(tmp_path, 10_000_000)
    recording = Recording(crashed)
    closed = [recording.write("camera", 0), recording.write("camera", 1)]
    part = crashed.open(recording.key("camera", 2))
    part.write(b"p" * 321)
    part.flush()
    crashed.on_session_closed = None  # type: ignore[attr-defined]  # the process dies here
    del crashed

    spool = Spool(tmp_path, 10_000_000)
    interruptions = spool.recover()
    answers = iter([error(503, "unavailable")])  # the first report is retried
    web.answer = lambda call: (
        next(answers, (201, {})) if call.path.endswith("interruptions") else (201, {})
    )
    uploader = uploader_for(spool, web, store, bucket)
    uploader.report(interruptions)
    await run_until(
        uploader,
        lambda: spool.pending_count == 0 and bool(web.accepted("/internal/media/interruptions")),
    )
    assert web.keys() == closed
    for key in closed:
        assert stored(s3, bucket, key) == recording.written[key]
    [reported] = web.accepted("/internal/media/interruptions")
    assert reported["reason"] == "worker_restart"
    assert reported["discarded_bytes"] == 321
    assert reported["from"] == "2026-11-27T18:00:20.000000Z"
    assert reported["track"] == "camera" and reported["session"] == recording.session
    assert not list(tmp_path.rglob("*.part"))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


async def test_stop_finishes_the_current_upload_and_leaves_the_rest(
    tmp_path, web, s3, store, bucket
):
    spool = Spool(tmp_path, 10_000_000)
    recording = Recording(spool)
    keys = [recording.write("camera", i) for i in range(3)]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stop_now(call: Call) -> tuple[int, dict[str, Any] | None]:
        loop.call_soon_threadsafe(stop.set)  # SIGTERM while the first one is registered
        return 201, {}

    web.answer = stop_now
    uploader = uploader_for(spool, web, store, bucket)
    await asyncio.wait_for(uploader.run(stop), timeout=10)
    assert web.keys() == keys[:1]
    assert [s.key for s in spool.pending()] == keys[1:]
    assert all((tmp_path / key).exists() for key in keys[1:])


async def test_a_full_spool_refuses_new_segments_and_alerts_until_uploads_free_it(
    tmp_path, web, s3, store, bucket
):
    alerts: list[str] = []
    spool = Spool(tmp_path, 10_000, alert=lambda code, message: alerts.append(code))
    recording = Recording(spool)
    for index in range(4):
        recording.write("camera", index, size=2000)  # 8000 + metadata: nearly full
    assert alerts == [NEARLY_FULL] and spool.accepting()
    recording.write("camera", 4, size=2000)
    assert alerts == [NEARLY_FULL, FULL] and not spool.accepting()
    assert spool.pending_count == 5  # closed segments are never dropped
    uploader = uploader_for(spool, web, store, bucket)
    assert uploader.stats()["alert"] == FULL
    await run_until(uploader, lambda: spool.pending_count == 0)
    assert spool.accepting() and uploader.stats()["alert"] is None


@pytest.fixture
def private_s3(tmp_path: Path) -> Iterator[SeaweedS3]:
    """A SeaweedFS of this test's own, which it may stop and start again."""
    base = tmp_path / "seaweed"
    service = SeaweedS3(
        Layout(run_dir=base / "run", log_dir=base / "log", cwd=REPO_DIR),
        data_dir=base / "data",
        ports=SeaweedPorts(*free_ports(8)),
        access_key="outage-test",
        secret_key=secrets.token_urlsafe(24),
    )
    service.start()
    try:
        yield service
    finally:
        service.stop(graceful=False)


@pytest.mark.slow
async def test_an_object_storage_outage_loses_nothing_and_keeps_order(tmp_path, web, private_s3):
    store = make_store(
        private_s3.endpoint,
        private_s3.access_key,
        private_s3.secret_key,
        secure=False,
        region="us-east-1",
    )
    bucket = "recordings-outage"
    store.make_bucket(bucket)
    spool = Spool(tmp_path / "spool", 10_000_000)
    recording = Recording(spool)
    uploader = uploader_for(spool, web, store, bucket)
    stop = asyncio.Event()
    task = asyncio.create_task(uploader.run(stop))
    try:
        recording.write("camera", 0)
        recording.write("microphone", 0)
        deadline = time.monotonic() + 10
        while spool.pending_count:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)

        await asyncio.to_thread(private_s3.stop, graceful=False)
        for index in range(1, 4):
            recording.write("camera", index)
            recording.write("microphone", index)
            await asyncio.sleep(0.5)
        assert spool.pending_count == 6
        assert uploader.stats()["upload_failing"] is True
        assert uploader.stats()["pending"] == 6

        # SeaweedFS takes ~15 s to come back on its old data directory.
        await asyncio.to_thread(private_s3.start)
        deadline = time.monotonic() + 20
        while spool.pending_count:
            assert time.monotonic() < deadline, uploader.stats()
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)

    registered = web.keys()
    assert len(registered) == len(set(registered)) == 8  # each segment registered once
    for track in ("camera", "microphone"):
        assert recording.in_order(registered, track) == [recording.key(track, i) for i in range(4)]
    for key, data in recording.written.items():
        assert stored(store, bucket, key) == data
    assert uploader.stats()["upload_failing"] is False
