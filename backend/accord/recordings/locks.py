"""One run at a time per hearing session for the slow recording jobs (finalize, composite)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from django.core.cache import cache

from accord.rooms.models import HearingSession

LOCK_SECONDS = 3600


@contextlib.contextmanager
def session_lock(job: str, session: HearingSession, busy: Exception) -> Iterator[None]:
    """Hold the `job` lock of `session` (in the shared cache), or raise `busy` at once.

    The lock expires after LOCK_SECONDS, so a worker that dies holding it does not block the
    job for ever; only the holder's token releases it.
    """
    key = f"recordings:{job}:{session.pk}"
    token = secrets.token_hex(8)
    if not cache.add(key, token, timeout=LOCK_SECONDS):
        raise busy
    try:
        yield
    finally:
        if cache.get(key) == token:
            cache.delete(key)
