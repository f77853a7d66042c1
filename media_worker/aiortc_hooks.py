"""Every use of aiortc 1.16 internals, in one place; tests/media_worker/test_aiortc_hooks.py
pins them.

aiortc decodes everything it receives and encodes everything it sends. An SFU wants neither: it
takes the encoded frames as the jitter buffer reassembles them and hands them, as `av.Packet`s,
to other peers' senders (which only packetize a Packet). aiortc has no public API for the
receiving half, for relaying a keyframe request to the publisher, for hearing a subscriber's
PLI, or for reading a publisher's RTCP sender reports (the recorder's clock), so those go
through the private attributes named here and nowhere else.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtcpSrPacket

from media_worker.reassembly import AudioReassembler, VideoReassembler

logger = logging.getLogger(__name__)

FrameSink = Callable[[RTCRtpCodecParameters, JitterFrame], None]

# Name-mangled attributes of RTCRtpReceiver that the tap replaces or reads.
_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
# RTX SSRC -> media SSRC, filled from the remote description.
_RTX_SSRC = "_RTCRtpReceiver__rtx_ssrc"
# Maps RTP timestamps to "since the first frame" before frames reach the decoder queue.
_TIMESTAMP_MAPPER = "_RTCRtpReceiver__timestamp_mapper"
# Payload type -> negotiated codec, and the NACK generator (None for audio).
_CODECS = "_RTCRtpReceiver__codecs"
_NACK_GENERATOR = "_RTCRtpReceiver__nack_generator"

# (ssrc, 64-bit NTP timestamp, 32-bit RTP timestamp) of one RTCP sender report.
SenderReportSink = Callable[[int, int, int], None]


class _EncodedFrameTap:
    """Stands in for the receiver's decoder queue (a `queue.Queue` in aiortc).

    `RTCRtpReceiver._handle_rtp_packet` puts `(codec, JitterFrame)` here once the jitter buffer
    has a whole frame: that is the encoded frame we forward. `receive()` still starts aiortc's
    decoder thread with this object as its input; its first `get()` returns None, the "stop"
    sentinel, so the thread ends at once without ever creating a decoder.
    """

    def __init__(self, sink: FrameSink) -> None:
        self.sink = sink

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if item is not None:
            self.sink(item[0], item[1])

    def get(self, block: bool = True, timeout: float | None = None) -> None:
        return None


def tap_encoded_frames(receiver: RTCRtpReceiver, sink: FrameSink) -> None:
    """Route the receiver's encoded frames to `sink` instead of a decoder.

    Must be called before the receiver starts (aiortc starts it when DTLS connects, after the
    answer), i.e. right after the transceiver exists. `sink` runs on the event loop.
    """
    current = getattr(receiver, _DECODER_QUEUE)
    if not isinstance(current, queue.Queue):
        raise RuntimeError("aiortc changed: RTCRtpReceiver has no decoder queue to replace")
    setattr(receiver, _DECODER_QUEUE, _EncodedFrameTap(sink))


def forward_audio_at_once(receiver: RTCRtpReceiver) -> None:
    """Hand each audio frame over as soon as it is whole.

    aiortc holds 4 audio frames (80 ms) before releasing one, to smooth playout for its own
    decoder. Forwarded audio is smoothed by the subscriber's jitter buffer, so holding it here
    only adds latency.
    """
    current = getattr(receiver, _JITTER_BUFFER)
    if not isinstance(current, JitterBuffer):
        raise RuntimeError("aiortc changed: RTCRtpReceiver has no jitter buffer to replace")
    setattr(receiver, _JITTER_BUFFER, JitterBuffer(capacity=current.capacity, prefetch=0))


def reassemble(
    receiver: RTCRtpReceiver,
    kind: str,
    sink: FrameSink,
    *,
    request_keyframe: Callable[[], None],
) -> VideoReassembler | AudioReassembler:
    """Hand the receiver's packets to Accord's reassembler (`media_worker.reassembly`)
    instead of aiortc's jitter buffer and NACK generator; its whole frames go to `sink`.

    `_handle_rtp_packet` still does what it does before the jitter buffer (statistics, REMB,
    RTX unwrapping, depayloading) and calls `add(packet)` on what stands in its place; aiortc
    then sends no NACK of its own (its generator is set to None, as for audio). The frames'
    timestamps go through aiortc's timestamp mapper, as tapped ones do, so that
    :func:`rtp_timestamp_origin` stays true. Call it where :func:`tap_encoded_frames` would
    be called, instead of it.
    """
    current = getattr(receiver, _JITTER_BUFFER, None)
    codecs = getattr(receiver, _CODECS, None)
    mapper: Any = getattr(receiver, _TIMESTAMP_MAPPER, None)
    send_nack = getattr(receiver, "_send_rtcp_nack", None)
    if (
        not isinstance(current, JitterBuffer)
        or not hasattr(receiver, _NACK_GENERATOR)
        or not isinstance(codecs, dict)
        or not callable(getattr(mapper, "map", None))
        or not callable(send_nack)
    ):
        raise RuntimeError("aiortc changed: RTCRtpReceiver's jitter buffer hooks are gone")
    # The decoder thread must still find its stop sentinel; nothing else reaches the tap.
    setattr(receiver, _DECODER_QUEUE, _EncodedFrameTap(sink))

    def emit(codec: RTCRtpCodecParameters, frame: JitterFrame) -> None:
        frame.timestamp = mapper.map(frame.timestamp)
        sink(codec, frame)

    reassembler: VideoReassembler | AudioReassembler
    if kind == "audio":
        reassembler = AudioReassembler(codec_of=codecs.get, emit=emit)
    else:
        reassembler = VideoReassembler(
            codec_of=codecs.get, emit=emit, send_nack=send_nack, request_keyframe=request_keyframe
        )
    setattr(receiver, _JITTER_BUFFER, reassembler)
    setattr(receiver, _NACK_GENERATOR, None)
    return reassembler


def route_retransmissions(receiver: RTCRtpReceiver) -> None:
    """Make the receiver's RTX packets (the publisher's answers to our NACKs) reach it.

    aiortc registers a receiver's media SSRC with the transport's RTP router but not its RTX
    SSRC, so an RTX packet is routed by payload type alone, and dropped when more than one
    receiver on the bundled transport has that payload type, as the camera's and the
    screen's do here: no retransmission from a browser ever arrived. `receive()` (looked up on
    the instance when the connection starts) is wrapped to register the RTX SSRCs it learns
    from the remote description.
    """
    receive = getattr(receiver, "receive", None)
    if not callable(receive) or not isinstance(getattr(receiver, _RTX_SSRC, None), dict):
        raise RuntimeError("aiortc changed: RTCRtpReceiver has no receive() or RTX map")

    async def receive_and_route(parameters: Any) -> None:
        await receive(parameters)
        router = getattr(receiver.transport, "_rtp_router", None)
        table = getattr(router, "ssrc_table", None)
        if not isinstance(table, dict):
            raise RuntimeError("aiortc changed: the RTP router has no SSRC table")
        for rtx_ssrc in getattr(receiver, _RTX_SSRC):
            table[rtx_ssrc] = receiver

    receiver.receive = receive_and_route  # type: ignore[method-assign]


def is_tapped(receiver: RTCRtpReceiver) -> bool:
    return isinstance(getattr(receiver, _DECODER_QUEUE, None), _EncodedFrameTap)


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call `callback` when the remote end of `sender` sends a PLI or FIR.

    aiortc's sender answers those by setting a flag for its encoder, which a sender of
    pre-encoded packets never reads; the request must go to the publisher instead.
    """
    if not callable(getattr(sender, "_send_keyframe", None)):
        raise RuntimeError("aiortc changed: RTCRtpSender._send_keyframe is gone")
    # An instance attribute shadows the method that _handle_rtcp_packet calls via self.
    sender._send_keyframe = callback  # type: ignore[method-assign]


