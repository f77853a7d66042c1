"""The answer prefers VP8 and Opus (they go into WebM as they are); H.264 only when the client
offers no VP8."""

from __future__ import annotations

from aiortc import RTCRtpSender

from tests.media_worker.peers import ClientPeer, join


def video_codecs(sdp: str) -> set[str]:
    names = set()
    in_video = False
    for line in sdp.splitlines():
        if line.startswith("m="):
            in_video = line.startswith("m=video")
        elif in_video and line.startswith("a=rtpmap:"):
            names.add(line.split(" ", 1)[1].split("/")[0].upper())
    return names


def prefer(client: ClientPeer, mime_types: list[str]) -> None:
    for transceiver in client.pc.getTransceivers():
        capabilities = RTCRtpSender.getCapabilities(transceiver.kind).codecs
        wanted = [c for m in mime_types for c in capabilities if c.mimeType.lower() == m]
        if transceiver.kind == "video":
            transceiver.setCodecPreferences(wanted)


async def test_vp8_wins_even_when_the_client_lists_h264_first(sfu, outbox, clients):
    client = ClientPeer("alice")
    prefer(client, ["video/h264", "video/vp8", "video/rtx"])
    clients.append(client)
    await join(sfu, outbox, client)

    answer = outbox.last(client.reply_channel, "media.answer")["sdp"]
    assert video_codecs(answer) == {"VP8", "RTX"}
    assert "opus/48000" in answer.lower()


async def test_h264_is_accepted_from_a_client_that_offers_nothing_else(sfu, outbox, clients):
    client = ClientPeer("alice")
    prefer(client, ["video/h264", "video/rtx"])
    clients.append(client)
    await join(sfu, outbox, client)

    answer = outbox.last(client.reply_channel, "media.answer")["sdp"]
    assert video_codecs(answer) == {"H264", "RTX"}
    participant = sfu.rooms["room-1"].participants["alice"]
    assert {s.track.mime_type for s in participant.slots if s.kind == "video"} == {"video/h264"}
