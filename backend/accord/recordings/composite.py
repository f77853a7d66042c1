"""The composite export (docs/recording.md, "Composite export"): one grid video of the whole
session on its wall-clock timeline, made with ffmpeg from the latest finalize's "all" camera and
microphone files. It decodes and re-encodes, so it runs as an export only (Celery
``tasks.composite_session`` or ``accord composite-recording``), never on the live path and never
while the session is open.

Each participant is one tile of the grid; each span of their final file is cut out of the file
(``trim``/``atrim``) and placed at its wall time relative to the session's first recorded frame
(``setpts`` + ``overlay`` for video over a dark base, ``adelay`` + ``amix`` for audio). Outside
their spans a tile shows the base colour; when a font is available the tile carries the
participant's display name. Output: WebM, VP8 (realtime deadline) and Opus, uploaded to
``<session>/export/composite.webm`` with one ``RecordingComposite`` row and one
``recording.composited`` event in the same transaction.
"""

from __future__ import annotations

import functools
import logging
import math
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import av
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import status

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.services import trace_append
from accord.core.storage import download_object, put_object
from accord.recordings.errors import RecordingError
from accord.recordings.locks import session_lock
from accord.recordings.media import file_sha256
from accord.recordings.models import (
    Audience,
    RecordingComposite,
    RecordingFile,
    RecordingManifest,
    Source,
)
from accord.recordings.timeline import ms_between
from accord.rooms.models import HearingSession, SessionStatus

logger = logging.getLogger(__name__)

ACTION = "recording.composited"
BASE_COLOUR = "0x202020"  # a tile with nobody recorded at that moment
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


class CompositeBusy(RuntimeError):
    """Another composite of the same session is being made; try again later."""


class SourceChanged(RuntimeError):
    """A final file in the store is not the one its row records (a re-finalize rewrote it
    meanwhile, or it was altered); try again later, and verify-case names an alteration."""


class CompositeFailed(RuntimeError):
    """ffmpeg did not make the composite."""


def composite_key(session: HearingSession) -> str:
    return f"{session.pk}/export/composite.webm"


def _refuse(message: str, code: str) -> RecordingError:
    return RecordingError(message, code=code, http_status=status.HTTP_409_CONFLICT)


# --- Settings and the ffmpeg binary -------------------------------------------------------


def ffmpeg_binary() -> str:
    return str(getattr(settings, "FFMPEG_BINARY", "") or shutil.which("ffmpeg") or "ffmpeg")


def canvas() -> tuple[int, int, int]:
    """(width, height, fps) of the composite: ``RECORDING_COMPOSITE_SIZE`` ("1280x720") and
    ``RECORDING_COMPOSITE_FPS`` (15)."""
    size = str(getattr(settings, "RECORDING_COMPOSITE_SIZE", "1280x720"))
    width, height = (int(part) for part in size.lower().split("x", 1))
    fps = int(getattr(settings, "RECORDING_COMPOSITE_FPS", 15))
    return width - width % 2, height - height % 2, fps


