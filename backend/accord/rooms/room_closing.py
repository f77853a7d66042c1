"""Telling live rooms that they were ended by something other than their mediator (the case was
withdrawn or closed): every connection gets ``ended`` and closes, the media worker closes the
room, and nothing of it stays in Redis; and putting out of a live room a participant who lost
access to its case (a recused or replaced mediator). Called after the transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from accord.rooms import live
from accord.rooms.groups import participant_group, room_group
from media_contract.messages import RoomClose, RoomLeave
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


def put_out(targets: Iterable[tuple[str, int]]) -> None:
    """Each ``(room, participant id)`` lost access to the room's case: the media worker drops
    the participant's media (nothing more is forwarded to them) and their connections get
    ``access_revoked`` and close (4403). Best effort, as :func:`close_rooms`."""
    layer = get_channel_layer()
    if layer is None:
        return
    for room, participant_id in targets:
        try:
            worker = live.room_worker(room)
            if worker is not None:
                async_to_sync(layer.send)(
                    worker_channel(worker),
                    RoomLeave(type="room.leave", room=room, participant=str(participant_id)),
                )
            async_to_sync(layer.group_send)(
                participant_group(room, participant_id), {"type": "room.access_revoked"}
            )
        except (redis.RedisError, OSError) as exc:
            logger.warning("room %s: cannot put out participant %s: %s", room, participant_id, exc)
