"""Finalize a session's recording (docs/recording.md): per participant one WebM of camera video
and microphone audio (and one of the screen share), muxed from the segments' packets without
transcoding into a seekable file (Cues, Duration); for a participant with caucus segments also
a plenary-only file of each source (for grants that exclude caucus recordings); a manifest; one
``recording.finalized`` event.

Runs in Celery (``tasks.finalize_session``) or inline (``accord finalize-recording``). With the
same segments as the latest version it does nothing (unless forced); otherwise it makes version
n+1: the final files and ``manifest.json`` are rewritten, ``manifest-v<n>.json`` is kept.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import av
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accord.audit.actors import Actor
from accord.audit.canonical import canonical_json, format_time
from accord.audit.services import trace_append
from accord.core.storage import download_object, put_object
from accord.recordings.locks import session_lock
from accord.recordings.media import (
    AUDIO_TRACK,
    VIDEO_TRACK,
    NothingToWrite,
    Timed,
    demux,
    mux,
    opus_pre_skip,
    speaking_intervals,
)
from accord.recordings.models import (
    Audience,
    RecordingFile,
    RecordingManifest,
    RecordingSegment,
    Source,
    Track,
)
from accord.recordings.queue import queue_finalize
from accord.recordings.selectors import latest_manifest, session_interruptions, session_segments
from accord.recordings.timeline import Interval, Span, file_time, spans_of
from accord.rooms.models import PLENARY, HearingSession
from accord.trust.anchors import anchor_chain_after_commit
from accord.trust.models import AnchorReason

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = "accord-recording-manifest/1"


class FinalizeBusy(RuntimeError):
    """Another finalize of the same session is running; try again later."""


class SegmentCorrupt(RuntimeError):
    """A stored segment no longer has the hash it was registered with."""


def segments_digest(segments: Sequence[RecordingSegment]) -> str:
    lines = sorted(f"{s.key} {s.sha256}" for s in segments)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def manifest_key(session: HearingSession, version: int) -> str:
    name = "manifest.json" if version == 1 else f"manifest-v{version}.json"
    return f"{session.pk}/{name}"


def final_key(
    session: HearingSession, participant_id: int, source: str, audience: str = Audience.ALL
) -> str:
    suffix = "-screen" if source == Source.SCREEN else ""
    if audience == Audience.PLENARY:
        suffix += "-plenary"
    return f"{session.pk}/final/{participant_id}{suffix}.webm"


def _download(segment: RecordingSegment, directory: Path) -> Path:
    """Fetch a segment, checking it is still what was registered."""
    path = directory / f"{segment.pk}.webm"
    size, sha256 = download_object(settings.S3_BUCKET_RECORDINGS, segment.key, path)
    if size != segment.size or sha256 != segment.sha256:
        raise SegmentCorrupt(
            f"{segment.key}: stored {size} bytes sha256 {sha256}, registered "
            f"{segment.size} bytes sha256 {segment.sha256}"
        )
    return path


@dataclass(slots=True)
class Built:
    participant_id: int
    source: str
    audience: str
    path: Path
    size: int
    sha256: str
    spans: list[Span]
    speaking: list[list[int]]

    @property
    def duration_ms(self) -> int:
        return sum(span.duration_ms for span in self.spans)

    def key(self, session: HearingSession) -> str:
        return final_key(session, self.participant_id, self.source, self.audience)


def _placed(
    segments: Sequence[RecordingSegment],
    directory: Path,
    spans: list[Span],
    track: int,
    skipped: list[dict[str, str]],
) -> Iterator[Timed]:
    """The track's frames in file order, one segment on disk at a time."""
    for segment in segments:  # in time order (session_segments)
        path = _download(segment, directory)
        try:
            for frame in demux(path, segment.started_at):
                at = file_time(spans, frame.wall, segment.group)
                if at is None:  # a frame that fell into the neighbouring group's time
                    at = file_time(spans, frame.wall)
                if at is not None:
                    yield Timed(at, track, frame.data, frame.keyframe)
        except av.error.FFmpegError as exc:
            # Registered with its hash, so these are the bytes the worker wrote: the segment
            # stays evidence, and the manifest says the final file lacks (part of) it.
            logger.warning("finalize: cannot demux %s: %s", segment.key, exc)
            if all(item["key"] != segment.key for item in skipped):  # once, for all files
                skipped.append({"key": segment.key, "error": f"{type(exc).__name__}: {exc}"})
        finally:
            path.unlink(missing_ok=True)


