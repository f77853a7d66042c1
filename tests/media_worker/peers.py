"""A client peer as the protocol wants it (same m-line layout as the browser), in-process, that
records the encoded frames it receives on each mid without decoding them."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket

from media_worker import aiortc_hooks
from media_worker.layout import SLOTS
from media_worker.sfu import SFU


class ClientPeer:
    def __init__(
        self,
        name: str,
        *,
        microphone: MediaStreamTrack | None = None,
        camera: MediaStreamTrack | None = None,
        screen: MediaStreamTrack | None = None,
        bundle: RTCBundlePolicy = RTCBundlePolicy.MAX_BUNDLE,
    ) -> None:
        self.name = name
        self.reply_channel = f"reply.{name}"
        self.pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=bundle))
        self.received: defaultdict[str, list[tuple[float, bytes]]] = defaultdict(list)
        self.published = {"microphone": microphone, "camera": camera, "screen": screen}
        self.pc.addTransceiver(microphone or "audio", direction="sendrecv")
        self.pc.addTransceiver(camera or "video", direction="sendrecv")
        self.pc.addTransceiver(screen or "video", direction="sendrecv")
        for _ in range(SLOTS):
            self.pc.addTransceiver("audio", direction="recvonly")
            self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("video", direction="recvonly")
        for index, transceiver in enumerate(self.pc.getTransceivers()):
            aiortc_hooks.tap_encoded_frames(transceiver.receiver, self._sink(index))
        self.mids: list[str] = []
        self.slots: list[dict[str, Any]] = []

    def _sink(self, index: int) -> Any:
        def sink(codec: RTCRtpCodecParameters, frame: JitterFrame) -> None:
            self.received[self.mids[index]].append((time.monotonic(), frame.data))

        return sink

    def ignore_bitrate_feedback(self) -> None:
        """aiortc's VP8 encoder restarts, with a keyframe, whenever REMB moves its bitrate by
        10%: a test that must see only requested keyframes turns that feedback off."""
        for transceiver in self.pc.getTransceivers():
            sender = transceiver.sender
            handle = sender._handle_rtcp_packet

            async def without_remb(packet: Any, handle: Any = handle) -> None:
                if not (isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP):
                    await handle(packet)

            sender._handle_rtcp_packet = without_remb  # type: ignore[method-assign]

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self.mids = [t.mid or "" for t in self.pc.getTransceivers()]
        return self.pc.localDescription.sdp

    async def accept(self, sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    def mid_of(self, participant_id: str, source: str) -> str:
        for slot in self.slots:
            if slot["participant_id"] == participant_id and slot["source"] == source:
                return str(slot["mid"])
        raise AssertionError(f"{self.name}: no {source} slot for {participant_id}: {self.slots}")

    def frames(self, participant_id: str, source: str) -> list[bytes]:
        return [data for _, data in self.received[self.mid_of(participant_id, source)]]

    async def close(self) -> None:
        await self.pc.close()


class Outbox:
    """The worker's replies, per reply channel (stands in for the channel layer)."""

    def __init__(self) -> None:
        self.messages: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)

    async def send(self, channel: str, message: Any) -> None:
        self.messages[channel].append(dict(message))

    def last(self, channel: str, kind: str) -> dict[str, Any]:
        found = [m for m in self.messages[channel] if m["type"] == kind]
        assert found, f"no {kind} on {channel}: {self.messages[channel]}"
        return found[-1]


async def join(
    sfu: SFU,
    outbox: Outbox,
    client: ClientPeer,
    *,
    room: str = "room-1",
    group: str = "plenary",
    muted: bool = False,
    can_screen: bool = True,
) -> None:
    await sfu.handle(
        {
            "type": "room.offer",
            "room": room,
            "participant": client.name,
            "sdp": await client.offer(),
            "reply_channel": client.reply_channel,
            "group": group,
            "muted": muted,
            "can_screen": can_screen,
        }
    )
    await client.accept(outbox.last(client.reply_channel, "media.answer")["sdp"])
    refresh_slots(outbox, client)


def refresh_slots(outbox: Outbox, *clients: ClientPeer) -> None:
    for client in clients:
        client.slots = outbox.last(client.reply_channel, "media.slots")["slots"]


async def wait_until(predicate: Any, timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout}s")
        await asyncio.sleep(0.05)
