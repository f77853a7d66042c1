"""Telling live rooms that they were ended by something other than their mediator (the case was
withdrawn or closed): every connection gets ``ended`` and closes, the media worker closes the
room, and nothing of it stays in Redis. Called after the ending transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from accord.rooms import live
from accord.rooms.groups import room_group
from media_contract.messages import RoomClose
from media_contract.names import worker_channel

logger = logging.getLogger(__name__)


def close_rooms(rooms: Iterable[str]) -> None:
    """Best effort: the sessions are already ended in the database, and a connection that
    misses this is refused at its next control or reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    for room in rooms:
        try:
            worker = live.room_worker(room)
            if worker is not None:
                async_to_sync(layer.send)(
                    worker_channel(worker), RoomClose(type="room.close", room=room)
                )
            async_to_sync(layer.group_send)(room_group(room), {"type": "room.ended"})
            live.room_forget(room)
        except (redis.RedisError, OSError) as exc:
            logger.warning("room %s: cannot tell the live room it ended: %s", room, exc)
