"""Reads for hearing recordings: their parts, who may hold them, how long they are kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.cases.models import Case
from accord.cases.selectors import case_parties
from accord.cases.states import Party
from accord.orgs.models import MediationRules
from accord.recordings.models import (
    LegalHold,
    RecordingFile,
    RecordingInterruption,
    RecordingManifest,
    RecordingSegment,
)
from accord.rooms.models import HearingSession, SessionStatus


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


# --- Legal holds and retention ------------------------------------------------------------

DEFAULT_RETENTION_DAYS = 1825


def may_hold(user: User, case: Case) -> bool:
    """Administrators of the case's organization place and release legal holds."""
    return Party.ORG_ADMIN in case_parties(case=case, user=user)


def retention_days(case: Case) -> int:
    rules = MediationRules.objects.filter(organization_id=case.organization_id).first()
    return rules.recording_retention_days if rules is not None else DEFAULT_RETENTION_DAYS


@dataclass(frozen=True, slots=True)
class Retention:
    """How long a hearing's recordings are kept: ``keep_until`` is ``None`` while the
    hearing has not ended."""

    session: HearingSession
    keep_until: datetime | None


def retention_of(case: Case) -> list[Retention]:
    kept = timedelta(days=retention_days(case))
    return [
        Retention(
            session=session,
            keep_until=None if session.ended_at is None else session.ended_at + kept,
        )
        for session in HearingSession.objects.filter(case=case).order_by("scheduled_at", "pk")
    ]


# Why a session's recording is not final yet (the export and replay pages name it).
PENDING_REASONS: dict[str, Promise] = {
    "in_progress": _("the hearing is still in progress"),
    "uploading": _("the media server has not finished uploading it"),
    "finalizing": _("it is being finalized"),
    "refinalizing": _("segments arrived after it was finalized; it is being finalized again"),
}


@dataclass(frozen=True)
class PendingFinalize:
    """A session whose recorded media exists (or is being made) but is not yet all in its
    latest finalized files: a package or replay now would leave some of it out."""

    session: HearingSession
    reason: str  # a key of PENDING_REASONS

    @property
    def reason_text(self) -> str:
        return str(PENDING_REASONS[self.reason])


def _flushed(session: HearingSession) -> bool:
    return TraceEvent.objects.filter(
        chain_id=session.case.chain_id,
        action="recording.flushed",
        payload__session_id=str(session.pk),
    ).exists()


def session_pending_finalize(session: HearingSession) -> PendingFinalize | None:
    """Whether ``session``'s recording is still on its way into its final files."""
    if session.recording_started_at is None and not session_segments(session).exists():
        return None  # never recorded: nothing to wait for
    if session.status == SessionStatus.OPEN:
        return PendingFinalize(session, "in_progress")
    manifest = latest_manifest(session)
    if manifest is None:
        if session_segments(session).exists():
            return PendingFinalize(session, "finalizing")
        if session.status == SessionStatus.ENDED and not _flushed(session):
            return PendingFinalize(session, "uploading")
        return None
    if session_segments(session).filter(registered_at__gt=manifest.created_at).exists():
        return PendingFinalize(session, "refinalizing")
    return None


def pending_finalizes(case: Case) -> list[PendingFinalize]:
    """The case's sessions whose recording is not final yet, in schedule order."""
    pending = []
    sessions = HearingSession.objects.filter(case=case).select_related("case")
    for session in sessions.order_by("scheduled_at", "pk"):
        found = session_pending_finalize(session)
        if found is not None:
            pending.append(found)
    return pending
