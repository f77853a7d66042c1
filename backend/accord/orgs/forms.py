"""Organization admin forms. They shape input; ``orgs.services`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.orgs.models import ComplaintChannel, MediationRules, Organization, RecordingStart
from accord.orgs.selectors import roles_allowed_in


class GrantRoleForm(forms.Form):
    user = forms.CharField(
        label=_("User (username or mobile number)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = roles_allowed_in(organization)


class RulesForm(forms.Form):
    days_simple = forms.IntegerField(label=_("Simple cases (days)"), min_value=1)
    days_normal = forms.IntegerField(label=_("Normal cases (days)"), min_value=1)
    days_complex = forms.IntegerField(label=_("Complex cases (days)"), min_value=1)
    acceptance_days = forms.IntegerField(label=_("Days to accept or decline"), min_value=1)
    count_working_days = forms.BooleanField(label=_("Count working days only"), required=False)
    fee_free = forms.BooleanField(label=_("Mediation is free of charge"), required=False)
    recording_start = forms.ChoiceField(
        label=_("Hearing recording starts"),
        choices=RecordingStart.choices,
        widget=forms.RadioSelect,
        required=False,  # left out, the current policy stays
        help_text=_(
            "The recording notice participants accept before entering says which. Either way "
            "the mediator can pause the recording (giving a reason) and resume it."
        ),
    )
    record_caucus = forms.BooleanField(
        label=_("Record caucus rooms too"),
        required=False,
        help_text=_("Participants are told when they enter whether caucus rooms are recorded."),
    )
    # Blank keeps the current value.
    recording_retention_days = forms.IntegerField(
        label=_("Keep hearing recordings (days after the hearing)"), min_value=1, required=False
    )

    # The procedure's other periods (blank keeps the current value).
    answer_days = forms.IntegerField(
        label=_("Working days for the institution to answer"), min_value=1, required=False
    )
    recusal_decision_days = forms.IntegerField(
        label=_("Working days to decide a recusal application"), min_value=1, required=False
    )
    transfer_decision_days = forms.IntegerField(
        label=_("Working days to accept or decline a transfer"), min_value=1, required=False
    )
    reminder_days = forms.CharField(
        label=_("Remind the mediator (working days before a deadline)"),
        max_length=40,
        required=False,
        help_text=_("Comma-separated, like 3,1."),
    )
    mediator_idle_days = forms.IntegerField(
        label=_("Flag mediators without a new case for (days)"), min_value=1, required=False
    )
    mediator_min_score = forms.IntegerField(
        label=_("Flag mediators whose last assessment scored below"),
        min_value=0,
        max_value=100,
        required=False,
    )

    PROCEDURE_FIELDS = (
        "answer_days",
        "recusal_decision_days",
        "transfer_decision_days",
        "reminder_days",
        "mediator_idle_days",
        "mediator_min_score",
    )

    @classmethod
    def initial_from(cls, rules: MediationRules) -> dict[str, Any]:
        return {name: getattr(rules, name) for name in cls.base_fields}

    def procedure(self) -> dict[str, int | str]:
        """The procedure settings the form was given (blank ones are left out)."""
        data = self.cleaned_data
        return {
            name: data[name] for name in self.PROCEDURE_FIELDS if data.get(name) not in (None, "")
        }


class ChannelForm(forms.Form):
    scope = forms.ChoiceField(label=_("Kind"), choices=ComplaintChannel.Scope.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    url = forms.CharField(label=_("Web address"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    @classmethod
    def initial_from(cls, channel: ComplaintChannel) -> dict[str, Any]:
        return {name: getattr(channel, name) for name in cls.base_fields}
