"""The room's WebSocket through the real ASGI stack (origin check, session cookie, routing),
the real Redis channel layer, and fake media workers that answer on their channel."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator

from accord.audit.models import TraceEvent
from accord.audit.personal import reveal
from accord.orgs.models import MediationRules, RecordingStart
from accord.rooms.models import HearingSession, SessionParticipant, SessionStatus
from accord.rooms.services import room_leaves_settle
from config.asgi import application
from tests.rooms.conftest import kill_worker, participant, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("heartbeat_prefix")]

TIMEOUT = 3


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Any:
    """A channel layer per test: channels_redis binds its receive lock to the event loop that
    first used it, and every test has its own loop."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


class Browser:
    """One browser tab on the room's socket."""

    def __init__(self, comm: WebsocketCommunicator) -> None:
        self.comm = comm

    async def send(self, frame: Any) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.comm.send_to(text_data=text)

    async def frame(self) -> dict[str, Any]:
        output = await self.comm.receive_output(TIMEOUT)
        assert output["type"] == "websocket.send", output
        return json.loads(output["text"])

    async def until(self, kind: str) -> dict[str, Any]:
        """The next frame of ``kind``, skipping others (presence arrives all the time)."""
        while True:
            frame = await self.frame()
            if frame["type"] == kind:
                return frame

    async def closed_with(self) -> int:
        while True:
            output = await self.comm.receive_output(TIMEOUT)
            if output["type"] == "websocket.close":
                return int(output["code"])

    async def silent(self, kinds: set[str]) -> bool:
        """No frame of ``kinds`` arrives for a moment. (receive_output's own timeout would
        cancel the application, hence receive_nothing.)"""
        while not await self.comm.receive_nothing(0.5):
            if (await self.frame())["type"] in kinds:
                return False
        return True

    async def close(self) -> None:
        await self.comm.disconnect()


async def open_socket(session_id: Any, cookie: str | None) -> Browser:
    headers = [(b"origin", b"http://testserver")]
    if cookie is not None:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    comm = WebsocketCommunicator(application, f"/ws/rooms/{session_id}/", headers=headers)
    connected, _ = await comm.connect(TIMEOUT)
    assert connected
    return Browser(comm)


async def join(hearing: HearingSession, user: Any, **session: Any) -> Browser:
    cookie = await database_sync_to_async(session_cookie)(user, **session)
    return await open_socket(hearing.pk, cookie)


async def enter(hearing: HearingSession, user: Any) -> tuple[Browser, dict[str, Any]]:
    """Joined: the welcome (returned, with the next frame as ``welcome["then"]``) and the
    presence broadcast of this join have been read."""
    browser = await join(hearing, user)
    welcome = await browser.until("welcome")
    welcome["then"] = (await browser.frame())["type"]
    await browser.until("presence")
    return browser, welcome


@database_sync_to_async
def trace(hearing: HearingSession) -> list[tuple[str, dict[str, Any]]]:
    events = TraceEvent.objects.filter(chain=hearing.case.chain).order_by("seq")
    return [(e.action, e.payload) for e in events]


@database_sync_to_async
def pid(hearing: HearingSession, user: Any) -> int:
    return participant(hearing, user).pk


@database_sync_to_async
def reload(hearing: HearingSession, user: Any) -> SessionParticipant:
    return participant(hearing, user)


def set_policy(hearing: HearingSession, start: str, record_caucus: bool = False) -> None:
    """The case organization's recording policy."""
    MediationRules.objects.update_or_create(
        organization=hearing.case.organization,
        defaults={"recording_start": start, "record_caucus": record_caucus},
    )


starts_by = database_sync_to_async(set_policy)


async def worker_receive(worker_id: str) -> dict[str, Any]:
    layer = get_channel_layer()
    message: dict[str, Any] = await asyncio.wait_for(
        layer.receive(f"media-worker.{worker_id}"), TIMEOUT
    )
    return message


# --- Who gets in -----------------------------------------------------------


async def test_no_session_cookie_is_closed_4401(acknowledged):
    browser = await open_socket(acknowledged.pk, None)
    assert await browser.closed_with() == 4401


async def test_an_outsider_gets_4403_and_no_presence_leaks(acknowledged, mia, charlie):
    mediator, _ = await enter(acknowledged, mia)
    outsider = await join(acknowledged, charlie)
    assert await outsider.closed_with() == 4403
    # The room never heard of charlie.
    assert await mediator.silent({"presence"})
    actions = [action for action, _ in await trace(acknowledged)]
    assert actions.count("room.joined") == 1
    await mediator.close()


