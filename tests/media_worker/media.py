"""Known encoded media for the tests: VP8 and Opus encoded once with PyAV, and tracks that send
them as `av.Packet`s (aiortc packetizes those without encoding) or as raw frames."""

from __future__ import annotations

import asyncio
import functools
import math
import struct
import time
from fractions import Fraction

import av
from aiortc.mediastreams import MediaStreamTrack

VIDEO_RATE = 90000
FPS = 30


@functools.cache
def vp8_packets(count: int = 60, gop: int = 30) -> tuple[bytes, ...]:
    """`count` distinct VP8 frames of 160x120 with a keyframe every `gop` frames."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = 160, 120, "yuv420p"
    codec.gop_size = gop
    codec.bit_rate = 200_000
    codec.time_base = Fraction(1, FPS)
    codec.options = {"deadline": "realtime", "lag-in-frames": "0", "cpu-used": "8"}
    packets: list[bytes] = []
    for i in range(count):
        packets += [bytes(p) for p in codec.encode(video_frame(i))]
    assert len(packets) == count
    return tuple(packets)


def video_frame(i: int) -> av.VideoFrame:
    frame = av.VideoFrame(160, 120, "yuv420p")
    frame.planes[0].update(bytes((x * 3 + i * 5) % 256 for x in range(160 * 120)))
    frame.planes[1].update(bytes([128]) * (80 * 60))
    frame.planes[2].update(bytes([(i * 7) % 256]) * (80 * 60))
    frame.pts = i
    frame.time_base = Fraction(1, FPS)
    return frame


@functools.cache
def opus_packets(count: int = 50) -> tuple[bytes, ...]:
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = 48000, "stereo", "s16"
    codec.bit_rate = 64000
    packets: list[bytes] = []
    for i in range(count):
        frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
        frame.sample_rate = 48000
        frame.pts = i * 960
        samples = (int(8000 * math.sin((i * 960 + n) / 10)) for n in range(960))
        frame.planes[0].update(b"".join(struct.pack("<hh", v, v) for v in samples))
        packets += [bytes(p) for p in codec.encode(frame)]
    return tuple(packets)


def is_vp8_keyframe(data: bytes) -> bool:
    return bool(data) and not data[0] & 0x01


class PacketTrack(MediaStreamTrack):
    """Sends a cycle of pre-encoded frames in real time, recording what it sent."""

    def __init__(self, kind: str, packets: tuple[bytes, ...]) -> None:
        super().__init__()
        self.kind = kind
        self.packets = packets
        self.clock_rate = VIDEO_RATE if kind == "video" else 48000
        self.step = VIDEO_RATE // FPS if kind == "video" else 960
        self.period = 1 / FPS if kind == "video" else 0.02
        self.index = 0
        self.sent: list[bytes] = []
        self._start: float | None = None

    async def recv(self) -> av.Packet:
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self.index * self.period - time.monotonic()))
        data = self.packets[self.index % len(self.packets)]
        packet = av.Packet(data)
        packet.pts = self.index * self.step
        packet.time_base = Fraction(1, self.clock_rate)
        self.index += 1
        self.sent.append(data)
        return packet


class FrameTrack(MediaStreamTrack):
    """Raw video frames in real time: aiortc encodes them (keyframe every 3000 frames, or on a
    PLI), as a browser would."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.index = 0
        self._start: float | None = None
        self._frames = [video_frame(i) for i in range(10)]

    async def recv(self) -> av.VideoFrame:
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self.index / FPS - time.monotonic()))
        frame = self._frames[self.index % len(self._frames)]
        frame.pts = self.index * (VIDEO_RATE // FPS)
        frame.time_base = Fraction(1, VIDEO_RATE)
        self.index += 1
        return frame
