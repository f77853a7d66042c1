"""Process entry point: heartbeat until SIGTERM/SIGINT, then deregister and exit 0."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from redis.asyncio import Redis
from redis.exceptions import RedisError

from media_worker.config import ConfigError, WorkerConfig
from media_worker.registry import Registry

logger = logging.getLogger("media_worker")


async def heartbeat(registry: Registry, interval: float, stop: asyncio.Event) -> None:
    """Refresh the registry entry every `interval` seconds until `stop` is set.

    A Redis outage is logged and retried: the worker keeps serving its rooms, and its key's
    TTL tells the web the truth meanwhile.
    """
    failing = False
    while not stop.is_set():
        try:
            await registry.beat()
            if failing:
                logger.info("heartbeat: Redis reachable again")
            failing = False
        except (RedisError, OSError) as exc:
            if not failing:
                logger.warning("heartbeat: cannot reach Redis: %s", exc)
            failing = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def run(config: WorkerConfig, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    redis = Redis.from_url(config.redis_url, socket_timeout=5, socket_connect_timeout=5)
    registry = Registry(redis, config)
    logger.info("media worker %s registering as %s", config.worker_id, registry.key)
    try:
        await heartbeat(registry, config.heartbeat_interval, stop)
    finally:
        try:
            await registry.deregister()
            logger.info("media worker %s deregistered", config.worker_id)
        except (RedisError, OSError) as exc:
            logger.warning("could not deregister (the key expires by itself): %s", exc)
        # types-redis predates aclose() (redis-py 5), which replaced the deprecated close().
        await redis.aclose()  # type: ignore[attr-defined]
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        config = WorkerConfig.from_env()
    except ConfigError as exc:
        print(f"media worker: {exc}", file=sys.stderr)
        return 2
    asyncio.run(run(config))
    return 0
