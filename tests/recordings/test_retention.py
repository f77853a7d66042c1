"""Retention: recordings of hearings ended longer ago than the organization keeps them are
deleted (objects, marks, one event each), unless the case is on legal hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from minio.error import S3Error

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import verify_all
from accord.core.api import ServiceError
from accord.orgs.models import MediationRules
from accord.recordings.models import LegalHold, RecordingSegment
from accord.recordings.services import (
    legal_hold_place,
    legal_hold_release,
    recordings_expire,
    segment_register,
)
from accord.rooms.models import SessionStatus
from media_contract.registration import parse_segment
from tests.recordings.conftest import participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(hearing, mia, uploaded):
    """The hearing ended 40 days ago with two segments; the organization keeps 30 days."""
    p = participant(hearing, mia)
    for track in ("camera", "microphone"):
        segment_register(meta=parse_segment(uploaded(p, track)), by="mw-1")
    hearing.status = SessionStatus.ENDED
    hearing.ended_at = timezone.now() - timedelta(days=40)
    hearing.save(update_fields=["status", "ended_at"])
    MediationRules.objects.update_or_create(
        organization=hearing.case.organization, defaults={"recording_retention_days": 30}
    )
    return hearing


def exists(s3, key: str) -> bool:
    try:
        s3.stat_object(settings.S3_BUCKET_RECORDINGS, key)
    except S3Error:
        return False
    return True


def test_expired_recordings_are_deleted_with_an_event(ended, s3):
    keys = sorted(RecordingSegment.objects.values_list("key", flat=True))
    [expired] = recordings_expire()
    assert expired.keys == keys
    assert not any(exists(s3, key) for key in keys)
    assert all(s.deleted_at is not None for s in RecordingSegment.objects.all())
    [event] = TraceEvent.objects.filter(chain=ended.case.chain, action="recording.deleted")
    assert sorted(o["key"] for o in event.payload["objects"]) == keys
    assert event.payload["retention_days"] == 30
    report = verify_all(TraceChain.objects.get(pk=ended.case.chain_id))
    assert report.ok, report.failures
    assert recordings_expire() == []  # nothing left to delete


def test_recordings_within_retention_are_kept(ended, s3):
    MediationRules.objects.filter(organization=ended.case.organization).update(
        recording_retention_days=60
    )
    assert recordings_expire() == []
    assert all(exists(s3, s.key) for s in RecordingSegment.objects.all())


def test_a_legal_hold_keeps_them_until_released(ended, ada, s3):
    hold = legal_hold_place(case=ended.case, reason="court order 2026-17", by=ada)
    assert recordings_expire() == []
    assert all(exists(s3, s.key) for s in RecordingSegment.objects.all())
    legal_hold_release(hold=hold, by=ada)
    assert len(recordings_expire()) == 1
    actions = list(
        TraceEvent.objects.filter(
            chain=ended.case.chain, action__startswith="recording.h"
        ).values_list("action", flat=True)
    )
    assert actions == ["recording.hold_placed", "recording.hold_released"]
    assert LegalHold.objects.get().released_by == ada


def test_only_an_organization_admin_places_a_hold(ended, mia):
    with pytest.raises(ServiceError) as refused:
        legal_hold_place(case=ended.case, reason="x", by=mia)
    assert refused.value.code == "forbidden"
    assert not LegalHold.objects.exists()
