"""Throttled keyframe requests to one publisher's video.

Every new subscriber, caucus move and subscriber PLI asks for a keyframe; a burst of them must
cost the publisher one keyframe, not one each. A request inside the throttle window is not
dropped but deferred to the window's end, so the last asker still gets its keyframe.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.5


class KeyframeRequester:
    def __init__(
        self,
        send: Callable[[], Awaitable[bool]],
        *,
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._interval = interval
        self._clock = clock
        self._last = -float("inf")
        self._deferred: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0

    def request(self) -> None:
        if self._deferred is not None:
            return  # one is already on its way
        wait = self._last + self._interval - self._clock()
        loop = asyncio.get_running_loop()
        if wait <= 0:
            self._fire()
        else:
            self._deferred = loop.call_later(wait, self._fire)

    def _fire(self) -> None:
        self._deferred = None
        self._last = self._clock()
        task = asyncio.get_running_loop().create_task(self._run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self) -> None:
        try:
            # Nothing sent when the publisher has sent nothing yet: its first frame is a
            # keyframe anyway.
            if await self._send():
                self.sent += 1
        except ConnectionError as exc:
            logger.debug("keyframe request not sent: %s", exc)

    def close(self) -> None:
        if self._deferred is not None:
            self._deferred.cancel()
            self._deferred = None
        for task in self._tasks:
            task.cancel()
