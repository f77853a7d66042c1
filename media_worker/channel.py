"""The worker's end of the channel layer the web uses (Django Channels with channels_redis).

channels_redis's RedisChannelLayer works without Django settings when constructed directly, so
the worker speaks exactly the web's wire format (msgpack, prefix, expiry) instead of a copy of
it. It imports Django's modules but never configures or touches Django.
"""

from __future__ import annotations

from typing import Any, Protocol

from channels_redis.core import RedisChannelLayer


class Link(Protocol):
    """What the worker needs of a message bus; tests may use an in-process one."""

    async def receive(self, channel: str) -> dict[str, Any]: ...

    async def send(self, channel: str, message: Any) -> None: ...

    async def close(self) -> None: ...


class ChannelLayerLink:
    def __init__(self, redis_url: str, prefix: str) -> None:
        # Same hosts and prefix as the web's CHANNEL_LAYERS; the other options are the
        # library's defaults on both sides.
        self.layer = RedisChannelLayer(hosts=[redis_url], prefix=prefix)

    async def receive(self, channel: str) -> dict[str, Any]:
        message: dict[str, Any] = await self.layer.receive(channel)
        return message

    async def send(self, channel: str, message: Any) -> None:
        await self.layer.send(channel, dict(message))

    async def close(self) -> None:
        await self.layer.close_pools()
