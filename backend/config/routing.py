"""WebSocket routes (wrapped in origin and session checks by config.asgi)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from accord.rooms.consumers import RoomConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/rooms/<uuid:session_id>/", RoomConsumer.as_asgi()),
]
