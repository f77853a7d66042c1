"""Forms of the small-claim pages: a memorandum (entered by either side), the mediator's
proposal with its grounds, the applicant's refusal. They check the shape of the input; the
services decide (their refusals land on the fields through ``add_service_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.cases.models import FINANCIAL_BUSINESS_TYPES, BusinessType, DisputeNature
from accord.orgs.models import Organization
from accord.smallclaims.drafting import Ground
from accord.smallclaims.models import GroundKind, Memorandum
from accord.smallclaims.services.memoranda import MAX_ANSWER_DAYS, MemorandumInput
from accord.smallclaims.services.proposals import (
    CITATION_MAX,
    MAX_PAY_DAYS,
    TEXT_MAX,
    ProposalInput,
)

GROUND_ROWS = 3


def _date() -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class MemorandumForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Mediation organization"), queryset=Organization.objects.none()
    )
    institution = forms.ModelChoiceField(
        label=_("Financial institution"), queryset=Organization.objects.none()
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    threshold = forms.DecimalField(
        label=_("Compensation threshold (yuan)"), max_digits=16, decimal_places=2, min_value=0
    )
    business_types = forms.MultipleChoiceField(
        label=_("Business types covered"),
        choices=[(v, label) for v, label in BusinessType.choices if v in FINANCIAL_BUSINESS_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )
    dispute_natures = forms.MultipleChoiceField(
        label=_("Natures of dispute covered"),
        choices=DisputeNature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = _date()
    valid_to = _date()
    signed_on = _date()
    answer_days = forms.IntegerField(
        label=_("Working days for the applicant to answer a proposal"),
        min_value=1,
        max_value=MAX_ANSWER_DAYS,
        initial=5,
    )

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization] | None = None,
        institutions: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].label = _("Valid from")
        self.fields["valid_to"].label = _("Valid until")
        self.fields["signed_on"].label = _("Signed on")
        if organizations is None or institutions is None:
            # Editing: the parties of a memorandum stay.
            del self.fields["organization"]
            del self.fields["institution"]
        else:
            organization = self.fields["organization"]
            institution = self.fields["institution"]
            assert isinstance(organization, forms.ModelChoiceField)
            assert isinstance(institution, forms.ModelChoiceField)
            organization.queryset = organizations
            institution.queryset = institutions

    @classmethod
    def initial_of(cls, memorandum: Memorandum) -> dict[str, object]:
        return {
            "reference": memorandum.reference,
            "threshold": memorandum.threshold,
            "business_types": memorandum.business_types,
            "dispute_natures": memorandum.dispute_natures,
            "valid_from": memorandum.valid_from,
            "valid_to": memorandum.valid_to,
            "signed_on": memorandum.signed_on,
            "answer_days": memorandum.answer_days,
        }

    def memorandum_input(self) -> MemorandumInput:
        data = self.cleaned_data
        return MemorandumInput(
            threshold=data["threshold"],
            business_types=list(data["business_types"]),
            dispute_natures=list(data["dispute_natures"]),
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            signed_on=data["signed_on"],
            answer_days=data["answer_days"],
            reference=data["reference"],
        )


class ProposalForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Proposed compensation (yuan)"), max_digits=16, decimal_places=2
    )
    facts = forms.CharField(label=_("Main facts"), max_length=TEXT_MAX, widget=forms.Textarea)
    dispute = forms.CharField(
        label=_("What is in dispute"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    terms = forms.CharField(label=_("Proposed terms"), max_length=TEXT_MAX, widget=forms.Textarea)
    pay_within_days = forms.IntegerField(
        label=_("The institution pays within (days of acceptance)"),
        min_value=1,
        max_value=MAX_PAY_DAYS,
        initial=15,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [("", "—"), *GroundKind.choices]
        for n in range(GROUND_ROWS):
            self.fields[f"ground_kind_{n}"] = forms.ChoiceField(
                label=_("Ground %(n)d: kind") % {"n": n + 1}, choices=kinds, required=False
            )
            self.fields[f"ground_citation_{n}"] = forms.CharField(
                label=_("Ground %(n)d: citation") % {"n": n + 1},
                max_length=CITATION_MAX,
                required=False,
                help_text=_("e.g. 《中华人民共和国消费者权益保护法》第二十九条"),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        found = 0
        for n in range(GROUND_ROWS):
            kind = data.get(f"ground_kind_{n}") or ""
            citation = (data.get(f"ground_citation_{n}") or "").strip()
            if kind and not citation:
                self.add_error(f"ground_citation_{n}", _("Each ground needs its citation."))
            elif citation and not kind:
                self.add_error(f"ground_kind_{n}", _("Say what each ground is."))
            elif kind and citation:
                found += 1
        if not found and not self.has_error("ground_kind_0"):
            self.add_error(
                "ground_kind_0",
                _("Cite at least one ground: a law, regulation, interpretation or practice."),
            )
        return data

    def grounds(self) -> list[Ground]:
        data = self.cleaned_data
        return [
            Ground(kind=data[f"ground_kind_{n}"], citation=data[f"ground_citation_{n}"].strip())
            for n in range(GROUND_ROWS)
            if data.get(f"ground_kind_{n}") and (data.get(f"ground_citation_{n}") or "").strip()
        ]

    def proposal_input(self) -> ProposalInput:
        data = self.cleaned_data
        return ProposalInput(
            amount=data["amount"],
            facts=data["facts"],
            dispute=data["dispute"],
            terms=data["terms"],
            pay_within_days=data["pay_within_days"],
            grounds=self.grounds(),
        )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Your reasons (optional)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
