"""The fields of the documents the fast track generates (``accord.documents``): the proposal
(kind ``smallclaim_proposal``) and, on acceptance, the agreement (kind ``agreement``) from the
proposal's terms — nothing retyped: the facts, the dispute, the amount and the terms are the
proposal's, the case's particulars are read by the documents app from the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from accord.documents.amounts import amount_in_words
from accord.smallclaims.models import GroundKind, Memorandum, Proposal

DOCUMENT_LANGUAGE = "zh-hans"
CURRENCY = "CNY"


@dataclass(frozen=True, slots=True)
class Ground:
    kind: str
    citation: str


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _grounds(grounds: Sequence[Ground]) -> list[dict[str, str]]:
    return [
        {
            "kind": ground.kind,
            "kind_label": str(GroundKind(ground.kind).label),
            "citation": ground.citation,
        }
        for ground in grounds
    ]


def proposal_fields(
    *,
    memorandum: Memorandum,
    amount: Decimal,
    facts: str,
    dispute: str,
    terms: str,
    pay_within_days: int,
    grounds: Sequence[Ground],
    answer_due: dt.date,
    answer_days: int,
) -> dict[str, Any]:
    """The fields of a ``smallclaim_proposal`` document."""
    with translation.override(DOCUMENT_LANGUAGE):
        return {
            "facts": facts,
            "dispute": dispute,
            "grounds": _grounds(grounds),
            "amount": money(amount),
            "currency": CURRENCY,
            "amount_in_words": amount_in_words(amount),
            "terms": terms,
            "pay_within_days": pay_within_days,
            "answer_due": answer_due.isoformat(),
            "answer_days": answer_days,
            "memorandum": {
                "reference": memorandum.reference,
                "threshold": money(memorandum.threshold),
                "signed_on": memorandum.signed_on.isoformat(),
                "valid_from": memorandum.valid_from.isoformat(),
                "valid_to": memorandum.valid_to.isoformat(),
            },
            "effect": _(
                "If the applicant accepts this proposal, it binds every party and a mediation "
                "agreement is drawn up from it for signing. If the applicant refuses it, or does "
                "not answer by the date above, it binds nobody and stands as the opinion of a "
                "third party."
            ),
        }


def agreement_fields(*, proposal: Proposal, payment_due: dt.date) -> dict[str, Any]:
    """The fields of the ``agreement`` document generated when ``proposal`` is accepted (the
    shape of CONTRACTS.md): the institution pays the applicant the proposed amount by
    ``payment_due``."""
    with translation.override(DOCUMENT_LANGUAGE):
        label = _("Compensation")
        what = _("Pay the applicant the compensation of the small-claim proposal")
        other_terms = "\n\n".join(
            part
            for part in (
                proposal.terms.strip(),
                _(
                    "This agreement is made on the applicant's acceptance of the mediator's "
                    "small-claim proposal no. %(number)d under the memorandum of the small-claim "
                    "fast track between the mediation organization and the financial institution."
                )
                % {"number": proposal.number},
            )
            if part
        )
    amount = money(proposal.amount)
    return {
        "facts": proposal.facts,
        "dispute": proposal.dispute,
        "items": [{"label": label, "amount": amount}],
        "total": amount,
        "currency": CURRENCY,
        "total_in_words": amount_in_words(proposal.amount),
        "obligations": [
            {
                "obligor": "respondent",
                "obligee": "applicant",
                "what": what,
                "amount": amount,
                "due": payment_due.isoformat(),
            }
        ],
        "immediate_performance": False,
        "other_terms": other_terms,
    }