def _pre_skip(segments: Sequence[RecordingSegment], directory: Path) -> int:
    if not segments:
        return 0
    path = _download(segments[0], directory)
    try:
        return opus_pre_skip(path)
    except av.error.FFmpegError:
        return 0
    finally:
        path.unlink(missing_ok=True)


def _build(
    *,
    participant_id: int,
    source: str,
    audience: str,
    video: Sequence[RecordingSegment],
    audio: Sequence[RecordingSegment],
    directory: Path,
    skipped: list[dict[str, str]],
) -> Built | None:
    intervals = [
        Interval(s.started_at, s.started_at + timedelta(milliseconds=s.duration_ms), s.group)
        for s in (*video, *audio)
    ]
    spans = spans_of(intervals)
    path = directory / f"final-{participant_id}-{source}-{audience}.webm"
    try:
        # Seekable: the writer patches the head on close, so the hash is of the file as
        # closed, read back (mux does that).
        size, sha256 = mux(
            path,
            video=_placed(video, directory, spans, VIDEO_TRACK, skipped),
            audio=_placed(audio, directory, spans, AUDIO_TRACK, skipped),
            opus_pre_skip=_pre_skip(audio, directory),
            duration_ms=sum(span.duration_ms for span in spans),
        )
    except NothingToWrite:
        path.unlink(missing_ok=True)
        return None  # nothing playable: no file rather than an empty one
    speaking = speaking_intervals(path) if audio else []
    return Built(participant_id, source, audience, path, size, sha256, spans, speaking)


def _segment_json(segment: RecordingSegment) -> dict[str, Any]:
    return {
        "key": segment.key,
        "sha256": segment.sha256,
        "size": segment.size,
        "participant": str(segment.participant_id),
        "track": segment.track,
        "group": segment.group,
        "kind": segment.kind,
        "codec": segment.codec,
        "started_at": format_time(segment.started_at),
        "ended_at": format_time(segment.ended_at),
        "duration_ms": segment.duration_ms,
        "frames": segment.frames,
        "worker": segment.worker,
    }


def _file_json(session: HearingSession, built: Built) -> dict[str, Any]:
    return {
        "participant": str(built.participant_id),
        "source": built.source,
        "audience": built.audience,
        "key": built.key(session),
        "sha256": built.sha256,
        "size": built.size,
        "duration_ms": built.duration_ms,
        "spans": [span.as_json() for span in built.spans],
        "speaking": built.speaking,
    }


def _upload_json(key: str, body: bytes) -> None:
    put_object(
        bucket=settings.S3_BUCKET_RECORDINGS,
        key=key,
        data=io.BytesIO(body),
        size=len(body),
        content_type="application/json",
        sha256=hashlib.sha256(body).hexdigest(),
    )


def finalize(*, session: HearingSession, force: bool = False) -> RecordingManifest | None:
    """Make the next version of the session's final files and manifest (None: nothing
    recorded); the latest version when the segments have not changed and not ``force``."""
    with session_lock("finalize", session, FinalizeBusy(f"a finalize of {session.pk} is running")):
        session = HearingSession.objects.select_related("case").get(pk=session.pk)
        segments = list(session_segments(session))
        if not segments:
            return None
        digest = segments_digest(segments)
        latest = latest_manifest(session)
        if latest is not None and latest.segments_digest == digest and not force:
            return latest
        version = (latest.version if latest is not None else 0) + 1
        with tempfile.TemporaryDirectory(prefix="accord-finalize-") as tmp:
            directory = Path(tmp)
            skipped: list[dict[str, str]] = []
            built = _build_all(segments, directory, skipped)
            return _store(session, version, digest, segments, built, skipped)


