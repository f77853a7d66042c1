"""GET /healthz against the real services of the test run and real stack processes.

A Celery worker and beat run for the whole module (the first beat-scheduled heartbeat takes
~10 s); each test that needs a media worker starts its own. Every process writes its liveness
keys under a prefix private to this module, so no other test's workers can make a component
look up.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.test import Client
from pytest_django import Settings

from accord.core import health as health_checks
from accord.core import heartbeats
from accord.core.storage import all_buckets
from infra.procs import free_port
from infra.testprocs import StackProcesses

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

COMPONENTS = {"database", "redis", "object_storage", "celery", "media_worker"}
# The beat schedule sends the first heartbeat 10 s after beat starts; allow for a slow start.
FIRST_BEAT_TIMEOUT = 60.0


@dataclass
class Live:
    processes: StackProcesses
    env: dict[str, str]


def private_env() -> dict[str, str]:
    token = secrets.token_hex(4)
    return {
        "ACCORD_HEARTBEAT_PREFIX": f"{django_settings.ACCORD_HEARTBEAT_PREFIX}-{token}",
        # A queue of our own: a worker of another test must not run our beat's heartbeat
        # task (it would write it under its own prefix).
        "ACCORD_CELERY_QUEUE": f"{django_settings.CELERY_TASK_DEFAULT_QUEUE}-{token}",
        "MEDIA_WORKER_HEARTBEAT_INTERVAL": "0.5",
        "ACCORD_MEDIA_HEARTBEAT_TTL": "3",
    }


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    processes = StackProcesses(work_dir=tmp_path_factory.mktemp("live"))
    env = private_env()
    try:
        processes.start("celery-worker", **env)
        processes.start("celery-beat", **env)
        yield Live(processes, env)
    finally:
        processes.stop_all()


@pytest.fixture
def live_settings(live: Live, settings: Settings) -> None:
    settings.ACCORD_HEARTBEAT_PREFIX = live.env["ACCORD_HEARTBEAT_PREFIX"]


@pytest.fixture
def media_worker(live: Live, live_settings: None) -> Iterator[int]:
    process = live.processes.start("media-worker", **live.env)
    try:
        wait_for(
            lambda: any(w["pid"] == process.pid for w in heartbeats.media_workers()),
            what="the media worker's registry key",
            log=lambda: live.processes.log_tail("media-worker"),
        )
        yield process.pid
    finally:
        live.processes.stop("media-worker")


def wait_for(
    predicate: Any, *, what: str, timeout: float = 15.0, log: Any = None, interval: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            detail = f"\n{log()}" if log else ""
            pytest.fail(f"{what}: not seen within {timeout:.0f}s{detail}")
        time.sleep(interval)


def health(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz")
    return response.status_code, response.json()


def wait_for_health(
    client: Client, status: int, down: list[str], *, timeout: float, live: Live | None = None
) -> dict[str, Any]:
    """Poll /healthz until it answers `status` with exactly `down` named."""
    seen: dict[str, Any] = {}

    def matches() -> bool:
        nonlocal seen
        code, seen = health(client)
        return code == status and seen["down"] == down

    def logs() -> str:
        shown = json.dumps(seen, indent=1)
        if live is not None:
            for name in ("celery-worker", "celery-beat"):
                shown += f"\n--- {name}:\n{live.processes.log_tail(name, 10)}"
        return shown

    wait_for(matches, what=f"/healthz {status} with down={down}", timeout=timeout, log=logs)
    return seen


def test_it_answers_200_with_every_component_up(client, s3, live, media_worker):
    body = wait_for_health(client, 200, [], timeout=FIRST_BEAT_TIMEOUT, live=live)

    assert body["status"] == "ok"
    assert set(body["components"]) == COMPONENTS
    assert all(c["status"] == "up" for c in body["components"].values())
    assert body["components"]["database"]["vendor"] == "postgresql"
    assert body["components"]["media_worker"]["workers"] == 1
    assert body["components"]["object_storage"]["sse"] == "s3"


def test_daphne_serves_it_over_http(s3, live, media_worker):
    port = free_port()
    live.processes.start("web", STACK_WEB_PORT=str(port), **live.env)
    url = f"http://127.0.0.1:{port}/healthz"
    answer: dict[str, Any] = {}

    def answered_200() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                answer.update(status=response.status, body=json.load(response))
        except urllib.error.HTTPError as exc:
            answer.update(status=exc.code, body=json.load(exc))
        except OSError:
            return False
        return answer["status"] == 200

    try:
        wait_for(
            answered_200,
            what=f"200 from daphne at {url}",
            timeout=FIRST_BEAT_TIMEOUT,
            log=lambda: f"{answer}\n{live.processes.log_tail('web')}",
        )
    finally:
        live.processes.stop("web")
    assert answer["body"]["down"] == []


def test_it_names_the_media_worker_when_it_stops(client, s3, live, media_worker):
    wait_for_health(client, 200, [], timeout=FIRST_BEAT_TIMEOUT, live=live)

    assert live.processes.stop("media-worker") == 0

    # The worker deletes its key on SIGTERM: no waiting for a TTL.
    status, body = health(client)
    assert status == 503
    assert body["status"] == "down"
    assert body["down"] == ["media_worker"]
    assert body["components"]["media_worker"]["error"] == "RuntimeError: no live media worker"


def test_it_names_object_storage_when_the_endpoint_is_unreachable(
    client, s3, live, media_worker, settings
):
    wait_for_health(client, 200, [], timeout=FIRST_BEAT_TIMEOUT, live=live)
    settings.S3_ENDPOINT = f"127.0.0.1:{free_port()}"  # nothing listens there

    started = time.monotonic()
    status, body = health(client)

    assert status == 503
    assert body["down"] == ["object_storage"]
    assert body["components"]["object_storage"]["status"] == "down"
    # The probe must not retry with backoff while the operator waits.
    assert time.monotonic() - started < 5


def test_it_names_redis_and_what_depends_on_it_when_redis_is_unreachable(client, s3, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    status, body = health(client)

    assert status == 503
    assert body["down"] == ["celery", "media_worker", "redis"]
    assert body["components"]["database"]["status"] == "up"
    assert body["components"]["object_storage"]["status"] == "up"


# --- Server-side encryption of the object store (S3_SSE) -------------------------------


def test_it_reports_sse_and_proves_the_store_encrypts_a_probe_in_every_bucket(client, s3):
    _status, body = health(client)

    storage_status = body["components"]["object_storage"]
    assert storage_status == {"status": "up", "endpoint": django_settings.S3_ENDPOINT, "sse": "s3"}
    for bucket in all_buckets():
        stat = s3.stat_object(bucket, health_checks.SSE_PROBE_KEY)
        headers = {k.lower(): v for k, v in stat.metadata.items()}
        assert headers["x-amz-server-side-encryption"] == "AES256"


def test_it_reports_sse_none(client, s3, settings):
    settings.S3_SSE = "none"
    _status, body = health(client)
    assert body["components"]["object_storage"]["sse"] == "none"


def test_object_storage_is_down_when_sse_kms_cannot_be_asked(client, s3, settings):
    # SSE-KMS needs TLS to the store (the SDK refuses to send the request in clear).
    settings.S3_SSE = "kms:alias/accord"
    status, body = health(client)
    assert status == 503
    assert "object_storage" in body["down"]
    assert body["components"]["object_storage"]["status"] == "down"


def test_object_storage_is_down_when_the_store_ignores_sse(settings):
    """Unit test with a fake store edge: a store that accepts the header but answers without
    it (no encryption at rest) is reported, naming the bucket."""

    class IgnoringStore:
        def put_object(self, *args: Any, **kwargs: Any) -> None:
            return None

        def stat_object(self, bucket: str, key: str) -> Any:
            return type("Stat", (), {"metadata": {"Content-Type": "text/plain"}})()

    settings.S3_SSE = "s3"
    with pytest.raises(RuntimeError, match="does not honour S3_SSE=s3"):
        health_checks._check_sse(cast(Any, IgnoringStore()), ["accord-evidence"])


def test_it_names_celery_when_worker_and_beat_stop(
    client, s3, heartbeat_prefix, stack_processes, settings
):
    env = private_env()
    env["ACCORD_HEARTBEAT_PREFIX"] = heartbeat_prefix
    # A heartbeat that outlives its beat by 4 s instead of 30 s: the test sees the worker go
    # in seconds. (Between two 10 s beats /healthz flickers to 503; polling catches the 200.)
    env["ACCORD_CELERY_HEARTBEAT_TTL"] = "4"
    for name in ("celery-worker", "celery-beat", "media-worker"):
        stack_processes.start(name, **env)
    live = Live(stack_processes, env)
    wait_for_health(client, 200, [], timeout=FIRST_BEAT_TIMEOUT, live=live)

    assert stack_processes.stop("celery-beat") == 0
    assert stack_processes.stop("celery-worker") == 0

    body = wait_for_health(client, 503, ["celery"], timeout=10, live=live)
    assert body["components"]["celery"]["error"] == (
        "RuntimeError: no heartbeat from celery worker and beat"
    )
