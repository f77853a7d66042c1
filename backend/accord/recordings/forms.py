from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the legal hold"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
