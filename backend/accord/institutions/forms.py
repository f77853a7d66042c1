"""Forms of the institutions app: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.cases.models import FINANCIAL_BUSINESS_TYPES, BusinessType, CaseState
from accord.institutions.models import ClauseStatus, MediationContact, MediationFirstClause
from accord.institutions.selectors import STAGE_CHOICES, CaseFilter, mediation_organizations
from accord.institutions.services.clauses import ClauseInput
from accord.institutions.services.contacts import ContactInput
from accord.orgs.forms import ChannelForm
from accord.orgs.models import Organization

__all__ = ["CaseFilterForm", "ChannelForm", "ClauseForm", "ContactForm", "PeriodForm"]

DATE = forms.DateInput(attrs={"type": "date"})
BUSINESS_CHOICES = [(k, v) for k, v in BusinessType.choices if k in FINANCIAL_BUSINESS_TYPES]


class MediationOrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class ContactForm(forms.Form):
    organization = MediationOrgField(
        label=_("Mediation organization"), queryset=Organization.objects.none()
    )
    desk = forms.CharField(label=_("Contact desk"), max_length=200)
    contact_person = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = mediation_organizations()

    @classmethod
    def initial_from(cls, contact: MediationContact) -> dict[str, Any]:
        return {name: getattr(contact, name) for name in cls.base_fields}

    def to_input(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            organization=data["organization"],
            desk=data["desk"],
            contact_person=data["contact_person"],
            phone=data["phone"],
            email=data["email"],
            note=data["note"],
            order=data["order"],
        )


class ClauseForm(forms.Form):
    contract = forms.CharField(label=_("Contract or product"), max_length=200)
    business_type = forms.ChoiceField(label=_("Business type"), choices=BUSINESS_CHOICES)
    text = forms.CharField(label=_("Clause text"), widget=forms.Textarea(attrs={"rows": 5}))
    organization = MediationOrgField(
        label=_("Mediation organization named"),
        queryset=Organization.objects.none(),
        required=False,
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    effective_to = forms.DateField(label=_("In force until"), widget=DATE, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ClauseStatus.choices)
    published = forms.BooleanField(label=_("Show on the public page"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = mediation_organizations()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("The clause cannot end before it starts."))
        return data

    @classmethod
    def initial_from(cls, clause: MediationFirstClause) -> dict[str, Any]:
        return {name: getattr(clause, name) for name in cls.base_fields}

    def to_input(self) -> ClauseInput:
        data = self.cleaned_data
        return ClauseInput(
            contract=data["contract"],
            business_type=data["business_type"],
            text=data["text"],
            organization=data["organization"],
            effective_from=data["effective_from"],
            effective_to=data["effective_to"],
            status=data["status"],
            published=data["published"],
        )


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("To"), widget=DATE, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class CaseFilterForm(PeriodForm):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any")), *CaseState.choices], required=False
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("Any")), *STAGE_CHOICES], required=False
    )
    business_type = forms.ChoiceField(
        label=_("Business type"), choices=[("", _("Any")), *BUSINESS_CHOICES], required=False
    )
    product = forms.CharField(label=_("Product"), max_length=200, required=False)

    field_order = ["state", "stage", "business_type", "product", "date_from", "date_to"]

    def to_filter(self) -> CaseFilter:
        data = self.cleaned_data
        return CaseFilter(
            state=data.get("state") or "",
            stage=data.get("stage") or "",
            business_type=data.get("business_type") or "",
            product=(data.get("product") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
