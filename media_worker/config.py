"""Configuration from the environment; the names match the web's settings where shared."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


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

    @property
    def registry_key(self) -> str:
        return f"{self.key_prefix}:media:worker:{self.worker_id}"

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
        return cls(
            redis_url=_get(env, "REDIS_URL", "redis://127.0.0.1:6379/0"),
            worker_id=_get(env, "MEDIA_WORKER_ID", f"{host}-{os.getpid()}"),
            host=host,
            key_prefix=_get(env, "ACCORD_HEARTBEAT_PREFIX", "accord"),
            heartbeat_interval=interval,
            heartbeat_ttl=ttl,
            channel_prefix=_get(env, "ACCORD_CHANNEL_PREFIX", "accord"),
        )


def _get(env: Mapping[str, str], name: str, default: str) -> str:
    """NAME, or the contents of the file named by NAME_FILE (secrets mounted as files)."""
    file_path = env.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return env.get(name) or default


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = _get(env, name, "")
    if raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
