"""Forms of the deadline pages: shape only; the services own the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (days, counted as the time limit is)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CourtPeriodForm(forms.Form):
    days = forms.IntegerField(label=_("The court's period (calendar days)"))
    reason = forms.CharField(
        label=_("Reason (for example: the letter of entrustment's number)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtensionAnswerForm(forms.Form):
    party = forms.CharField()
    consents = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")])
