"""Reads for hearing recordings."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import QuerySet

from accord.cases.models import Case
from accord.orgs.models import MediationRules
from accord.recordings.models import (
    LegalHold,
    RecordingFile,
    RecordingInterruption,
    RecordingManifest,
    RecordingSegment,
)
from accord.rooms.models import HearingSession, RecordingState


class RecordingFlags(NamedTuple):
    record: bool
    record_caucus: bool


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


def caucus_recorded(session: HearingSession) -> bool:
    """The case organization's caucus policy (``MediationRules.record_caucus``)."""
    rules = MediationRules.objects.filter(organization_id=session.case.organization_id).first()
    return bool(rules is not None and rules.record_caucus)


def recording_flags(session: HearingSession) -> RecordingFlags:
    """What the media worker is told: record now (state "on"), and record caucus rooms too."""
    return RecordingFlags(
        record=session.recording_state == RecordingState.ON,
        record_caucus=caucus_recorded(session),
    )
