"""Fixed-window counters in the Redis cache (atomic INCR with an expiry).

Counters live in Redis, not in the database, so that a refused request writes
nothing durable and the limits hold across every web process.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(kind: str, subject: str) -> str:
    # Hashed so that phone numbers, usernames and addresses never appear as keys.
    digest = hashlib.sha256(subject.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"accord:rl:{kind}:{digest}"


def hit(kind: str, subject: str, *, window: int) -> int:
    """Count one event; return the count in the current window (first one included)."""
    key = _key(kind, subject)
    for _attempt in range(3):
        # add() starts the window; it is a no-op while the window runs.
        cache.add(key, 0, timeout=window)
        try:
            return int(cache.incr(key))
        except ValueError:
            # The window expired between add() and incr(): start a new one.
            continue
    raise RuntimeError(f"could not count {kind}")


def count(kind: str, subject: str) -> int:
    return int(cache.get(_key(kind, subject), 0))


def reset(kind: str, subject: str) -> None:
    cache.delete(_key(kind, subject))


def claim(kind: str, subject: str, *, seconds: int) -> float | None:
    """Take a cooldown slot. Return None when taken, else the seconds still to wait."""
    if seconds <= 0:
        return None
    key = _key(kind, subject)
    now = time.time()
    if cache.add(key, now, timeout=seconds):
        return None
    started = cache.get(key)
    if started is None:
        # Expired just now: try once more rather than refuse.
        return None if cache.add(key, now, timeout=seconds) else float(seconds)
    return max(1.0, float(started) + seconds - now)


def release(kind: str, subject: str) -> None:
    cache.delete(_key(kind, subject))


def lock(kind: str, subject: str, *, seconds: int) -> None:
    """Lock ``subject`` for ``seconds`` from now (a later lock replaces an earlier one)."""
    if seconds > 0:
        cache.set(_key(kind, subject), time.time() + seconds, timeout=seconds)


def locked_for(kind: str, subject: str) -> float | None:
    """The seconds a lock of ``subject`` still holds, or None when it is not locked."""
    until = cache.get(_key(kind, subject))
    if until is None:
        return None
    left = float(until) - time.time()
    return left if left > 0 else None
