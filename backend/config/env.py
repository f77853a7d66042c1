"""Typed helpers that read settings from the environment.

Every helper accepts ``NAME_FILE`` as well as ``NAME`` so that secrets can be
mounted as files in production (the healthchecks convention).
"""

from __future__ import annotations

import os
from pathlib import Path


def envstr(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = envstr(name, "")
    if raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean, got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = envstr(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    raw = envstr(name, "")
    if raw == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def envmap(name: str, default: dict[str, str]) -> dict[str, str]:
    """``key=value,key=value`` (e.g. one SMS template id per message kind)."""
    raw = envstr(name, "")
    if raw == "":
        return default
    result: dict[str, str] = {}
    for part in raw.split(","):
        key, sep, value = (s.strip() for s in part.partition("="))
        if not part.strip():
            continue
        if not sep or not key or not value:
            raise ValueError(f"{name} must be key=value pairs separated by commas, got {part!r}")
        result[key] = value
    return result
