"""Forms of the feedback page (the letter's fields, how the materials went back)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.courts.models import ReturnMethod


class FeedbackLetterForm(forms.Form):
    outcome = forms.CharField(label=_("Result of the mediation"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Details for the court"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example what was agreed, or why mediation failed."),
    )
    attachments = forms.CharField(
        label=_("Enclosed materials"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line."),
    )

    def attachment_list(self) -> list[str]:
        return [line for line in self.cleaned_data.get("attachments", "").splitlines()]


class MaterialsReturnForm(forms.Form):
    method = forms.ChoiceField(label=_("Returned how"), choices=ReturnMethod.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("For example the tracking number, or who received them at the court."),
    )
