"""Writes for hearing recordings; each writes its event on the case's chain in the same
transaction (docs/recording.md).

The worker's reports (segments, interruptions, flushed) come through ``api.py``; legal holds
from staff; retention from the daily beat task; finalize from Celery or the command.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from minio.error import S3Error
from urllib3.exceptions import HTTPError

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.services import trace_append
from accord.cases.models import Case
from accord.core.api import ServiceError
from accord.core.storage import remove_object, s3_client
from accord.recordings import errors
from accord.recordings.composite import make
from accord.recordings.finalize import finalize
from accord.recordings.models import (
    LegalHold,
    RecordingComposite,
    RecordingFile,
    RecordingInterruption,
    RecordingManifest,
    RecordingSegment,
)
from accord.recordings.queue import queue_finalize
from accord.recordings.selectors import may_hold, retention_days
from accord.rooms import live
from accord.rooms.models import HearingSession, SessionParticipant, SessionStatus
from media_contract.registration import FlushedReport, InterruptionReport, SegmentMeta

logger = logging.getLogger(__name__)

MISSING_CODES = frozenset({"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"})


def worker_actor(worker: str) -> Actor:
    return Actor.system(f"media-worker:{worker}")


def _session_and_participant(
    session_id: Any, participant_id: int | None, *, lock: bool
) -> tuple[HearingSession, SessionParticipant | None]:
    sessions = HearingSession.objects.select_related("case__chain")
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    session = sessions.filter(pk=session_id).first()
    if session is None:
        raise errors.unknown_session()
    if participant_id is None:
        return session, None
    participant = SessionParticipant.objects.filter(session=session, pk=participant_id).first()
    if participant is None:
        raise errors.unknown_participant()
    return session, participant


def _check_worker(*, by: str, claimed: str, session: HearingSession) -> None:
    """The authenticated worker ``by`` reports as itself and only for a session placed on it
    (``accord.rooms.live.room_place`` records every placement); 403 otherwise."""
    if claimed != by:
        raise errors.worker_mismatch(f"the token is media worker {by}'s, the body says {claimed}")
    if not live.room_assigned(str(session.pk), by):
        raise errors.worker_not_assigned(by)


def _stored_size(key: str) -> int:
    """The size of ``key`` in the recordings bucket; ``object_missing`` when it is not there."""
    try:
        stat = s3_client().stat_object(settings.S3_BUCKET_RECORDINGS, key)
    except S3Error as exc:
        if exc.code in MISSING_CODES:
            raise errors.object_missing(f"{key} is not in the recordings bucket") from exc
        raise errors.storage_unavailable(f"object storage refused: {exc.code}") from exc
    except HTTPError as exc:
        raise errors.storage_unavailable(f"object storage unreachable: {exc}") from exc
    return int(stat.size or 0)


def _segment_payload(segment: RecordingSegment) -> dict[str, Any]:
    return {
        "session_id": str(segment.session_id),
        "participant_id": segment.participant_id,
        "track": segment.track,
        "group": segment.group,
        "key": segment.key,
        "sha256": segment.sha256,
        "size": segment.size,
        "started_at": format_time(segment.started_at),
        "ended_at": format_time(segment.ended_at),
    }


def _registered(meta: SegmentMeta, session: HearingSession) -> RecordingSegment | None:
    """The segment already registered under ``meta.key`` with the same content, or None;
    ``segment_conflict`` when the key holds other content."""
    existing = RecordingSegment.objects.filter(key=meta.key).first()
    if existing is None:
        return None
    if (
        existing.sha256 == meta.sha256
        and existing.size == meta.size
        and existing.session_id == session.pk
    ):
        return existing
    raise errors.segment_conflict(meta.key)


def segment_register(*, meta: SegmentMeta, by: str) -> tuple[RecordingSegment, bool]:
    """Register an uploaded segment; ``(segment, created)``. ``by`` is the authenticated
    worker: a segment of another worker, or of a session never placed on ``by``, is refused
    (403) before anything is read or written.

    Idempotent by key: the same key with the same size and hash answers the existing row; with
    other content it is a ``segment_conflict``. The object must be in the store with that size.
    A segment arriving after a finalize queues the finalize again (a new version).

    The store is asked before the session row is locked (room controls take the same lock and
    must not wait on object storage); what the answer depends on (the key not registered yet)
    is checked again under the lock.
    """
    # Without the lock: a retry of a registered segment needs no I/O, and a bad session or
    # participant is refused before asking the store.
    session, participant = _session_and_participant(meta.session, meta.participant, lock=False)
    _check_worker(by=by, claimed=meta.worker, session=session)
    existing = _registered(meta, session)
    if existing is not None:
        return existing, False
    size = _stored_size(meta.key)
    if size != meta.size:
        raise errors.object_missing(
            f"{meta.key} is {size} bytes in the recordings bucket, not {meta.size}"
        )
    with transaction.atomic():
        # The session row lock orders registrations of one session (and the key check).
        session, participant = _session_and_participant(meta.session, meta.participant, lock=True)
        assert participant is not None
        existing = _registered(meta, session)  # registered meanwhile by a retry
        if existing is not None:
            return existing, False
        segment = RecordingSegment.objects.create(
            session=session,
            participant=participant,
            track=meta.track,
            group=meta.group,
            kind=meta.kind,
            codec=meta.codec,
            key=meta.key,
            size=meta.size,
            sha256=meta.sha256,
            started_at=meta.started_at,
            ended_at=meta.ended_at,
            duration_ms=meta.duration_ms,
            media_start=meta.media_start,
            media_end=meta.media_end,
            clock_rate=meta.clock_rate,
            frames=meta.frames,
            keyframe_start=meta.keyframe_start,
            index=meta.index,
            worker=meta.worker,
            sync=meta.sync,
        )
        trace_append(
            chain=session.case.chain,
            action="recording.segment",
            actor=worker_actor(meta.worker),
            payload=_segment_payload(segment),
        )
        if RecordingManifest.objects.filter(session=session).exists():
            _queue_finalize(session)
    return segment, True


def interruption_record(*, report: InterruptionReport, by: str) -> RecordingInterruption:
    """A gap in the recording that the worker ``by`` knows of: one ``recording.interrupted``
    event (refused, 403, for a session never placed on ``by``)."""
    with transaction.atomic():
        session, participant = _session_and_participant(
            report.session, report.participant, lock=False
        )
        _check_worker(by=by, claimed=report.worker, session=session)
        interruption = RecordingInterruption.objects.create(
            session=session,
            participant=participant,
            track=report.track,
            worker=report.worker,
            started_at=report.started_at,
            ended_at=report.ended_at,
            reason=report.reason,
            discarded_bytes=report.discarded_bytes,
        )
        trace_append(
            chain=session.case.chain,
            action="recording.interrupted",
            actor=worker_actor(report.worker),
            payload={
                "session_id": str(session.pk),
                "participant_id": participant.pk if participant is not None else None,
                "track": report.track,
                "from": format_time(report.started_at),
                "to": format_time(report.ended_at),
                "reason": report.reason,
                "discarded_bytes": report.discarded_bytes,
                "interruption_id": interruption.pk,
            },
        )
    return interruption


def _queue_finalize(session: HearingSession) -> None:
    queue_finalize(str(session.pk))


def session_flushed(*, report: FlushedReport, by: str) -> HearingSession:
    """The worker ``by`` holds nothing more of the session: queue its finalize (after this
    commits). Refused (403) for a session never placed on ``by``."""
    with transaction.atomic():
        session, _participant = _session_and_participant(report.session, None, lock=False)
        _check_worker(by=by, claimed=report.worker, session=session)
        trace_append(
            chain=session.case.chain,
            action="recording.flushed",
            actor=worker_actor(report.worker),
            payload={"session_id": str(session.pk), "worker": report.worker},
        )
        _queue_finalize(session)
    return session


def session_finalize(*, session: HearingSession, force: bool = False) -> RecordingManifest | None:
    """Make the session's final files and manifest (see ``accord.recordings.finalize``)."""
    return finalize(session=session, force=force)


