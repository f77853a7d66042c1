"""Service-level fixtures: clients for the real object storage and Redis of the test run, and
stack processes (Celery worker and beat, media worker, daphne) started against them.

`make test` (infra.testenv) starts PostgreSQL, Redis and SeaweedFS S3 for the run and exports
their addresses with bucket names and key prefixes unique to it; nothing here mocks them.
App fixtures belong in tests/<app>/conftest.py, model factories in tests/factories.py.
"""

from __future__ import annotations

import os
import secrets
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings as django_settings
from minio import Minio
from pytest_django import Settings

from accord.core import heartbeats
from accord.core.storage import all_buckets, ensure_buckets, s3_client
from infra.procs import free_port, wait_until
from infra.testprocs import StackProcesses


def pytest_report_header() -> list[str]:
    run = os.environ.get("ACCORD_TEST_RUN")
    if run is None:
        return ["accord: not under `make test`: services come from your environment"]
    return [f"accord: test run {run}, services from infra.testenv"]


# The run's bucket names as the environment gives them, before any fixture points a setting at
# a per-worker bucket (tests/cases/conftest.py): processes a test starts read the environment.
_RUN_BUCKETS = [
    django_settings.S3_BUCKET_EVIDENCE,
    django_settings.S3_BUCKET_RECORDINGS,
    django_settings.S3_BUCKET_DOCUMENTS,
]


@pytest.fixture(scope="session")
def _buckets() -> list[str]:
    ensure_buckets([*_RUN_BUCKETS, *all_buckets()])
    return [
        django_settings.S3_BUCKET_EVIDENCE,
        django_settings.S3_BUCKET_RECORDINGS,
        django_settings.S3_BUCKET_DOCUMENTS,
    ]


@pytest.fixture
def s3(_buckets: list[str]) -> Minio:
    """The project's S3 client, with the run's buckets created."""
    return s3_client()


@pytest.fixture
def redis_client() -> redis.Redis:
    """The project's Redis client (the run's own Redis under `make test`)."""
    return heartbeats.redis_client()


@pytest.fixture
def heartbeat_prefix(settings: Settings) -> str:
    """A liveness-key prefix private to this test, so workers of other tests (or other xdist
    workers) never make a component look up or down. Pass it to the processes you start."""
    prefix = f"{django_settings.ACCORD_HEARTBEAT_PREFIX}-{secrets.token_hex(4)}"
    settings.ACCORD_HEARTBEAT_PREFIX = prefix
    return prefix


@pytest.fixture(autouse=True)
def _throttle_prefix(settings: Settings) -> None:
    """API write counts (accord.core.throttles) private to each test: user ids repeat across
    xdist workers' databases, and one test's writes must not throttle another's."""
    settings.ACCORD_THROTTLE_PREFIX = f"throttle-{secrets.token_hex(4)}"


@pytest.fixture
def stack_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    """Starts stack processes as `make up` does (logs in a temp dir); stops them after.

    In demo mode, as `make up` runs them: without it the web refuses the test run's
    development defaults (accord.core.checks)."""
    processes = StackProcesses(
        work_dir=tmp_path_factory.mktemp("processes"), env={**os.environ, "ACCORD_DEMO": "1"}
    )
    try:
        yield processes
    finally:
        processes.stop_all()


def _tsa_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}healthz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def dev_tsa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The development timestamp authority (`accord dev-tsa`, the process `make up` runs) of
    this test session, on a free loopback port, using the run's development PKI
    (ACCORD_PKI_DIR). Tests that seal or anchor ask for `tsa`, which points the settings at
    it; processes they start need ``ACCORD_TSA_URL=<this url>`` passed to them."""
    processes = StackProcesses(
        work_dir=tmp_path_factory.mktemp("dev-tsa"), env={**os.environ, "ACCORD_DEMO": "1"}
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    process = processes.start("dev-tsa", STACK_TSA_PORT=str(port))
    try:
        try:
            wait_until(
                lambda: _tsa_answers(url),
                timeout=90,
                what="dev-tsa",
                alive=lambda: process.poll() is None,
            )
        except (TimeoutError, RuntimeError) as exc:
            pytest.fail(f"{exc}; its log:\n{processes.log_tail('dev-tsa')}")
        yield url
    finally:
        processes.stop_all()


@pytest.fixture
def tsa(dev_tsa_url: str, settings: Settings) -> str:
    """ACCORD_TSA_URL of this test: the session's development TSA."""
    settings.ACCORD_TSA_URL = dev_tsa_url
    return dev_tsa_url


@pytest.fixture
def eager_celery(settings: Settings) -> Iterator[None]:
    """Tasks run at once in the test's process when queued (the broker is left out): for
    tests of what a task queued after commit does, with ``django_capture_on_commit_callbacks
    (execute=True)``. Through the settings Celery reads on every use: writing
    ``celery_app.conf`` instead would shadow the setting for every later test."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield


@pytest.fixture
def private_cache(settings: Settings) -> Iterator[None]:
    """Rate-limit counters of one test must not leak into the next: the Django cache (the
    run's real Redis) gets a key prefix of this test's own, whose keys are deleted after."""
    base = settings.CACHES["default"]
    prefix = f"{base.get('KEY_PREFIX', 'accord')}-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {"default": {**base, "KEY_PREFIX": prefix}}
    yield
    client = redis.Redis.from_url(base["LOCATION"])
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()
