"""The spool on a real directory: files, size accounting, pressure alerts, crash recovery."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from media_worker.spool import FULL, NEARLY_FULL, Spool, iso_utc, parse_key

SESSION = "5b0c2f9e-3f1c-4a57-9d7e-2d6f0c1a9b11"


def key(
    track: str = "camera", second: int = 0, participant: str = "7", worker: str = "mw-1"
) -> str:
    return f"{SESSION}/{participant}/{track}/20261127T1800{second:02d}000000Z-{worker}.webm"


def meta(segment_key: str, size: int = 0) -> dict[str, Any]:
    parts = parse_key(segment_key)
    return {
        "session": parts.session,
        "participant": parts.participant,
        "track": parts.track,
        "kind": "video" if parts.track != "microphone" else "audio",
        "key": segment_key,
        "size": size,
        "worker": parts.worker,
    }


def disk_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def write_segment(spool: Spool, segment_key: str, data: bytes, *, close: bool = True) -> None:
    handle = spool.open(segment_key)
    handle.write(data)
    if close:
        handle.close()
    spool.commit(segment_key, meta(segment_key, len(data)))


def test_parse_key_reads_the_compact_start_and_a_worker_id_with_dashes():
    parts = parse_key(f"{SESSION}/7/screen/20261127T180001250000Z-host-a-1234.webm")
    assert parts.session == SESSION and parts.participant == "7" and parts.track == "screen"
    assert parts.worker == "host-a-1234"
    assert parts.started == datetime(2026, 11, 27, 18, 0, 1, 250000, tzinfo=UTC)
    assert iso_utc(parts.started) == "2026-11-27T18:00:01.250000Z"
    for bad in ("a/b/c.webm", f"{SESSION}/7/camera/notatime-mw.webm", f"{SESSION}/7/camera/x"):
        with pytest.raises(ValueError):
            parse_key(bad)


@pytest.mark.parametrize("close_first", [True, False])
def test_commit_renames_the_part_writes_the_metadata_and_queues_it(tmp_path, close_first):
    spool = Spool(tmp_path, 10_000)
    k = key()
    handle = spool.open(k)
    assert (tmp_path / f"{k}.part").exists()
    handle.write(b"x" * 300)
    assert spool.bytes == 300  # counted as written, not by walking the tree
    if close_first:
        handle.close()
    spool.commit(k, meta(k, 300))
    assert handle.closed
    assert not (tmp_path / f"{k}.part").exists()
    assert (tmp_path / k).read_bytes() == b"x" * 300
    assert json.loads((tmp_path / f"{k}.json").read_text())["key"] == k
    assert not list(tmp_path.rglob("*.tmp"))
    assert spool.bytes == disk_bytes(tmp_path)
    assert [s.key for s in spool.pending()] == [k]
    assert spool.has_pending(SESSION) and not spool.has_open(SESSION)


def test_discard_deletes_the_part_and_its_bytes(tmp_path):
    spool = Spool(tmp_path, 10_000)
    write_segment(spool, key(second=0), b"a" * 100)
    handle = spool.open(key(second=10))
    handle.write(b"b" * 500)
    assert spool.has_open(SESSION)
    spool.discard(key(second=10))
    assert not (tmp_path / f"{key(second=10)}.part").exists()
    assert spool.bytes == disk_bytes(tmp_path)
    assert not spool.has_open(SESSION)


def test_segments_queue_per_track_in_order_and_done_frees_their_space(tmp_path):
    spool = Spool(tmp_path, 10_000)
    for second in (0, 10, 20):
        write_segment(spool, key("camera", second), b"v" * 100)
        write_segment(spool, key("microphone", second), b"a" * 50)
    assert sorted(spool.streams()) == [f"{SESSION}/7/camera", f"{SESSION}/7/microphone"]
    head = spool.head(f"{SESSION}/7/camera")
    assert head is not None and head.key == key("camera", 0)
    spool.done(head)
    assert not head.path.exists() and not head.meta_path.exists()
    assert head.path.parent.is_dir()  # the track's next segments are still there
    assert spool.head(f"{SESSION}/7/camera").key == key("camera", 10)  # type: ignore[union-attr]
    assert spool.pending_count == 5
    assert spool.bytes == disk_bytes(tmp_path)


def test_pressure_alerts_at_80_and_100_percent_and_refuses_new_segments_when_full(tmp_path):
    alerts: list[tuple[str, str]] = []
    spool = Spool(tmp_path, 1000, alert=lambda code, message: alerts.append((code, message)))
    handle = spool.open(key(second=0))
    handle.write(b"x" * 700)
    assert alerts == [] and spool.accepting()
    handle.write(b"x" * 100)  # 800 of 1000: nearly full, still accepting
    assert [code for code, _ in alerts] == [NEARLY_FULL]
    assert spool.accepting() and spool.level == NEARLY_FULL
    handle.write(b"x" * 250)
    assert [code for code, _ in alerts] == [NEARLY_FULL, FULL]
    assert not spool.accepting()
    assert "100%" in alerts[-1][1] or "10" in alerts[-1][1]
    spool.commit(key(second=0), meta(key(second=0)))  # a closed segment is never dropped
    assert not spool.accepting() and spool.level == FULL
    segment = spool.head(f"{SESSION}/7/camera")
    assert segment is not None
    spool.done(segment)
    assert spool.accepting() and spool.level is None and spool.bytes == 0
    assert len(alerts) == 2  # going back to normal is logged, not alerted


def test_quarantine_moves_both_files_and_keeps_them(tmp_path):
    spool = Spool(tmp_path, 10_000)
    write_segment(spool, key(), b"q" * 10)
    segment = spool.head(f"{SESSION}/7/camera")
    assert segment is not None
    target = spool.quarantine(segment)
    assert target == tmp_path / "quarantine" / key()
    assert target.read_bytes() == b"q" * 10
    assert Path(f"{target}.json").exists()
    assert spool.pending_count == 0 and spool.quarantined == 1
    assert spool.bytes == disk_bytes(tmp_path)  # still on this disk
    again = Spool(tmp_path, 10_000)
    assert again.recover() == [] and again.quarantined == 1 and again.pending_count == 0


def test_recover_queues_closed_segments_and_reports_what_was_open(tmp_path):
    before = Spool(tmp_path, 10_000)
    for second in (0, 10):
        write_segment(before, key("camera", second), b"c" * 100)
    write_segment(before, key("microphone", 0), b"m" * 40)
    # The crash: an open part, a .webm renamed but without its .json (a .json.tmp instead),
    # and a lone .json of a segment deleted after registration.
    part = before.open(key("camera", 20))
    part.write(b"p" * 123)
    part.flush()
    os.utime(tmp_path / f"{key('camera', 20)}.part", (1795802425.5, 1795802425.5))
    half = tmp_path / key("microphone", 10)
    half.write_bytes(b"h" * 77)
    (tmp_path / f"{key('microphone', 10)}.json.tmp").write_text("{")
    lone = tmp_path / f"{key('screen', 0)}.json"
    lone.parent.mkdir(parents=True)
    lone.write_text("{}")
    del before

    alerts: list[str] = []
    spool = Spool(tmp_path, 10_000, alert=lambda code, message: alerts.append(code))
    interruptions = spool.recover()

    assert sorted(s.key for s in spool.pending()) == sorted(
        [key("camera", 0), key("camera", 10), key("microphone", 0)]
    )
    assert spool.head(f"{SESSION}/7/camera").key == key("camera", 0)  # type: ignore[union-attr]
    bodies = sorted((i.body() for i in interruptions), key=lambda b: b["track"])
    assert bodies == [
        {
            "session": SESSION,
            "participant": "7",
            "track": "camera",
            "worker": "mw-1",
            "from": "2026-11-27T18:00:20.000000Z",
            "to": iso_utc(datetime.fromtimestamp(1795802425.5, tz=UTC)),
            "reason": "worker_restart",
            "discarded_bytes": 123,
        },
        {
            "session": SESSION,
            "participant": "7",
            "track": "microphone",
            "worker": "mw-1",
            "from": "2026-11-27T18:00:10.000000Z",
            "to": bodies[1]["to"],
            "reason": "worker_restart",
            "discarded_bytes": 77,
        },
    ]
    assert not list(tmp_path.rglob("*.part")) and not list(tmp_path.rglob("*.tmp"))
    assert not half.exists() and not lone.exists()
    assert not lone.parent.exists()  # emptied track directories are removed
    assert spool.bytes == disk_bytes(tmp_path)
    assert alerts == []


def test_recover_raises_the_pressure_level_of_a_full_spool(tmp_path):
    before = Spool(tmp_path, 10_000)
    write_segment(before, key(), b"z" * 900)
    alerts: list[str] = []
    spool = Spool(tmp_path, 1000, alert=lambda code, message: alerts.append(code))
    spool.recover()
    assert alerts == [NEARLY_FULL] or alerts == [FULL]
    assert spool.level == alerts[0]
