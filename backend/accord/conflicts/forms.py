"""Forms of the conflicts pages. They parse input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.conflicts.models import Relationship, RelationshipKind
from accord.conflicts.services import RelationshipInput
from accord.orgs.models import Organization, OrgKind


class _OrganizationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Organization)
        return obj.name


class _UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return str(obj)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class RelationshipForm(forms.Form):
    """A declaration. ``mediators`` (an administrator declares for one of them) and
    ``organizations`` (a mediator of more than one organization picks where) add a field."""

    required_css_class = "required"

    mediator = _UserField(label=_("Mediator or independent expert"), queryset=User.objects.none())
    organization = _OrganizationField(
        label=_("Declared with the organization"), queryset=Organization.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind of relationship"), choices=RelationshipKind.choices)
    institution = _OrganizationField(
        label=_("Institution (employment, shareholding, or a prior involvement with it)"),
        queryset=Organization.objects.none(),
        required=False,
    )
    started_on = forms.DateField(label=_("From"), required=False, widget=_date_widget())
    ended_on = forms.DateField(
        label=_("To (leave empty if it continues)"), required=False, widget=_date_widget()
    )
    person_name = forms.CharField(
        label=_("Name of the person (kinship, or a prior involvement with a person)"),
        required=False,
        max_length=200,
    )
    person_id_number = forms.CharField(
        label=_("ID card number or unified social credit code (optional)"),
        required=False,
        max_length=18,
    )

    def __init__(
        self,
        *args: Any,
        mediators: QuerySet[User] | None = None,
        organizations: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_queryset(
            "institution",
            Organization.objects.filter(
                kind=OrgKind.FINANCIAL_INSTITUTION, is_active=True
            ).order_by("name"),
        )
        if mediators is None:
            del self.fields["mediator"]
        else:
            self._set_queryset("mediator", mediators)
        if organizations is None or organizations.count() <= 1:
            del self.fields["organization"]
        else:
            self._set_queryset("organization", organizations)

    def _set_queryset(self, name: str, queryset: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def to_input(self) -> RelationshipInput:
        data = self.cleaned_data
        return RelationshipInput(
            kind=data["kind"],
            person_name=data.get("person_name") or "",
            person_id_number=data.get("person_id_number") or "",
            institution=data.get("institution"),
            started_on=data.get("started_on"),
            ended_on=data.get("ended_on"),
        )

    @staticmethod
    def initial_from(relationship: Relationship) -> dict[str, Any]:
        return {
            "kind": relationship.kind,
            "institution": relationship.institution,
            "started_on": relationship.started_on,
            "ended_on": relationship.ended_on,
            "person_name": relationship.person_name,
            "person_id_number": relationship.person_id_number,
        }


class RecusalApplicationForm(forms.Form):
    grounds = forms.CharField(
        label=_("Grounds for the recusal"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class OverrideFields(forms.Form):
    """Offered once the service refused a mediator with ``mediator_conflict``."""

    override = forms.BooleanField(label=_("Assign despite the conflict"), required=False)
    override_reason = forms.CharField(
        label=_("Reason for assigning despite the conflict (required to override)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, offer_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not offer_override:
            self.fields["override"].widget = forms.HiddenInput()
            self.fields["override_reason"].widget = forms.HiddenInput()


class ReplaceMediatorForm(OverrideFields):
    mediator = _UserField(label=_("New mediator"), queryset=User.objects.none())
    reason = forms.CharField(
        label=_("Reason for the replacement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    field_order = ["mediator", "reason", "override", "override_reason"]

    def __init__(self, *args: Any, mediators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mediator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = mediators


class RecusalDecisionForm(OverrideFields):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("granted", _("Grant: the mediator steps aside")), ("rejected", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons of the decision"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    replacement = _UserField(
        label=_("Replacement mediator (optional, when granting)"),
        queryset=User.objects.none(),
        required=False,
    )
    field_order = ["decision", "reason", "replacement", "override", "override_reason"]

    def __init__(self, *args: Any, mediators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["replacement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = mediators
