"""`accord verify-case` over recordings: segments against their records and events."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.utils import timezone

from accord.audit.models import TraceChain
from accord.audit.verify import verify_all
from accord.recordings.models import RecordingSegment
from accord.recordings.services import segment_register
from media_contract.registration import parse_segment
from tests.recordings.conftest import participant, upload

pytestmark = pytest.mark.django_db


def chain(hearing) -> TraceChain:
    return TraceChain.objects.get(pk=hearing.case.chain_id)


@pytest.fixture
def segment(hearing, mia, uploaded) -> RecordingSegment:
    meta = uploaded(participant(hearing, mia), "microphone", b"original bytes of a segment")
    registered, _created = segment_register(meta=parse_segment(meta), by="mw-1")
    return registered


def test_registered_segments_verify(hearing, segment):
    report = verify_all(chain(hearing))
    assert report.ok, report.failures
    assert report.objects_checked >= 1


def test_an_overwritten_segment_is_named(hearing, segment, s3):
    upload(s3, segment.key, b"original bytes of a segmenT")
    report = verify_all(chain(hearing))
    where = f"object {settings.S3_BUCKET_RECORDINGS}/{segment.key}"
    [failure] = [f for f in report.failures if f.where == where]
    assert failure.what.startswith("SHA-256 is ")
    assert failure.what.endswith(f"the record says {segment.sha256}")


def test_a_removed_segment_is_named(hearing, segment, s3):
    s3.remove_object(settings.S3_BUCKET_RECORDINGS, segment.key)
    report = verify_all(chain(hearing))
    where = f"object {settings.S3_BUCKET_RECORDINGS}/{segment.key}"
    assert [f.what for f in report.failures if f.where == where] == [
        "cannot be read from object storage: NoSuchKey"
    ]


def test_a_record_edited_to_match_a_swapped_object_is_caught_by_the_event(hearing, segment, s3):
    swapped = b"other bytes entirely"
    upload(s3, segment.key, swapped)

    RecordingSegment.objects.filter(pk=segment.pk).update(
        size=len(swapped), sha256=hashlib.sha256(swapped).hexdigest()
    )
    report = verify_all(chain(hearing))
    where = f"object {settings.S3_BUCKET_RECORDINGS}/{segment.key}"
    [failure] = [f for f in report.failures if f.where == where]
    assert "differs from the trace's" in failure.what


def test_a_segment_marked_deleted_without_an_event_is_named(hearing, segment):
    RecordingSegment.objects.filter(pk=segment.pk).update(deleted_at=timezone.now())
    report = verify_all(chain(hearing))
    assert any(
        f.where.endswith(segment.key) and "no recording.deleted event" in f.what
        for f in report.failures
    )
