"""`accord verify-case` re-reads every evidence object and names the one that changed."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from accord.audit.models import TraceChain
from accord.audit.verify import verify_all
from accord.cases import services
from accord.core.storage import s3_client
from tests.cases.test_materials import PDF, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(case, alice):
    return services.material_upload(
        case=case, user=alice, name="a.pdf", stream=io.BytesIO(PDF), size=len(PDF)
    )


def verify(case):
    return verify_all(TraceChain.objects.get(pk=case.chain_id))


def replace_object(evidence, data: bytes) -> None:
    s3_client().put_object(evidence.bucket, evidence.object_key, io.BytesIO(data), len(data))


def test_an_intact_case_verifies_with_its_objects(case, evidence):
    services.material_upload(
        case=case, user=case.applicant, name="b.png", stream=io.BytesIO(png_bytes())
    )
    report = verify(case)
    assert report.ok, report.failures
    assert report.objects_checked == 2
    out = io.StringIO()
    call_command("verify_case", case.case_no, stdout=out)
    assert "2 stored objects verified" in out.getvalue()


def test_a_changed_object_of_the_same_size_is_caught_by_its_hash(case, evidence):
    tampered = PDF.replace(b"obj", b"OBJ")
    assert len(tampered) == len(PDF)
    replace_object(evidence, tampered)
    report = verify(case)
    assert not report.ok
    failure = report.first_failure
    assert failure.where == f"object {evidence.bucket}/{evidence.object_key}"
    assert failure.what.startswith("SHA-256 is ")
    assert evidence.sha256 in failure.what


def test_a_changed_object_of_another_size_is_caught_by_its_size(case, evidence):
    replace_object(evidence, PDF + b"%appended\n")
    failure = verify(case).first_failure
    assert failure.where == f"object {evidence.bucket}/{evidence.object_key}"
    assert failure.what == f"size is {len(PDF) + 10} bytes, the record says {len(PDF)}"


def test_a_missing_object_is_caught(case, evidence):
    s3_client().remove_object(evidence.bucket, evidence.object_key)
    failure = verify(case).first_failure
    assert failure.where == f"object {evidence.bucket}/{evidence.object_key}"
    assert "NoSuchKey" in failure.what


def test_a_record_edited_to_match_a_swapped_object_is_caught_by_the_trace(case, evidence):
    """The evidence table is mutable; the hash-chained event is not."""
    swapped = png_bytes()
    replace_object(evidence, swapped)
    type(evidence).objects.filter(pk=evidence.pk).update(
        size=len(swapped), sha256=hashlib.sha256(swapped).hexdigest()
    )
    failure = verify(case).first_failure
    assert failure.where == f"object {evidence.bucket}/{evidence.object_key}"
    assert "differs from the trace" in failure.what


def test_the_command_exits_1_naming_the_object(case, evidence):
    replace_object(evidence, b"%PDF-1.4 forged")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_case", case.case_no, stderr=err)
    assert f"object {evidence.bucket}/{evidence.object_key}" in err.getvalue()
