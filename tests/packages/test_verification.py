"""The verification page and `accord verify-case` on a case with evidence and hearings:
tampering with the database or with stored objects is named; unregistered recording
objects are caught."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.cases.models import Case, Material
from accord.core.storage import s3_client
from tests.packages.conftest import PDF, sql, triggers_disabled

pytestmark = pytest.mark.django_db


def broken(case: Case) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_case", case.case_no, stdout=StringIO(), stderr=err)
    return err.getvalue()


def page(user, case: Case, lang: str = "en") -> str:
    client = Client()
    client.force_login(user)
    prefix = "/en" if lang == "en" else ""
    response = client.get(f"{prefix}/cases/{case.case_no}/verify/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_intact_case_shows_intact_with_its_head(documented, mia):
    html = page(mia, documented)
    documented.chain.refresh_from_db()
    assert "Intact" in html
    assert documented.chain.head_hash in html
    assert "2 stored files match" in html


def test_the_page_speaks_chinese_by_default(documented, mia):
    html = page(mia, documented, lang="zh-hans")
    assert "完整" in html


def test_a_modified_trace_row_is_named_by_seq(documented, audrey):
    with triggers_disabled():
        sql(
            "UPDATE audit_traceevent SET payload = %s WHERE chain_id = %s AND seq = 2",
            ['{"forged": true}', documented.chain_id],
        )
    assert "event 2: content changed" in broken(documented)
    html = page(audrey, documented)
    assert "Verification failed" in html
    assert "event 2" in html


def test_a_deleted_trace_row_is_named(documented):
    with triggers_disabled():
        sql("DELETE FROM audit_traceevent WHERE chain_id = %s AND seq = 3", [documented.chain_id])
    assert "event 3: missing or out of order" in broken(documented)


def test_a_changed_stored_evidence_object_is_named(documented):
    evidence = Material.objects.filter(case=documented).order_by("id").first()
    assert evidence is not None
    forged = PDF.replace(b"1 0 obj", b"8 0 obj")
    s3_client().put_object(evidence.bucket, evidence.object_key, io.BytesIO(forged), len(forged))
    err = broken(documented)
    assert f"object {evidence.bucket}/{evidence.object_key}: SHA-256 is" in err


def _put_recording(key: str, data: bytes = b"\x1a\x45\xdf\xa3webm") -> None:
    s3_client().put_object(settings.S3_BUCKET_RECORDINGS, key, io.BytesIO(data), len(data))


def test_an_unregistered_recording_segment_is_named(hearing, s3):
    case = hearing.case
    participant = hearing.participants.order_by("id").first()
    assert participant is not None
    registered = f"{hearing.id}/{participant.pk}/camera/20260101T000000000000Z-mw-1.webm"
    orphan = f"{hearing.id}/{participant.pk}/camera/20260101T000010000000Z-mw-1.webm"
    _put_recording(registered)
    _put_recording(f"{hearing.id}/final/{participant.pk}.webm")  # left to the recordings check
    with transaction.atomic():
        trace_append(
            chain=case.chain,
            action="recording.segment",
            actor=Actor.system("tests"),
            payload={"key": registered, "sha256": "0" * 64, "size": 8},
        )
    from accord.audit.verify import VerifyReport
    from accord.recordings.verification import check_unregistered_recording_objects

    report = VerifyReport(chain_key=case.chain_key)
    check_unregistered_recording_objects(case.chain, report)
    assert report.ok, report.failures
    assert report.objects_checked == 1

    _put_recording(orphan)
    report = VerifyReport(chain_key=case.chain_key)
    check_unregistered_recording_objects(case.chain, report)
    assert [str(f) for f in report.failures] == [
        f"object {settings.S3_BUCKET_RECORDINGS}/{orphan}: stored under a session of the case "
        "but no recording.segment event registers it"
    ]
