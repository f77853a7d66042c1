"""What outcomes adds to the case page (``cases.sections``): "After the agreement" (each
agreement in effect with its obligations, the consequences of not performing, judicial
confirmation and notarization, with the buttons of whoever may act) and "After mediation
failed" (the failure notice and the referral)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.cases.selectors import case_parties
from accord.outcomes.forms import ObligationConfirmForm
from accord.outcomes.models import (
    ConfirmationApplication,
    ConfirmationStatus,
    NotarizationRequest,
    NotarizationStatus,
    Obligation,
    SealedAgreement,
    Side,
)
from accord.outcomes.selectors import agreements_of_case, failure_of
from accord.outcomes.services.common import RUNNERS, SIDE_PARTY
from accord.outcomes.services.confirmation import has_consented as confirmation_consented
from accord.outcomes.services.failure import FAILED_STATES
from accord.outcomes.services.notarization import GUARANTOR, missing_consents
from accord.outcomes.services.performance import consequences_text


@dataclass(frozen=True, slots=True)
class ObligationRow:
    obligation: Obligation
    may_confirm: bool


@dataclass(frozen=True, slots=True)
class AgreementBlock:
    agreement: SealedAgreement
    obligations: list[ObligationRow]
    consequences: str
    confirmation: ConfirmationApplication | None
    confirmation_in_time: bool
    may_apply_confirmation: bool
    may_join_confirmation: bool
    notarization: NotarizationRequest | None
    notarization_missing: list[str]
    may_request_notarization: bool
    may_consent_notarization: bool
    may_record_guarantor: bool
    may_refer_notarization: bool


def _sides(parties: frozenset[object]) -> list[Side]:
    return [side for side, party in SIDE_PARTY.items() if party in parties]


def _block(agreement: SealedAgreement, parties: frozenset[object]) -> AgreementBlock:
    sides = _sides(parties)
    runner = bool(parties & RUNNERS)
    rows = [
        ObligationRow(obligation=o, may_confirm=o.is_pending and Side(o.obligee) in sides)
        for o in agreement.obligations.all()
    ]
    in_time = timezone.localdate() <= agreement.confirmation_due_on
    confirmation = getattr(agreement, "confirmation", None)
    awaiting = (
        confirmation is not None and confirmation.status == ConfirmationStatus.AWAITING_CONSENT
    )
    notarization = getattr(agreement, "notarization", None)
    missing = missing_consents(notarization) if notarization is not None else []
    open_request = (
        notarization is not None and notarization.status == NotarizationStatus.AWAITING_CONSENT
    )
    owed = any(o.is_pending for o in agreement.obligations.all())
    return AgreementBlock(
        agreement=agreement,
        obligations=rows,
        consequences=consequences_text(agreement),
        confirmation=confirmation,
        confirmation_in_time=in_time,
        may_apply_confirmation=bool(sides) and confirmation is None and in_time,
        may_join_confirmation=(
            awaiting
            and in_time
            and confirmation is not None
            and any(not confirmation_consented(confirmation, side) for side in sides)
        ),
        notarization=notarization,
        notarization_missing=missing,
        may_request_notarization=bool(sides) and notarization is None and owed,
        may_consent_notarization=open_request and any(side.value in missing for side in sides),
        may_record_guarantor=open_request and runner and GUARANTOR in missing,
        may_refer_notarization=open_request and runner and not missing,
    )


def agreement_section(request: HttpRequest, case: Case) -> SectionContent | None:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return None
    agreements = list(agreements_of_case(case))
    if not agreements:
        return None
    parties = case_parties(case=case, user=user)
    return SectionContent(
        template="outcomes/_case_agreement.html",
        context={
            "agreement_blocks": [_block(a, frozenset(parties)) for a in agreements],
            "confirm_form": ObligationConfirmForm(auto_id="confirm_%s"),
            "is_runner": bool(parties & RUNNERS),
        },
        order=40,
    )


def failure_section(request: HttpRequest, case: Case) -> SectionContent | None:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return None
    failure = failure_of(case)
    if failure is None and case.state not in FAILED_STATES:
        return None
    runner = bool(case_parties(case=case, user=user) & RUNNERS)
    return SectionContent(
        template="outcomes/_case_failure.html",
        context={
            "failure": failure,
            "may_issue_notice": runner and failure is None and case.state in FAILED_STATES,
            "may_refer": runner and failure is not None and not failure.is_referred,
        },
        order=41,
    )
