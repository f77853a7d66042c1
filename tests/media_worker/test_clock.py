"""RTP -> worker wall clock: unwrapping, sender reports, the publisher's clock offset."""

from __future__ import annotations

import pytest

from media_worker.clock import (
    NTP_UNIX_DELTA,
    PublisherClock,
    RtpUnwrapper,
    TrackClock,
    ntp_to_unix,
    unwrap_near,
)

WRAP = 1 << 32
T0 = 1_800_000_000.0


def ntp(unix: float) -> int:
    seconds = int(unix // 1)
    return ((seconds + NTP_UNIX_DELTA) << 32) | round((unix - seconds) * WRAP)


def test_ntp_converts_to_unix_seconds():
    assert ntp_to_unix((NTP_UNIX_DELTA << 32) | (1 << 31)) == 0.5
    assert ntp_to_unix(ntp(T0 + 0.25)) == pytest.approx(T0 + 0.25, abs=1e-6)


def test_unwrapping_counts_on_across_the_wrap_and_steps_back_for_reordering():
    unwrapper = RtpUnwrapper()
    raw = [WRAP - 6000, WRAP - 3000, 0, 3000, 1500, 6000]
    assert [unwrapper.unwrap(t) for t in raw] == [
        WRAP - 6000,
        WRAP - 3000,
        WRAP,
        WRAP + 3000,
        WRAP + 1500,
        WRAP + 6000,
    ]
    assert unwrapper.peek(9000) == WRAP + 9000 and unwrapper.last == WRAP + 6000
    # Already extended input (as aiortc hands it over) passes through unchanged, including
    # aiortc taking a reordered frame for a wrap (+2**32).
    again = RtpUnwrapper()
    assert [again.unwrap(t) for t in (0, 3000, 2 * WRAP + 1500, 2 * WRAP + 6000)] == [
        0,
        3000,
        1500,
        6000,
    ]
    assert unwrap_near(5, 3 * WRAP + 10) == 3 * WRAP + 5


def test_before_any_sr_the_first_frame_anchors_the_track():
    clock = TrackClock(90000, PublisherClock())
    assert clock.wall_time(0) is None
    first = clock.frame(1000, T0)
    clock.frame(1000 + 90000, T0 + 1.2)  # arrived late: the RTP clock is what counts
    assert first == 1000
    assert clock.wall_time(1000 + 90000) == pytest.approx(T0 + 1.0)


def test_a_sender_clock_30_s_wrong_is_shifted_to_the_worker_clock():
    publisher = PublisherClock()
    video = TrackClock(90000, publisher)
    audio = TrackClock(48000, publisher)
    video.frame(0, T0 + 0.2)
    audio.frame(0, T0 + 0.25)
    sender = T0 - 30.0  # the phone's clock when the worker's reads T0
    # SRs take 40, 10 and 25 ms to arrive: the smallest delay wins.
    video.sender_report(ntp(sender), 0, T0 + 0.040)
    audio.sender_report(ntp(sender + 1), 48000, T0 + 1.010)
    video.sender_report(ntp(sender + 2), 2 * 90000, T0 + 2.025)
    assert publisher.sr_count == 3 and publisher.offset_ms == 30010
    assert (video.sr_count, audio.sr_count) == (2, 1)
    # Audio and video of the same instant map to the same worker time (lip sync).
    assert video.wall_time(3 * 90000) == pytest.approx(T0 + 3.010, abs=1e-6)
    assert audio.wall_time(3 * 48000) == pytest.approx(T0 + 3.010, abs=1e-6)


def test_sender_reports_across_the_wrap_map_onto_the_extended_timeline():
    clock = TrackClock(90000, PublisherClock())
    start = WRAP - 90000
    clock.frame(start, T0)
    extended = clock.frame(start + 2 * 90000 - WRAP, T0 + 2)  # wrapped
    assert extended == WRAP + 90000
    clock.sender_report(ntp(T0 + 2), (start + 2 * 90000) % WRAP, T0 + 2)
    assert clock.report is not None and clock.report.rtp == WRAP + 90000
    assert clock.wall_time(WRAP + 2 * 90000) == pytest.approx(T0 + 3, abs=1e-6)
