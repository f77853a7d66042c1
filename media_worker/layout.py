"""The m-line layout of docs/rooms-protocol.md and the codecs the worker prefers on it.

The client offers, in this order: its microphone (audio), camera (video), screen (video), then
SLOTS pairs of receive slots (audio, video) and one screen receive slot. The worker pre-creates
its transceivers in the same order, so aiortc matches them to the offer's m-lines by kind and
position, and the codec preferences set on them shape the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiortc import RTCRtpSender
from aiortc.rtcrtpparameters import RTCRtpCodecCapability

SLOTS = 6

Kind = Literal["audio", "video"]
Source = Literal["microphone", "camera", "screen"]

PUBLISHED: tuple[tuple[Kind, Source], ...] = (
    ("audio", "microphone"),
    ("video", "camera"),
    ("video", "screen"),
)
RECEIVE_SLOTS: tuple[tuple[Kind, Source], ...] = (
    *((("audio", "microphone"), ("video", "camera")) * SLOTS),
    ("video", "screen"),
)
MLINE_KINDS: tuple[Kind, ...] = tuple(kind for kind, _ in PUBLISHED + RECEIVE_SLOTS)


class OfferError(ValueError):
    """The offer does not follow the protocol's m-line layout."""


def offer_kinds(sdp: str) -> list[str]:
    return [line[2:].split(" ", 1)[0] for line in sdp.splitlines() if line.startswith("m=")]


def check_offer(sdp: str) -> None:
    kinds = tuple(offer_kinds(sdp))
    if kinds != MLINE_KINDS:
        raise OfferError(
            f"expected {len(MLINE_KINDS)} m-lines ({', '.join(MLINE_KINDS)}), "
            f"got {len(kinds)} ({', '.join(kinds)})"
        )


@dataclass(frozen=True, slots=True)
class CodecChoice:
    audio: list[RTCRtpCodecCapability]
    video: list[RTCRtpCodecCapability]

    def for_kind(self, kind: Kind) -> list[RTCRtpCodecCapability]:
        return self.audio if kind == "audio" else self.video


def codec_choice(sdp: str) -> CodecChoice:
    """Opus and VP8 go into WebM as they are; H.264 only when the client offers no VP8.

    Only one video codec is left in the answer so that every publisher of a room sends the
    same codec its subscribers decode (a forwarded frame is never transcoded).
    """
    offered = sdp.lower()
    video_names = ["video/vp8"] if "vp8/90000" in offered else ["video/h264"]
    audio_names = ["audio/opus"] if "opus/48000" in offered else []
    return CodecChoice(
        audio=_capabilities("audio", audio_names),
        video=_capabilities("video", [*video_names, "video/rtx"]),
    )


def _capabilities(kind: Kind, mime_types: list[str]) -> list[RTCRtpCodecCapability]:
    if not mime_types:
        return []  # no preference: aiortc's own order
    capabilities = RTCRtpSender.getCapabilities(kind).codecs
    return [c for name in mime_types for c in capabilities if c.mimeType.lower() == name]
