"""Room forms. They only check presence; the services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AcknowledgeForm(forms.Form):
    acknowledge = forms.BooleanField(
        label=_("I have read the session rules and know that this hearing is recorded."),
        required=True,
    )
