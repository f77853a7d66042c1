"""The worker's entry in Redis: a JSON status under a key that expires unless refreshed
(key and status are the contract's, `media_contract.heartbeat`).

The web reads these keys for /healthz and, once rooms are placed on workers, to choose one.
A worker that dies without saying so disappears when its TTL runs out.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import NamedTuple

from redis.asyncio import Redis

from media_contract.heartbeat import SpoolStatus, WorkerStatus, encode_status
from media_worker.config import WorkerConfig


class Load(NamedTuple):
    rooms: int
    participants: int
    load: float


def cpu_load() -> float:
    """The 1-minute load average per core: what the web places rooms by (with `rooms`)."""
    return round(os.getloadavg()[0] / (os.cpu_count() or 1), 3)


def system_load() -> Load:
    return Load(rooms=0, participants=0, load=cpu_load())


class Registry:
    def __init__(
        self,
        redis: Redis,
        config: WorkerConfig,
        *,
        load: Callable[[], Load] = system_load,
        clock: Callable[[], float] = time.time,
        spool: Callable[[], SpoolStatus] | None = None,
    ) -> None:
        self.redis = redis
        self.config = config
        self.load = load
        self.clock = clock
        self.spool = spool
        self.started_at = clock()

    @property
    def key(self) -> str:
        return self.config.registry_key

    def status(self) -> WorkerStatus:
        current = self.load()
        status = WorkerStatus(
            id=self.config.worker_id,
            host=self.config.host,
            pid=os.getpid(),
            rooms=current.rooms,
            participants=current.participants,
            load=current.load,
            started_at=self.started_at,
            at=self.clock(),
        )
        if self.spool is not None:
            status["spool"] = self.spool()
        return status

    async def beat(self) -> WorkerStatus:
        status = self.status()
        await self.redis.set(self.key, encode_status(status), ex=self.config.heartbeat_ttl)
        return status

    async def deregister(self) -> None:
        await self.redis.delete(self.key)
