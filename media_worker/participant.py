"""One participant's RTCPeerConnection: what it publishes and its receive slots."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from media_worker import aiortc_hooks
from media_worker.clock import PublisherClock, TrackClock
from media_worker.forward_track import ForwardTrack
from media_worker.frames import EncodedFrame, is_keyframe
from media_worker.keyframes import KeyframeRequester
from media_worker.layout import PUBLISHED, RECEIVE_SLOTS, Kind, Source, check_offer, codec_choice
from media_worker.reassembly import AudioReassembler, VideoReassembler

logger = logging.getLogger(__name__)

# A source silent this long has stopped (a screen share ended); its next frame resumes it.
IDLE_SECONDS = 2.0

# (participant, source, frame, resumed): resumed when the source was silent before this frame.
FrameHandler = Callable[["Participant", Source, EncodedFrame, bool], None]
StateHandler = Callable[["Participant", str], None]
# (publisher id, source): a subscriber's slot needs a keyframe from that publisher.
KeyframeHandler = Callable[[str, Source], None]


@dataclass(eq=False)
class Publication:
    source: Source
    transceiver: RTCRtpTransceiver
    keyframes: KeyframeRequester
    # RTP -> worker wall clock of this track (the recorder's timing).
    clock: TrackClock
    reassembler: VideoReassembler | AudioReassembler | None = None
    frames: int = 0
    last_frame_at: float = -1e9


@dataclass(eq=False)
class Slot:
    index: int
    kind: Kind
    source: Source
    transceiver: RTCRtpTransceiver
    track: ForwardTrack
    # Which slot pair (0..SLOTS-1) for camera/microphone; None for the screen slot.
    pair: int | None

    @property
    def mid(self) -> str | None:
        return self.transceiver.mid


@dataclass(eq=False)
class Participant:
    room_id: str
    id: str
    group: str
    muted: bool
    can_screen: bool
    reply_channel: str
    on_frame: FrameHandler
    on_state: StateHandler
    on_keyframe_needed: KeyframeHandler
    # Accord's reassembly (media_worker.reassembly) instead of aiortc's jitter buffer; off
    # only to measure the stock path (bench/loss.py, MEDIA_WORKER_LOSS_REPAIR=0).
    loss_repair: bool = True
    pc: RTCPeerConnection = field(init=False)
    publications: dict[Source, Publication] = field(init=False, default_factory=dict)
    slots: list[Slot] = field(init=False, default_factory=list)
    # Publisher id per camera slot pair, kept stable while that publisher stays visible.
    pairs: list[str | None] = field(init=False, default_factory=list)
    # Offset of this publisher's NTP clock to the worker's, shared by its tracks' clocks.
    publisher_clock: PublisherClock = field(init=False, default_factory=PublisherClock)

    def __post_init__(self) -> None:
        # Two m-lines of one kind under aiortc's default BALANCED policy leave the second on a
        # transport that never starts; one bundled transport carries every slot.
        self.pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.pc.on("connectionstatechange", self._connection_state_changed)

    async def answer(self, offer_sdp: str) -> str:
        """Apply the client's offer and return the answer (all ICE candidates included)."""
        check_offer(offer_sdp)
        codecs = codec_choice(offer_sdp)
        for kind, source in PUBLISHED:
            transceiver = self.pc.addTransceiver(kind, direction="recvonly")
            transceiver.setCodecPreferences(codecs.for_kind(kind))
            self._publish(source, transceiver)
        pair = 0
        for index, (kind, source) in enumerate(RECEIVE_SLOTS):
            transceiver = self.pc.addTransceiver(kind, direction="sendonly")
            transceiver.setCodecPreferences(codecs.for_kind(kind))
            slot = Slot(
                index=index,
                kind=kind,
                source=source,
                transceiver=transceiver,
                track=ForwardTrack(kind),
                pair=None if source == "screen" else pair,
            )
            if kind == "video" and source != "screen":
                pair += 1
            slot.track.on_keyframe_needed = self._keyframe_requester(slot)
            transceiver.sender.replaceTrack(slot.track)
            aiortc_hooks.on_keyframe_request(transceiver.sender, slot.track.on_keyframe_needed)
            self.slots.append(slot)
        self.pairs = [None] * pair
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        for slot in self.slots:
            slot.track.mime_type = aiortc_hooks.negotiated_mime_type(slot.transceiver)
        return self.pc.localDescription.sdp

    def _publish(self, source: Source, transceiver: RTCRtpTransceiver) -> None:
        receiver = transceiver.receiver

        clock = TrackClock(90000 if transceiver.kind == "video" else 48000, self.publisher_clock)

        def sink(codec: RTCRtpCodecParameters, jitter_frame: JitterFrame) -> None:
            mime_type = codec.mimeType.lower()
            clock.clock_rate = codec.clockRate
            frame = EncodedFrame(
                data=jitter_frame.data,
                timestamp=clock.frame(jitter_frame.timestamp, time.time()),
                clock_rate=codec.clockRate,
                mime_type=mime_type,
                keyframe=is_keyframe(mime_type, jitter_frame.data),
            )
            now = asyncio.get_running_loop().time()
            resumed = now - publication.last_frame_at >= IDLE_SECONDS
            publication.frames += 1
            publication.last_frame_at = now
            self.on_frame(self, source, frame, resumed)

        def sender_report(ssrc: int, ntp: int, rtp: int) -> None:
            origin = aiortc_hooks.rtp_timestamp_origin(receiver)
            if origin is not None:  # else no frame yet to relate it to: wait for the next SR
                clock.sender_report(ntp, (rtp - origin) % (1 << 32), time.time())

        publication = Publication(
            source=source,
            transceiver=transceiver,
            keyframes=KeyframeRequester(lambda: aiortc_hooks.send_picture_loss(receiver)),
            clock=clock,
        )
        if self.loss_repair:
            publication.reassembler = aiortc_hooks.reassemble(
                receiver,
                transceiver.kind,
                sink,
                request_keyframe=lambda: publication.keyframes.request(),
            )
            aiortc_hooks.route_retransmissions(receiver)
        else:
            aiortc_hooks.tap_encoded_frames(receiver, sink)
            if transceiver.kind == "audio":
                aiortc_hooks.forward_audio_at_once(receiver)
        aiortc_hooks.on_sender_report(receiver, sender_report)
        self.publications[source] = publication

    def _keyframe_requester(self, slot: Slot) -> Callable[[], None]:
        def request() -> None:
            if slot.kind == "video" and slot.track.source is not None:
                self.on_keyframe_needed(slot.track.source, slot.source)

        return request

    def request_keyframe(self, source: Source) -> None:
        publication = self.publications.get(source)
        if publication is not None:
            publication.keyframes.request()

    def _connection_state_changed(self) -> None:
        state = self.pc.connectionState
        if state == "connected":
            # The senders start only now; frames queued before are stale, so ask for fresh
            # keyframes rather than wait for the publishers' next natural one.
            for slot in self.slots:
                if slot.kind == "video" and slot.track.source is not None:
                    self.on_keyframe_needed(slot.track.source, slot.source)
        self.on_state(self, state)

    async def close(self) -> None:
        for source, publication in self.publications.items():
            publication.keyframes.close()
            if publication.reassembler is not None:
                publication.reassembler.close()
                if publication.reassembler.stats.frames:
                    logger.info(
                        "%s/%s/%s reassembly: %s",
                        self.room_id,
                        self.id,
                        source,
                        publication.reassembler.stats,
                    )
        for slot in self.slots:
            slot.track.stop()
        await self.pc.close()
