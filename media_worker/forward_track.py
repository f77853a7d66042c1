"""The track behind one receive slot of one subscriber: encoded frames in, `av.Packet`s out.

aiortc's RTCRtpSender packetizes an `av.Packet` returned by `recv()` without encoding it. The
queue is bounded so that a subscriber whose sender falls behind (slow link, stalled task) only
loses frames itself: the publisher's tap never waits on it. When a video queue overflows it is
emptied and the slot waits for the next keyframe (asking the publisher for one), since delta
frames after a gap would only show corruption.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from fractions import Fraction

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from media_worker.frames import EncodedFrame
from media_worker.layout import Kind

VIDEO_CAPACITY = 60  # about 2 s at 30 fps
AUDIO_CAPACITY = 50  # 1 s of 20 ms Opus frames
# RTP timestamp step placed between the last frame of one publisher and the first of the next.
_SWITCH_STEP = {"audio": 960, "video": 3000}


class ForwardTrack(MediaStreamTrack):
    def __init__(
        self,
        kind: Kind,
        *,
        capacity: int | None = None,
        on_keyframe_needed: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.capacity = capacity or (AUDIO_CAPACITY if kind == "audio" else VIDEO_CAPACITY)
        self.on_keyframe_needed = on_keyframe_needed
        self._frames: deque[av.Packet] = deque()
        self._ready = asyncio.Event()
        self._source: str | None = None
        self._offset = 0
        self._offset_pending = True
        self._last_pts: int | None = None
        self._waiting_for_keyframe = kind == "video"
        # The codec this slot's sender was negotiated with: a frame of another codec cannot be
        # forwarded without transcoding (a client that offered only H.264 among VP8 peers).
        self.mime_type: str | None = None
        # Frames offered for this slot, handed to the sender, and dropped here (bench, stats).
        self.offered = 0
        self.forwarded = 0
        self.dropped = 0

    @property
    def source(self) -> str | None:
        return self._source

    def set_source(self, source: str | None) -> None:
        """Forward from another publisher (or none): what is queued from the old one goes."""
        if source == self._source:
            return
        self._source = source
        self._frames.clear()
        self._offset_pending = True
        self._waiting_for_keyframe = self.kind == "video"

    def push(self, source: str, frame: EncodedFrame) -> None:
        if source != self._source:
            return
        self.offered += 1
        if self.mime_type is not None and frame.mime_type != self.mime_type:
            self.dropped += 1
            return
        if self._waiting_for_keyframe:
            if not frame.keyframe:
                self.dropped += 1
                return
            self._waiting_for_keyframe = False
        if len(self._frames) >= self.capacity:
            self._overflow()
            if self._waiting_for_keyframe and not frame.keyframe:
                self.dropped += 1
                return
            self._waiting_for_keyframe = False
        self._frames.append(self._packet(frame))
        self._ready.set()

    def _overflow(self) -> None:
        if self.kind == "audio":
            self._frames.popleft()  # old speech is worth less than current speech
            self.dropped += 1
            return
        self.dropped += len(self._frames)
        self._frames.clear()
        self._waiting_for_keyframe = True
        self.on_keyframe_needed()

    def _packet(self, frame: EncodedFrame) -> av.Packet:
        # The subscriber sees one continuous stream per slot, whoever publishes into it: each
        # new publisher's timestamps are shifted to follow on from the previous one's.
        if self._offset_pending:
            self._offset_pending = False
            start = 0 if self._last_pts is None else self._last_pts + _SWITCH_STEP[self.kind]
            self._offset = start - frame.timestamp
        pts = frame.timestamp + self._offset
        self._last_pts = pts
        packet = av.Packet(frame.data)
        packet.pts = pts
        packet.time_base = Fraction(1, frame.clock_rate)
        return packet

    async def recv(self) -> av.Packet:
        while not self._frames:
            if self.readyState != "live":
                raise MediaStreamError
            self._ready.clear()
            await self._ready.wait()
        self.forwarded += 1
        return self._frames.popleft()

    def stop(self) -> None:
        super().stop()
        self._ready.set()  # wake recv() so the sender's loop ends
