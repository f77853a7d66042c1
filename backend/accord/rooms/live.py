"""What a room is doing right now, in Redis: who is connected, hands, speaking, connection
quality, and which media worker hosts it.

None of this is evidence: the trace holds joins, leaves and every control. These keys only let
several daphne processes see the same room, and they expire so that a crashed process leaves
nothing behind for long.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis
from django.conf import settings

from accord.core import heartbeats
from media_contract.heartbeat import WorkerStatus

# A connection that has not refreshed its entry for this long counts as gone (its process died).
ONLINE_STALE_SECONDS = 10.0
# Room keys outlive any hearing; they only need to expire eventually.
ROOM_KEY_TTL = 24 * 3600
# Which workers a room was ever placed on outlives the room (room_forget keeps it): a worker
# drains its spool after the hearing, and the web accepts its segments only for rooms placed
# on it (accord.recordings.services, docs/security/media.md).
ASSIGNMENT_TTL = 30 * 24 * 3600
CHAT_WINDOW_SECONDS = 10
CHAT_PER_WINDOW = 20


def _client() -> redis.Redis:
    return heartbeats.redis_client()


def _room_key(session_id: str, name: str) -> str:
    return f"{settings.ACCORD_HEARTBEAT_PREFIX}:room:{session_id}:{name}"


def worker_key(session_id: str) -> str:
    """``<prefix>:room:<session_id>:worker``, as docs/rooms-protocol.md names it."""
    return _room_key(session_id, "worker")


# --- Connections and live flags ---------------------------------------------


def connection_add(*, session_id: str, channel_name: str, participant_id: int) -> None:
    key = _room_key(session_id, "online")
    value = json.dumps({"p": participant_id, "at": time.time()})
    client = _client()
    client.hset(key, channel_name, value)
    client.expire(key, ROOM_KEY_TTL)


def connection_remove(*, session_id: str, channel_name: str) -> None:
    _client().hdel(_room_key(session_id, "online"), channel_name)


def online_participants(session_id: str) -> set[int]:
    """Participants with at least one live connection (from any web process)."""
    raw: dict[bytes, bytes] = _client().hgetall(_room_key(session_id, "online"))
    now = time.time()
    online: set[int] = set()
    for value in raw.values():
        try:
            entry = json.loads(value)
            if now - float(entry["at"]) <= ONLINE_STALE_SECONDS:
                online.add(int(entry["p"]))
        except (ValueError, KeyError, TypeError):
            continue
    return online


def live_flags(session_id: str) -> dict[int, dict[str, Any]]:
    """``{participant_id: {"hand": bool, "speaking": bool, "quality": {...} | None}}``."""
    raw: dict[bytes, bytes] = _client().hgetall(_room_key(session_id, "live"))
    flags: dict[int, dict[str, Any]] = {}
    for field, value in raw.items():
        try:
            flags[int(field)] = json.loads(value)
        except ValueError:
            continue
    return flags


def live_flag_set(*, session_id: str, participant_id: int, name: str, value: Any) -> None:
    key = _room_key(session_id, "live")
    client = _client()
    # Read-modify-write of one participant's own flags: only their own sockets write them.
    current_raw = client.hget(key, str(participant_id))
    current = json.loads(current_raw) if current_raw else {}
    current[name] = value
    client.hset(key, str(participant_id), json.dumps(current))
    client.expire(key, ROOM_KEY_TTL)


def live_flags_clear(*, session_id: str, participant_id: int) -> None:
    _client().hdel(_room_key(session_id, "live"), str(participant_id))


def chat_allowed(*, session_id: str, participant_id: int) -> bool:
    """At most CHAT_PER_WINDOW messages per participant per window (each one is traced)."""
    key = _room_key(session_id, f"chat-rate:{participant_id}")
    client = _client()
    count = int(client.incr(key))
    if count == 1:
        client.expire(key, CHAT_WINDOW_SECONDS)
    return count <= CHAT_PER_WINDOW


# --- Open room sockets per user ---------------------------------------------
# A sorted set per user: each open socket (its channel name) scored by its last refresh. A
# process that died stops refreshing: its sockets count for ONLINE_STALE_SECONDS at most, and
# the key itself expires, so no slot leaks for ever.


def _sockets_key(user_id: int) -> str:
    return f"{settings.ACCORD_HEARTBEAT_PREFIX}:room-sockets:{user_id}"


def socket_claim(*, user_id: int, channel_name: str, cap: int) -> bool:
    """Count this socket against the user's cap; False (and not counted) when over it."""
    key = _sockets_key(user_id)
    now = time.time()
    client = _client()
    with client.pipeline(transaction=True) as pipe:
        pipe.zremrangebyscore(key, "-inf", now - ONLINE_STALE_SECONDS)
        pipe.zadd(key, {channel_name: now})
        pipe.zcard(key)
        pipe.expire(key, int(ONLINE_STALE_SECONDS * 3))
        _removed, _added, count, _expiry = pipe.execute()
    if int(count) > cap:
        client.zrem(key, channel_name)
        return False
    return True