def _build_all(
    segments: Sequence[RecordingSegment],
    directory: Path,
    skipped: list[dict[str, str]],
) -> list[Built]:
    by_participant: dict[int, dict[str, list[RecordingSegment]]] = {}
    for segment in segments:
        tracks = by_participant.setdefault(segment.participant_id, {})
        tracks.setdefault(segment.track, []).append(segment)
    built: list[Built] = []
    for participant_id, tracks in sorted(by_participant.items()):
        sources = [
            (Source.AV, tracks.get(Track.CAMERA, []), tracks.get(Track.MICROPHONE, [])),
            (Source.SCREEN, tracks.get(Track.SCREEN, []), []),
        ]
        for source, video, audio in sources:
            if not video and not audio:
                continue
            made = _build(
                participant_id=participant_id,
                source=source,
                audience=Audience.ALL,
                video=video,
                audio=audio,
                directory=directory,
                skipped=skipped,
            )
            if made is not None:
                built.append(made)
            if all(s.group == PLENARY for s in (*video, *audio)):
                continue
            # Caucus media in this source: a plenary-only file too, from the plenary
            # segments alone (a segment never mixes groups), with its own spans.
            plenary = _build(
                participant_id=participant_id,
                source=source,
                audience=Audience.PLENARY,
                video=[s for s in video if s.group == PLENARY],
                audio=[s for s in audio if s.group == PLENARY],
                directory=directory,
                skipped=skipped,
            )
            if plenary is not None:
                built.append(plenary)
    return built


def _store(
    session: HearingSession,
    version: int,
    digest: str,
    segments: Sequence[RecordingSegment],
    built: Sequence[Built],
    skipped: list[dict[str, str]],
) -> RecordingManifest:
    for item in built:
        with item.path.open("rb") as data:
            put_object(
                bucket=settings.S3_BUCKET_RECORDINGS,
                key=item.key(session),
                data=data,
                size=item.size,
                content_type="video/webm",
                sha256=item.sha256,
            )
    created_at = timezone.now()
    key = manifest_key(session, version)
    document = {
        "format": MANIFEST_FORMAT,
        "session": str(session.pk),
        "case": session.case.case_no,
        "version": version,
        "created_at": format_time(created_at),
        "segments_digest": digest,
        "segments": [_segment_json(s) for s in segments],
        "interruptions": [
            {
                "participant": str(i.participant_id) if i.participant_id else None,
                "track": i.track,
                "from": format_time(i.started_at),
                "to": format_time(i.ended_at),
                "reason": i.reason,
                "discarded_bytes": i.discarded_bytes,
                "worker": i.worker,
            }
            for i in session_interruptions(session)
        ],
        "files": [_file_json(session, item) for item in built],
        # Segments kept and listed above whose media could not be read into a final file.
        "skipped": skipped,
    }
    body = canonical_json(document).encode("utf-8")
    sha256 = hashlib.sha256(body).hexdigest()
    _upload_json(key, body)
    if version > 1:  # the latest is also manifest.json
        _upload_json(manifest_key(session, 1), body)
    with transaction.atomic():
        locked = (
            HearingSession.objects.select_for_update(of=("self",))
            .select_related("case__chain")
            .get(pk=session.pk)
        )
        manifest = RecordingManifest.objects.create(
            session=locked,
            version=version,
            key=key,
            size=len(body),
            sha256=sha256,
            segments_digest=digest,
            created_at=created_at,
        )
        RecordingFile.objects.bulk_create(
            RecordingFile(
                session=locked,
                participant_id=item.participant_id,
                source=item.source,
                audience=item.audience,
                version=version,
                key=item.key(session),
                size=item.size,
                sha256=item.sha256,
                duration_ms=item.duration_ms,
                spans=[span.as_json() for span in item.spans],
                speaking=item.speaking,
                created_at=created_at,
            )
            for item in built
        )
        trace_append(
            chain=locked.case.chain,
            action="recording.finalized",
            actor=Actor.system("finalize"),
            payload={
                "session_id": str(locked.pk),
                "version": version,
                "manifest_key": key,
                "sha256": sha256,
                "size": len(body),
                "segments": len(segments),
                "files": [
                    {
                        "key": item.key(session),
                        "sha256": item.sha256,
                        "size": item.size,
                        "participant_id": item.participant_id,
                        "source": item.source,
                        "audience": item.audience,
                    }
                    for item in built
                ],
            },
        )
        # The finalized recording's hashes are on the chain: stamp its head in time.
        anchor_chain_after_commit(locked.case.chain, reason=AnchorReason.RECORDING_FINALIZED)
        # A segment registered while this ran: it is not in this version, so go again. (The
        # registration locks the session row too: it either sees this manifest or is seen.)
        included = {s.pk for s in segments}
        newer = RecordingSegment.objects.filter(session=locked, deleted_at__isnull=True).exclude(
            pk__in=included
        )
        if newer.exists():
            queue_finalize(str(locked.pk))
    logger.info("finalized %s v%d: %d files", session.pk, version, len(built))
    return manifest
