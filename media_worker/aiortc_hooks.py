"""Every use of aiortc 1.16 internals, in one place; tests/media_worker/test_aiortc_hooks.py
pins them.

aiortc decodes everything it receives and encodes everything it sends. An SFU wants neither: it
takes the encoded frames as the jitter buffer reassembles them and hands them, as `av.Packet`s,
to other peers' senders (which only packetize a Packet). aiortc has no public API for the
receiving half, for relaying a keyframe request to the publisher, or for hearing a subscriber's
PLI, so those three go through the private attributes named here and nowhere else.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

FrameSink = Callable[[RTCRtpCodecParameters, JitterFrame], None]

# Name-mangled attributes of RTCRtpReceiver that the tap replaces or reads.
_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"


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
