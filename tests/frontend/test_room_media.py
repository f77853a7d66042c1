"""Room pages and the media worker's SFU, with real WebRTC between headless Chromium and
aiortc: the pages' offers are accepted, receive slots map to the right people, remote video
frames advance, a caucus route and a mute take effect on the pages. (The same with Django in
between is tests/browser/.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.frontend.live_sfu import LiveSfu, MediaRoom

pytestmark = pytest.mark.slow


@pytest.fixture
def room(browser: Browser) -> Iterator[tuple[MediaRoom, list]]:
    sfu = LiveSfu()
    contexts = [browser.new_context(viewport={"width": 800, "height": 600}) for _ in range(3)]
    try:
        room = MediaRoom(sfu)
        people = [
            room.join(contexts[0], "1", "Mia", "mediator"),
            room.join(contexts[1], "2", "Ada", "applicant"),
            room.join(contexts[2], "3", "Ben", "respondent"),
        ]
        yield room, people
    finally:
        for context in contexts:
            context.close()
        sfu.close()


def test_three_pages_see_each_other_through_the_sfu(room) -> None:
    media_room, people = room
    for viewer in people:
        for other in people:
            if other is not viewer:
                media_room.wait(
                    lambda v=viewer, o=other: media_room.advancing(v, o),
                    f"{viewer.name} sees {other.name}",
                )
        expect(viewer.page.get_by_test_id("remote-video")).to_have_count(2)


def test_a_caucus_route_takes_the_other_side_off_the_page(room) -> None:
    media_room, (mediator, applicant, respondent) = room
    media_room.wait(lambda: media_room.advancing(respondent, applicant), "Ben sees Ada")

    media_room.route(mediator, "caucus-p2")
    media_room.route(applicant, "caucus-p2")

    media_room.wait(lambda: not media_room.advancing(respondent, applicant), "Ben loses Ada")
    media_room.wait(lambda: not media_room.advancing(applicant, respondent), "Ada loses Ben")
    media_room.wait(lambda: media_room.advancing(applicant, mediator), "Ada sees Mia")
    media_room.wait(lambda: media_room.advancing(mediator, applicant), "Mia sees Ada")


def test_a_mute_stops_the_audio_reaching_the_others(room) -> None:
    media_room, (_mediator, applicant, respondent) = room
    media_room.wait(lambda: media_room.hearing(respondent, applicant), "Ben hears Ada")

    media_room.mute(applicant, True)

    media_room.wait(lambda: not media_room.hearing(respondent, applicant), "Ben stops hearing")
    media_room.wait(lambda: media_room.advancing(respondent, applicant), "Ben still sees Ada")

    media_room.mute(applicant, False)

    media_room.wait(lambda: media_room.hearing(respondent, applicant), "Ben hears Ada again")


def test_reconnect_media_replaces_the_connection_without_a_reload(room) -> None:
    media_room, (mediator, applicant, _respondent) = room
    media_room.wait(lambda: media_room.advancing(mediator, applicant), "Mia sees Ada")
    applicant.page.evaluate("() => { window.marker = 1; }")

    applicant.server.send({"type": "reconnect_media", "reason": "worker_lost"})

    applicant.server.wait_for(applicant.page, "offer", count=2)
    media_room.wait(lambda: media_room.advancing(mediator, applicant), "Mia sees Ada again")
    media_room.wait(lambda: media_room.advancing(applicant, mediator), "Ada sees Mia again")
    assert applicant.page.evaluate("() => window.marker") == 1


SCREEN_FRAMES_JS = """() => {
  const v = document.querySelector("video[data-testid=screen-video]");
  return v && v.isConnected && !v.closest("[hidden]")
    ? [v.dataset.participantId, v.getVideoPlaybackQuality().totalVideoFrames] : null;
}"""


def test_the_mediator_shares_the_screen_and_the_parties_see_it(room) -> None:
    media_room, (mediator, applicant, respondent) = room
    media_room.wait(lambda: media_room.advancing(applicant, mediator), "Ada sees Mia")
    expect(applicant.page.get_by_test_id("screen-button")).to_have_count(0)

    mediator.page.get_by_test_id("screen-button").click()

    def screen_advancing(viewer) -> bool:
        before = viewer.page.evaluate(SCREEN_FRAMES_JS)
        media_room.settle(viewer, 1.0)
        after = viewer.page.evaluate(SCREEN_FRAMES_JS)
        return bool(before and after and after[0] == mediator.pid and after[1] > before[1])

    media_room.wait(lambda: screen_advancing(applicant), "Ada sees Mia's screen")
    media_room.wait(lambda: screen_advancing(respondent), "Ben sees Mia's screen")
