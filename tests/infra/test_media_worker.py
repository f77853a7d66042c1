"""The media worker process registers in the run's real Redis, heartbeats, and leaves."""

from __future__ import annotations

import json
import signal
import time

import pytest

from infra.procs import free_port
from media_worker.config import ConfigError, WorkerConfig

FIELDS = {"id", "host", "pid", "rooms", "participants", "load", "started_at", "at", "spool"}
SPOOL_FIELDS = {"bytes", "limit", "pending", "oldest_pending_age", "upload_failing", "alert"}


def start_worker(stack_processes, heartbeat_prefix, **env):
    worker_id = f"mw-{heartbeat_prefix}"
    process = stack_processes.start(
        "media-worker",
        ACCORD_HEARTBEAT_PREFIX=heartbeat_prefix,
        MEDIA_WORKER_ID=worker_id,
        MEDIA_WORKER_HEARTBEAT_INTERVAL="0.5",
        ACCORD_MEDIA_HEARTBEAT_TTL="3",
        **env,
    )
    return process, f"{heartbeat_prefix}:media:worker:{worker_id}"


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail("condition not met in time")


def test_it_registers_with_a_ttl_and_refreshes_its_entry(
    redis_client, heartbeat_prefix, stack_processes
):
    process, key = start_worker(stack_processes, heartbeat_prefix)

    first = json.loads(wait_for(lambda: redis_client.get(key)))
    assert set(first) == FIELDS
    assert first["pid"] == process.pid
    assert first["id"] == f"mw-{heartbeat_prefix}"
    assert first["rooms"] == 0
    assert first["participants"] == 0
    assert set(first["spool"]) >= SPOOL_FIELDS  # docs/recording.md
    assert first["spool"]["pending"] == 0 and first["spool"]["alert"] is None
    assert 0 < redis_client.ttl(key) <= 3

    wait_for(lambda: json.loads(redis_client.get(key))["at"] > first["at"])
    assert json.loads(redis_client.get(key))["started_at"] == first["started_at"]


def test_it_removes_its_entry_on_sigterm(redis_client, heartbeat_prefix, stack_processes):
    _, key = start_worker(stack_processes, heartbeat_prefix)
    wait_for(lambda: redis_client.exists(key))

    assert stack_processes.stop("media-worker", signal.SIGTERM) == 0

    assert not redis_client.exists(key)


def test_a_killed_worker_disappears_when_its_ttl_runs_out(
    redis_client, heartbeat_prefix, stack_processes
):
    _, key = start_worker(stack_processes, heartbeat_prefix)
    wait_for(lambda: redis_client.exists(key))

    stack_processes.stop("media-worker", signal.SIGKILL)

    assert redis_client.exists(key)  # nobody said goodbye ...
    wait_for(lambda: not redis_client.exists(key), timeout=5)  # ... so the TTL does


def test_it_keeps_running_while_redis_is_unreachable(heartbeat_prefix, stack_processes):
    process, _ = start_worker(
        stack_processes, heartbeat_prefix, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
    )
    wait_for(lambda: "cannot reach Redis" in stack_processes.log_tail("media-worker"))

    assert process.poll() is None
    assert stack_processes.stop("media-worker") == 0


def test_its_config_refuses_a_ttl_that_could_expire_between_beats():
    with pytest.raises(ConfigError, match="must exceed"):
        WorkerConfig.from_env(
            {"MEDIA_WORKER_HEARTBEAT_INTERVAL": "5", "ACCORD_MEDIA_HEARTBEAT_TTL": "5"}
        )


def test_its_config_reads_the_shared_names_and_files(tmp_path):
    url_file = tmp_path / "redis-url"
    url_file.write_text("redis://10.0.0.1:6379/2\n")

    config = WorkerConfig.from_env(
        {
            "REDIS_URL_FILE": str(url_file),
            "ACCORD_HEARTBEAT_PREFIX": "stack1",
            "MEDIA_WORKER_ID": "w1",
            "ACCORD_MEDIA_HEARTBEAT_TTL": "15",
        }
    )

    assert config.redis_url == "redis://10.0.0.1:6379/2"
    assert config.registry_key == "stack1:media:worker:w1"
    assert config.heartbeat_interval == 5.0
    assert config.heartbeat_ttl == 15
