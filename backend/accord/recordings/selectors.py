"""Reads for hearing recordings."""

from __future__ import annotations

from django.db.models import QuerySet

from accord.cases.models import Case
from accord.recordings.models import (
    LegalHold,
    RecordingFile,
    RecordingInterruption,
    RecordingManifest,
    RecordingSegment,
)
from accord.rooms.models import HearingSession


def active_holds(case: Case) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(case=case, released_at__isnull=True)


def session_segments(session: HearingSession) -> QuerySet[RecordingSegment]:
    """The session's stored segments in time order per participant and track."""
    return RecordingSegment.objects.filter(session=session, deleted_at__isnull=True).order_by(
        "participant_id", "track", "started_at", "key"
    )


def session_interruptions(session: HearingSession) -> QuerySet[RecordingInterruption]:
    return RecordingInterruption.objects.filter(session=session).order_by("started_at", "id")


def latest_manifest(session: HearingSession) -> RecordingManifest | None:
    return RecordingManifest.objects.filter(session=session).order_by("-version").first()


def latest_files(session: HearingSession) -> QuerySet[RecordingFile]:
    manifest = latest_manifest(session)
    version = manifest.version if manifest is not None else 0
    return RecordingFile.objects.filter(session=session, version=version).order_by(
        "participant_id", "source"
    )
