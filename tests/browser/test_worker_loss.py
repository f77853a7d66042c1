"""A media worker dies under a hearing: the web notices its heartbeat is gone, places the room
on the other worker and tells everyone to reconnect; the pages offer again without reloading."""

from __future__ import annotations

import signal

import pytest

from tests.browser.people import poll, wait_sees
from tests.browser.stack import BrowserStack

pytestmark = pytest.mark.slow


def test_the_room_recovers_on_another_worker(stack: BrowserStack, hearing) -> None:
    if len(stack.workers) < 2:
        stack.start_worker(f"{stack.workers[0]}-spare")
    mediator = hearing[0]
    session_id = mediator.page.locator("#room").get_attribute("data-session-id") or ""
    for viewer in hearing:
        for other in hearing:
            if other is not viewer:
                wait_sees(viewer, other)
    for person in hearing:
        person.page.evaluate("() => { window.beforeLoss = true; }")
    lost = stack.room_worker(session_id)
    assert lost in stack.workers

    stack.processes.stop(lost, signal.SIGKILL)
    stack.workers.remove(lost)

    poll(lambda: stack.room_worker(session_id) not in (None, lost), "the room moves", 30)
    for viewer in hearing:
        for other in hearing:
            if other is not viewer:
                wait_sees(viewer, other, timeout=30)
    for person in hearing:
        assert person.page.evaluate("() => window.beforeLoss") is True
