"""KEY=VALUE files that carry one stack's ports and keys to every process of that stack.

The format is the subset that both a shell (`set -a; . var/stack.env`) and our own reader
agree on: one assignment a line, `#` comments, values without quotes or spaces.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_@%+=:,./~-]*$")


def read_env(path: Path) -> dict[str, str]:
    """The assignments in path; an absent file is empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: not KEY=VALUE: {raw!r}")
        values[match.group(1)] = match.group(2)
    return values


def write_env(path: Path, values: Mapping[str, str], *, header: str = "") -> None:
    """Write atomically and readable by the owner only: the file holds secrets."""
    for key, value in values.items():
        if not _SAFE_VALUE.match(value):
            raise ValueError(f"{key}: value would need shell quoting: {value!r}")
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"{key}={value}" for key, value in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def merged(existing: Mapping[str, str], defaults: Mapping[str, str]) -> dict[str, str]:
    """Keep every value already chosen; add defaults only for keys not yet there.

    This is what makes a second `make up` reuse the ports and keys of the first.
    """
    result = dict(existing)
    for key, value in defaults.items():
        result.setdefault(key, value)
    return result