async def test_an_unknown_session_is_closed_4404(acknowledged, mia):
    cookie = await database_sync_to_async(session_cookie)(mia)
    browser = await open_socket("00000000-0000-4000-8000-000000000000", cookie)
    assert await browser.closed_with() == 4404


async def test_a_link_without_its_phone_code_is_closed_4403(acknowledged, alice, settings):
    # Signed in by a (non-demo) one-time link only: not confirmed.
    browser = await join(acknowledged, alice, **{"accord.demo_link": False})
    assert await browser.closed_with() == 4403


async def test_a_demo_link_counts_as_confirmed_only_in_demo_mode(acknowledged, alice, settings):
    settings.ACCORD_DEMO = False
    refused = await join(acknowledged, alice, **{"accord.demo_link": True})
    assert await refused.closed_with() == 4403
    settings.ACCORD_DEMO = True
    browser = await join(acknowledged, alice, **{"accord.demo_link": True})
    assert (await browser.until("welcome"))["me"]["role"] == "applicant"
    await browser.close()


async def test_without_the_acknowledged_notice_nobody_enters(hearing, alice):
    browser = await join(hearing, alice)
    assert await browser.closed_with() == 4403


async def test_a_removed_participant_is_closed_4410_and_cannot_come_back(acknowledged, mia, alice):
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    await mediator.send({"type": "remove", "participant_id": str(await pid(acknowledged, alice))})
    assert (await party.until("removed"))["type"] == "removed"
    assert await party.closed_with() == 4410
    again = await join(acknowledged, alice)
    assert await again.closed_with() == 4410
    # The removal's presence broadcast drops alice from the list.
    while any(p["name"] == "Alice" for p in (await mediator.until("presence"))["participants"]):
        pass
    await mediator.close()


async def test_an_ended_session_is_closed_4410(acknowledged, mia, alice):
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    await mediator.send({"type": "end"})
    assert (await party.until("ended"))["type"] == "ended"
    assert await party.closed_with() == 4410
    assert await mediator.closed_with() == 4410
    session = await database_sync_to_async(HearingSession.objects.get)(pk=acknowledged.pk)
    assert session.status == SessionStatus.ENDED
    late = await join(acknowledged, alice)
    assert await late.closed_with() == 4410


# --- Waiting room and admission --------------------------------------------


async def test_a_party_waits_until_the_mediator_admits_them(acknowledged, mia, alice, settings):
    settings.ACCORD_ICE_SERVERS = [{"urls": ["stun:stun.example.org:3478"]}]
    mediator, welcome = await enter(acknowledged, mia)
    assert welcome["ice_servers"] == [{"urls": ["stun:stun.example.org:3478"]}]
    assert welcome["slots_count"] == 6
    assert welcome["recording"] == {
        "state": "off",
        "caucus_recorded": False,
        "reason": "",
        "starts": "auto",
    }
    assert welcome["then"] == "admitted"

    party, party_welcome = await enter(acknowledged, alice)
    assert party_welcome["then"] == "waiting"
    presence = await mediator.until("presence")
    states = {p["name"]: p["state"] for p in presence["participants"]}
    assert states == {"Mia": "in_room", "Alice": "waiting", "Ben": "left"}

    # A waiting party cannot use the room yet.
    await party.send({"type": "chat", "text": "hello"})
    assert (await party.until("error"))["code"] == "forbidden"

    alice_id = await pid(acknowledged, alice)
    await mediator.send({"type": "admit", "participant_id": str(alice_id)})
    assert (await party.until("admitted"))["type"] == "admitted"
    presence = await mediator.until("presence")
    assert {p["name"]: p["state"] for p in presence["participants"]}["Alice"] == "in_room"
    assert [a for a, _ in await trace(acknowledged)].count("room.admitted") == 1

    await party.send({"type": "chat", "text": "你好"})
    chat = await mediator.until("chat")
    assert (chat["from"], chat["name"], chat["text"]) == (str(alice_id), "Alice", "你好")
    action, payload = (await trace(acknowledged))[-1]
    assert (action, {k: v for k, v in payload.items() if k != "text"}) == (
        "room.chat",
        {"session_id": str(acknowledged.pk), "participant_id": alice_id, "group": "plenary"},
    )
    # What is said may name anyone: the trace holds a keyed hash, the text is erasable.
    assert payload["text"].startswith("hmac-sha256:")
    assert await database_sync_to_async(reveal)(payload["text"]) == "你好"
    await party.close()
    await mediator.close()
    actions = [a for a, _ in await trace(acknowledged)]
    assert actions.count("room.joined") == 2
    # A stay ends when its rejoin grace runs out (Celery beat) or the hearing ends.
    assert actions.count("room.left") == 0
    await database_sync_to_async(room_leaves_settle)(session_id=acknowledged.pk)
    actions = [a for a, _ in await trace(acknowledged)]
    assert actions.count("room.left") == 2


