"""Forms of the outcome pages: shape only; the services own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case, Material
from accord.orgs.models import Organization, OrgKind
from accord.outcomes.models import FailureRoute, Side


def organizations_of(*kinds: OrgKind) -> QuerySet[Organization]:
    return Organization.objects.filter(kind__in=kinds, is_active=True).order_by("kind", "name")


class OrganizationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class ObligationConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional: how and when it was performed)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConfirmationApplyForm(forms.Form):
    court = OrganizationChoice(
        label=_("Competent court"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["court"]
        assert isinstance(field, OrganizationChoice)
        field.queryset = organizations_of(OrgKind.COURT)
        if case.court is not None and case.channel == "court":
            field.initial = case.court
            field.disabled = True
            field.help_text = _("The court that entrusted the case confirms its agreement.")
        else:
            field.required = True
            field.help_text = _(
                "The basic people's court where a party lives, where the subject matter is, "
                "or where the mediation organization is."
            )


class NotarizationRequestForm(forms.Form):
    notary_office = OrganizationChoice(
        label=_("Notary office"), queryset=Organization.objects.none()
    )
    creditor = forms.ChoiceField(label=_("Creditor (the side owed)"), choices=Side.choices)
    guarantor_name = forms.CharField(
        label=_("Guarantor of the debt (leave empty when there is none)"),
        required=False,
        max_length=200,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["notary_office"]
        assert isinstance(field, OrganizationChoice)
        field.queryset = organizations_of(OrgKind.NOTARY_OFFICE)


class MaterialChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Material) -> str:
        return obj.name


class GuarantorConsentForm(forms.Form):
    material = MaterialChoice(
        label=_("The guarantor's signed consent (a file of the case, optional)"),
        queryset=Material.objects.none(),
        required=False,
        to_field_name="uuid",
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["material"]
        assert isinstance(field, MaterialChoice)
        field.queryset = Material.objects.filter(case=case).order_by("uploaded_at", "id")


class ConfirmationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Ruling"),
        choices=[
            ("confirmed", _("Confirmed: the agreement is valid")),
            ("rejected", _("Rejected")),
        ],
        widget=forms.RadioSelect,
    )
    ruling_no = forms.CharField(label=_("Number of the ruling"), max_length=100)
    decided_on = forms.DateField(
        label=_("Ruled on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason (required for a rejection)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NotarizationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("notarized", _("Notarized with enforcement effect")),
            ("refused", _("Refused")),
        ],
        widget=forms.RadioSelect,
    )
    certificate_no = forms.CharField(
        label=_("Number of the notarial certificate"), required=False, max_length=100
    )
    reason = forms.CharField(
        label=_("Reason (required for a refusal)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FailureNoticeForm(forms.Form):
    advice = forms.CharField(
        label=_("The organization's professional advice"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
    )
    routes = forms.MultipleChoiceField(
        label=_("Routes the parties are told about"),
        choices=FailureRoute.choices,
        initial=[FailureRoute.ARBITRATION, FailureRoute.LITIGATION],
        widget=forms.CheckboxSelectMultiple,
    )


class FailureReferralForm(forms.Form):
    route = forms.ChoiceField(label=_("Route"), choices=FailureRoute.choices)
    to = OrganizationChoice(
        label=_("Arbitration commission or court"), queryset=Organization.objects.none()
    )
    green_channel = forms.BooleanField(
        label=_("Through the court's litigation green channel (诉讼绿色通道)"), required=False
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, routes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        route = self.fields["route"]
        assert isinstance(route, forms.ChoiceField)
        route.choices = [(v, label) for v, label in FailureRoute.choices if v in routes]
        to = self.fields["to"]
        assert isinstance(to, OrganizationChoice)
        to.queryset = organizations_of(OrgKind.ARBITRATION, OrgKind.COURT)
