"""In-process SFU with a list for an outbox; real aiortc peers on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from media_worker.sfu import SFU
from tests.media_worker.peers import ClientPeer, Outbox


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
async def sfu(outbox: Outbox) -> AsyncIterator[SFU]:
    worker = SFU(outbox.send)
    yield worker
    await worker.close()


@pytest.fixture
async def clients() -> AsyncIterator[list[ClientPeer]]:
    """Append the clients a test makes; they are closed after it."""
    made: list[ClientPeer] = []
    yield made
    for client in made:
        await client.close()
