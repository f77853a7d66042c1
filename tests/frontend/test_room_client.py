"""The room client (frontend/js/room/) against a scripted signaling server: the offer's m-line
layout, waiting room and admission, slots mapped to remote videos, mediator controls with
in-page confirmations, recording indicator, caucus banner, reconnection and language."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, WebSocketRoute, expect

from tests.frontend.harness import FakeServer, open_room

MEDIATOR = {"id": "1", "name": "Mia", "role": "mediator", "state": "in_room", "group": "plenary"}
APPLICANT = {"id": "2", "name": "Ada", "role": "applicant", "state": "in_room", "group": "plenary"}
RESPONDENT = {
    "id": "3",
    "name": "Ben",
    "role": "respondent",
    "state": "in_room",
    "group": "plenary",
}


def welcome(me: dict[str, Any], participants: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "welcome",
        "me": me,
        "participants": participants,
        "recording": {"state": "off"},
        "ice_servers": [],
        "slots_count": 6,
    }


def join_admitted(page: Page, server: FakeServer, me=MEDIATOR, others=()) -> dict[str, Any]:
    page.get_by_test_id("join-button").click()
    ws = wait_socket(page, server)
    server.send(welcome(me, [me, *others]), ws)
    server.send({"type": "admitted"}, ws)
    return server.wait_for(page, "offer")


def wait_socket(page: Page, server: FakeServer, count: int = 1) -> WebSocketRoute:
    for _ in range(200):
        if len(server.sockets) >= count:
            return server.sockets[count - 1]
        page.wait_for_timeout(50)
    raise AssertionError(f"the page opened {len(server.sockets)} sockets, not {count}")


def m_lines(sdp: str) -> list[tuple[str, str]]:
    """(kind, direction) per m-line, in order."""
    lines: list[tuple[str, str]] = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            lines.append((line[2:].split()[0], ""))
        elif line[2:] in {"sendrecv", "recvonly", "sendonly", "inactive"} and lines:
            lines[-1] = (lines[-1][0], line[2:])
    return lines


@pytest.fixture
def no_native_dialogs(context: BrowserContext):
    seen: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    context.on("page", lambda page: page.on("dialog", on_dialog))
    yield seen
    assert seen == [], "a native dialog was used"


def test_the_offer_has_the_protocol_m_line_layout(context: BrowserContext) -> None:
    page, server = open_room(context)

    offer = join_admitted(page, server)

    expected = [("audio", "sendrecv"), ("video", "sendrecv"), ("video", "sendrecv")]
    expected += [("audio", "recvonly"), ("video", "recvonly")] * 6 + [("video", "recvonly")]
    assert m_lines(offer["sdp"]) == expected
    assert "a=group:BUNDLE 0 1 2 3" in offer["sdp"]
    assert "a=candidate:" in offer["sdp"], "the offer must carry its candidates (no trickle)"
    assert len(server.of_type("offer")) == 1
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_party_waits_until_admitted_and_only_then_offers(context: BrowserContext) -> None:
    me = {**APPLICANT, "state": "waiting"}
    page, server = open_room(context, role="applicant", participant_id="2", name="Ada")
    page.get_by_test_id("join-button").click()
    ws = wait_socket(page, server)
    server.send(welcome(me, [me]), ws)
    server.send({"type": "waiting"}, ws)

    expect(page.get_by_test_id("waiting-room")).to_be_visible()
    expect(page.get_by_test_id("recording-indicator")).to_be_visible()
    page.wait_for_timeout(300)
    assert server.of_type("offer") == []

    server.send({"type": "admitted"}, ws)
    server.wait_for(page, "offer")
    expect(page.get_by_test_id("waiting-room")).to_be_hidden()
    expect(page.get_by_test_id("admit-button")).to_have_count(0)
    expect(page.get_by_test_id("end-session-button")).to_have_count(0)


def test_slots_map_receive_tracks_to_one_remote_video_per_participant(
    context: BrowserContext,
) -> None:
    page, server = open_room(context)
    join_admitted(page, server, others=[APPLICANT, RESPONDENT])

    owners = {3: "2", 4: "2", 5: "3", 6: "3"}
    slots: list[dict[str, str | None]] = [
        {
            "mid": str(m),
            "kind": "audio" if m % 2 else "video",
            "participant_id": owners.get(m),
            "source": ("microphone" if m % 2 else "camera"),
        }
        for m in range(3, 16)
    ]
    server.send({"type": "slots", "slots": slots})

    videos = page.get_by_test_id("remote-video")
    expect(videos).to_have_count(2)
    expect(
        page.locator('video[data-testid=remote-video][data-participant-id="2"]')
    ).to_have_attribute("data-mid", "4")
    expect(
        page.locator('video[data-testid=remote-video][data-participant-id="3"]')
    ).to_have_attribute("data-mid", "6")
    expect(page.locator('audio[data-participant-id="2"]')).to_have_count(1)

    # Ben leaves our routing group (a caucus): his slot empties and his video goes.
    slots[2]["participant_id"] = None
    slots[3]["participant_id"] = None
    server.send({"type": "slots", "slots": slots})
    expect(videos).to_have_count(1)
    expect(page.locator('video[data-testid=remote-video][data-participant-id="3"]')).to_have_count(
        0
    )


def test_the_mediator_admits_from_the_waiting_list(context: BrowserContext) -> None:
    page, server = open_room(context)
    join_admitted(page, server)
    server.send({"type": "presence", "participants": [MEDIATOR, {**APPLICANT, "state": "waiting"}]})

    page.locator('[data-testid=admit-button][data-participant-id="2"]').click()

    assert server.wait_for(page, "admit") == {"type": "admit", "participant_id": "2"}


def test_ending_the_session_is_confirmed_in_the_page(
    context: BrowserContext, no_native_dialogs
) -> None:
    page, server = open_room(context)
    join_admitted(page, server)

    page.get_by_test_id("end-session-button").click()
    page.get_by_test_id("cancel-button").click()
    page.wait_for_timeout(200)
    assert server.of_type("end") == []

    page.get_by_test_id("end-session-button").click()
    page.get_by_test_id("confirm-button").click()
    server.wait_for(page, "end")
    server.send({"type": "ended"})
    expect(page.get_by_test_id("final-screen")).to_be_visible()


def test_mediator_controls_send_mute_move_remove_and_recording(context: BrowserContext) -> None:
    page, server = open_room(context)
    join_admitted(page, server)
    server.send({"type": "presence", "participants": [MEDIATOR, APPLICANT, RESPONDENT]})

    page.locator('[data-testid=mute-button][data-participant-id="2"]').click()
    assert server.wait_for(page, "mute") == {"type": "mute", "participant_id": "2", "muted": True}
    page.locator('[data-testid=caucus-button][data-participant-id="2"]').click()
    move = server.wait_for(page, "move")
    assert sorted(move["participant_ids"]) == ["1", "2"] and move["group"].startswith("caucus-")
    page.locator('[data-testid=remove-button][data-participant-id="3"]').click()
    page.get_by_test_id("confirm-button").click()
    assert server.wait_for(page, "remove") == {"type": "remove", "participant_id": "3"}
    page.get_by_test_id("recording-start-button").click()
    assert server.wait_for(page, "recording") == {"type": "recording", "action": "start"}


def test_the_recording_indicator_follows_the_server(context: BrowserContext) -> None:
    page, server = open_room(context, role="applicant", participant_id="2", name="Ada")
    join_admitted(page, server, me=APPLICANT)
    indicator = page.get_by_test_id("recording-indicator")
    expect(indicator).to_have_attribute("data-state", "off")

    server.send({"type": "recording", "state": "on"})
    expect(indicator).to_have_attribute("data-state", "on")
    expect(indicator).to_contain_text("Recording")
    server.send({"type": "recording", "state": "paused"})
    expect(indicator).to_have_attribute("data-state", "paused")


def test_the_caucus_banner_says_who_can_hear_you(context: BrowserContext) -> None:
    page, server = open_room(context, role="applicant", participant_id="2", name="Ada")
    join_admitted(page, server, me=APPLICANT)
    banner = page.get_by_test_id("caucus-banner")
    expect(banner).to_have_attribute("data-group", "plenary")

    server.send({"type": "moved", "group": "caucus-p2", "audience": ["Mia"]})

    expect(banner).to_have_attribute("data-group", "caucus-p2")
    expect(banner).to_contain_text("only Mia can hear you")


def test_a_dropped_socket_reconnects_and_offers_again(context: BrowserContext) -> None:
    page, server = open_room(context)
    join_admitted(page, server)

    server.sockets[0].close(code=1011, reason="gone")
    expect(page.get_by_test_id("connection-banner")).to_be_visible()
    ws = wait_socket(page, server, 2)
    server.send(welcome(MEDIATOR, [MEDIATOR]), ws)
    server.send({"type": "admitted"}, ws)

    server.wait_for(page, "offer", count=2)
    expect(page.get_by_test_id("connection-banner")).to_be_hidden()
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1


def test_reconnect_media_makes_a_new_offer_without_reloading(context: BrowserContext) -> None:
    page, server = open_room(context)
    join_admitted(page, server)
    page.evaluate("() => { window.marker = 42; }")

    server.send({"type": "reconnect_media", "reason": "worker_lost"})

    server.wait_for(page, "offer", count=2)
    assert page.evaluate("() => window.marker") == 42


def test_a_final_close_code_ends_without_reconnecting(context: BrowserContext) -> None:
    page, server = open_room(context, role="applicant", participant_id="2", name="Ada")
    join_admitted(page, server, me=APPLICANT)

    server.sockets[0].close(code=4410, reason="removed")

    expect(page.get_by_test_id("final-screen")).to_be_visible()
    page.wait_for_timeout(1500)
    assert len(server.sockets) == 1


def test_chat_and_hand_frames(context: BrowserContext) -> None:
    page, server = open_room(context, role="applicant", participant_id="2", name="Ada")
    join_admitted(page, server, me=APPLICANT)

    page.get_by_test_id("chat-input").fill("你好")
    page.get_by_test_id("chat-send").click()
    assert server.wait_for(page, "chat") == {"type": "chat", "text": "你好"}
    server.send(
        {
            "type": "chat",
            "from": "1",
            "name": "Mia",
            "text": "hello <b>",
            "at": "2026-11-27T16:00:00Z",
        }
    )
    expect(page.get_by_test_id("chat-list")).to_contain_text("hello <b>")
    page.get_by_test_id("hand-button").click()
    assert server.wait_for(page, "hand") == {"type": "hand", "raised": True}


def test_the_room_speaks_chinese_when_the_page_says_so(context: BrowserContext) -> None:
    page, _ = open_room(context, lang="zh-hans")

    expect(page.get_by_test_id("join-button")).to_have_text("进入调解室")
    expect(page.get_by_test_id("recording-indicator")).to_have_text("未录制")
