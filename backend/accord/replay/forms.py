from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class GrantForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    include_caucus = forms.BooleanField(label=_("Include caucus recordings"), required=False)
    days = forms.IntegerField(
        label=_("Valid for (days, empty for no expiry)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Required when caucus recordings are included."),
    )