async def test_hand_speaking_and_quality_show_in_presence(acknowledged, mia):
    mediator, _ = await enter(acknowledged, mia)
    before = await trace(acknowledged)
    await mediator.send({"type": "hand", "raised": True})
    await mediator.send({"type": "quality", "rtt_ms": 20, "loss_pct": 0.5, "kbps": 900})
    await mediator.send({"type": "speaking", "speaking": True})
    while True:
        me = next(
            p for p in (await mediator.until("presence"))["participants"] if p["name"] == "Mia"
        )
        if me["speaking"]:
            break
    assert me["hand"] is True
    assert me["quality"] == {"rtt_ms": 20.0, "loss_pct": 0.5, "kbps": 900.0}
    assert await trace(acknowledged) == before  # live flags, not evidence
    await mediator.send({"type": "ping"})
    assert (await mediator.until("pong"))["type"] == "pong"
    await mediator.close()


# --- Malformed frames change nothing ----------------------------------------


@pytest.mark.parametrize(
    ("frame", "ref"),
    [
        ("not json", None),
        ("[1, 2]", None),
        ({"type": "dance"}, "dance"),
        ({"no": "type"}, None),
        ({"type": "chat", "text": ""}, "chat"),
        ({"type": "chat", "text": "x" * 2001}, "chat"),
        ({"type": "chat", "text": 42}, "chat"),
        ({"type": "chat", "text": "hi", "extra": 1}, "chat"),
        ({"type": "hand", "raised": "yes"}, "hand"),
        ({"type": "quality", "rtt_ms": -1, "loss_pct": 0, "kbps": 0}, "quality"),
        ({"type": "quality", "rtt_ms": True, "loss_pct": 0, "kbps": 0}, "quality"),
        ({"type": "mute", "participant_id": 5, "muted": True}, "mute"),
        ({"type": "move", "participant_ids": ["1"], "group": "Caucus A"}, "move"),
        ({"type": "recording", "action": "rewind"}, "recording"),
        ({"type": "offer"}, "offer"),
    ],
)
async def test_a_malformed_frame_gets_an_error_and_changes_nothing(acknowledged, mia, frame, ref):
    mediator, _ = await enter(acknowledged, mia)
    before = await trace(acknowledged)
    me_before = await reload(acknowledged, mia)
    await mediator.send(frame)
    error = await mediator.until("error")
    assert (error["code"], error["ref"]) == ("malformed", ref)
    assert error["message"]
    assert await trace(acknowledged) == before
    me_after = await reload(acknowledged, mia)
    assert (me_after.muted, me_after.group) == (me_before.muted, me_before.group)
    await mediator.send({"type": "ping"})  # the socket still works
    assert (await mediator.until("pong"))["type"] == "pong"
    await mediator.close()


# --- Mediator controls -------------------------------------------------------


async def _room_with_media(acknowledged, mia, alice, workers):
    """mia and an admitted alice, both with media on one fake worker."""
    worker = workers(load=0.5)
    workers(load=0.9)  # busier: not chosen
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    alice_id = await pid(acknowledged, alice)
    await mediator.send({"type": "admit", "participant_id": str(alice_id)})
    await party.until("admitted")
    await party.send({"type": "offer", "sdp": "v=0 alice"})
    offer = await worker_receive(worker)
    assert offer["type"] == "room.offer"
    assert offer["room"] == str(acknowledged.pk)
    assert offer["participant"] == str(alice_id)
    assert (offer["sdp"], offer["group"], offer["muted"], offer["can_screen"]) == (
        "v=0 alice",
        "plenary",
        False,
        True,
    )
    return worker, mediator, party, alice_id, offer


