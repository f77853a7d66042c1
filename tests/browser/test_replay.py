"""Replay on the whole stack (issue 5): a 3-party hearing with a caucus is recorded and
finalized; an auditor signs in (password and authenticator code), opens the session's replay
page and plays it: the three recordings advance together, within 100 ms of the page's master
clock; clicking the caucus event moves the playhead there and the room's composition shows the
caucus; the replay is in the case's trace afterwards."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.browser.people import Person, poll
from tests.browser.recordings import read_object, recorded, wait_manifest
from tests.browser.stack import BrowserStack
from tests.browser.test_recording import control, end, everyone_sees_everyone, session_of

pytestmark = pytest.mark.slow

AUDITOR = "fmc-auditor"  # an auditor of the demo mediation organization (accord.demo.data)
PASSWORD = "accord-demo-2026"  # the demo data's
TOTP_SECRET = "ACCORDDEMOTOTPSECRETBASE32ABCDEF"  # the demo data's
SYNC_MS = 100

SAMPLE_JS = "() => ({clock: window.accordReplay.clockMs(), videos: window.accordReplay.videos()})"


def sign_in_staff(page: Page, base_url: str, username: str, next_path: str) -> None:
    page.goto(f"{base_url}/en/accounts/staff/signin/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/verify/**")
    page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{next_path}")


def island(page: Page) -> dict[str, Any]:
    return dict(json.loads(page.locator("#replay-data").text_content() or "{}"))


def in_sync(sample: dict[str, Any]) -> list[str]:
    """What is out of sync in one sample of the page: every playing video's position, mapped
    to session time, within SYNC_MS of the clock."""
    problems = []
    for video in sample["videos"]:
        if video["source"] != "av" or not video["active"]:
            continue
        if video["paused"] or video["sessionMs"] is None:
            problems.append(f"{video['participantId']} not playing: {video}")
            continue
        drift = video["sessionMs"] - sample["clock"]
        if abs(drift) > SYNC_MS:
            problems.append(f"{video['participantId']} {drift:+.0f} ms: {video}")
    return problems


def policy_problems(console: list[str]) -> list[str]:
    """What Chromium logs when the pages' Content-Security-Policy refused something, or when
    their Permissions-Policy header names a feature it does not know."""
    return [
        line
        for line in console
        if "Content Security Policy" in line or "Permissions-Policy" in line
    ]


def test_the_replay_plays_everyone_together_and_seeks_to_the_caucus(
    stack: BrowserStack, browser: Browser, hearing: tuple[Person, Person, Person]
) -> None:
    mediator, applicant, respondent = hearing
    session_id = session_of(mediator)
    everyone_sees_everyone(hearing)
    control(mediator, "start")
    mediator.page.wait_for_timeout(6000)
    mediator.page.locator(
        f'[data-testid=caucus-button][data-participant-id="{applicant.participant_id}"]'
    ).click()
    expect(applicant.page.get_by_test_id("caucus-banner")).to_have_class("group-banner caucus")
    mediator.page.wait_for_timeout(4000)
    mediator.page.get_by_test_id("all-plenary-button").click()
    expect(applicant.page.get_by_test_id("caucus-banner")).to_have_attribute(
        "data-group", "plenary"
    )
    mediator.page.wait_for_timeout(4000)
    end(mediator)
    manifest = wait_manifest(stack, session_id)
    case_no = recorded(stack, session_id).case_no

    context = browser.new_context(viewport={"width": 1000, "height": 800})
    console: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        path = f"/en/cases/{case_no}/sessions/{session_id}/replay/"
        page_headers: dict[str, str] = {}

        def keep_headers(response: Response) -> None:
            if urlsplit(response.url).path == path and response.request.resource_type == "document":
                page_headers.update(response.headers)

        page.on("response", keep_headers)
        sign_in_staff(page, stack.base_url, AUDITOR, path)
        expect(page.get_by_test_id("replay-page")).to_be_visible()
        people = {p.participant_id for p in hearing}
        videos = page.locator("video[data-testid=replay-video][data-source=av]")
        expect(videos).to_have_count(3)
        assert {videos.nth(i).get_attribute("data-participant-id") for i in range(3)} == people
        page.wait_for_function("() => window.accordReplay !== undefined")

        # Where all three were recorded: from the latest start of a first span.
        data = island(page)
        av = [f for f in data["files"] if f["source"] == "av"]
        together = max(f["spans"][0]["start_ms"] for f in av) + 300
        page.evaluate("(ms) => window.accordReplay.seek(ms)", together)
        page.get_by_test_id("replay-play").click()
        expect(page.get_by_test_id("replay-play")).to_have_attribute("data-state", "playing")
        poll(
            lambda: page.evaluate("() => window.accordReplay.phase()") == "running",
            f"the replay runs; console: {console[-5:]}",
            10,
        )
        page.wait_for_timeout(1000)
        samples = []
        for _ in range(4):
            sample = page.evaluate(SAMPLE_JS)
            samples.append(sample)
            assert in_sync(sample) == [], (sample, console[-5:])
            page.wait_for_timeout(600)
        drifts = [
            round(v["sessionMs"] - s["clock"])
            for s in samples
            for v in s["videos"]
            if v["active"] and v["sessionMs"] is not None
        ]
        print("replay drift (ms) per video and sample:", drifts)
        first, last = samples[0], samples[-1]
        assert last["clock"] - first["clock"] > 1500
        for before, after in zip(first["videos"], last["videos"], strict=True):
            if before["source"] == "av":
                assert after["fileMs"] - before["fileMs"] > 1500, (before, after)

        # Speed: at 2× the clock and the videos run twice as fast, still together.
        page.get_by_test_id("replay-speed").select_option("2")
        page.wait_for_timeout(1500)
        fast = page.evaluate(SAMPLE_JS)
        page.wait_for_timeout(1000)
        faster = page.evaluate(SAMPLE_JS)
        assert 1700 <= faster["clock"] - fast["clock"] <= 2300
        page.get_by_test_id("replay-speed").select_option("1")

        # Click the caucus event while playing: the playhead jumps there and playing goes
        # on within a second; the composition shows the applicant in the caucus.
        caucus = page.locator('[data-testid=replay-event][data-action="room.moved"]').first
        at_ms = int(caucus.get_attribute("data-at-ms") or "0")
        clicked = time.monotonic()
        caucus.click()
        poll(
            lambda: page.evaluate("() => window.accordReplay.phase()") == "running",
            "playing again after the seek",
            5,
        )
        restart = time.monotonic() - clicked
        print(f"playing again {restart:.2f} s after the seek")
        assert restart < 1.0, f"playing again {restart:.2f} s after the seek"
        page.get_by_test_id("replay-play").click()  # pause, to read the playhead
        playhead = int(page.get_by_test_id("replay-playhead").get_attribute("data-ms") or "0")
        assert at_ms <= playhead <= at_ms + 1500, (at_ms, playhead)
        composition = page.get_by_test_id("replay-composition")
        expect(composition).to_have_attribute(
            "data-groups", re.compile(rf'"{applicant.participant_id}":"caucus-')
        )
        expect(composition.locator(".group.caucus")).to_have_count(1)
        groups = json.loads(composition.get_attribute("data-groups") or "{}")
        assert groups[respondent.participant_id] == "plenary"
        # The demo organization records no caucus: the applicant's tile says so there.
        page.evaluate("(ms) => window.accordReplay.seek(ms)", at_ms + 2500)
        expect(
            page.locator(f'.replay-tile[data-participant-id="{applicant.participant_id}"]')
        ).to_have_class(re.compile(r"\babsent\b"))
        # The device check, the room and the replay ran under the strict policy, refused
        # nothing (docs/security/headers.md) and were served their headers.
        assert policy_problems(console) == [], console
        for person in hearing:
            assert policy_problems(person.console) == [], person.describe()
        assert "script-src 'self'" in page_headers["content-security-policy"]
        assert "camera=()" in page_headers["permissions-policy"]
    finally:
        context.close()

    replayed = [
        e
        for e in recorded(stack, session_id).of("recording.replayed")
        if e["payload"]["session_id"] == session_id
    ]
    assert len(replayed) == 1
    assert replayed[0]["payload"]["via"] == "auditor"

    # Seeking by Range reads works without them, but the final files should carry Cues
    # (finalize's writer streams; see the report of issue 5) — recorded here, not enforced.
    final = read_object(stack, manifest["files"][0]["key"])
    print("final file has Cues:", b"\x1c\x53\xbb\x6b" in final)
