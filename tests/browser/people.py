"""People in a hearing, each in their own browser context, driven as a person would: open the
one-time link, accept the rules on the device check page, join, and watch the others."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.netcut import CuttableProxy

# Frames decoded by the <video> of participant `pid`, or -1 when there is no such video.
FRAMES_JS = """(pid) => {
  const v = document.querySelector(`video[data-testid=remote-video][data-participant-id="${pid}"]`);
  return v ? v.getVideoPlaybackQuality().totalVideoFrames : -1;
}"""

# Bytes of audio received in the slot that carries participant `pid` (by the slot's mid).
AUDIO_BYTES_JS = """async (pid) => {
  const a = document.querySelector(`audio[data-participant-id="${pid}"]`);
  const pc = window.accordRoom && window.accordRoom.pc;
  if (!a || !pc) return -1;
  const stats = await pc.getStats();
  let bytes = -1;
  stats.forEach((s) => {
    const mine = s.type === "inbound-rtp" && s.kind === "audio" && s.mid === a.dataset.mid;
    if (mine) bytes = s.bytesReceived;
  });
  return bytes;
}"""


@dataclass
class Person:
    context: BrowserContext
    page: Page
    participant_id: str
    console: list[str] = field(default_factory=list)
    proxy: CuttableProxy | None = None

    def describe(self) -> str:
        """What this person's page shows, for failure messages."""
        state = self.page.evaluate(
            """() => ({phase: document.querySelector('#room')?.dataset.phase,
                       media: document.querySelector('#room')?.dataset.media,
                       videos: [...document.querySelectorAll('video[data-testid=remote-video]')]
                         .map((v) => [v.dataset.participantId, v.dataset.mid,
                                      v.getVideoPlaybackQuality().totalVideoFrames])})"""
        )
        return f"participant {self.participant_id}: {state}; console: {self.console[-8:]}"

    def frames_of(self, other: Person) -> int:
        return int(self.page.evaluate(FRAMES_JS, other.participant_id))

    def audio_bytes_of(self, other: Person) -> int:
        return int(self.page.evaluate(AUDIO_BYTES_JS, other.participant_id))


def enter(browser: Browser, link: str, proxy: CuttableProxy | None = None) -> Person:
    """Open the link, confirm the sign-in, pass the device check and rules, and press join;
    through `proxy` (every request and the room's socket) when given."""
    if proxy is not None:
        link = link.replace(f":{proxy.target_port}/", f":{proxy.port}/")
    context, page, console = new_page(browser)
    page.goto(link)
    # Opening a sign-in link only shows its confirmation page; the button spends it.
    page.get_by_test_id("signin-link-confirm").click()
    return join_from_check(context, page, console, proxy=proxy)


def new_page(browser: Browser) -> tuple[BrowserContext, Page, list[str]]:
    """A browser context of its own (its own cookies) with one page whose console is kept."""
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    return context, page, console


def join_from_check(
    context: BrowserContext, page: Page, console: list[str], proxy: CuttableProxy | None = None
) -> Person:
    """On the way to the device check page: accept the rules, enter the room, press join."""
    page.wait_for_url("**/check/**")
    checkbox = page.locator("#acknowledge-form input[type=checkbox]")
    if checkbox.count():
        checkbox.check()
        page.get_by_test_id("acknowledge-button").click()
    else:
        page.get_by_test_id("enter-room").click()
    page.wait_for_url("**/room/**")
    page.get_by_test_id("join-button").click()
    participant_id = page.locator("#room").get_attribute("data-participant-id") or ""
    return Person(
        context=context, page=page, participant_id=participant_id, console=console, proxy=proxy
    )


def poll(predicate: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {timeout:.0f}s: {what}")


def poll_or_describe(
    person: Person, predicate: Callable[[], bool], what: str, timeout: float = 20.0
) -> None:
    try:
        poll(predicate, what, timeout)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{person.describe()}") from None


def advancing(viewer: Person, other: Person, seconds: float = 1.5) -> bool:
    """Whether `viewer` decodes new frames of `other` over `seconds`."""
    before = viewer.frames_of(other)
    if before < 0:
        return False
    viewer.page.wait_for_timeout(seconds * 1000)
    return viewer.frames_of(other) > before


def wait_sees(viewer: Person, other: Person, timeout: float = 20.0) -> None:
    poll_or_describe(
        viewer,
        lambda: advancing(viewer, other),
        f"{viewer.participant_id} sees {other.participant_id}",
        timeout,
    )


def wait_not_seeing(viewer: Person, other: Person, timeout: float = 15.0) -> None:
    poll_or_describe(
        viewer,
        lambda: not advancing(viewer, other),
        f"{viewer.participant_id} no longer sees {other.participant_id}",
        timeout,
    )


def admit(mediator: Person, party: Person) -> None:
    button = mediator.page.locator(
        f'[data-testid=admit-button][data-participant-id="{party.participant_id}"]'
    )
    expect(button).to_be_visible(timeout=15_000)
    button.click()