async def test_an_offer_goes_to_the_least_loaded_worker_and_its_answer_comes_back(
    acknowledged, mia, alice, workers, redis_client, heartbeat_prefix
):
    worker, mediator, party, alice_id, offer = await _room_with_media(
        acknowledged, mia, alice, workers
    )
    assert redis_client.get(f"{heartbeat_prefix}:room:{acknowledged.pk}:worker") == worker.encode()
    layer = get_channel_layer()
    base = {"room": str(acknowledged.pk), "participant": str(alice_id)}
    await layer.send(offer["reply_channel"], {"type": "media.answer", **base, "sdp": "v=0 answer"})
    assert (await party.until("answer"))["sdp"] == "v=0 answer"
    slots = [{"mid": "3", "kind": "audio", "participant_id": None, "source": "microphone"}]
    await layer.send(offer["reply_channel"], {"type": "media.slots", **base, "slots": slots})
    assert (await party.until("slots"))["slots"] == slots
    await layer.send(
        offer["reply_channel"], {"type": "media.error", **base, "code": "sdp", "message": "bad"}
    )
    assert (await party.until("error"))["code"] == "media_unavailable"
    await party.close()
    assert (await worker_receive(worker))["type"] == "room.leave"
    await mediator.close()


async def test_no_live_worker_is_media_unavailable(acknowledged, mia):
    mediator, _ = await enter(acknowledged, mia)
    await mediator.send({"type": "offer", "sdp": "v=0"})
    error = await mediator.until("error")
    assert (error["code"], error["ref"]) == ("media_unavailable", "offer")
    await mediator.close()


@pytest.mark.parametrize(
    ("frame", "action", "to_worker", "to_party"),
    [
        ({"type": "mute", "muted": True}, "room.muted", "room.mute", "muted"),
        ({"type": "move", "group": "caucus-a"}, "room.moved", "room.route", "moved"),
        ({"type": "remove"}, "room.removed", "room.leave", "removed"),
        (
            {"type": "recording", "action": "pause", "reason": "休息十分钟"},
            "room.recording_paused",
            None,
            "recording",
        ),
        ({"type": "end"}, "room.ended", "room.close", "ended"),
    ],
)
async def test_each_control_writes_one_trace_event_and_tells_the_worker(
    acknowledged, mia, alice, workers, frame, action, to_worker, to_party
):
    worker, mediator, party, alice_id, _ = await _room_with_media(acknowledged, mia, alice, workers)
    if frame["type"] in {"mute", "remove"}:
        frame = {**frame, "participant_id": str(alice_id)}
    if frame["type"] == "move":
        frame = {**frame, "participant_ids": [str(alice_id)]}
    before = await trace(acknowledged)
    await mediator.send(frame)
    told = await party.until(to_party)
    after = await trace(acknowledged)
    assert len(after) == len(before) + 1
    assert after[-1][0] == action
    if to_worker is not None:
        message = await worker_receive(worker)
        assert message["type"] == to_worker
        assert message["room"] == str(acknowledged.pk)
        if to_worker != "room.close":
            assert message["participant"] == str(alice_id)
    if to_party == "muted":
        assert told["muted"] is True
        assert (await reload(acknowledged, alice)).muted
    if to_party == "moved":
        assert (told["group"], told["audience"]) == ("caucus-a", [])
    if to_party == "recording":  # admitting alice started it (the default policy)
        assert (told["state"], told["reason"]) == ("paused", "休息十分钟")
    await party.close()
    await mediator.close()


async def test_recording_follows_its_states(acknowledged, mia):
    await starts_by(acknowledged, RecordingStart.MEDIATOR)
    mediator, _ = await enter(acknowledged, mia)
    for frame, state in [
        ({"action": "start"}, "on"),
        ({"action": "pause", "reason": "双方私下协商"}, "paused"),
        ({"action": "resume"}, "on"),
        ({"action": "stop"}, "off"),
    ]:
        await mediator.send({"type": "recording", **frame})
        assert (await mediator.until("recording"))["state"] == state
    before = await trace(acknowledged)
    await mediator.send({"type": "recording", "action": "pause", "reason": "x"})
    assert (await mediator.until("error"))["code"] == "illegal_state"
    assert await trace(acknowledged) == before
    await mediator.close()


