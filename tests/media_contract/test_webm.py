"""The streaming WebM writer: byte layout, hashing as written, and ffmpeg reading what it wrote."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import subprocess
from pathlib import Path

import av
import pytest

from media_contract import webm
from media_contract.webm import HashingFile, TrackSpec, WebmError, WebmWriter, vp8_dimensions
from tests.media_worker.media import is_vp8_keyframe, opus_packets, vp8_packets

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


def read_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    first = data[pos]
    length = 8 - first.bit_length() + 1
    value = int.from_bytes(data[pos : pos + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, pos + length


def elements(data: bytes, pos: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """(id, payload start, payload end) of the elements in data[pos:end]; an unknown size
    (all ones) runs to the end."""
    end = len(data) if end is None else end
    found = []
    while pos < end:
        element_id, pos = read_vint(data, pos, keep_marker=True)
        start = pos
        size, pos = read_vint(data, pos, keep_marker=False)
        length = pos - start
        if size == (1 << (7 * length)) - 1:
            size = end - pos
        found.append((element_id, pos, pos + size))
        pos += size
    return found


def video_file(out: io.BytesIO | HashingFile, count: int = 60) -> WebmWriter:
    packets = vp8_packets()
    writer = WebmWriter(out, [TrackSpec.vp8(1, packets[0])])
    for i in range(count):
        writer.write(1, i * 1000 // 30, packets[i % 60], is_vp8_keyframe(packets[i % 60]))
    writer.close()
    return writer


def clusters(data: bytes) -> list[tuple[int, list[tuple[int, int, bool]]]]:
    """(cluster timecode, [(track, relative timecode, keyframe)]) per cluster."""
    [(_, _, _), (segment_id, start, end)] = elements(data)
    assert segment_id == webm.SEGMENT
    found = []
    for element_id, body, stop in elements(data, start, end):
        if element_id != webm.CLUSTER:
            continue
        children = elements(data, body, stop)
        assert children[0][0] == webm.TIMECODE
        timecode = int.from_bytes(data[children[0][1] : children[0][2]], "big")
        blocks = []
        for child_id, s, _ in children[1:]:
            assert child_id == webm.SIMPLE_BLOCK
            relative = int.from_bytes(data[s + 1 : s + 3], "big", signed=True)
            blocks.append((data[s] & 0x7F, relative, bool(data[s + 3] & 0x80)))
        found.append((timecode, blocks))
    return found


def test_the_hash_and_size_are_of_exactly_the_bytes_written():
    out = io.BytesIO()
    hashing = HashingFile(out)
    video_file(hashing)
    assert hashing.size == len(out.getvalue())
    assert hashing.hexdigest() == hashlib.sha256(out.getvalue()).hexdigest()


def test_the_layout_is_header_info_tracks_then_clusters():
    out = io.BytesIO()
    video_file(out)
    data = out.getvalue()
    [(ebml_id, ebml_start, ebml_end), (segment_id, start, end)] = elements(data)
    assert (ebml_id, segment_id) == (webm.EBML, webm.SEGMENT)
    assert (webm.DOC_TYPE, b"webm") in [
        (i, data[s:e]) for i, s, e in elements(data, ebml_start, ebml_end)
    ]
    assert data[start - 8 : start] == webm.UNKNOWN_SIZE
    ids = [i for i, _, _ in elements(data, start, end)]
    assert ids[:2] == [webm.INFO, webm.TRACKS]
    assert set(ids[2:]) == {webm.CLUSTER}


def test_a_cluster_starts_on_each_video_keyframe():
    out = io.BytesIO()
    writer = video_file(out, count=60)  # keyframes at 0 and 30
    found = clusters(out.getvalue())
    assert [timecode for timecode, _ in found] == [0, 1000]
    assert writer.clusters == 2 and writer.blocks == 60
    for _, blocks in found:
        assert blocks[0][2] and not any(k for _, _, k in blocks[1:])
        assert [r for _, r, _ in blocks] == [i * 1000 // 30 for i in range(30)]


def test_a_cluster_spans_at_most_a_second_without_keyframes():
    out = io.BytesIO()
    writer = WebmWriter(out, [TrackSpec.opus(1)])
    for i in range(130):  # 2.6 s of audio
        writer.write(1, i * 20, opus_packets()[i % 50], True)
    writer.close()
    found = clusters(out.getvalue())
    assert [timecode for timecode, _ in found] == [0, 1020, 2040]
    assert all(0 <= r <= 1000 for _, blocks in found for _, r, _ in blocks)
    assert sum(len(blocks) for _, blocks in found) == 130


def test_bad_input_is_refused():
    with pytest.raises(WebmError):
        vp8_dimensions(vp8_packets()[1])  # not a keyframe
    with pytest.raises(WebmError):
        WebmWriter(io.BytesIO(), [TrackSpec(number=1, codec="video/h264", width=1, height=1)])
    writer = WebmWriter(io.BytesIO(), [TrackSpec.opus(1)])
    with pytest.raises(WebmError):
        writer.write(2, 0, b"x", True)
    with pytest.raises(WebmError):
        writer.write(1, -1, b"x", True)
    assert vp8_dimensions(vp8_packets()[0]) == (160, 120)


def test_the_opus_head_is_rfc_7845():
    head = webm.opus_head(2, 312)
    assert head[:8] == b"OpusHead" and len(head) == 19
    assert (head[8], head[9], int.from_bytes(head[10:12], "little")) == (1, 2, 312)
    assert int.from_bytes(head[12:16], "little") == 48000 and head[16:] == b"\x00\x00\x00"


def probe(path: Path) -> list[dict[str, object]]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    streams: list[dict[str, object]] = json.loads(result.stdout)["streams"]
    return streams


def decodes_cleanly(path: Path) -> None:
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


@needs_ffmpeg
def test_ffmpeg_decodes_one_track_files_and_reads_their_codec(tmp_path):
    video, audio = tmp_path / "v.webm", tmp_path / "a.webm"
    with open(video, "wb") as out:
        video_file(out)  # type: ignore[arg-type]
    with open(audio, "wb") as out:
        writer = WebmWriter(out, [TrackSpec.opus(1, pre_skip=312)])
        for i in range(50):
            writer.write(1, i * 20, opus_packets()[i], True)
        writer.close()
    for path in (video, audio):
        decodes_cleanly(path)
    [v] = probe(video)
    assert (v["codec_name"], v["width"], v["height"]) == ("vp8", 160, 120)
    [a] = probe(audio)
    assert (a["codec_name"], a["sample_rate"], a["channels"]) == ("opus", "48000", 2)
    with av.open(str(video)) as container:
        assert [bytes(p) for p in container.demux(video=0) if p.size] == list(vp8_packets())


@needs_ffmpeg
def test_a_muxed_audio_and_video_file_has_two_streams_and_decodes(tmp_path):
    path = tmp_path / "av.webm"
    video, audio = vp8_packets(), opus_packets()
    frames = sorted(
        [(i * 1000 // 30, 1, data) for i, data in enumerate(video)]
        + [(i * 20, 2, data) for i, data in enumerate(audio)]
    )
    with open(path, "wb") as out:
        writer = WebmWriter(out, [TrackSpec.vp8(1, video[0]), TrackSpec.opus(2)])
        for timestamp, track, data in frames:
            writer.write(track, timestamp, data, track == 2 or is_vp8_keyframe(data))
        writer.close()
    decodes_cleanly(path)
    assert sorted(s["codec_type"] for s in probe(path)) == ["audio", "video"]  # type: ignore[type-var]
    with av.open(str(path)) as container:
        packets = [(p.stream.type, bytes(p)) for p in container.demux() if p.size]
    assert [data for kind, data in packets if kind == "video"] == list(video)
    assert [data for kind, data in packets if kind == "audio"] == list(audio)


def av_file(out: io.BufferedRandom, seconds: int = 10, *, seekable: bool = True) -> WebmWriter:
    """VP8 at 30 fps with a keyframe every second and Opus in 20 ms packets."""
    video, audio = vp8_packets(60, 30), opus_packets()
    frames = sorted(
        [(i * 1000 // 30, 1, video[i % 60]) for i in range(seconds * 30)]
        + [(i * 20, 2, audio[i % len(audio)]) for i in range(seconds * 50)]
    )
    writer = WebmWriter(out, [TrackSpec.vp8(1, video[0]), TrackSpec.opus(2)], seekable=seekable)
    for timestamp, track, data in frames:
        writer.write(track, timestamp, data, track == 2 or is_vp8_keyframe(data))
    writer.close(seconds * 1000)
    return writer


def test_the_seekable_layout_has_a_seek_head_duration_cues_and_a_known_segment_size(tmp_path):
    path = tmp_path / "seekable.webm"
    with open(path, "w+b") as out:
        av_file(out)
    data = path.read_bytes()
    [(_, _, _), (segment_id, start, end)] = elements(data)
    assert segment_id == webm.SEGMENT and end == len(data)
    assert data[start - 8 : start] != webm.UNKNOWN_SIZE  # a known size, patched on close
    children = elements(data, start, end)
    ids = [i for i, _, _ in children]
    assert ids[:4] == [webm.SEEK_HEAD, webm.VOID, webm.INFO, webm.TRACKS]
    assert ids[-1] == webm.CUES and set(ids[4:-1]) == {webm.CLUSTER}

    def element_at(position: int) -> int:
        return read_vint(data, start + position, keep_marker=True)[0]

    # The SeekHead names Info, Tracks and Cues at their positions from the Segment's data.
    _, head_start, head_end = children[0]
    seeks = {}
    for _, s, e in elements(data, head_start, head_end):
        (_, id_s, id_e), (_, pos_s, pos_e) = elements(data, s, e)
        seeks[int.from_bytes(data[id_s:id_e], "big")] = int.from_bytes(data[pos_s:pos_e], "big")
    assert set(seeks) == {webm.INFO, webm.TRACKS, webm.CUES}
    assert all(element_at(position) == element_id for element_id, position in seeks.items())
    # The Duration (ms, the timecode scale) is what close() was given.
    info_children = {i: (s, e) for i, s, e in elements(data, children[2][1], children[2][2])}
    s, e = info_children[webm.DURATION]
    assert struct.unpack(">d", data[s:e]) == (10000.0,)
    # One CuePoint per keyframe cluster, on the video track, pointing at that cluster.
    points = []
    for _, s, e in elements(data, children[-1][1], children[-1][2]):
        (time_id, ts, te), (_, ps, pe) = elements(data, s, e)
        assert time_id == webm.CUE_TIME
        track_positions = {
            i: int.from_bytes(data[a:b], "big") for i, a, b in elements(data, ps, pe)
        }
        points.append((int.from_bytes(data[ts:te], "big"), track_positions))
    assert [time for time, _ in points] == [i * 1000 for i in range(10)]
    keyframe_clusters = [tc for tc, blocks in clusters(data) if blocks[0][0] == 1 and blocks[0][2]]
    assert [time for time, _ in points] == keyframe_clusters
    for time, positions in points:
        assert positions[webm.CUE_TRACK] == 1
        position = positions[webm.CUE_CLUSTER_POSITION]
        assert element_at(position) == webm.CLUSTER
        (_, cluster_start, cluster_end) = elements(data, start + position)[0]
        (timecode_id, ts, te) = elements(data, cluster_start, cluster_end)[0]
        assert timecode_id == webm.TIMECODE and int.from_bytes(data[ts:te], "big") == time


def test_seekable_and_streaming_files_carry_the_same_clusters(tmp_path):
    seekable, streaming = tmp_path / "a.webm", tmp_path / "b.webm"
    with open(seekable, "w+b") as out:
        av_file(out, 3)
    with open(streaming, "w+b") as out:
        av_file(out, 3, seekable=False)
    assert clusters(seekable.read_bytes()) == clusters(streaming.read_bytes())


def test_a_seekable_file_refuses_hashing_as_written():
    with pytest.raises(WebmError):
        WebmWriter(HashingFile(io.BytesIO()), [TrackSpec.opus(1)], seekable=True)


@needs_ffmpeg
def test_ffmpeg_sees_a_finite_duration_and_seeks_a_seekable_file(tmp_path):
    path = tmp_path / "seekable.webm"
    with open(path, "w+b") as out:
        av_file(out)
    decodes_cleanly(path)
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        check=True,
    )
    assert abs(float(result.stdout) - 10.0) < 0.05
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        for target in (2.5, 7.2, 9.1):
            container.seek(int(target / stream.time_base), stream=stream)
            packet = next(p for p in container.demux(stream) if p.pts is not None)
            assert packet.pts is not None
            landed = float(packet.pts * stream.time_base)
            assert target - 1.0 <= landed <= target and packet.is_keyframe, (target, landed)


@needs_ffmpeg
def test_an_audio_only_seekable_file_has_a_cue_per_cluster(tmp_path):
    path = tmp_path / "audio.webm"
    with open(path, "w+b") as out:
        writer = WebmWriter(out, [TrackSpec.opus(1)], seekable=True)
        for i in range(150):
            writer.write(1, i * 20, opus_packets()[i % 50], True)
        writer.close()
    data = path.read_bytes()
    [(_, _, _), (_, start, end)] = elements(data)
    cue_element = [c for c in elements(data, start, end) if c[0] == webm.CUES]
    assert len(cue_element) == 1 and writer.clusters == 3
    assert len(elements(data, cue_element[0][1], cue_element[0][2])) == 3
    decodes_cleanly(path)
