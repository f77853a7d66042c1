"""An encoded frame as the SFU handles it, and how to tell a keyframe without decoding."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    data: bytes
    # RTP timestamp units from the publisher's first frame, extended past the 32-bit wrap
    # (aiortc's receiver subtracts the first timestamp; Participant's TrackClock extends it).
    timestamp: int
    clock_rate: int
    mime_type: str  # lower case, e.g. "video/vp8"
    keyframe: bool


def is_keyframe(mime_type: str, data: bytes) -> bool:
    """Audio frames are all independent; video is read from the bitstream header only."""
    if mime_type.startswith("audio/"):
        return True
    if not data:
        return False
    if mime_type == "video/vp8":
        # RFC 6386 9.1: bit 0 of the frame tag is 0 for a key frame.
        return not data[0] & 0x01
    if mime_type == "video/h264":
        return _h264_has_idr(data)
    return False


def _h264_has_idr(data: bytes) -> bool:
    """aiortc hands H.264 over as Annex B: look for an IDR slice (5) or SPS (7) NAL unit."""
    index = data.find(b"\x00\x00\x01")
    while index != -1 and index + 3 < len(data):
        if data[index + 3] & 0x1F in (5, 7):
            return True
        index = data.find(b"\x00\x00\x01", index + 3)
    return False
