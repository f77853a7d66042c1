"""Publishers' RTP packets into whole frames, without ever stalling behind a lost packet.

aiortc's receiver (its `JitterBuffer` and `NackGenerator`) is made for its own decoder, and
on a lossy uplink it is what froze the room (issue 10, docs/performance.md):

- a video frame is handed over only once every packet before it is in, so one packet that is
  never repaired holds the video until 512 packets have piled up behind it (seconds at
  800 kbit/s), and then the delta frames after the hole go through, which do not decode;
- a retransmission is asked for once, when a new hole appears, and never again on a timer;
- audio waits behind a lost packet for 16 packets (320 ms) each time, and since it hands over
  one frame per packet received it never catches up again.

This module replaces both for a tapped receiver (`aiortc_hooks.reassemble`):

- Video: packets are kept by extended sequence number. A frame is handed over, in order, as
  soon as all of its packets are in (its first packet known, its last one carrying the marker
  bit). A missing packet is NACKed at once and again every `retry` (a multiple of the measured
  retransmission round trip) until it comes or its frame is given up. A frame is given up after
  `patience` once its hole was asked for again and had time to come, or at once when a
  complete keyframe waits behind it; then every delta frame is
  dropped until the next keyframe, which is requested. What comes out always decodes: the
  subscribers and the recorder never get a frame whose references were lost.
- Audio (Opus: one packet, one frame, every frame independent): each packet is handed over at
  once in sequence order; a late one is dropped. The subscriber's decoder conceals the hole,
  the recording keeps the timeline (frames carry their RTP timestamps).

Both present aiortc's interface, `add(packet) -> (pli_flag, frame)`, and always answer
`(False, None)`: frames leave through `emit`, since one packet can complete several.
Everything runs on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

from media_worker.frames import is_keyframe

logger = logging.getLogger(__name__)

# (codec, frame): a whole frame, with the publisher's 32-bit RTP timestamp.
Emit = Callable[[RTCRtpCodecParameters, JitterFrame], None]
CodecOf = Callable[[int], RTCRtpCodecParameters | None]
SendNack = Callable[[int, list[int]], Awaitable[None]]

# A jump of the sequence number by more than this (either way) is a new stream, not loss.
MAX_JUMP = 3000
# A hole this long is an outage: asking for it back is pointless, the next keyframe is not.
MAX_NACK_HOLE = 256
# Packets kept waiting for a hole to be filled, at most (about 10 s of 800 kbit/s video).
MAX_PACKETS = 1024
# NACK list length per RTCP packet.
MAX_NACK_LIST = 64
NACK_TRIES = 10
TICK = 0.01


class SequenceUnwrapper:
    """16-bit RTP sequence numbers to a monotonic count, relative to the highest seen."""

    def __init__(self) -> None:
        self._highest: int | None = None

    def unwrap(self, seq: int) -> int:
        if self._highest is None:
            self._highest = seq + (1 << 16)  # room below for packets that arrive late
            return self._highest
        delta = ((seq - self._highest + 0x8000) & 0xFFFF) - 0x8000
        value = self._highest + delta
        if delta > 0:
            self._highest = value
        return value

    def reset(self, seq: int) -> int:
        self._highest = None
        return self.unwrap(seq)


@dataclass(slots=True)
class ReassemblyStats:
    """What the reassembler did, for the logs and the loss bench."""

    frames: int = 0
    nacked: int = 0  # sequence numbers asked for (each try counts)
    repaired: int = 0  # packets that came after having been missing
    given_up: int = 0  # holes given up on
    dropped_frames: int = 0  # frames not handed over (incomplete, or deltas after a hole)
    late: int = 0  # packets that came after their place was passed
    keyframe_requests: int = 0
    resets: int = 0


@dataclass(slots=True)
class _Packet:
    payload_type: int
    timestamp: int
    marker: bool
    data: bytes
    start: bool  # the codec says so: the first packet of a frame
    key: bool  # the first packet of a keyframe


@dataclass(slots=True)
class _Missing:
    since: float
    last_nack: float = -1e9
    tries: int = 0


@dataclass
class RetransmitTimer:
    """Round trip of a NACK to the retransmission it brings, smoothed like TCP's SRTT."""

    rtt: float = 0.1
    samples: int = 0

    def sample(self, seconds: float) -> None:
        self.rtt = seconds if self.samples == 0 else 0.875 * self.rtt + 0.125 * seconds
        self.samples += 1

    @property
    def retry(self) -> float:
        """Wait this long for a retransmission before asking again."""
        return min(0.25, max(0.02, 1.5 * self.rtt + 0.01))

    @property
    def patience(self) -> float:
        """Hold a frame this long for its missing packets, then give it up."""
        return min(1.0, max(0.3, 4 * self.rtt + 0.15))


