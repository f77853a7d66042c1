"""The room socket refuses a session past its lifetime or idle time (accord.accounts.sessions),
counts an open socket as activity, and closes it when the absolute lifetime ends."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.backends.db import SessionStore

from accord.accounts.sessions import KIND_KEY, LAST_SEEN_KEY, SIGNED_IN_AT_KEY, STAFF
from tests.rooms.conftest import session_cookie
from tests.rooms.test_consumer import _fresh_channel_layer, join, open_socket  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("heartbeat_prefix")]


def clocks(signed_in_ago: float, seen_ago: float) -> dict[str, object]:
    now = time.time()
    return {
        KIND_KEY: STAFF,
        SIGNED_IN_AT_KEY: now - signed_in_ago,
        LAST_SEEN_KEY: now - seen_ago,
    }


async def test_a_staff_session_past_its_lifetime_is_refused_4401(acknowledged, mia, settings):
    settings.ACCORD_STAFF_SESSION_MAX_SECONDS = 12 * 3600
    browser = await join(acknowledged, mia, **clocks(12 * 3600 + 1, 10))
    assert await browser.closed_with() == 4401


async def test_an_idle_staff_session_is_refused_4401(acknowledged, mia, settings):
    settings.ACCORD_STAFF_SESSION_IDLE_SECONDS = 30 * 60
    browser = await join(acknowledged, mia, **clocks(31 * 60, 31 * 60))
    assert await browser.closed_with() == 4401


async def test_a_live_session_gets_in_and_the_connect_counts_as_activity(acknowledged, mia):
    cookie = await database_sync_to_async(session_cookie)(mia, **clocks(3600, 20 * 60))
    browser = await open_socket(acknowledged.pk, cookie)
    await browser.until("welcome")
    stored = await database_sync_to_async(SessionStore(session_key=cookie).load)()
    assert abs(stored[LAST_SEEN_KEY] - time.time()) < 5
    await browser.close()


async def test_an_open_socket_is_closed_when_the_lifetime_ends(acknowledged, mia, settings):
    settings.ACCORD_STAFF_SESSION_MAX_SECONDS = 3600
    browser = await join(acknowledged, mia, **clocks(3600 - 2, 5))
    await browser.until("welcome")
    await asyncio.sleep(2.5)
    await browser.send({"type": "ping"})
    assert await browser.closed_with() == 4401
