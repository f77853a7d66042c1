"""`accord demo-agreement --json`: a demo small-claim case walked to a sealed agreement through
the services, against the real database, object storage and development timestamp authority."""

from __future__ import annotations

import json
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.audit.models import TraceEvent
from accord.audit.verify import verify_all
from accord.cases.models import Case
from accord.core.storage import ensure_buckets
from accord.documents.models import DocumentVersion, VersionStatus
from accord.documents.services import version_pdf
from accord.smallclaims.models import Memorandum, Proposal, ProposalStatus
from accord.trust.validate import validate_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings) -> None:
    settings.ACCORD_DEMO = True
    ensure_buckets()
    call_command("seed_demo", "--quiet", stdout=StringIO())


def test_the_demo_seeds_a_small_claim_memorandum_with_the_bank(seeded):
    memorandum = Memorandum.objects.get()
    assert (memorandum.organization.code, memorandum.institution.code) == ("FMC", "EXBANK")


def test_demo_agreement_walks_a_small_claim_to_a_sealed_agreement(seeded, tsa, tmp_path):
    out = StringIO()
    call_command("demo_agreement", "--json", stdout=out)
    result = json.loads(out.getvalue())
    case = Case.objects.get(case_no=result["case_no"])
    assert result["document"].endswith(".pdf") and case.case_no in result["document"]
    proposal = Proposal.objects.get(case=case)
    assert proposal.status == ProposalStatus.ACCEPTED
    version = DocumentVersion.objects.get(document=proposal.agreement)
    assert version.status == VersionStatus.SEALED
    assert version.sealed_sha256 == result["sealed_sha256"]
    assert set(version.signatures.values_list("side", flat=True)) == {
        "applicant",
        "institution",
        "mediator",
    }
    pdf = version_pdf(version, sealed=True)
    report = validate_pdf(pdf)
    assert report.intact and report.trusted and report.timestamped
    (tmp_path / "sealed.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "sealed.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert case.case_no in text and "调解协议书" in text and "张三" in text
    assert "壹仟捌佰" in text  # the proposal's 1,800 yuan, in Chinese capitals
    actions = set(TraceEvent.objects.filter(chain=case.chain).values_list("action", flat=True))
    assert {
        "smallclaim.proposal_issued",
        "smallclaim.proposal_accepted",
        "document.signed",
        "document.sealed",
    } <= actions
    assert verify_all(case.chain).ok


def test_demo_agreement_refuses_without_demo_mode(settings):
    settings.ACCORD_DEMO = False
    with pytest.raises(CommandError, match="ACCORD_DEMO"):
        call_command("demo_agreement", "--json", stdout=StringIO())