@functools.cache
def _has_drawtext(binary: str) -> bool:
    try:
        listed = subprocess.run(
            [binary, "-hide_banner", "-filters"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return any(line.split()[1:2] == ["drawtext"] for line in listed.stdout.splitlines())


def name_font() -> str | None:
    """A font file for the tiles' names (``RECORDING_COMPOSITE_FONT``, else a CJK or DejaVu
    font if installed), or None: then the tiles carry no names."""
    if not _has_drawtext(ffmpeg_binary()):
        return None
    configured = str(getattr(settings, "RECORDING_COMPOSITE_FONT", "") or "")
    for candidate in (configured, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


# --- The filter graph ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of a file (file time) placed at ``offset_ms`` on the composite's timeline."""

    file_start_ms: int
    duration_ms: int
    offset_ms: int


@dataclass(frozen=True, slots=True)
class Tile:
    participant_id: int
    name: str
    path: Path
    pieces: tuple[Piece, ...]
    has_video: bool
    has_audio: bool


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def _escape(value: str) -> str:
    """A value inside a filter's option list, quoted for the graph parser."""
    return "'" + value.replace("\\", "/").replace("'", "'\\''").replace(":", "\\:") + "'"


def grid(count: int, width: int, height: int) -> tuple[int, int, int, int]:
    """(columns, rows, tile width, tile height) for ``count`` tiles on the canvas."""
    columns = max(1, math.ceil(math.sqrt(count)))
    rows = max(1, math.ceil(count / columns))
    tile_w = width // columns
    tile_h = height // rows
    return columns, rows, tile_w - tile_w % 2, tile_h - tile_h % 2


def filter_graph(
    tiles: Sequence[Tile],
    *,
    duration_ms: int,
    width: int,
    height: int,
    fps: int,
    font: str | None = None,
    name_files: Sequence[Path] = (),
) -> str:
    """The ``-filter_complex`` graph: input ``i`` is ``tiles[i].path``; outputs ``[v]`` and
    ``[a]``, each exactly ``duration_ms`` long."""
    columns, _rows, tile_w, tile_h = grid(len(tiles), width, height)
    total = _seconds(duration_ms)
    chains = [f"color=c={BASE_COLOUR}:s={width}x{height}:r={fps}:d={total},format=yuv420p[base]"]
    audio = [f"anullsrc=r=48000:cl=stereo,atrim=duration={total}[silence]"]
    video_label = "base"
    mixed = ["[silence]"]
    step = 0
    for index, tile in enumerate(tiles):
        x = (index % columns) * tile_w
        y = (index // columns) * tile_h
        count = len(tile.pieces)
        if tile.has_video and count:
            outs = "".join(f"[v{index}_{n}]" for n in range(count))
            chains.append(
                f"[{index}:v]split={count}{outs}" if count > 1 else f"[{index}:v]null{outs}"
            )
            for n, piece in enumerate(tile.pieces):
                end = piece.file_start_ms + piece.duration_ms
                chains.append(
                    f"[v{index}_{n}]trim=start={_seconds(piece.file_start_ms)}:end={_seconds(end)},"
                    f"setpts=PTS-STARTPTS+{_seconds(piece.offset_ms)}/TB,"
                    f"scale={tile_w}:{tile_h}:force_original_aspect_ratio=decrease:"
                    f"force_divisible_by=2,"
                    f"pad={tile_w}:{tile_h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,"
                    f"format=yuv420p[p{index}_{n}]"
                )
                chains.append(
                    f"[{video_label}][p{index}_{n}]overlay=x={x}:y={y}:eof_action=pass"
                    f":repeatlast=0[o{step}]"
                )
                video_label = f"o{step}"
                step += 1
        if tile.has_audio and count:
            outs = "".join(f"[a{index}_{n}]" for n in range(count))
            chains.append(
                f"[{index}:a]asplit={count}{outs}" if count > 1 else f"[{index}:a]anull{outs}"
            )
            for n, piece in enumerate(tile.pieces):
                end = piece.file_start_ms + piece.duration_ms
                audio.append(
                    f"[a{index}_{n}]atrim=start={_seconds(piece.file_start_ms)}:end={_seconds(end)},"
                    f"asetpts=PTS-STARTPTS,"
                    f"aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,"
                    f"adelay=delays={piece.offset_ms}:all=1[q{index}_{n}]"
                )
                mixed.append(f"[q{index}_{n}]")
    if font is not None:
        for index, name_file in enumerate(name_files):
            x = (index % columns) * tile_w
            y = (index // columns) * tile_h
            size = max(10, tile_h // 14)
            chains.append(
                f"[{video_label}]drawtext=fontfile={_escape(font)}:textfile={_escape(str(name_file))}"
                f":fontsize={size}:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=4"
                f":x={x + size // 2}:y={y + tile_h - size * 2}[n{index}]"
            )
            video_label = f"n{index}"
    chains.append(f"[{video_label}]format=yuv420p[v]")
    audio.append(
        f"{''.join(mixed)}amix=inputs={len(mixed)}:duration=first:dropout_transition=0"
        f":normalize=0,atrim=duration={total}[a]"
    )
    return ";".join(chains + audio)


# --- Making it ----------------------------------------------------------------------------


def _download(item: RecordingFile, path: Path) -> Path:
    """Fetch a final file, checking it is still the one its row records."""
    size, sha256 = download_object(settings.S3_BUCKET_RECORDINGS, item.key, path)
    if size != item.size or sha256 != item.sha256:
        raise SourceChanged(
            f"{item.key}: stored {size} bytes sha256 {sha256}, recorded "
            f"{item.size} bytes sha256 {item.sha256}"
        )
    return path


def _wall(value: object) -> datetime:
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a time: {value!r}")
    return parsed


def _streams(path: Path) -> tuple[bool, bool]:
    with av.open(str(path)) as container:
        return bool(container.streams.video), bool(container.streams.audio)


@dataclass(frozen=True, slots=True)
class Sources:
    manifest: RecordingManifest
    files: list[RecordingFile]


def composite_sources(session: HearingSession) -> Sources:
    """The latest finalize and its "all" camera-and-microphone files; refused (a
    ``RecordingError``) when the session is still open or has no finalized recording."""
    if session.status == SessionStatus.OPEN:
        raise _refuse(
            "The hearing session is still open: a composite is made after it.",
            code="session_open",
        )
    manifest = (
        RecordingManifest.objects.filter(session=session, deleted_at__isnull=True)
        .order_by("-version")
        .first()
    )
    if manifest is None:
        raise _refuse("This hearing session has no finalized recording.", code="not_finalized")
    files = list(
        RecordingFile.objects.filter(
            session=session,
            version=manifest.version,
            source=Source.AV,
            audience=Audience.ALL,
            deleted_at__isnull=True,
        )
        .select_related("participant")
        .order_by("participant_id")
    )
    if not files:
        raise _refuse(
            "The finalized recording has no camera or microphone file.",
            code="nothing_to_composite",
        )
    return Sources(manifest, files)


@dataclass(frozen=True, slots=True)
class Made:
    path: Path
    size: int
    sha256: str
    duration_ms: int
    first: datetime
    last: datetime


def build(files: Sequence[RecordingFile], directory: Path) -> Made:
    """Download the files and run ffmpeg: the composite at ``directory/composite.webm``."""
    starts = [_wall(s["wall_start"]) for f in files for s in f.spans]
    ends = [_wall(s["wall_end"]) for f in files for s in f.spans]
    if not starts:
        raise CompositeFailed("the files have no spans")
    first, last = min(starts), max(ends)
    duration_ms = max(ms_between(first, last), 1)
    tiles: list[Tile] = []
    name_files: list[Path] = []
    for item in files:
        path = _download(item, directory / f"{item.participant_id}.webm")
        has_video, has_audio = _streams(path)
        pieces = tuple(
            Piece(
                file_start_ms=int(s["file_start_ms"]),
                duration_ms=int(s["duration_ms"]),
                offset_ms=ms_between(first, _wall(s["wall_start"])),
            )
            for s in item.spans
        )
        name = item.participant.display_name or str(item.participant_id)
        tiles.append(Tile(item.participant_id, name, path, pieces, has_video, has_audio))
        name_file = directory / f"{item.participant_id}.name.txt"
        name_file.write_text(name, encoding="utf-8")
        name_files.append(name_file)
    width, height, fps = canvas()
    graph = filter_graph(
        tiles,
        duration_ms=duration_ms,
        width=width,
        height=height,
        fps=fps,
        font=name_font(),
        name_files=name_files,
    )
    out = directory / "composite.webm"
    bitrate = max(200, width * height * fps // 10_000)  # kbit/s: ~2 Mbit/s at 1280x720@15
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-v", "error", "-y"]
    for tile in tiles:
        command += ["-i", str(tile.path)]
    command += [
        "-filter_complex", graph,
        "-map", "[v]", "-map", "[a]",
        "-t", _seconds(duration_ms),
        "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
        "-b:v", f"{bitrate}k", "-g", str(fps * 2),
        "-c:a", "libopus", "-b:a", "64k",
        "-f", "webm", str(out),
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=max(600, duration_ms // 100)
    )
    if result.returncode != 0 or not out.is_file():
        raise CompositeFailed(f"ffmpeg exited {result.returncode}: {result.stderr[-2000:]}")
    size, sha256 = file_sha256(out)
    return Made(out, size, sha256, duration_ms, first, last)


def make(*, session: HearingSession, by: User | None = None) -> RecordingComposite:
    """Make the session's composite now: the object, its row and its event."""
    session = HearingSession.objects.select_related("case").get(pk=session.pk)
    sources = composite_sources(session)  # refusals before the lock: nothing to retry
    busy = CompositeBusy(f"a composite of {session.pk} is being made")
    with (
        session_lock("composite", session, busy),
        tempfile.TemporaryDirectory(prefix="accord-composite-") as tmp,
    ):
        made = build(sources.files, Path(tmp))
        key = composite_key(session)
        with made.path.open("rb") as data:
            put_object(
                bucket=settings.S3_BUCKET_RECORDINGS,
                key=key,
                data=data,
                size=made.size,
                content_type="video/webm",
                sha256=made.sha256,
            )
        with transaction.atomic():
            locked = (
                HearingSession.objects.select_for_update(of=("self",))
                .select_related("case__chain")
                .get(pk=session.pk)
            )
            composite = RecordingComposite.objects.create(
                session=locked,
                manifest_version=sources.manifest.version,
                key=key,
                size=made.size,
                sha256=made.sha256,
                duration_ms=made.duration_ms,
                created_at=timezone.now(),
                created_by=by,
            )
            trace_append(
                chain=locked.case.chain,
                action=ACTION,
                actor=Actor.for_user(by) if by is not None else Actor.system("composite"),
                payload={
                    "session_id": str(locked.pk),
                    "composite_id": composite.pk,
                    "key": key,
                    "sha256": made.sha256,
                    "size": made.size,
                    "duration_ms": made.duration_ms,
                    "manifest_version": sources.manifest.version,
                    "manifest_sha256": sources.manifest.sha256,
                    "from": format_time(made.first),
                    "to": format_time(made.last),
                    "participants": [f.participant_id for f in sources.files],
                },
            )
    logger.info("composite of %s (v%d): %d bytes", session.pk, sources.manifest.version, made.size)
    return composite
