"""Process entry point: serve rooms from the channel layer, heartbeat and drain the recording
spool until SIGTERM/SIGINT, then close every room, deregister and exit 0.

On stop the uploader finishes the segment it is uploading; the rest stays in the spool and is
picked up by `Spool.recover` at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import signal
import sys

from redis.asyncio import Redis
from redis.exceptions import RedisError

from media_contract.names import worker_channel
from media_worker.channel import ChannelLayerLink, Link
from media_worker.config import ConfigError, WorkerConfig
from media_worker.registrar import Registrar
from media_worker.registry import Load, Registry, cpu_load
from media_worker.sfu import SFU
from media_worker.spool import Spool
from media_worker.uploader import Uploader, make_store

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


async def serve(sfu: SFU, link: Link, channel: str, stop: asyncio.Event) -> None:
    """Hand every message on `channel` to the SFU until `stop` is set.

    Each message runs as its own task: the SFU orders a room's messages itself, and an offer
    (which gathers ICE candidates) must not hold up other rooms.
    """
    tasks: set[asyncio.Task[None]] = set()
    stopping = asyncio.ensure_future(stop.wait())
    failing = False
    try:
        while not stop.is_set():
            receiving = asyncio.ensure_future(link.receive(channel))
            await asyncio.wait({receiving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not receiving.done():
                # A receive cut short may still end with the connection's error: retrieve it.
                receiving.add_done_callback(lambda f: f.cancelled() or f.exception())
                receiving.cancel()
                break
            try:
                message = receiving.result()
            except (RedisError, OSError) as exc:
                if not failing:
                    logger.warning("channel layer: cannot receive: %s", exc)
                failing = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)
                continue
            failing = False
            task = asyncio.ensure_future(sfu.handle(message))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    finally:
        stopping.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)


async def run(config: WorkerConfig, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    redis = Redis.from_url(config.redis_url, socket_timeout=5, socket_connect_timeout=5)
    link = ChannelLayerLink(config.redis_url, config.channel_prefix)
    alerts: set[asyncio.Future[object]] = set()

    def alert(code: str, message: str) -> None:
        """Recording alerts go to the participants of this worker's rooms (SFU.alert)."""
        handler = getattr(sfu, "alert", None)
        if handler is None:
            logger.warning("recording alert %s (no SFU.alert to send it): %s", code, message)
            return
        result = handler(code, message)
        if inspect.isawaitable(result):
            future = asyncio.ensure_future(result)
            alerts.add(future)
            future.add_done_callback(alerts.discard)

    spool = Spool(config.spool_dir, config.spool_limit_bytes, alert=alert)
    registrar = Registrar(config.internal_url, config.media_token)
    store = make_store(
        config.s3_endpoint,
        config.s3_access_key,
        config.s3_secret_key,
        secure=config.s3_secure,
        region=config.s3_region,
        sse=config.s3_sse,
    )
    uploader = Uploader(
        spool,
        registrar,
        store,
        bucket=config.s3_bucket_recordings,
        worker_id=config.worker_id,
        alert=alert,
    )
    sfu = SFU(
        link.send,
        sink=spool,
        worker_id=config.worker_id,
        segment_seconds=config.segment_seconds,
        on_interruption=uploader.on_interruption,
        on_session_closed=uploader.on_session_closed,
        loss_repair=config.loss_repair,
    )
    interruptions = spool.recover()
    uploader.report(interruptions)
    logger.info(
        "spool %s: %d segment(s) to upload, %d interruption(s) to report, %d bytes of %d",
        config.spool_dir,
        spool.pending_count,
        len(interruptions),
        spool.bytes,
        spool.limit,
    )
    registry = Registry(
        redis,
        config,
        load=lambda: Load(
            rooms=len(sfu.rooms), participants=sfu.participant_count, load=cpu_load()
        ),
        spool=uploader.stats,
    )
    channel = worker_channel(config.worker_id)
    logger.info(
        "media worker %s registering as %s, listening on %s",
        config.worker_id,
        registry.key,
        channel,
    )
    jobs = [heartbeat(registry, config.heartbeat_interval, stop), serve(sfu, link, channel, stop)]
    if registrar.enabled:
        jobs.append(uploader.run(stop))
    else:
        logger.warning(
            "MEDIA_WORKER_TOKEN is empty: recording registration is disabled; segments stay "
            "in the spool %s",
            config.spool_dir,
        )
    try:
        await asyncio.gather(*jobs)
    finally:
        await sfu.close()
        await link.close()
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