def on_sender_report(receiver: RTCRtpReceiver, callback: SenderReportSink) -> None:
    """Call `callback(ssrc, ntp_timestamp, rtp_timestamp)` for each RTCP SR of the media stream
    the receiver gets (a retransmission stream's SRs are left out), before aiortc handles it.

    The transport routes SRs to `receiver._handle_rtcp_packet`, looked up on the instance, so
    an instance attribute wraps it. `callback` runs on the event loop; its errors are logged.
    """
    handle = getattr(receiver, "_handle_rtcp_packet", None)
    rtx = getattr(receiver, _RTX_SSRC, None)
    if not callable(handle) or not isinstance(rtx, dict):
        raise RuntimeError("aiortc changed: RTCRtpReceiver has no RTCP handler or RTX map")

    async def handle_rtcp_packet(packet: Any) -> None:
        if isinstance(packet, RtcpSrPacket) and packet.ssrc not in rtx:
            info = packet.sender_info
            try:
                callback(packet.ssrc, info.ntp_timestamp, info.rtp_timestamp)
            except Exception:
                logger.exception("sender report callback failed")
        await handle(packet)

    receiver._handle_rtcp_packet = handle_rtcp_packet  # type: ignore[method-assign]


def rtp_timestamp_origin(receiver: RTCRtpReceiver) -> int | None:
    """The 32-bit RTP timestamp of the first frame the receiver handed over (None before it).

    aiortc subtracts it from every frame's timestamp; a sender report's RTP timestamp minus
    this origin (modulo 2**32) is on the frames' scale.
    """
    mapper = getattr(receiver, _TIMESTAMP_MAPPER, None)
    if mapper is None or not hasattr(mapper, "_origin"):
        raise RuntimeError("aiortc changed: RTCRtpReceiver has no timestamp mapper")
    origin = mapper._origin
    return origin if isinstance(origin, int) else None


async def send_picture_loss(receiver: RTCRtpReceiver) -> bool:
    """Send an RTCP PLI for every source the receiver hears; False if it has heard none yet."""
    sources = [s.source for s in receiver.getSynchronizationSources()]
    send: Callable[[int], Any] = receiver._send_rtcp_pli
    for ssrc in sources:
        await send(ssrc)
    return bool(sources)


def negotiated_mime_type(transceiver: RTCRtpTransceiver) -> str | None:
    """The codec the transceiver sends with after negotiation (lower case), e.g. "video/vp8".

    aiortc's sender uses the first negotiated codec; it keeps that list private.
    """
    codecs: list[RTCRtpCodecParameters] = transceiver._codecs
    primary = [c for c in codecs if c.mimeType.lower() not in ("video/rtx", "audio/rtx")]
    return primary[0].mimeType.lower() if primary else None
