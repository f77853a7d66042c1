"""Whether a case is within the small-claim fast track (R8).

A case is eligible when the memorandum of its mediation organization and its respondent
institution that was valid on the day the case was brought (the local date it was created)
lists both its business type and its nature of dispute, and its amount in dispute is known and
at most the memorandum's threshold.

Computed on every read, not stored: the case page and the API show what the memoranda say
now. What a proposal relied on is stored with the proposal (the memorandum and its threshold
when it was issued), which is what a later change of a memorandum must not change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from accord.cases.models import BusinessType, Case, DisputeNature
from accord.smallclaims.models import Memorandum

Verdict = Literal["eligible", "no_memorandum", "no_amount", "outside_memorandum", "above_threshold"]


@dataclass(frozen=True, slots=True)
class Eligibility:
    verdict: Verdict
    memorandum: Memorandum | None
    message: str

    @property
    def eligible(self) -> bool:
        return self.verdict == "eligible"


def case_date(case: Case) -> dt.date:
    """The day the case was brought (local date), on which a memorandum must be valid."""
    return timezone.localdate(case.created_at)


def memoranda_valid_on(
    *, organization_id: int, institution_id: int, day: dt.date
) -> list[Memorandum]:
    return list(
        Memorandum.objects.filter(
            organization_id=organization_id,
            institution_id=institution_id,
            valid_from__lte=day,
            valid_to__gte=day,
        ).order_by("-valid_from", "-id")
    )


def memorandum_of_case(case: Case) -> Memorandum | None:
    """The memorandum covering the case's pair of organizations on the case's date."""
    found = memoranda_valid_on(
        organization_id=case.organization_id,
        institution_id=case.respondent_id,
        day=case_date(case),
    )
    return found[0] if found else None


def in_categories(memorandum: Memorandum, *, business_type: str, dispute_nature: str) -> bool:
    return business_type in memorandum.business_types and dispute_nature in (
        memorandum.dispute_natures
    )


def category_label(business_type: str, dispute_nature: str) -> str:
    business = dict(BusinessType.choices).get(business_type, business_type)
    nature = dict(DisputeNature.choices).get(dispute_nature, dispute_nature)
    return f"{business} · {nature}"


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def eligibility_of(case: Case) -> Eligibility:
    memorandum = memorandum_of_case(case)
    if memorandum is None:
        return Eligibility(
            "no_memorandum",
            None,
            _(
                "No small-claim memorandum between %(org)s and %(institution)s was valid on "
                "%(day)s, the day the case was brought."
            )
            % {
                "org": case.organization.name,
                "institution": case.respondent.name,
                "day": case_date(case).isoformat(),
            },
        )
    if not in_categories(
        memorandum, business_type=case.business_type, dispute_nature=case.dispute_nature
    ):
        return Eligibility(
            "outside_memorandum",
            memorandum,
            _("The dispute (%(category)s) is not among the categories of the memorandum.")
            % {"category": category_label(case.business_type, case.dispute_nature)},
        )
    if case.amount is None:
        return Eligibility(
            "no_amount",
            memorandum,
            _("The case states no amount in dispute, so it cannot be compared with the threshold."),
        )
    if case.amount > memorandum.threshold:
        return Eligibility(
            "above_threshold",
            memorandum,
            _(
                "The amount in dispute (%(amount)s yuan) is above the threshold"
                " of %(threshold)s yuan."
            )
            % {"amount": yuan(case.amount), "threshold": yuan(memorandum.threshold)},
        )
    return Eligibility(
        "eligible",
        memorandum,
        _("Within the memorandum: the amount in dispute is at most %(threshold)s yuan.")
        % {"threshold": yuan(memorandum.threshold)},
    )