async def test_caucus_chat_stays_in_the_caucus(acknowledged, mia, alice, ben):
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    bank, _ = await enter(acknowledged, ben)
    ids = {u: await pid(acknowledged, u) for u in (mia, alice, ben)}
    for user in (alice, ben):
        await mediator.send({"type": "admit", "participant_id": str(ids[user])})
    await party.until("admitted")
    await bank.until("admitted")
    await mediator.send(
        {"type": "move", "participant_ids": [str(ids[mia]), str(ids[alice])], "group": "caucus-a"}
    )
    moved = await party.until("moved")
    assert (moved["group"], moved["audience"]) == ("caucus-a", ["Mia"])
    await party.send({"type": "chat", "text": "只对调解员说"})
    assert (await mediator.until("chat"))["text"] == "只对调解员说"
    assert await bank.silent({"chat"})
    for browser in (party, bank, mediator):
        await browser.close()


async def test_a_party_cannot_use_mediator_controls(acknowledged, mia, alice):
    mediator, _ = await enter(acknowledged, mia)
    party, _ = await enter(acknowledged, alice)
    await mediator.send({"type": "admit", "participant_id": str(await pid(acknowledged, alice))})
    await party.until("admitted")
    mia_id = str(await pid(acknowledged, mia))
    before = await trace(acknowledged)
    frames: list[dict[str, Any]] = [
        {"type": "admit", "participant_id": mia_id},
        {"type": "mute", "participant_id": mia_id, "muted": True},
        {"type": "remove", "participant_id": mia_id},
        {"type": "move", "participant_ids": [mia_id], "group": "caucus-x"},
        {"type": "recording", "action": "start"},
        {"type": "end"},
    ]
    for frame in frames:
        await party.send(frame)
        error = await party.until("error")
        assert (error["code"], error["ref"]) == ("forbidden", frame["type"])
    assert await trace(acknowledged) == before
    await party.close()
    await mediator.close()


async def test_a_control_on_an_unknown_participant_is_not_found(acknowledged, mia):
    mediator, _ = await enter(acknowledged, mia)
    await mediator.send({"type": "mute", "participant_id": "999999", "muted": True})
    assert (await mediator.until("error"))["code"] == "not_found"
    await mediator.close()


# --- A lost media worker -----------------------------------------------------


@pytest.mark.usefixtures("fast_watch")
async def test_a_lost_worker_moves_the_room_and_everyone_reconnects_media(
    acknowledged, mia, alice, workers, redis_client, heartbeat_prefix
):
    worker, mediator, party, alice_id, _ = await _room_with_media(acknowledged, mia, alice, workers)
    spare = workers(load=0.1)  # the least loaded of the survivors
    kill_worker(redis_client, heartbeat_prefix, worker)
    assert (await party.until("reconnect_media"))["reason"] == "media_worker_lost"
    assert (await mediator.until("reconnect_media"))["reason"] == "media_worker_lost"
    key = f"{heartbeat_prefix}:room:{acknowledged.pk}:worker"
    assert redis_client.get(key) == spare.encode()
    await party.send({"type": "offer", "sdp": "v=0 again"})
    offer = await worker_receive(spare)
    assert (offer["type"], offer["participant"]) == ("room.offer", str(alice_id))
    await party.close()
    await mediator.close()


async def test_a_flood_of_frames_is_rate_limited_once_and_changes_nothing(acknowledged, mia):
    mediator, _ = await enter(acknowledged, mia)
    before = await trace(acknowledged)
    for _ in range(60):
        await mediator.send({"type": "hand", "raised": True})
    error = await mediator.until("error")
    assert error["code"] == "rate_limited"
    assert await mediator.silent({"error"})
    assert await trace(acknowledged) == before
    await mediator.close()


async def test_refusals_speak_the_language_chosen_on_the_site(acknowledged, mia, alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    for language, text in [("en", "Wait until the mediator admits you."), ("zh-hans", "请等待")]:
        headers = [
            (b"origin", b"http://testserver"),
            (b"cookie", f"sessionid={cookie}; django_language={language}".encode()),
        ]
        comm = WebsocketCommunicator(application, f"/ws/rooms/{acknowledged.pk}/", headers=headers)
        assert (await comm.connect(TIMEOUT))[0]
        party = Browser(comm)
        await party.until("waiting")
        await party.send({"type": "chat", "text": "hi"})
        assert text in (await party.until("error"))["message"]
        await party.close()