def composite_make(*, session: HearingSession, by: User | None = None) -> RecordingComposite:
    """Make the session's composite grid video (``accord.recordings.composite``): an export of
    its latest finalized recording, never on the live path. One ``recording.composited`` event
    in the transaction that writes the row. Refused (``RecordingError``: ``not_finalized``,
    ``nothing_to_composite``, ``session_open``) when there is nothing to make it from."""
    return make(session=session, by=by)


# --- Legal holds --------------------------------------------------------------------------


def legal_hold_place(*, case: Case, reason: str, by: User) -> LegalHold:
    """Keep the case's recordings past their retention until the hold is released."""
    if not may_hold(by, case):
        raise ServiceError(
            _("Only an administrator of the case's organization can place a legal hold."),
            code="forbidden",
        )
    if not reason.strip():
        raise ServiceError(_("Give the reason for the hold."), code="reason_required")
    with transaction.atomic():
        hold = LegalHold.objects.create(case=case, reason=reason.strip(), placed_by=by)
        trace_append(
            chain=case.chain,
            action="recording.hold_placed",
            actor=Actor.for_user(by, role="org_admin"),
            payload={"hold_id": hold.pk, "reason": hold.reason},
        )
    return hold


def legal_hold_release(*, hold: LegalHold, by: User) -> LegalHold:
    if not may_hold(by, hold.case):
        raise ServiceError(
            _("Only an administrator of the case's organization can release a legal hold."),
            code="forbidden",
        )
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().select_related("case").get(pk=hold.pk)
        if locked.released_at is not None:
            raise ServiceError(_("This hold was already released."), code="illegal_state")
        locked.released_at = timezone.now()
        locked.released_by = by
        locked.save(update_fields=["released_at", "released_by"])
        trace_append(
            chain=locked.case.chain,
            action="recording.hold_released",
            actor=Actor.for_user(by, role="org_admin"),
            payload={"hold_id": locked.pk},
        )
    return locked


