"""Forms of the case pages. They parse input only; the services decide (scope,
permissions) and their field errors are put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.cases.models import (
    ApplicantType,
    BusinessType,
    CaseState,
    ConsultationTopic,
    DisputeNature,
)
from accord.cases.scope import CaseApplication
from accord.cases.selectors import financial_institutions, mediation_organizations
from accord.core.api import ServiceError
from accord.orgs.models import Organization

_business_choices = [("", "---------"), *BusinessType.choices]


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a refusal from a service on ``form``: each field's messages next to
    the field, the rest (and the summary) at the top."""
    for name, messages in error.fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
    form.add_error(None, error.message)


def _phone_widget() -> forms.TextInput:
    return forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})


def _amount_field() -> forms.DecimalField:
    # No min_value here: the service owns that rule and says it in its words.
    return forms.DecimalField(
        label=_("Amount in dispute (yuan)"),
        required=False,
        max_digits=20,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class ConsultationForm(forms.Form):
    topic = forms.ChoiceField(label=_("I would like"), choices=ConsultationTopic.choices)
    organization = forms.ModelChoiceField(
        label=_("Mediation organization"), queryset=Organization.objects.none()
    )
    respondent = forms.ModelChoiceField(
        label=_("Financial institution the dispute is with"),
        queryset=Organization.objects.none(),
    )
    business_type = forms.ChoiceField(
        label=_("Business the dispute arises from"), choices=_business_choices
    )
    amount = _amount_field()
    description = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=150)
    contact_phone = forms.CharField(label=_("Phone"), max_length=20, widget=_phone_widget())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organization"]
        respondent_field = self.fields["respondent"]
        assert isinstance(org_field, forms.ModelChoiceField)
        assert isinstance(respondent_field, forms.ModelChoiceField)
        org_field.queryset = mediation_organizations()
        respondent_field.queryset = financial_institutions()


class ApplicationForm(forms.Form):
    """Apply for mediation (and confirm a converted consultation)."""

    organization = forms.ModelChoiceField(
        label=_("Mediation organization"), queryset=Organization.objects.none()
    )
    respondent = forms.ModelChoiceField(
        label=_("Financial institution the dispute is with"),
        queryset=Organization.objects.none(),
    )
    applicant_type = forms.ChoiceField(
        label=_("The applicant is"),
        choices=ApplicantType.choices,
        initial=ApplicantType.NATURAL_PERSON,
        widget=forms.RadioSelect,
    )
    applicant_name = forms.CharField(
        label=_("Name (of the person or organization)"), max_length=200
    )
    applicant_phone = forms.CharField(
        label=_("Contact phone"), max_length=20, widget=_phone_widget()
    )
    applicant_id_number = forms.CharField(
        label=_("ID card number (natural person, optional)"), max_length=18, required=False
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code (legal person)"), max_length=18, required=False
    )
    representative = forms.CharField(
        label=_("Legal representative or person in charge"), max_length=150, required=False
    )
    business_type = forms.ChoiceField(
        label=_("Business the dispute arises from"), choices=_business_choices
    )
    dispute_nature = forms.ChoiceField(
        label=_("Nature of the dispute"),
        choices=DisputeNature.choices,
        initial=DisputeNature.CIVIL_COMMERCIAL,
        widget=forms.RadioSelect,
    )
    amount = _amount_field()
    description = forms.CharField(
        label=_("Facts of the dispute"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    claims = forms.CharField(
        label=_("What you ask for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organization"]
        respondent_field = self.fields["respondent"]
        assert isinstance(org_field, forms.ModelChoiceField)
        assert isinstance(respondent_field, forms.ModelChoiceField)
        org_field.queryset = mediation_organizations()
        respondent_field.queryset = financial_institutions()

    def to_application(self) -> CaseApplication:
        """Precondition: ``is_valid()`` returned True."""
        data = self.cleaned_data
        return CaseApplication(
            organization=data["organization"],
            respondent=data["respondent"],
            applicant_type=data["applicant_type"],
            applicant_name=data["applicant_name"],
            applicant_phone=data["applicant_phone"],
            applicant_id_number=data["applicant_id_number"].strip().upper(),
            credit_code=data["credit_code"].strip().upper(),
            representative=data["representative"],
            business_type=data["business_type"],
            dispute_nature=data["dispute_nature"],
            amount=data["amount"],
            description=data["description"],
            claims=data["claims"],
        )

    @staticmethod
    def initial_from(application: CaseApplication) -> dict[str, Any]:
        """Form initial data from an application (a consultation's draft)."""
        initial = application.as_json()
        initial["organization"] = application.organization
        initial["respondent"] = application.respondent
        initial["amount"] = application.amount
        return initial


class ReferralForm(ApplicationForm):
    """A regulator officer refers a complaint (金融管理机构指派): the application
    plus which regulator refers it and the complaint's own reference."""

    regulator = forms.ModelChoiceField(
        label=_("Referring regulator"), queryset=Organization.objects.none()
    )
    complaint_reference = forms.CharField(
        label=_("Complaint reference"), max_length=64, required=False
    )
    field_order = ["regulator", "complaint_reference"]

    def __init__(self, *args: Any, regulators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["regulator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = regulators
        if regulators.count() == 1:
            field.initial = regulators.first()


class MaterialsSignedForm(forms.Form):
    signed_on = forms.DateField(
        label=_("Signed for the court's materials on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=CaseState.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    mediator = forms.ModelChoiceField(
        label=_("Mediator"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, mediators: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mediators is not None:
            field = self.fields["mediator"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = mediators


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )
