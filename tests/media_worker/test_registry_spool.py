"""The recording settings of the worker's config and the spool object of its heartbeat."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from media_contract.heartbeat import SpoolStatus
from media_worker.config import REPO_DIR, ConfigError, WorkerConfig
from media_worker.registry import Load, Registry


def test_recording_settings_default_to_the_webs_names_and_values():
    config = WorkerConfig.from_env({"MEDIA_WORKER_ID": "mw-7"})
    assert config.spool_dir == REPO_DIR / "var" / "spool" / "mw-7"
    assert config.spool_limit_bytes == 2048 * 1024 * 1024
    assert config.segment_seconds == 10
    assert config.internal_url == "http://127.0.0.1:8000"
    assert config.media_token == ""
    assert (config.s3_endpoint, config.s3_secure, config.s3_region) == (
        "127.0.0.1:8333",
        False,
        "us-east-1",
    )
    assert config.s3_bucket_recordings == "accord-recordings"


def test_recording_settings_are_read_from_the_environment_and_files(tmp_path: Path):
    secret = tmp_path / "secret"
    secret.write_text("s3-secret\n")
    token = tmp_path / "token"
    token.write_text("media-token\n")
    config = WorkerConfig.from_env(
        {
            "MEDIA_WORKER_ID": "mw-7",
            "ACCORD_VAR_DIR": str(tmp_path / "var"),
            "MEDIA_WORKER_SPOOL_LIMIT_MB": "3",
            "RECORDING_SEGMENT_SECONDS": "4",
            "ACCORD_BASE_URL": "https://accord.example",
            "MEDIA_WORKER_TOKEN_FILE": str(token),
            "S3_ENDPOINT": "s3.internal:9000",
            "S3_ACCESS_KEY": "key",
            "S3_SECRET_KEY_FILE": str(secret),
            "S3_SECURE": "true",
            "S3_REGION": "eu-west-3",
            "S3_BUCKET_RECORDINGS": "recs",
        }
    )
    assert config.spool_dir == tmp_path / "var" / "spool" / "mw-7"
    assert config.spool_limit_bytes == 3 * 1024 * 1024
    assert config.segment_seconds == 4
    assert config.internal_url == "https://accord.example"  # ACCORD_BASE_URL as the fallback
    assert config.media_token == "media-token"
    assert (config.s3_endpoint, config.s3_access_key, config.s3_secret_key) == (
        "s3.internal:9000",
        "key",
        "s3-secret",
    )
    assert config.s3_secure and config.s3_region == "eu-west-3"
    assert config.s3_bucket_recordings == "recs"
    explicit = WorkerConfig.from_env(
        {
            "MEDIA_WORKER_SPOOL_DIR": str(tmp_path / "spool"),
            "ACCORD_INTERNAL_URL": "http://web:8000",
            "ACCORD_BASE_URL": "https://accord.example",
        }
    )
    assert explicit.spool_dir == tmp_path / "spool"
    assert explicit.s3_sse.mode == "none"  # the web's default
    assert WorkerConfig.from_env({"S3_SSE": "s3"}).s3_sse.mode == "s3"
    kms = WorkerConfig.from_env({"S3_SSE": "kms:alias/recordings"}).s3_sse
    assert (kms.mode, kms.kms_key_id) == ("kms", "alias/recordings")
    assert explicit.internal_url == "http://web:8000"


def test_the_worker_uses_its_own_storage_key_when_it_has_one():
    env = {"S3_ACCESS_KEY": "web-key", "S3_SECRET_KEY": "web-secret"}
    assert WorkerConfig.from_env(env).s3_access_key == "web-key"
    own = WorkerConfig.from_env(
        {
            **env,
            "MEDIA_WORKER_S3_ACCESS_KEY": "writer-key",
            "MEDIA_WORKER_S3_SECRET_KEY": "writer-secret",
        }
    )
    assert (own.s3_access_key, own.s3_secret_key) == ("writer-key", "writer-secret")


@pytest.mark.parametrize(
    "env",
    [
        {"MEDIA_WORKER_SPOOL_LIMIT_MB": "0"},
        {"RECORDING_SEGMENT_SECONDS": "ten"},
        {"S3_SECURE": "maybe"},
        {"S3_SSE": "aes"},
        {"S3_SSE": "kms:"},
    ],
)
def test_bad_recording_settings_are_refused(env: dict[str, str]):
    with pytest.raises(ConfigError):
        WorkerConfig.from_env(env)


class FakeRedis:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    async def set(self, key: str, value: str, ex: int) -> None:
        self.values[key] = json.loads(value)


async def test_the_heartbeat_carries_the_spool_object():
    spool = SpoolStatus(
        bytes=10,
        limit=100,
        pending=2,
        oldest_pending_age=3,
        upload_failing=True,
        alert="spool_nearly_full",
        quarantined=0,
    )
    redis = FakeRedis()
    config = WorkerConfig.from_env({"MEDIA_WORKER_ID": "mw-7"})
    registry = Registry(
        redis,  # type: ignore[arg-type]
        config,
        load=lambda: Load(0, 0, 0.0),
        spool=lambda: spool,
    )
    await registry.beat()
    assert redis.values[config.registry_key]["spool"] == dict(spool)
    bare = Registry(redis, config, load=lambda: Load(0, 0, 0.0))  # type: ignore[arg-type]
    assert "spool" not in bare.status()
    assert os.getpid() == redis.values[config.registry_key]["pid"]
