"""Forms of the case pages. They parse input only; the services decide (scope,
permissions) and their field errors are put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.cases.listing import SEARCH_MAX_LENGTH, CaseFilter
from accord.cases.models import (
    AnswerDecision,
    ApplicantType,
    BusinessType,
    CaseComplexity,
    CaseState,
    ConsultationTopic,
    DisputeNature,
    IntakeChannel,
    Material,
)
from accord.cases.scope import CaseApplication, check_application
from accord.cases.selectors import financial_institutions, mediation_organizations
from accord.core.api import ServiceError
from accord.orgs.models import Organization

_business_choices = [("", "---------"), *BusinessType.choices]

# Asked of a natural person only, and of a legal person or unincorporated organization only.
PERSON_FIELDS = ("applicant_id_number",)
ORGANIZATION_FIELDS = ("credit_code", "representative")


class OrganizationChoiceField(forms.ModelChoiceField):
    """Offers organizations by name (people know names, not codes)."""

    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Organization)
        return obj.name


class ErrorLink:
    """One line of a form's error summary: where it points and what it says."""

    def __init__(self, anchor: str, label: str, message: str) -> None:
        self.anchor = anchor
        self.label = label
        self.message = message


def error_summary(form: forms.Form) -> list[ErrorLink]:
    """Every error of ``form``, in field order, each linking to its field."""
    links = [ErrorLink("", "", str(message)) for message in form.non_field_errors()]
    for bound in form.visible_fields():
        anchor = bound.id_for_label or f"{bound.auto_id}_0"  # a radio group: its first input
        links += [ErrorLink(anchor, str(bound.label), str(message)) for message in bound.errors]
    return links


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
    required_css_class = "required"
    topic = forms.ChoiceField(label=_("I would like"), choices=ConsultationTopic.choices)
    organization = OrganizationChoiceField(
        label=_("Mediation organization"), queryset=Organization.objects.none()
    )
    respondent = OrganizationChoiceField(
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
    """Apply for mediation (and confirm a converted consultation).

    ``clean`` asks the intake rules (:func:`check_application`, a read) about every
    field the form could parse, so that one submit shows every problem at once; the
    service checks again when it takes the application.
    """

    required_css_class = "required"

    organization = OrganizationChoiceField(
        label=_("Mediation organization"), queryset=Organization.objects.none()
    )
    respondent = OrganizationChoiceField(
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
    product = forms.CharField(
        label=_("Financial product (name, optional)"),
        max_length=200,
        required=False,
        help_text=_("As the contract or the policy names it."),
    )
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

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The visible fields in order, the party-type-specific ones in their own group:
        ``("", fields)``, ``("natural_person", …)``, ``("organization", …)``."""
        groups: list[tuple[str, list[forms.BoundField]]] = []
        for bound in self.visible_fields():
            key = (
                "natural_person"
                if bound.name in PERSON_FIELDS
                else "organization"
                if bound.name in ORGANIZATION_FIELDS
                else ""
            )
            if groups and groups[-1][0] == key:
                groups[-1][1].append(bound)
            else:
                groups.append((key, [bound]))
        return groups

    def _ignored_fields(self, applicant_type: str) -> tuple[str, ...]:
        """The fields the party type does not use (hidden by the page's script)."""
        if applicant_type == ApplicantType.NATURAL_PERSON:
            return ORGANIZATION_FIELDS
        if applicant_type in ApplicantType.values:
            return PERSON_FIELDS
        return ()

    def _draft(self) -> CaseApplication:
        """What the application says so far; a field that did not parse is left empty."""
        data = self.cleaned_data
        applicant_type = str(data.get("applicant_type") or "")
        ignored = self._ignored_fields(applicant_type)

        def text(name: str) -> str:
            return "" if name in ignored else str(data.get(name) or "")

        return CaseApplication(
            organization=data.get("organization"),
            respondent=data.get("respondent"),
            applicant_type=applicant_type,
            applicant_name=text("applicant_name"),
            applicant_phone=text("applicant_phone"),
            applicant_id_number=text("applicant_id_number").strip().upper(),
            credit_code=text("credit_code").strip().upper(),
            representative=text("representative"),
            business_type=text("business_type"),
            dispute_nature=text("dispute_nature"),
            amount=data.get("amount"),
            description=text("description"),
            claims=text("claims"),
            product=text("product").strip(),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self._ignored_fields(str(cleaned.get("applicant_type") or "")):
            self.errors.pop(name, None)
            cleaned[name] = ""
        try:
            check_application(self._draft())
        except ServiceError as exc:
            added = False
            for name, messages in exc.fields.items():
                if name in self.fields and name not in self.errors:
                    for message in messages:
                        self.add_error(name, message)
                    added = True
            if added:
                self.add_error(None, exc.message)
        return cleaned

    def to_application(self) -> CaseApplication:
        """Precondition: ``is_valid()`` returned True."""
        return self._draft()

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

    regulator = OrganizationChoiceField(
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
    # Accepting says how complex the case is (it selects the time limit).
    complexity = forms.ChoiceField(
        label=_("Complexity"), choices=[("", ""), *CaseComplexity.choices], required=False
    )
    # Set by the second, confirming button of a move that ends or refuses something.
    confirmed = forms.BooleanField(required=False)
    # Offered once an assignment was refused for a declared conflict (accord.conflicts).
    override = forms.BooleanField(required=False)
    override_reason = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args: Any, mediators: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mediators is not None:
            field = self.fields["mediator"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = mediators


class ComplexityForm(forms.Form):
    complexity = forms.ChoiceField(label=_("Complexity"), choices=CaseComplexity.choices)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )


class CaseFilterForm(forms.Form):
    """The case list's filters (GET). Unknown values are ignored, never an error page."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Case number, applicant or institution")}
        ),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *CaseState.choices]
    )
    channel = forms.ChoiceField(
        label=_("Intake channel"),
        required=False,
        choices=[("", _("Any channel")), *IntakeChannel.choices],
    )

    def to_filter(self) -> CaseFilter:
        if not self.is_valid():
            return CaseFilter(search=str(self.data.get("q", ""))[:SEARCH_MAX_LENGTH].strip())
        data = self.cleaned_data
        return CaseFilter(state=data["state"], channel=data["channel"], search=data["q"].strip())


# --- The institution's answer and transfers ------------------------------------------------


class MaterialChoiceField(forms.ModelMultipleChoiceField):
    """Offers a case's files by name (picked by uuid)."""

    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Material)
        return f"{obj.name} ({obj.kind_label})"


class RespondentAnswerForm(forms.Form):
    """The institution's answer: agree or decline (with reasons), its position, its evidence
    (among the files its staff uploaded). The service decides; the form only parses."""

    required_css_class = "required"
    decision = forms.ChoiceField(
        label=_("The institution"), choices=AnswerDecision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons for declining (required to decline)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    position = forms.CharField(
        label=_("The institution's position"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = MaterialChoiceField(
        label=_("The institution's evidence"),
        queryset=Material.objects.none(),
        to_field_name="uuid",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Upload files under Evidence first; then choose them here."),
    )

    def __init__(self, *args: Any, materials: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if materials is not None:
            field = self.fields["evidence"]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = materials


def _reason_field(label: Any, *, rows: int = 2) -> forms.CharField:
    # Not required here: the services say when a reason is needed, in their words.
    return forms.CharField(
        label=label, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": rows})
    )


class TransferRequestForm(forms.Form):
    # Every organization parses; the service refuses a target of the wrong kind in its words.
    to_organization = OrganizationChoiceField(
        label=_("Transfer to"), queryset=Organization.objects.all(), required=False
    )
    reason = _reason_field(_("Why the organization cannot handle the case (required)"), rows=3)


class TransferAcceptForm(forms.Form):
    reason = _reason_field(_("Note (optional)"))
    # For a return to the regulator: where the case goes next.
    next_organization = OrganizationChoiceField(
        label=_("Mediation organization the case goes to next"),
        queryset=Organization.objects.all(),
        required=False,
    )


class TransferDeclineForm(forms.Form):
    reason = _reason_field(_("Reason for declining (required)"))
