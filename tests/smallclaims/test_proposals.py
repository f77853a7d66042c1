"""Proposals: issued by the case's mediator with its grounds, answered by the applicant within
the working-day deadline; accepting drafts the agreement and sends it to signing (and its seal
opens performance), refusing or lapsing binds nobody; every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accord.cases.models import CaseState
from accord.core.api import ServiceError
from accord.documents.hooks import document_sealed
from accord.documents.models import DocumentVersion, VersionStatus
from accord.documents.services import version_pdf
from accord.inbox.models import Notice
from accord.outcomes.models import Obligation
from accord.smallclaims.drafting import Ground
from accord.smallclaims.models import Proposal, ProposalStatus
from accord.smallclaims.services.memoranda import memorandum_update
from accord.smallclaims.services.proposals import (
    proposal_accept,
    proposal_issue,
    proposal_refuse,
)
from accord.workdays.periods import add_working_days

from .conftest import actions, memo_input, pdf_text, proposal_input, written

pytestmark = pytest.mark.django_db


def test_the_mediator_issues_a_proposal_with_its_grounds(proposal, mediating, mia, alice) -> None:
    assert proposal.status == ProposalStatus.ISSUED
    assert proposal.number == 1
    assert proposal.threshold == Decimal("50000.00")
    assert [g["kind"] for g in proposal.grounds] == ["law", "industry_practice"]
    assert proposal.document_version.document.kind == "smallclaim_proposal"
    # The deadline is counted on the working-day calendar from the day it was issued.
    due = add_working_days(timezone.localdate(proposal.issued_at), 5)
    assert proposal.answer_due_on == due.date
    assert actions(mediating, "smallclaim.") == ["smallclaim.proposal_issued"]
    assert "document.drafted" in actions(mediating, "document.")
    event = mediating.chain.events.get(action="smallclaim.proposal_issued")
    assert event.payload["amount"] == "8000.00"
    assert "消费者" not in str(event.payload)  # citations by their hash only
    assert Notice.objects.filter(user=alice, kind="smallclaim.proposal_issued").exists()


def test_the_proposal_pdf_says_the_case_in_chinese(proposal, mediating) -> None:
    text = pdf_text(version_pdf(proposal.document_version))
    assert mediating.case_no in text
    assert "8000.00" in text or "8,000.00" in text
    assert "消费者权益保护法" in text
    assert "示例银行" in text  # the respondent, from the case


def test_accepting_binds_everyone_the_agreement_goes_to_signing(
    proposal, mediating, alice, ben
) -> None:
    accepted = proposal_accept(proposal=proposal, user=alice)
    assert accepted.status == ProposalStatus.ACCEPTED
    assert accepted.answered_by == alice
    assert accepted.agreement is not None
    version = accepted.agreement.versions.get()
    assert accepted.agreement.kind == "agreement"
    assert version.status == VersionStatus.SIGNING
    assert version.fields["total"] == "8000.00"
    assert version.fields["obligations"][0]["obligor"] == "respondent"
    assert actions(mediating, "smallclaim.")[-1] == "smallclaim.proposal_accepted"
    assert actions(mediating, "document.")[-2:] == ["document.drafted", "document.sent_to_signing"]
    assert Notice.objects.filter(user=ben, kind="smallclaim.proposal_accepted").exists()
    # Sealing the agreement opens the institution's performance (outcomes' hook).
    DocumentVersion.objects.filter(pk=version.pk).update(status=VersionStatus.SEALED)
    version.refresh_from_db()
    with transaction.atomic():
        document_sealed(version)
    owed = Obligation.objects.get(agreement__version=version)
    assert owed.amount == Decimal("8000.00")
    assert owed.obligor == "respondent"


def test_refusing_binds_nobody_the_proposal_is_kept(proposal, mediating, alice) -> None:
    refused = proposal_refuse(proposal=proposal, user=alice, reason="金额太低")
    assert refused.status == ProposalStatus.REFUSED
    assert refused.binds_nobody
    assert refused.agreement is None
    assert Proposal.objects.filter(pk=proposal.pk).exists()
    assert mediating.documents.filter(kind="agreement").count() == 0
    event = mediating.chain.events.get(action="smallclaim.proposal_refused")
    assert "金额" not in str(event.payload)
    mediating.refresh_from_db()
    assert mediating.state == CaseState.MEDIATING


def test_after_a_refusal_the_mediator_may_propose_again(proposal, mediating, alice, mia) -> None:
    proposal_refuse(proposal=proposal, user=alice)
    again = proposal_issue(case=mediating, user=mia, data=proposal_input())
    assert again.number == 2


def expire(proposal: Proposal) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(
        answer_due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    proposal.refresh_from_db()


# --- Refusals: each with its code, nothing written -------------------------------------------


def refused_with(code: str, call, *args, **kwargs) -> ServiceError:
    before = written()
    with pytest.raises(ServiceError) as refused:
        call(*args, **kwargs)
    assert refused.value.code == code, refused.value.message
    assert written() == before
    return refused.value


def test_a_proposal_above_the_threshold(mediating, memorandum, mia) -> None:
    error = refused_with(
        "proposal_above_threshold",
        proposal_issue,
        case=mediating,
        user=mia,
        data=proposal_input(amount=Decimal("50000.01")),
    )
    assert "amount" in error.fields


def test_a_case_above_the_threshold(mediating, memorandum, mia, ada) -> None:
    memorandum_update(memorandum=memorandum, data=memo_input(threshold=Decimal("12000.00")), by=ada)
    refused_with(
        "proposal_above_threshold",
        proposal_issue,
        case=mediating,
        user=mia,
        data=proposal_input(amount=Decimal("100.00")),
    )


def test_a_proposal_outside_the_memorandum_s_categories(mediating, memorandum, mia, ada) -> None:
    memorandum_update(memorandum=memorandum, data=memo_input(business_types=["insurance"]), by=ada)
    refused_with(
        "proposal_outside_memorandum",
        proposal_issue,
        case=mediating,
        user=mia,
        data=proposal_input(),
    )


def test_no_memorandum(mediating, mia) -> None:
    refused_with("not_eligible", proposal_issue, case=mediating, user=mia, data=proposal_input())


@pytest.mark.parametrize("who", ["alice", "ada", "ben", "charlie"])
def test_only_the_mediator_issues(request, mediating, memorandum, who) -> None:
    user = request.getfixturevalue(who)
    refused_with(
        "permission_denied", proposal_issue, case=mediating, user=user, data=proposal_input()
    )


def test_not_while_the_case_is_not_in_mediation(case, memorandum, drive, mia) -> None:
    assigned = drive(case, CaseState.ASSIGNED)
    refused_with("illegal_state", proposal_issue, case=assigned, user=mia, data=proposal_input())


def test_one_proposal_at_a_time(proposal, mediating, mia) -> None:
    refused_with(
        "proposal_pending", proposal_issue, case=mediating, user=mia, data=proposal_input()
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"grounds": []}, "grounds"),
        ({"grounds": [Ground(kind="opinion", citation="x")]}, "grounds"),
        ({"grounds": [Ground(kind="law", citation="  ")]}, "grounds"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("1.001")}, "amount"),
        ({"terms": "  "}, "terms"),
        ({"pay_within_days": 0}, "pay_within_days"),
    ],
)
def test_malformed_proposals(mediating, memorandum, mia, overrides, field) -> None:
    error = refused_with(
        "invalid", proposal_issue, case=mediating, user=mia, data=proposal_input(**overrides)
    )
    assert field in error.fields


def test_accepting_an_expired_proposal(proposal, alice) -> None:
    expire(proposal)
    refused_with("proposal_expired", proposal_accept, proposal=proposal, user=alice)
    refused_with("proposal_expired", proposal_refuse, proposal=proposal, user=alice)


@pytest.mark.parametrize("who", ["mia", "ben", "ada", "bob"])
def test_only_the_applicant_answers(request, proposal, who) -> None:
    user = request.getfixturevalue(who)
    refused_with("permission_denied", proposal_accept, proposal=proposal, user=user)
    refused_with("permission_denied", proposal_refuse, proposal=proposal, user=user)


def test_answering_twice(proposal, alice) -> None:
    proposal_refuse(proposal=proposal, user=alice)
    refused_with("proposal_answered", proposal_accept, proposal=proposal, user=alice)
    refused_with("proposal_answered", proposal_refuse, proposal=proposal, user=alice)


def test_accepting_twice(proposal, alice) -> None:
    proposal_accept(proposal=proposal, user=alice)
    refused_with("proposal_answered", proposal_accept, proposal=proposal, user=alice)


def test_a_refusal_under_the_lock_removes_the_stored_agreement(proposal, alice) -> None:
    """Answered meanwhile (the stale object passes the first check): the rendered agreement is
    discarded and nothing is written."""
    stale = Proposal.objects.get(pk=proposal.pk)
    proposal_refuse(proposal=proposal, user=alice)
    refused_with("proposal_answered", proposal_accept, proposal=stale, user=alice)


def test_leaving_mediation_cancels_an_open_proposal(proposal, mediating, alice) -> None:
    from accord.cases import services as case_services

    case_services.case_transition(case=mediating, user=alice, to=CaseState.WITHDRAWN)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CANCELLED
    assert actions(mediating, "smallclaim.")[-1] == "smallclaim.proposal_cancelled"
    assert Notice.objects.filter(kind="smallclaim.proposal_cancelled").exists()


def test_an_accepted_proposal_stays_when_the_agreement_is_recorded(
    proposal, mediating, alice, mia
) -> None:
    from accord.cases import services as case_services

    proposal_accept(proposal=proposal, user=alice)
    case_services.case_transition(case=mediating, user=mia, to=CaseState.AGREEMENT, reason="协议")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
