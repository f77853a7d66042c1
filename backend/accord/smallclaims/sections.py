"""The "Small-claim fast track" section of the case page (``cases.sections``): whether the
case is eligible and under which memorandum, the proposals with their PDF and deadline, the
mediator's proposal form, the applicant's Accept / Refuse and, once accepted, the agreement
to sign."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from accord.accounts.models import User
from accord.cases.models import Case, CaseState
from accord.cases.sections import SectionContent
from accord.cases.selectors import case_parties
from accord.cases.states import Party
from accord.documents.models import DocumentVersion
from accord.smallclaims.eligibility import eligibility_of
from accord.smallclaims.forms import ProposalForm, RefuseForm
from accord.smallclaims.models import Proposal, ProposalStatus
from accord.smallclaims.selectors import proposals_of_case
from accord.smallclaims.services.proposals import is_expired


@dataclass(frozen=True, slots=True)
class ProposalRow:
    proposal: Proposal
    expired: bool
    may_answer: bool
    agreement_version: DocumentVersion | None


def smallclaim_section(request: HttpRequest, case: Case) -> SectionContent | None:
    """For everyone who reaches the case page (its access was checked there); ``None`` when
    no memorandum covers the case's pair and it has no proposal."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return None
    eligibility = eligibility_of(case)
    proposals = proposals_of_case(case)
    if eligibility.memorandum is None and not proposals:
        return None
    parties = case_parties(case=case, user=user)
    is_applicant = Party.APPLICANT in parties
    rows = []
    for proposal in proposals:
        expired = is_expired(proposal)
        rows.append(
            ProposalRow(
                proposal=proposal,
                expired=expired,
                may_answer=is_applicant and proposal.is_open and not expired,
                agreement_version=proposal.agreement.current if proposal.agreement else None,
            )
        )
    busy = any(p.status == ProposalStatus.ACCEPTED or p.is_open for p in proposals)
    may_issue = (
        Party.MEDIATOR in parties
        and case.state == CaseState.MEDIATING
        and eligibility.eligible
        and not busy
    )
    return SectionContent(
        template="smallclaims/_case_section.html",
        context={
            "eligibility": eligibility,
            "proposal_rows": rows,
            "may_issue": may_issue,
            "proposal_form": ProposalForm() if may_issue else None,
            "refuse_form": RefuseForm(),
        },
        order=35,
    )
