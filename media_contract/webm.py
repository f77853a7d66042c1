"""A streaming WebM (Matroska subset) writer for already-encoded VP8 and Opus frames.

Bytes are only ever appended: EBML header, a Segment of unknown size, Info, Tracks, then
Clusters of known size (one cluster is buffered in memory and written whole). Nothing is
seeked back to, so the output can be hashed as it is written (`HashingFile`).

Part of the web-worker contract (`media_contract`): used by the media worker for one track per
segment file, and by the backend's finalize step to mux a participant's video and audio into
one file (several `TrackSpec`s, frames interleaved by timestamp by the caller).

Finalize uses the *seekable* mode (`WebmWriter(..., seekable=True)`, a seekable file only): a
Void is reserved after the Segment's start for a SeekHead, Info carries a Duration, and
`close()` appends Cues (one CuePoint per cluster that starts on a video keyframe, or per
cluster of an audio-only file) and then seeks back to write the SeekHead (Info, Tracks, Cues),
the Duration and the Segment's size. Such a file is hashed after it is closed, by reading it.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import BinaryIO, Literal

# Element IDs (Matroska / WebM).
EBML = 0x1A45DFA3
EBML_VERSION = 0x4286
EBML_READ_VERSION = 0x42F7
EBML_MAX_ID_LENGTH = 0x42F2
EBML_MAX_SIZE_LENGTH = 0x42F3
DOC_TYPE = 0x4282
DOC_TYPE_VERSION = 0x4287
DOC_TYPE_READ_VERSION = 0x4285
SEGMENT = 0x18538067
INFO = 0x1549A966
TIMECODE_SCALE = 0x2AD7B1
MUXING_APP = 0x4D80
WRITING_APP = 0x5741
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_NUMBER = 0xD7
TRACK_UID = 0x73C5
TRACK_TYPE = 0x83
FLAG_LACING = 0x9C
CODEC_ID = 0x86
CODEC_PRIVATE = 0x63A2
CODEC_DELAY = 0x56AA
SEEK_PRE_ROLL = 0x56BB
VIDEO = 0xE0
PIXEL_WIDTH = 0xB0
PIXEL_HEIGHT = 0xBA
AUDIO = 0xE1
SAMPLING_FREQUENCY = 0xB5
CHANNELS = 0x9F
CLUSTER = 0x1F43B675
TIMECODE = 0xE7
SIMPLE_BLOCK = 0xA3
VOID = 0xEC
SEEK_HEAD = 0x114D9B74
SEEK = 0x4DBB
SEEK_ID = 0x53AB
SEEK_POSITION = 0x53AC
DURATION = 0x4489
CUES = 0x1C53BB6B
CUE_POINT = 0xBB
CUE_TIME = 0xB3
CUE_TRACK_POSITIONS = 0xB7
CUE_TRACK = 0xF7
CUE_CLUSTER_POSITION = 0xF1

UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"
APP_NAME = "accord"
# A new cluster starts when a block would be this far (ms) from the cluster's timecode.
CLUSTER_MAX_MS = 1000
OPUS_RATE = 48000
OPUS_SEEK_PRE_ROLL_NS = 80_000_000
# Seekable mode: bytes reserved (as a Void) for the SeekHead written on close. Three entries
# with 8-byte positions take 68; the rest stays a Void.
SEEK_HEAD_RESERVE = 96
SEEK_POSITION_BYTES = 8
SEGMENT_SIZE_BYTES = 8

CODEC_IDS = {"video/vp8": "V_VP8", "audio/opus": "A_OPUS"}


class WebmError(ValueError):
    """Input the writer cannot put into a WebM file."""


def _vint_size(size: int) -> bytes:
    """An EBML data size in the shortest form (all-ones patterns are reserved)."""
    for length in range(1, 9):
        if size < (1 << (7 * length)) - 1:
            return (size | (1 << (7 * length))).to_bytes(length, "big")
    raise WebmError(f"element too large: {size}")


def _id(element_id: int) -> bytes:
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")


def element(element_id: int, payload: bytes) -> bytes:
    return _id(element_id) + _vint_size(len(payload)) + payload


def uint(element_id: int, value: int) -> bytes:
    return element(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def string(element_id: int, value: str) -> bytes:
    return element(element_id, value.encode())


def float64(element_id: int, value: float) -> bytes:
    return element(element_id, struct.pack(">d", value))


def fixed_size(value: int, length: int) -> bytes:
    """An EBML data size written in exactly ``length`` bytes (to be patched in place)."""
    if not 0 <= value < (1 << (7 * length)) - 1:
        raise WebmError(f"size {value} does not fit {length} bytes")
    return (value | (1 << (7 * length))).to_bytes(length, "big")


def void(total: int) -> bytes:
    """A Void element of exactly ``total`` bytes (2 to 128)."""
    if not 2 <= total <= 128:
        raise WebmError(f"cannot make a Void of {total} bytes")
    return _id(VOID) + _vint_size(total - 2) + bytes(total - 2)


def seek_head(positions: list[tuple[int, int]]) -> bytes:
    """A SeekHead of (element id, position relative to the Segment's data) entries, each
    position in a fixed 8 bytes so its length does not depend on the file."""
    body = b"".join(
        element(
            SEEK,
            element(SEEK_ID, _id(element_id))
            + element(SEEK_POSITION, position.to_bytes(SEEK_POSITION_BYTES, "big")),
        )
        for element_id, position in positions
    )
    return element(SEEK_HEAD, body)


def cues(points: list[tuple[int, int, int]]) -> bytes:
    """Cues of (time ms, track number, cluster position relative to the Segment's data)."""
    body = b"".join(
        element(
            CUE_POINT,
            uint(CUE_TIME, time_ms)
            + element(
                CUE_TRACK_POSITIONS,
                uint(CUE_TRACK, track) + uint(CUE_CLUSTER_POSITION, position),
            ),
        )
        for time_ms, track, position in points
    )
    return element(CUES, body)


def vp8_dimensions(data: bytes) -> tuple[int, int]:
    """(width, height) from a VP8 keyframe header (RFC 6386 9.1); WebmError otherwise."""
    if len(data) < 10 or data[0] & 0x01 or data[3:6] != b"\x9d\x01\x2a":
        raise WebmError("not a VP8 keyframe")
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return width, height


def opus_head(channels: int = 2, pre_skip: int = 0) -> bytes:
    """The OpusHead that Matroska's A_OPUS CodecPrivate carries (RFC 7845 5.1), family 0."""
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, pre_skip, OPUS_RATE, 0, 0)


@dataclass(frozen=True, slots=True)
class TrackSpec:
    """One track of a file. `number` is what `WebmWriter.write` is called with (1..126)."""

    number: int
    codec: str  # "video/vp8" or "audio/opus"
    width: int = 0  # video only
    height: int = 0
    channels: int = 2  # audio only
    pre_skip: int = 0  # Opus samples at 48 kHz the decoder drops at the start

    @property
    def kind(self) -> Literal["video", "audio"]:
        return "video" if self.codec.startswith("video/") else "audio"

    @classmethod
    def vp8(cls, number: int, keyframe: bytes) -> TrackSpec:
        """A VP8 track sized from its first keyframe."""
        width, height = vp8_dimensions(keyframe)
        return cls(number=number, codec="video/vp8", width=width, height=height)

    @classmethod
    def opus(cls, number: int, *, pre_skip: int = 0) -> TrackSpec:
        return cls(number=number, codec="audio/opus", pre_skip=pre_skip)

    def entry(self) -> bytes:
        if self.codec not in CODEC_IDS:
            raise WebmError(f"codec {self.codec!r} is not recorded")
        if not 1 <= self.number <= 126:
            raise WebmError(f"track number {self.number} out of range")
        body = (
            uint(TRACK_NUMBER, self.number)
            + uint(TRACK_UID, self.number)
            + uint(TRACK_TYPE, 1 if self.kind == "video" else 2)
            + uint(FLAG_LACING, 0)
            + string(CODEC_ID, CODEC_IDS[self.codec])
        )
        if self.kind == "video":
            if self.width <= 0 or self.height <= 0:
                raise WebmError("a video track needs its pixel size")
            body += element(VIDEO, uint(PIXEL_WIDTH, self.width) + uint(PIXEL_HEIGHT, self.height))
        else:
            delay_ns = self.pre_skip * 1_000_000_000 // OPUS_RATE
            body += (
                element(CODEC_PRIVATE, opus_head(self.channels, self.pre_skip))
                + uint(CODEC_DELAY, delay_ns)
                + uint(SEEK_PRE_ROLL, OPUS_SEEK_PRE_ROLL_NS)
                + element(
                    AUDIO,
                    float64(SAMPLING_FREQUENCY, float(OPUS_RATE)) + uint(CHANNELS, self.channels),
                )
            )
        return element(TRACK_ENTRY, body)


def ebml_header() -> bytes:
    return element(
        EBML,
        uint(EBML_VERSION, 1)
        + uint(EBML_READ_VERSION, 1)
        + uint(EBML_MAX_ID_LENGTH, 4)
        + uint(EBML_MAX_SIZE_LENGTH, 8)
        + string(DOC_TYPE, "webm")
        + uint(DOC_TYPE_VERSION, 4)
        + uint(DOC_TYPE_READ_VERSION, 2),
    )


def info(*, duration: bool = False) -> bytes:
    """Info; with ``duration`` a Duration of 0.0 as its last child (its 8 bytes of payload
    are the element's last 8, patched on close)."""
    body = uint(TIMECODE_SCALE, 1_000_000) + string(MUXING_APP, APP_NAME)
    body += string(WRITING_APP, APP_NAME)
    if duration:
        body += float64(DURATION, 0.0)
    return element(INFO, body)


def tracks_element(tracks: list[TrackSpec]) -> bytes:
    return element(TRACKS, b"".join(track.entry() for track in tracks))


def header(tracks: list[TrackSpec]) -> bytes:
    """Everything before the first cluster (streaming mode)."""
    return ebml_header() + _id(SEGMENT) + UNKNOWN_SIZE + info() + tracks_element(tracks)


class HashingFile:
    """Wraps a binary file: SHA-256 and size of exactly the bytes written through it."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._sha.update(data)
        self.size += len(data)
        return self.out.write(data)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.out.close()


class WebmWriter:
    """Appends SimpleBlocks to `out`; timestamps in milliseconds from the file's start.

    A cluster starts on every video keyframe and whenever a block would be more than
    `cluster_ms` after (or before) the cluster's timecode. `close()` writes the last cluster;
    it does not close `out`.

    With `seekable` (`out` must be a seekable file, written from its start): a SeekHead,
    Duration and Cues are written, and `close()` seeks back to patch them in (see the module's
    docstring). `close(duration_ms)` sets the Duration (default: the last block's timestamp).
    """

    def __init__(
        self,
        out: BinaryIO | HashingFile,
        tracks: list[TrackSpec],
        *,
        cluster_ms: int = CLUSTER_MAX_MS,
        seekable: bool = False,
    ) -> None:
        if not tracks or len({t.number for t in tracks}) != len(tracks):
            raise WebmError("tracks must be non-empty with distinct numbers")
        if seekable and isinstance(out, HashingFile):
            raise WebmError("a seekable file is hashed after it is closed, not as written")
        self.out = out
        self.tracks = {track.number: track for track in tracks}
        self.cluster_ms = min(cluster_ms, 32767)
        self.seekable = seekable
        self.clusters = 0
        self.blocks = 0
        self.last_ms = 0
        self._cluster_time: int | None = None
        self._cluster = bytearray()
        self._cluster_cue: int | None = None  # the track a cue of the open cluster points to
        self._closed = False
        videos = [t.number for t in tracks if t.kind == "video"]
        # Cues point at clusters that start on a video keyframe; without video, at every
        # cluster (of the first track: audio frames are all keyframes).
        self._cue_track = videos[0] if videos else tracks[0].number
        self._cue_on_keyframe = bool(videos)
        self._cues: list[tuple[int, int, int]] = []
        if not seekable:
            head = header(tracks)
            out.write(head)
            self._written = len(head)
            return
        head = ebml_header() + _id(SEGMENT)
        self._segment_size_at = len(head)
        head += UNKNOWN_SIZE  # patched on close; a file left unclosed still streams
        self._data_start = len(head)
        head += void(SEEK_HEAD_RESERVE)
        self._info_at = len(head) - self._data_start
        info_bytes = info(duration=True)
        head += info_bytes
        self._duration_at = len(head) - 8
        self._tracks_at = len(head) - self._data_start
        head += tracks_element(tracks)
        out.write(head)
        self._written = len(head)

    def write(self, track_number: int, timestamp_ms: int, data: bytes, keyframe: bool) -> None:
        if self._closed:
            raise WebmError("writer is closed")
        track = self.tracks.get(track_number)
        if track is None:
            raise WebmError(f"no track {track_number}")
        if timestamp_ms < 0:
            raise WebmError("timestamps start at 0")
        start = self._cluster_time
        if (
            start is None
            or (keyframe and track.kind == "video" and self._cluster)
            or not -self.cluster_ms <= timestamp_ms - start <= self.cluster_ms
        ):
            self._flush_cluster()
            self._cluster_time = start = timestamp_ms
            cue = track_number == self._cue_track and (keyframe or not self._cue_on_keyframe)
            self._cluster_cue = track_number if cue else None
        relative = timestamp_ms - start
        flags = 0x80 if keyframe else 0x00
        block = bytes([0x80 | track_number]) + struct.pack(">hB", relative, flags) + data
        self._cluster += element(SIMPLE_BLOCK, block)
        self.blocks += 1
        self.last_ms = max(self.last_ms, timestamp_ms)

    def _flush_cluster(self) -> None:
        if self._cluster_time is None or not self._cluster:
            return
        body = uint(TIMECODE, self._cluster_time) + self._cluster
        data = element(CLUSTER, bytes(body))
        if self.seekable and self._cluster_cue is not None:
            position = self._written - self._data_start
            self._cues.append((self._cluster_time, self._cluster_cue, position))
        self.out.write(data)
        self._written += len(data)
        self.clusters += 1
        self._cluster = bytearray()

    def close(self, duration_ms: int | None = None) -> None:
        if self._closed:
            return
        self._flush_cluster()
        self._closed = True
        if self.seekable:
            self._finish_seekable(self.last_ms if duration_ms is None else duration_ms)

    def _finish_seekable(self, duration_ms: int) -> None:
        out = self.out
        assert not isinstance(out, HashingFile)
        positions = [(INFO, self._info_at), (TRACKS, self._tracks_at)]
        if self._cues:
            positions.append((CUES, self._written - self._data_start))
            data = cues(self._cues)
            out.write(data)
            self._written += len(data)
        end = self._written
        head = seek_head(positions)
        out.seek(self._data_start)
        out.write(head + void(SEEK_HEAD_RESERVE - len(head)))
        out.seek(self._duration_at)
        out.write(struct.pack(">d", float(max(duration_ms, 0))))
        out.seek(self._segment_size_at)
        out.write(fixed_size(end - self._data_start, SEGMENT_SIZE_BYTES))
        out.seek(end)
