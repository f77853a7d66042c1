"""Configuration from the environment; the names match the web's settings where shared."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from media_contract import heartbeat
from media_contract.sse import NO_SSE, ServerSideEncryption, parse_sse

REPO_DIR = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


class ConfigError(ValueError):
    """The environment asks for something the worker cannot run with."""


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    redis_url: str
    worker_id: str
    host: str
    # Must equal the web's ACCORD_HEARTBEAT_PREFIX: the web finds workers by this prefix.
    key_prefix: str
    heartbeat_interval: float
    heartbeat_ttl: int
    # Must equal the web's ACCORD_CHANNEL_PREFIX (its CHANNEL_LAYERS prefix).
    channel_prefix: str = "accord"
    # Recording (docs/recording.md). The spool defaults to <ACCORD_VAR_DIR>/spool/<worker id>:
    # a restarted worker finds its segments only under the same MEDIA_WORKER_ID.
    spool_dir: Path = REPO_DIR / "var" / "spool" / "worker"
    spool_limit_bytes: int = 2048 * MB
    segment_seconds: int = 10
    internal_url: str = "http://127.0.0.1:8000"
    # This worker's own token (MEDIA_WORKER_TOKEN; the web holds its SHA-256 under the
    # worker's id in ACCORD_MEDIA_WORKERS). Empty: rooms are served, segments stay in the
    # spool, nothing is registered.
    media_token: str = ""
    # The same names and defaults as the web's settings.py.
    s3_endpoint: str = "127.0.0.1:8333"
    s3_access_key: str = "accord-dev"
    s3_secret_key: str = "accord-dev-secret-key"  # noqa: S105 (the dev stack's, as the web's)
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    s3_bucket_recordings: str = "accord-recordings"
    # S3_SSE, as the web reads it (media_contract.sse): asked for on every segment put.
    s3_sse: ServerSideEncryption = NO_SSE
    # Off only to measure aiortc's stock receive path (bench/loss.py).
    loss_repair: bool = True

    @property
    def registry_key(self) -> str:
        return heartbeat.worker_key(self.key_prefix, self.worker_id)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerConfig:
        env = os.environ if environ is None else environ
        host = _get(env, "MEDIA_WORKER_HOST", socket.gethostname())
        interval = _number(env, "MEDIA_WORKER_HEARTBEAT_INTERVAL", 5.0)
        ttl = int(_number(env, "ACCORD_MEDIA_HEARTBEAT_TTL", 15))
        # A key that can expire between two beats would make a live worker look dead.
        if interval <= 0 or ttl <= interval:
            raise ConfigError(
                f"ACCORD_MEDIA_HEARTBEAT_TTL ({ttl}s) must exceed "
                f"MEDIA_WORKER_HEARTBEAT_INTERVAL ({interval}s), which must be positive"
            )
        worker_id = _get(env, "MEDIA_WORKER_ID", f"{host}-{os.getpid()}")
        var_dir = Path(_get(env, "ACCORD_VAR_DIR", str(REPO_DIR / "var")))
        limit_mb = _number(env, "MEDIA_WORKER_SPOOL_LIMIT_MB", 2048)
        segment_seconds = int(_number(env, "RECORDING_SEGMENT_SECONDS", 10))
        if limit_mb <= 0 or segment_seconds <= 0:
            raise ConfigError(
                "MEDIA_WORKER_SPOOL_LIMIT_MB and RECORDING_SEGMENT_SECONDS must be positive"
            )
        return cls(
            redis_url=_get(env, "REDIS_URL", "redis://127.0.0.1:6379/0"),
            worker_id=worker_id,
            host=host,
            key_prefix=_get(env, heartbeat.PREFIX_SETTING, heartbeat.DEFAULT_PREFIX),
            heartbeat_interval=interval,
            heartbeat_ttl=ttl,
            channel_prefix=_get(env, "ACCORD_CHANNEL_PREFIX", "accord"),
            spool_dir=Path(_get(env, "MEDIA_WORKER_SPOOL_DIR", str(var_dir / "spool" / worker_id))),
            spool_limit_bytes=int(limit_mb * MB),
            segment_seconds=segment_seconds,
            internal_url=_get(
                env, "ACCORD_INTERNAL_URL", _get(env, "ACCORD_BASE_URL", "http://127.0.0.1:8000")
            ),
            media_token=_get(env, "MEDIA_WORKER_TOKEN", ""),
            s3_endpoint=_get(env, "S3_ENDPOINT", "127.0.0.1:8333"),
            # The worker's own key, which may only write the recordings bucket
            # (docs/security/media.md); the web's S3_* key without one.
            s3_access_key=_get(
                env, "MEDIA_WORKER_S3_ACCESS_KEY", _get(env, "S3_ACCESS_KEY", "accord-dev")
            ),
            s3_secret_key=_get(
                env,
                "MEDIA_WORKER_S3_SECRET_KEY",
                _get(env, "S3_SECRET_KEY", "accord-dev-secret-key"),
            ),
            s3_secure=_bool(env, "S3_SECURE", False),
            s3_region=_get(env, "S3_REGION", "us-east-1"),
            s3_bucket_recordings=_get(env, "S3_BUCKET_RECORDINGS", "accord-recordings"),
            s3_sse=_sse(env),
            loss_repair=_bool(env, "MEDIA_WORKER_LOSS_REPAIR", True),
        )


def _get(env: Mapping[str, str], name: str, default: str) -> str:
    """NAME, or the contents of the file named by NAME_FILE (secrets mounted as files)."""
    file_path = env.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return env.get(name) or default


def _sse(env: Mapping[str, str]) -> ServerSideEncryption:
    try:
        return parse_sse(_get(env, "S3_SSE", "none"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = _get(env, name, "")
    if raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """The web's envbool: 1/true/yes/on or 0/false/no/off."""
    raw = _get(env, name, "").lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be a boolean, got {raw!r}")