# --- Retention ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expired:
    session_id: str
    keys: list[str]


def _stored_objects(session: HearingSession) -> list[tuple[str, RecordingSegment | Any]]:
    rows: list[Any] = [
        *RecordingSegment.objects.filter(session=session, deleted_at__isnull=True),
        *RecordingFile.objects.filter(session=session, deleted_at__isnull=True),
        *RecordingManifest.objects.filter(session=session, deleted_at__isnull=True),
        *RecordingComposite.objects.filter(session=session, deleted_at__isnull=True),
    ]
    return [(row.key, row) for row in rows]


def session_recordings_delete(*, session: HearingSession, now: datetime, days: int) -> Expired:
    """Delete every stored object of ``session``: one ``recording.deleted`` event."""
    with transaction.atomic():
        locked = (
            HearingSession.objects.select_for_update(of=("self",))
            .select_related("case__chain")
            .get(pk=session.pk)
        )
        stored = _stored_objects(locked)
        on_hold = LegalHold.objects.filter(case_id=locked.case_id, released_at__isnull=True)
        if not stored or on_hold.exists():
            return Expired(session_id=str(locked.pk), keys=[])
        objects: list[dict[str, Any]] = []
        seen: set[str] = set()
        for key, row in stored:
            row.deleted_at = now
            row.save(update_fields=["deleted_at"])
            objects.append({"key": key, "sha256": row.sha256, "size": row.size})
            seen.add(key)
        trace_append(
            chain=locked.case.chain,
            action="recording.deleted",
            actor=Actor.system("retention"),
            payload={
                "session_id": str(locked.pk),
                "reason": "retention",
                "retention_days": days,
                "objects": objects,
            },
        )
        # Last, still inside the transaction: a failed removal rolls the marks back and the
        # next run tries again (removing an already removed key succeeds).
        for key in sorted(seen):
            remove_object(settings.S3_BUCKET_RECORDINGS, key)
    return Expired(session_id=str(locked.pk), keys=sorted(seen))


def recordings_expire(*, now: datetime | None = None) -> list[Expired]:
    """Delete the recordings of sessions that ended longer ago than their organization's
    ``recording_retention_days``, unless the case has an active legal hold."""
    now = now or timezone.now()
    held = LegalHold.objects.filter(released_at__isnull=True).values("case_id")
    candidates = (
        HearingSession.objects.filter(status=SessionStatus.ENDED, ended_at__isnull=False)
        .exclude(case_id__in=held)
        .filter(
            Q(recording_segments__deleted_at__isnull=True, recording_segments__isnull=False)
            | Q(recording_manifests__deleted_at__isnull=True, recording_manifests__isnull=False)
        )
        .select_related("case")
        .distinct()
    )
    done: list[Expired] = []
    for session in candidates:
        days = retention_days(session.case)
        assert session.ended_at is not None
        if session.ended_at + timedelta(days=days) > now:
            continue
        expired = session_recordings_delete(session=session, now=now, days=days)
        if expired.keys:
            logger.info("retention: deleted %d objects of %s", len(expired.keys), session.pk)
            done.append(expired)
    return done
