"""The worker's answers to the web's messages: screen share slots, leave, a re-offer, refusals."""

from __future__ import annotations

from tests.media_worker.media import PacketTrack, vp8_packets
from tests.media_worker.peers import ClientPeer, join, refresh_slots, wait_until


async def test_a_screen_share_goes_to_the_screen_slot_of_its_group_only(sfu, outbox, clients):
    mediator = ClientPeer("mediator", screen=PacketTrack("video", vp8_packets()))
    bob, carol = ClientPeer("bob"), ClientPeer("carol")
    clients += [mediator, bob, carol]
    await join(sfu, outbox, mediator)
    await join(sfu, outbox, bob)
    await join(sfu, outbox, carol, group="caucus-carol")

    await wait_until(
        lambda: (
            outbox.last(bob.reply_channel, "media.slots")["slots"][-1]["participant_id"]
            == "mediator"
        ),
        what="bob's screen slot names the mediator",
    )
    refresh_slots(outbox, bob, carol)
    assert bob.slots[-1]["source"] == "screen"
    await wait_until(lambda: len(bob.frames("mediator", "screen")) > 10, what="bob sees the screen")
    assert carol.slots[-1]["participant_id"] is None
    assert not any(carol.received.values())


async def test_a_screen_share_that_stops_frees_the_screen_slot(sfu, outbox, clients):
    mediator = ClientPeer("mediator", screen=PacketTrack("video", vp8_packets()))
    bob = ClientPeer("bob")
    clients += [mediator, bob]
    await join(sfu, outbox, mediator)
    await join(sfu, outbox, bob)

    def screen_slot_holder():
        return outbox.last(bob.reply_channel, "media.slots")["slots"][-1]["participant_id"]

    await wait_until(lambda: screen_slot_holder() == "mediator", what="the share starts")
    mediator.pc.getTransceivers()[2].sender.replaceTrack(None)  # the page stops sharing

    await wait_until(lambda: screen_slot_holder() is None, timeout=5, what="the slot is freed")


async def test_a_party_without_screen_rights_is_not_forwarded(sfu, outbox, clients):
    bob = ClientPeer("bob", screen=PacketTrack("video", vp8_packets()))
    alice = ClientPeer("alice")
    clients += [bob, alice]
    await join(sfu, outbox, bob, can_screen=False)
    await join(sfu, outbox, alice)
    refresh_slots(outbox, alice)
    await wait_until(
        lambda: sfu.rooms["room-1"].participants["bob"].publications["screen"].frames > 30,
        what="bob's screen reaches the worker",
    )
    assert alice.slots[-1]["participant_id"] is None
    assert not any(alice.received.values())


async def test_leave_frees_the_slot_and_tells_the_others(sfu, outbox, clients):
    alice = ClientPeer("alice", camera=PacketTrack("video", vp8_packets()))
    bob = ClientPeer("bob")
    clients += [alice, bob]
    await join(sfu, outbox, alice)
    await join(sfu, outbox, bob)

    await sfu.handle({"type": "room.leave", "room": "room-1", "participant": "alice"})

    assert outbox.last(alice.reply_channel, "media.state")["state"] == "closed"
    refresh_slots(outbox, bob)
    assert {s["participant_id"] for s in bob.slots} == {None}
    assert sfu.participant_count == 1

    await sfu.handle({"type": "room.close", "room": "room-1"})
    assert sfu.rooms == {}


async def test_a_new_offer_from_the_same_participant_replaces_its_connection(sfu, outbox, clients):
    first = ClientPeer("alice")
    bob = ClientPeer("bob", camera=PacketTrack("video", vp8_packets()))
    clients += [first, bob]
    await join(sfu, outbox, first)
    await join(sfu, outbox, bob)

    second = ClientPeer("alice")  # the page reconnects its media
    clients.append(second)
    await join(sfu, outbox, second)

    assert sfu.participant_count == 2
    await wait_until(lambda: len(second.frames("bob", "camera")) > 5, what="the new connection")


async def test_an_offer_out_of_layout_is_refused_and_changes_nothing(sfu, outbox):
    await sfu.handle(
        {
            "type": "room.offer",
            "room": "room-1",
            "participant": "alice",
            "sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
            "reply_channel": "reply.alice",
            "group": "plenary",
            "muted": False,
            "can_screen": False,
        }
    )

    error = outbox.last("reply.alice", "media.error")
    assert error["code"] == "malformed" and "m-lines" in error["message"]
    assert sfu.rooms == {}


async def test_unknown_and_incomplete_messages_are_refused(sfu, outbox, clients):
    alice = ClientPeer("alice")
    clients.append(alice)
    await join(sfu, outbox, alice)

    await sfu.handle({"type": "room.dance", "room": "room-1", "participant": "alice"})
    assert outbox.last(alice.reply_channel, "media.error")["code"] == "malformed"
    await sfu.handle({"type": "room.mute", "room": "room-1", "participant": "alice"})
    assert outbox.last(alice.reply_channel, "media.error")["code"] == "malformed"
    await sfu.handle(
        {"type": "room.offer", "room": "room-1", "participant": "zed", "reply_channel": "reply.z"}
    )
    assert outbox.last("reply.z", "media.error")["code"] == "malformed"
    await sfu.handle({"type": "room.mute", "room": "room-1", "participant": "zed", "muted": True})
    assert sfu.participant_count == 1


async def test_record_switches_are_checked_and_need_a_room(sfu, outbox, clients):
    from media_contract.messages import MessageError, check

    alice = ClientPeer("alice")
    clients.append(alice)
    await join(sfu, outbox, alice)
    base = {"type": "room.record", "room": "room-1", "record": True, "record_caucus": False}
    assert check(base) == "room.record"
    for bad in ({**base, "record": "yes"}, {k: v for k, v in base.items() if k != "record"}):
        try:
            check(bad)
        except MessageError as exc:
            assert exc.code == "malformed"
        else:
            raise AssertionError(f"accepted {bad}")
    offer = {
        "type": "room.offer",
        "room": "r",
        "participant": "p",
        "sdp": "",
        "reply_channel": "c",
        "group": "plenary",
        "muted": False,
        "can_screen": False,
    }
    assert check(offer) == "room.offer"  # the switches are optional
    try:
        check({**offer, "record_caucus": 1})
    except MessageError as exc:
        assert exc.code == "malformed"
    else:
        raise AssertionError("accepted a non-bool record_caucus")

    await sfu.handle(base)  # no sink: the room keeps the switches but records nothing
    room = sfu.rooms["room-1"]
    assert (room.record, room.record_caucus, room.recorders) == (True, False, {})
    assert sfu.recording_sessions() == []
    await sfu.handle({**base, "room": "elsewhere"})  # unknown room: logged, nobody to tell
    assert [m["type"] for m in outbox.messages[alice.reply_channel]].count("media.error") == 0
