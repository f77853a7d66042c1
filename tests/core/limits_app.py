"""A tiny ASGI application for tests/core/test_body_limits.py: daphne (through
accord.core.daphne) serves it, so the test sees what the server itself lets through."""

from __future__ import annotations

import json
from typing import Any


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            received += len(message.get("body") or b"")
            if not message.get("more_body"):
                break
        body = json.dumps({"received": received}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
    elif scope["type"] == "websocket":
        while True:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
            elif message["type"] == "websocket.receive":
                text = message.get("text") or ""
                await send({"type": "websocket.send", "text": f"echo {len(text)}"})
            else:
                return
    elif scope["type"] == "lifespan":
        return