def socket_refresh(*, user_id: int, channel_name: str) -> None:
    key = _sockets_key(user_id)
    client = _client()
    client.zadd(key, {channel_name: time.time()}, xx=True)
    client.expire(key, int(ONLINE_STALE_SECONDS * 3))


def socket_release(*, user_id: int, channel_name: str) -> None:
    _client().zrem(_sockets_key(user_id), channel_name)


# --- Placement on media workers ---------------------------------------------


def live_workers() -> dict[str, WorkerStatus]:
    return {str(w["id"]): w for w in heartbeats.media_workers() if w.get("id")}


def _least_loaded(workers: dict[str, WorkerStatus]) -> str:
    def weight(worker_id: str) -> tuple[float, int, str]:
        status = workers[worker_id]
        return (float(status.get("load") or 0), int(status.get("rooms") or 0), worker_id)

    return min(workers, key=weight)


def assignments_key(session_id: str) -> str:
    """``<prefix>:room:<session_id>:workers``: every worker the room was placed on."""
    return _room_key(session_id, "workers")


def room_assigned(session_id: str, worker_id: str) -> bool:
    """Whether the room was ever placed on ``worker_id`` (within ASSIGNMENT_TTL)."""
    client = _client()
    if client.sismember(assignments_key(session_id), worker_id):
        return True
    return room_worker(session_id) == worker_id


def room_worker(session_id: str) -> str | None:
    raw = _client().get(worker_key(session_id))
    return raw.decode() if isinstance(raw, bytes) else raw


def room_place(session_id: str, *, only_if_placed: bool = False) -> tuple[str | None, bool]:
    """The live worker hosting the room, placing it on the least-loaded one if needed.

    Returns ``(worker_id or None, moved)``: ``moved`` is true for the one caller that replaced
    a worker whose heartbeat disappeared; that caller tells the room to reconnect its media.
    With ``only_if_placed`` a room that has no worker yet stays unplaced (the periodic check).
    """
    key = worker_key(session_id)
    client = _client()
    with client.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                current = raw.decode() if isinstance(raw, bytes) else None
                if current is None and only_if_placed:
                    pipe.unwatch()
                    return None, False
                workers = live_workers()
                if current is not None and current in workers:
                    pipe.unwatch()
                    return current, False
                pipe.multi()
                if not workers:
                    pipe.delete(key)
                    pipe.execute()
                    return None, current is not None
                chosen = _least_loaded(workers)
                pipe.set(key, chosen, ex=ROOM_KEY_TTL)
                pipe.sadd(assignments_key(session_id), chosen)
                pipe.expire(assignments_key(session_id), ASSIGNMENT_TTL)
                pipe.execute()
                return chosen, current is not None
            except redis.WatchError:
                continue  # another process placed the room meanwhile: look again


def room_forget(session_id: str) -> None:
    """The session ended: nothing of it stays in Redis but which workers it was placed on
    (their spools may still hold its segments; the key expires after ASSIGNMENT_TTL)."""
    _client().delete(
        worker_key(session_id), _room_key(session_id, "online"), _room_key(session_id, "live")
    )
