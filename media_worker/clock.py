"""RTP timestamps to the worker's wall clock (docs/recording.md, Timing). Pure arithmetic.

A publisher's RTCP sender reports pair its NTP clock with each track's RTP clock. A frame's wall
time is the publisher's NTP time for its RTP timestamp, shifted to the worker's clock by the
publisher's offset: the minimum over its SRs of (worker arrival - SR NTP time), i.e. the clock
error plus the smallest network delay seen. Audio and video of one publisher share the offset
(lip sync). Before a track's first SR, its first frame's arrival anchors the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

NTP_UNIX_DELTA = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01
_WRAP = 1 << 32
_HALF = 1 << 31


def ntp_to_unix(ntp: int) -> float:
    """A 64-bit NTP timestamp (32.32 fixed point since 1900) as unix seconds."""
    return (ntp >> 32) - NTP_UNIX_DELTA + (ntp & 0xFFFFFFFF) / _WRAP


def unwrap_near(timestamp: int, reference: int) -> int:
    """The value congruent to the 32-bit `timestamp` closest to the extended `reference`."""
    delta = (timestamp - reference) % _WRAP
    if delta >= _HALF:
        delta -= _WRAP
    return reference + delta


class RtpUnwrapper:
    """Extends RTP timestamps past the 32-bit wrap.

    The first timestamp is kept as is; later ones are taken as the nearest value congruent
    modulo 2**32 to the previous one, so a jump across 2**32 keeps counting up and a reordered
    frame steps back. Already extended input passes through unchanged (aiortc's receiver
    extends its own way, and takes any step back for a wrap: this undoes that).
    """

    def __init__(self) -> None:
        self.last: int | None = None

    def unwrap(self, timestamp: int) -> int:
        extended = timestamp if self.last is None else unwrap_near(timestamp, self.last)
        self.last = extended
        return extended

    def peek(self, timestamp: int) -> int:
        """As `unwrap`, without moving the reference (for SR timestamps)."""
        return timestamp if self.last is None else unwrap_near(timestamp, self.last)


class PublisherClock:
    """The offset of one publisher's NTP clock to the worker's clock, shared by its tracks."""

    def __init__(self) -> None:
        self.offset: float | None = None  # worker seconds - publisher NTP seconds
        self.sr_count = 0

    def observe(self, ntp_unix: float, arrival: float) -> None:
        sample = arrival - ntp_unix
        self.offset = sample if self.offset is None else min(self.offset, sample)
        self.sr_count += 1

    @property
    def offset_ms(self) -> int:
        return 0 if self.offset is None else round(self.offset * 1000)


@dataclass(frozen=True, slots=True)
class SenderReport:
    ntp_unix: float
    rtp: int  # extended


class TrackClock:
    """One published track: RTP unwrapping and the RTP -> worker wall clock mapping."""

    def __init__(self, clock_rate: int, publisher: PublisherClock) -> None:
        self.clock_rate = clock_rate
        self.publisher = publisher
        self.unwrapper = RtpUnwrapper()
        self.report: SenderReport | None = None
        self.sr_count = 0
        self._anchor: tuple[int, float] | None = None  # (extended rtp, worker seconds)

    def frame(self, rtp_timestamp: int, arrival: float) -> int:
        """Record a frame's 32-bit RTP timestamp as it arrives; its extended timestamp."""
        extended = self.unwrapper.unwrap(rtp_timestamp)
        if self._anchor is None:
            self._anchor = (extended, arrival)
        return extended

    def sender_report(self, ntp: int, rtp_timestamp: int, arrival: float) -> None:
        """An RTCP SR of this track: 64-bit NTP time, RTP time on the frames' scale (modulo
        2**32 is enough), worker arrival time."""
        ntp_unix = ntp_to_unix(ntp)
        self.report = SenderReport(ntp_unix=ntp_unix, rtp=self.unwrapper.peek(rtp_timestamp))
        self.sr_count += 1
        self.publisher.observe(ntp_unix, arrival)

    def wall_time(self, extended: int) -> float | None:
        """Worker unix seconds of an extended RTP timestamp; None before any frame or SR."""
        report, offset = self.report, self.publisher.offset
        if report is not None and offset is not None:
            return report.ntp_unix + (extended - report.rtp) / self.clock_rate + offset
        if self._anchor is not None:
            rtp, at = self._anchor
            return at + (extended - rtp) / self.clock_rate
        return None