def _starts_frame(mime_type: str, payload: bytes) -> bool:
    """Whether an RTP payload begins a frame, from its payload header alone."""
    if not payload:
        return False
    if mime_type == "video/vp8":
        # RFC 7741 4.2: S (start of a partition) set and partition index 0.
        return bool(payload[0] & 0x10) and payload[0] & 0x07 == 0
    if mime_type == "video/h264":
        # An access unit that can be decoded from begins with an SPS, alone or aggregated
        # (RFC 6184: STAP-A is type 24); the start of any other frame is not needed after
        # a hole, since only a keyframe is taken there.
        nal = payload[0] & 0x1F
        return nal == 7 or (nal == 24 and len(payload) > 3 and payload[3] & 0x1F == 7)
    return False


@dataclass(eq=False)
class VideoReassembler:
    codec_of: CodecOf
    emit: Emit
    send_nack: SendNack
    request_keyframe: Callable[[], None]
    clock: Callable[[], float] = time.monotonic
    timer: RetransmitTimer = field(default_factory=RetransmitTimer)
    stats: ReassemblyStats = field(default_factory=ReassemblyStats)
    capacity: int = MAX_PACKETS

    def __post_init__(self) -> None:
        self._seq = SequenceUnwrapper()
        self._packets: dict[int, _Packet] = {}
        self._missing: dict[int, _Missing] = {}
        self._next: int | None = None  # the first packet not yet handed over or dropped
        self._head_known = True  # whether _next is known to begin a frame
        self._highest = 0
        self._broken = True  # only a keyframe may come next (also true at the start)
        self._ssrc = 0
        self._tick: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    # aiortc's JitterBuffer interface.

    def add(self, packet: RtpPacket) -> tuple[bool, None]:
        if self._closed:
            return False, None
        now = self.clock()
        self._ssrc = packet.ssrc
        seq = self._seq.unwrap(packet.sequence_number)
        if self._next is None:
            self._start(seq)
        elif abs(seq - self._highest) > MAX_JUMP:
            self._reset(packet.sequence_number)
            seq = self._seq.unwrap(packet.sequence_number)
        assert self._next is not None
        if seq < self._next or seq in self._packets:
            self.stats.late += 1
            return False, None
        if seq > self._highest:
            self._note_hole(seq, now)
            self._highest = seq
        else:
            missing = self._missing.pop(seq, None)
            if missing is not None:
                self.stats.repaired += 1
                if missing.tries == 1:
                    self.timer.sample(now - missing.last_nack)
        self._packets[seq] = self._packet(packet)
        self._release(now)
        return False, None

    # State.

    def _start(self, seq: int) -> None:
        self._next = seq
        self._highest = seq - 1
        self._head_known = True

    def _reset(self, seq16: int) -> None:
        """The sender restarted its sequence: begin again, from a keyframe."""
        self.stats.resets += 1
        self._packets.clear()
        self._missing.clear()
        self._start(self._seq.reset(seq16))
        self._broken = True
        self._ask_keyframe()

    def _packet(self, packet: RtpPacket) -> _Packet:
        codec = self.codec_of(packet.payload_type)
        mime_type = codec.mimeType.lower() if codec is not None else ""
        data: bytes = getattr(packet, "_data", b"")  # depayloaded by aiortc before add()
        start = _starts_frame(mime_type, packet.payload)
        return _Packet(
            payload_type=packet.payload_type,
            timestamp=packet.timestamp,
            marker=packet.marker == 1,
            data=data,
            start=start,
            key=start and is_keyframe(mime_type, data),
        )

    def _note_hole(self, seq: int, now: float) -> None:
        hole = range(self._highest + 1, seq)
        if not hole:
            return
        if len(hole) > MAX_NACK_HOLE:
            # An outage: what was lost is not worth asking for; skip it at once.
            for lost in hole:
                self._missing[lost] = _Missing(since=-1e9, tries=NACK_TRIES)
            return
        for lost in hole:
            self._missing[lost] = _Missing(since=now)
        self._nack(list(hole), now)
        self._schedule()

    def _known_start(self, seq: int) -> bool:
        packet = self._packets.get(seq)
        if packet is None:
            return False
        if packet.start:
            return True
        before = self._packets.get(seq - 1)
        return before is not None and (before.marker or before.timestamp != packet.timestamp)

    def _frame_end(self, start: int) -> int | None:
        """The last sequence number of the frame that begins at `start`, once it is whole."""
        first = self._packets.get(start)
        if first is None:
            return None
        seq = start
        while seq <= self._highest:
            packet = self._packets.get(seq)
            if packet is None:
                return None
            if packet.timestamp != first.timestamp:
                return seq - 1  # a sender that does not set the marker bit
            if packet.marker:
                return seq
            seq += 1
        return None

    # Handing frames over.

    def _release(self, now: float) -> None:
        while self._next is not None and self._next <= self._highest:
            if not self._head_known and not self._find_head():
                return
            end = self._frame_end(self._next)
            if end is not None:
                self._deliver(self._next, end)
                continue
            if not self._give_up_due(now):
                return
            self._give_up()

    def _find_head(self) -> bool:
        """After a blind skip: drop packets up to the next one known to begin a frame."""
        assert self._next is not None
        for seq in sorted(s for s in self._packets if s >= self._next):
            if self._known_start(seq):
                self._drop_before(seq)
                self._head_known = True
                return True
        return False

    def _deliver(self, start: int, end: int) -> None:
        packets = [self._packets.pop(seq) for seq in range(start, end + 1)]
        self._next = end + 1
        self._head_known = True
        data = b"".join(p.data for p in packets)
        if not data:
            return  # padding only
        codec = self.codec_of(packets[0].payload_type)
        if codec is None:
            return
        if self._broken:
            if not is_keyframe(codec.mimeType.lower(), data):
                self.stats.dropped_frames += 1
                return
            self._broken = False
        self.stats.frames += 1
        self.emit(codec, JitterFrame(data=data, timestamp=packets[0].timestamp))

    def _oldest_missing(self) -> int | None:
        assert self._next is not None
        waiting = [seq for seq in self._missing if seq >= self._next]
        return min(waiting) if waiting else None

    def _give_up_due(self, now: float) -> bool:
        """The head frame waits for a hole: is it time to stop waiting?"""
        oldest = self._oldest_missing()
        if oldest is None:
            return False  # its last packets are simply not here yet
        missing = self._missing[oldest]
        # Patience alone is not enough: after a stall of this process (a loaded machine) the
        # hole is old but the retransmission may be on its way; it must have been asked for
        # again and had its time to come.
        asked = missing.tries >= NACK_TRIES or (
            missing.tries >= 2 and now - missing.last_nack >= self.timer.retry
        )
        if asked and now - missing.since >= self.timer.patience:
            return True
        if len(self._packets) > self.capacity:
            return True
        return self._complete_keyframe_after(oldest) is not None

    def _complete_keyframe_after(self, seq: int) -> int | None:
        for start in sorted(s for s, p in self._packets.items() if p.key and s > seq):
            if self._frame_end(start) is not None:
                return start
        return None

    def _give_up(self) -> None:
        """Skip the hole at the head: on to a waiting keyframe, else to the next frame known
        to begin after the hole (a delta: dropped until a keyframe comes, which is asked
        for), else past everything held."""
        oldest = self._oldest_missing()
        assert oldest is not None and self._next is not None
        self.stats.given_up += 1
        resume = self._complete_keyframe_after(oldest)
        if resume is None:
            resume = next(
                (s for s in sorted(self._packets) if s > oldest and self._known_start(s)), None
            )
        limit = self._highest + 1 if resume is None else resume
        dropped_frames = len({p.timestamp for s, p in self._packets.items() if s < limit})
        self.stats.dropped_frames += max(1, dropped_frames)
        if resume is None:
            self._drop_before(self._highest + 1)
            self._head_known = False
        else:
            self._drop_before(resume)
            self._head_known = True
        if self._packets.get(self._next) is None or not self._packets[self._next].key:
            self._broken = True
            self._ask_keyframe()

    def _drop_before(self, seq: int) -> None:
        for old in [s for s in self._packets if s < seq]:
            del self._packets[old]
        for old in [s for s in self._missing if s < seq]:
            del self._missing[old]
        self._next = seq

    def _ask_keyframe(self) -> None:
        self.stats.keyframe_requests += 1
        self.request_keyframe()

    # Retransmission requests.

    def _nack(self, seqs: list[int], now: float) -> None:
        for seq in seqs:
            missing = self._missing[seq]
            missing.tries += 1
            missing.last_nack = now
        self.stats.nacked += len(seqs)
        for i in range(0, len(seqs), MAX_NACK_LIST):
            self._spawn(self._ssrc, [s & 0xFFFF for s in seqs[i : i + MAX_NACK_LIST]])

    def _schedule(self) -> None:
        if self._tick is None and not self._closed:
            self._tick = asyncio.get_running_loop().call_later(TICK, self._on_tick)

    def _on_tick(self) -> None:
        self._tick = None
        if self._closed or self._next is None:
            return
        now = self.clock()
        retry = self.timer.retry
        due = [
            seq
            for seq, m in self._missing.items()
            if seq >= self._next and m.tries < NACK_TRIES and now - m.last_nack >= retry
        ]
        if due:
            self._nack(sorted(due), now)
        self._release(now)
        if any(seq >= self._next for seq in self._missing):
            self._schedule()

    def _spawn(self, ssrc: int, lost: list[int]) -> None:
        async def run() -> None:
            try:
                await self.send_nack(ssrc, lost)
            except ConnectionError as exc:
                logger.debug("NACK not sent: %s", exc)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        self._closed = True
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        for task in self._tasks:
            task.cancel()


@dataclass(eq=False)
class AudioReassembler:
    codec_of: CodecOf
    emit: Emit
    stats: ReassemblyStats = field(default_factory=ReassemblyStats)

    def __post_init__(self) -> None:
        self._seq = SequenceUnwrapper()
        self._last: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, None]:
        seq = self._seq.unwrap(packet.sequence_number)
        if self._last is not None and abs(seq - self._last) > MAX_JUMP:
            self.stats.resets += 1
            seq = self._seq.reset(packet.sequence_number)
            self._last = None
        if self._last is not None and seq <= self._last:
            self.stats.late += 1
            return False, None
        if self._last is not None and seq > self._last + 1:
            self.stats.dropped_frames += seq - self._last - 1
        self._last = seq
        data: bytes = getattr(packet, "_data", b"")
        codec = self.codec_of(packet.payload_type)
        if data and codec is not None:
            self.stats.frames += 1
            self.emit(codec, JitterFrame(data=data, timestamp=packet.timestamp))
        return False, None

    def close(self) -> None:
        pass
