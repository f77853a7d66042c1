"""The media worker's SFU (media_worker.sfu.SFU) running in-process on its own event loop,
wired to room pages whose signaling socket is scripted (harness.FakeServer): the browser's
media path — offer layout, answer, slots by mid, caucus routes, mute — against the real SFU
without Django. Replies cross threads through a queue and reach the pages when `pump()` runs on
Playwright's thread (its sync API is not thread-safe)."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import BrowserContext, Page, WebSocketRoute

from media_contract.messages import Reply
from media_worker.sfu import SFU
from tests.frontend.harness import SESSION_ID, FakeServer, open_room


class LiveSfu:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.replies: queue.Queue[tuple[str, Reply]] = queue.Queue()
        self.sfu: SFU = self.call(self._make())

    async def _make(self) -> SFU:
        async def send(channel: str, message: Reply) -> None:
            self.replies.put((channel, message))

        return SFU(send)

    def call(self, coroutine: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def submit(self, message: dict[str, Any]) -> None:
        asyncio.run_coroutine_threadsafe(self.sfu.handle(message), self.loop)

    def close(self) -> None:
        try:
            self.call(self.sfu.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


class MediaPerson:
    def __init__(self, page: Page, server: FakeServer, pid: str, name: str, role: str) -> None:
        self.page, self.server, self.pid, self.name, self.role = page, server, pid, name, role

    def frames_of(self, other: MediaPerson) -> int:
        return int(
            self.page.evaluate(
                """(pid) => {
                  const v = document.querySelector(
                    `video[data-testid=remote-video][data-participant-id="${pid}"]`);
                  return v ? v.getVideoPlaybackQuality().totalVideoFrames : -1;
                }""",
                other.pid,
            )
        )

    def audio_bytes_of(self, other: MediaPerson) -> int:
        """Audio bytes received in the slot the page shows as `other`'s (by its mid)."""
        return int(
            self.page.evaluate(
                """async (pid) => {
                  const a = document.querySelector(`audio[data-participant-id="${pid}"]`);
                  const pc = window.accordRoom && window.accordRoom.pc;
                  if (!a || !pc) return -1;
                  let bytes = -1;
                  (await pc.getStats()).forEach((s) => {
                    const mine = s.type === "inbound-rtp" && s.mid === a.dataset.mid;
                    if (mine) bytes = s.bytesReceived;
                  });
                  return bytes;
                }""",
                other.pid,
            )
        )


class MediaRoom:
    """Pages in one room of the live SFU; every participant is admitted at once."""

    def __init__(self, sfu: LiveSfu) -> None:
        self.sfu = sfu
        self.people: dict[str, MediaPerson] = {}

    def presence(self) -> list[dict[str, Any]]:
        return [
            {"id": p.pid, "name": p.name, "role": p.role, "state": "in_room", "group": "plenary"}
            for p in self.people.values()
        ]

    def join(self, context: BrowserContext, pid: str, name: str, role: str) -> MediaPerson:
        page, server = open_room(context, role=role, participant_id=pid, name=name)
        person = MediaPerson(page, server, pid, name, role)
        self.people[pid] = person
        server.on_connect = lambda server, ws: self._welcome(person, ws)
        server.on_frame = lambda frame: self._from_client(person, frame)
        page.get_by_test_id("join-button").click()
        return person

    def _welcome(self, person: MediaPerson, ws: WebSocketRoute) -> None:
        me = {"id": person.pid, "name": person.name, "role": person.role, "admitted": True}
        person.server.send({"type": "welcome", "me": me, "participants": self.presence()}, ws)
        person.server.send({"type": "admitted"}, ws)
        for other in self.people.values():
            if other.server.sockets:
                other.server.send({"type": "presence", "participants": self.presence()})

    def _from_client(self, person: MediaPerson, frame: dict[str, Any]) -> None:
        if frame.get("type") == "offer":
            self.sfu.submit(
                {
                    "type": "room.offer",
                    "room": SESSION_ID,
                    "participant": person.pid,
                    "sdp": frame["sdp"],
                    "reply_channel": person.pid,
                    "group": "plenary",
                    "muted": False,
                    "can_screen": person.role == "mediator",
                }
            )

    def route(self, person: MediaPerson, group: str) -> None:
        self.sfu.submit(
            {"type": "room.route", "room": SESSION_ID, "participant": person.pid, "group": group}
        )

    def mute(self, person: MediaPerson, muted: bool) -> None:
        self.sfu.submit(
            {"type": "room.mute", "room": SESSION_ID, "participant": person.pid, "muted": muted}
        )

    def pump(self) -> None:
        """Deliver the SFU's replies to the pages as the consumer would."""
        while True:
            try:
                channel, message = self.sfu.replies.get_nowait()
            except queue.Empty:
                return
            person = self.people.get(channel)
            if person is None or not person.server.sockets:
                continue
            if message["type"] == "media.answer":
                person.server.send({"type": "answer", "sdp": message["sdp"]})
            elif message["type"] == "media.slots":
                person.server.send({"type": "slots", "slots": message["slots"]})
            elif message["type"] == "media.error":
                person.server.send(
                    {"type": "error", "code": message["code"], "message": message["message"]}
                )

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float = 20) -> None:
        page = next(iter(self.people.values())).page
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            if predicate():
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"not within {timeout:.0f}s: {what}")

    def settle(self, viewer: MediaPerson, seconds: float = 1.0) -> None:
        for _ in range(int(seconds * 10)):
            self.pump()
            viewer.page.wait_for_timeout(100)

    def hearing(self, viewer: MediaPerson, other: MediaPerson) -> bool:
        before = viewer.audio_bytes_of(other)
        self.settle(viewer, 1.5)
        return before >= 0 and viewer.audio_bytes_of(other) > before

    def advancing(self, viewer: MediaPerson, other: MediaPerson) -> bool:
        before = viewer.frames_of(other)
        if before < 0:
            return False
        for _ in range(10):  # about a second, delivering replies meanwhile
            self.pump()
            viewer.page.wait_for_timeout(100)
        return viewer.frames_of(other) > before
