"""The case page's parts for the institution's answer, the applicant's contact details and
transfers: what each user sees and may do (read through the selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.accounts.models import User
from accord.cases import selectors
from accord.cases.forms import (
    RespondentAnswerForm,
    TransferAcceptForm,
    TransferDeclineForm,
    TransferRequestForm,
)
from accord.cases.models import Case, CaseState, CaseTransfer, TransferStatus
from accord.cases.states import Party
from accord.orgs.models import Organization, OrgKind
from accord.workdays.periods import Due


@dataclass(frozen=True, slots=True)
class TransferLine:
    """One line of the case's history of organizations."""

    transfer: CaseTransfer
    due: Due | None  # while pending: when the receiving side should have decided

    @property
    def is_return(self) -> bool:
        return self.transfer.to_organization.kind == OrgKind.REGULATOR


def next_organizations(transfer: CaseTransfer) -> list[Organization]:
    """Where a regulator may send a returned case: the active mediation organizations but the
    one that returned it."""
    return list(selectors.mediation_organizations().exclude(pk=transfer.from_organization_id))


def procedure_context(case: Case, user: User, *, read_only: bool = False) -> dict[str, Any]:
    parties = frozenset() if read_only else selectors.case_parties(case=case, user=user)
    answer = selectors.answer_of(case=case)
    may_answer = (
        Party.INSTITUTION in parties
        and answer is None
        and case.state in selectors.ANSWERABLE_STATES
    )
    transfers = list(selectors.transfers_of(case=case))
    pending = next((t for t in transfers if t.status == TransferStatus.PENDING), None)
    may_transfer = (
        Party.ORG_ADMIN in parties
        and case.state in selectors.TRANSFERABLE_STATES
        and pending is None
    )
    may_decide = (
        not read_only
        and pending is not None
        and selectors.may_decide_transfer(transfer=pending, user=user)
    )
    return {
        "contact": selectors.contact_details(case=case, user=user, read_only=read_only),
        "answer": answer,
        "answer_due": selectors.answer_due(case=case),
        "routes_left": selectors.ROUTES_LEFT if case.state == CaseState.NOT_MEDIATED else "",
        "answer_form": (
            RespondentAnswerForm(materials=selectors.institution_materials(case=case))
            if may_answer
            else None
        ),
        "transfer_lines": [
            TransferLine(
                transfer=t,
                due=selectors.transfer_due(transfer=t)
                if t.status == TransferStatus.PENDING
                else None,
            )
            for t in transfers
        ],
        "pending_transfer": pending,
        "transfer_form": TransferRequestForm() if may_transfer else None,
        "transfer_targets": selectors.transfer_targets(case=case) if may_transfer else [],
        "decide_transfer": pending if may_decide else None,
        "accept_transfer_form": TransferAcceptForm() if may_decide else None,
        "decline_transfer_form": TransferDeclineForm() if may_decide else None,
        "next_organizations": (
            next_organizations(pending)
            if may_decide and pending and pending.to_organization.kind == OrgKind.REGULATOR
            else []
        ),
    }
